// Is this process root of the whole machine, or only of a user namespace
// (podman's rootless mode runs the OCI runtime as uid 0 inside one)? The
// latter is as rootless as any unprivileged user: no mknod, no sysfs of the
// host's network namespace, state under $XDG_RUNTIME_DIR.
#pragma once
#include <string_view>

namespace burrow::userns {

// Pure: does this /proc/self/uid_map text describe the initial user namespace?
bool is_initial_map(std::string_view uid_map);

// True for an unprivileged user, and for uid 0 of a user namespace that is
// not the initial one. Computed once.
bool rootless();

} // namespace burrow::userns
