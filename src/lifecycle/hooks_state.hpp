// The state JSON that hooks receive on stdin.
#pragma once
#include "state/store.hpp"

#include <string>

namespace burrow::lifecycle {

std::string hooks_state(const state::Record &r, const char *status);

} // namespace burrow::lifecycle
