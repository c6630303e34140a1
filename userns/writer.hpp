// Writing the id maps of a child that has just entered a new user namespace,
// from the parent. This is on every container's start-up path: the direct
// path is one open+write+close per file; the helper path spawns
// newuidmap/newgidmap once (posix_spawn, no shell).
//
// Who writes:
//  - root (euid 0 with CAP_SETUID, CAP_SETGID for gids) or a map that
//    writable_directly() accepts: /proc/PID/uid_map and gid_map directly;
//  - anyone else: the setuid helper newuidmap/newgidmap from PATH, else
//    /usr/bin, which checks /etc/subuid and /etc/subgid itself.
// setgroups: an unprivileged direct gid map needs "deny" in
// /proc/PID/setgroups first (the kernel requires it), so that is written
// whatever deny_setgroups says; otherwise "deny" is written only when
// deny_setgroups is true. (newgidmap leaves setgroups alone for maps of
// subordinate gids and writes "deny" itself for a map of the own gid alone.)
//
// Failures throw std::system_error (a failed syscall, naming the file) or
// std::runtime_error (the helper failed, with its own words:
//   newuidmap 1234 0 1001 1 1 200000 65536: newuidmap: write to uid_map failed: Operation not permitted).
// The helper is waited for with waitpid(pid): the caller must not reap
// children it does not know (waitpid(-1)) or ignore SIGCHLD meanwhile.
#pragma once
#include <cstdint>
#include <vector>

#include "userns/idmap.hpp"

namespace burrow::userns {

void write_uid_map(int pid, const std::vector<IdMap> &maps, uint32_t own_uid);
void write_gid_map(int pid, const std::vector<IdMap> &maps, uint32_t own_gid, bool deny_setgroups);
// Both at once: where both need a helper, newuidmap and newgidmap run side by side.
void write_id_maps(int pid, const std::vector<IdMap> &uid_maps, uint32_t own_uid, const std::vector<IdMap> &gid_maps,
                   uint32_t own_gid, bool deny_setgroups);

} // namespace burrow::userns
