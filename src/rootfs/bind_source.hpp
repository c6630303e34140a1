// Bind-mount sources opened by the parent, while it still has the caller's
// ids: as root with a user namespace, the child runs as a mapped id and may
// not reach a source only the real root can read. The child then only
// attaches the tree (move_mount), as runc does with its mount source fds.
#pragma once
#include "rootfs/mount_plan.hpp"

namespace burrow::rootfs {

// open_tree(OPEN_TREE_CLONE) of each bind step's source that host ids
// `uid`/`gid` (the container's root as the host sees it; -1: unknown) cannot
// reach, with its mount attributes set. A source they reach stays a path the
// child binds itself, so its submounts arrive locked by the kernel as usual.
// Without open_tree (kernels before 5.2) every step keeps its path. Throws
// Error naming the mount.
void open_bind_sources(MountPlan &p, uid_t uid, gid_t gid);
void close_bind_sources(MountPlan &p) noexcept;

// In a user namespace the kernel locks the atime flags (noatime, relatime,
// strictatime, nodiratime) of every mount copied from the host: a bind
// asking for others would be refused (EPERM). As runc and crun, each such
// bind the child makes keeps its source mount's atime flags and gets the
// rest of its options; a --debug line names what was kept.
void keep_locked_atime(MountPlan &p);

} // namespace burrow::rootfs
