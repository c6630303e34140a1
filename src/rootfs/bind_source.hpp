// Bind-mount sources opened by the parent, while it still has the caller's
// ids: as root with a user namespace, the child runs as a mapped id and may
// not reach a source only the real root can read. The child then only
// attaches the tree (move_mount), as runc does with its mount source fds.
#pragma once
#include "rootfs/mount_plan.hpp"

namespace burrow::rootfs {

// open_tree(OPEN_TREE_CLONE) of each bind step's source, with its mount
// attributes set; without open_tree (kernels before 5.2) the step keeps its
// path. Throws Error naming the mount.
void open_bind_sources(MountPlan &p);
void close_bind_sources(MountPlan &p) noexcept;

} // namespace burrow::rootfs
