// The errno a failed program lookup is reported with, parent side. execve(2)
// says EACCES for a directory or a file without x permission, and podman turns
// "permission denied" into exit code 126 (and "no such file" into 127): a
// child that reports a directory as EISDIR is told as EACCES, in create, run
// and exec alike.
#pragma once
#include <cerrno>
#include <cstring>

namespace burrow::process {

inline int reported_errno(const char *text, int err) noexcept {
    if (err == EISDIR && std::strncmp(text, "exec: ", 6) == 0) return EACCES;
    return err;
}

} // namespace burrow::process
