// A whole small file as a string (config.json, state.json, an image's passwd).
#pragma once
#include <string>

namespace burrow {

// Throws Error("open PATH: why") / ("read PATH: why").
std::string read_file(const std::string &path);
// Reads fd to its end (at most max bytes) and closes it.
std::string read_fd(int fd, const std::string &what, size_t max = 64 << 20);

} // namespace burrow
