// Landlock (the kernel's unprivileged file access control, Linux 5.13+): a
// process may restrict itself, and all it executes, to the paths it names.
// Used for the FUSE servers (layers/server_confine.hpp): a server taken over
// by a hostile image could otherwise read any file the user may read (their
// keys in ~/.ssh) and hand it to the container in a file it serves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace burrow::security {

// What a rule grants below its path.
enum class FsAccess : uint8_t {
    read,      // read files and list directories
    read_exec, // and execute (programs and their libraries)
    write,     // everything: make, remove, rename, write, truncate
};

struct PathRule {
    std::string path; // a missing path is skipped; "/proc/self/fd/N" names what fd N is
    FsAccess access;
};

// In a fork child, after no_new_privs and before exec: this process, and
// every one it executes, may from now on reach only what the rules grant
// (fds it holds stay as they are). Handles every file system right the
// running kernel knows, and where it can (Landlock ABI 6) keeps signals
// inside. Returns 0, or -errno; a kernel without Landlock (or with it
// disabled at boot) is 0, nothing restricted. No allocation.
int restrict_paths(const std::vector<PathRule> &rules) noexcept;

} // namespace burrow::security
