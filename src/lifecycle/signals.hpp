// Signal names as `kill` takes them: "TERM", "SIGTERM", "15", "RTMIN+3".
#pragma once
#include <string>
#include <vector>

namespace burrow::lifecycle {

// Throws Error("unknown signal \"X\"").
int parse_signal(const std::string &s);
std::vector<std::string> signal_names(); // "SIGABRT", ... for features and completions

} // namespace burrow::lifecycle
