// CDI spec files in YAML (nvidia-ctk writes them so by default), read with
// yaml-cpp into the same JSON the JSON form gives.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace burrow::cdi {

// True when this build reads YAML (yaml-cpp was found).
bool yaml_supported();

// YAML text → JSON. A plain scalar that reads as an integer, true/false or
// null becomes one; a quoted scalar stays a string ("0" in `name: "0"`).
// Throws Error naming `path` and the line.
nlohmann::json yaml_to_json(const std::string &text, const std::string &path);

} // namespace burrow::cdi
