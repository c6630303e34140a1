// Rejects impossible configs before anything is spawned, naming the field.
#pragma once
#include "spec/model.hpp"

namespace burrow::spec {

// Throws Error("<field>: <why>"). Pure: looks at nothing but the config.
void validate(const Config &c);

} // namespace burrow::spec
