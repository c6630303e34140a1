// --image FILE.sqfs, the child's side: before the overlay is mounted, the
// child opens /dev/fuse and mounts a read-only FUSE file system on the
// overlay's lowest layer's directory (in its own mount namespace), then
// hands the fd to the parent (handshake step 4a), which runs squashfuse on
// it with the image file, from inside the container's user namespace, as it
// does fuse-overlayfs. The overlay then holds the image's mount; when the
// overlay goes with the container's mount namespace, the image's FUSE
// connection is aborted and squashfuse exits.
// The kernel's squashfs is not used: it needs a block device (a loop device)
// and is not mountable in a user namespace.
#pragma once
#include "rootfs/mount_plan.hpp"

namespace burrow::rootfs {

// Makes / private (as prepare_root does) and mounts the image's FUSE file
// system on p.overlay.image_dir; *fuse_fd receives the /dev/fuse fd.
bool mount_image(const MountPlan &p, int *fuse_fd, Failure &f) noexcept;

} // namespace burrow::rootfs
