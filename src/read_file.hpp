// A whole small file as a string (config.json, state.json, an image's passwd).
#pragma once
#include <string>

namespace burrow {

// Throws Error("open PATH: why") / ("read PATH: why").
std::string read_file(const std::string &path);
// Reads fd to its end (at most max bytes) and closes it.
std::string read_fd(int fd, const std::string &what, size_t max = 64 << 20);

} // namespace burrow

namespace burrow {
// The canonical absolute path of an existing file, as realpath(3) gives it,
// but with one open and one readlink instead of a readlink per component.
// Throws Error("<what>: <path>: why").
std::string canonical_path(const std::string &path, const std::string &what);
} // namespace burrow
