// Idmapped bind mounts (a mount's uidMappings/gidMappings, the idmap and
// ridmap options), made by the parent as runc makes them: a user namespace
// holding the mount's mapping, open_tree(OPEN_TREE_CLONE) of the source, and
// mount_setattr(MOUNT_ATTR_IDMAP) with that namespace; the child only
// attaches the tree (move_mount). A file owned by id N on disk shows as the
// mapping's hostID for N, i.e. as containerID N in a container whose user
// namespace has the same mapping.
#pragma once
#include "rootfs/mount_plan.hpp"

namespace burrow::rootfs {

// For each idmapped step: its tree_fd, ready to attach. The kernel idmaps
// only a mount of a filesystem whose owning user namespace the caller has
// CAP_SYS_ADMIN in: as root that is every filesystem that supports it;
// rootless, never a host one, so it is refused in one line. Throws Error
// naming the mount.
void open_idmapped_sources(MountPlan &p, bool rootless);

} // namespace burrow::rootfs
