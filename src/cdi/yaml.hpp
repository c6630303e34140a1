// CDI spec files in YAML (nvidia-ctk writes them so by default), converted
// to JSON by the helper burrow-cdi-yaml (src/cdi/yaml_helper.cpp: yaml-cpp
// stays out of the static burrow, whose every run it would make bigger).
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace burrow::cdi {

// The YAML spec at `path` as JSON. Throws Error naming the file (and the
// line), or saying that burrow-cdi-yaml is not installed.
nlohmann::json yaml_to_json(const std::string &path);

} // namespace burrow::cdi
