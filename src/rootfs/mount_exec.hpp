// The child's side of the mount plan: syscalls only, no allocation, no
// exceptions. Every target is resolved inside the rootfs (openat2
// RESOLVE_IN_ROOT), so a symlink in the image cannot send a mount outside it.
#pragma once
#include "rootfs/mount_plan.hpp"

namespace burrow::rootfs {

// What failed, for the error message the child sends back.
struct Failure {
    const char *what = "";
    const char *path = "";
    const char *fstype = nullptr; // set when a filesystem mount failed
    int err = 0;
};

// Before pivot_root: the rootfs becomes a mount of its own (a bind of it, or
// the overlay over it), then the mounts, devices and /dev links are made in
// it. *rootfd receives an O_PATH fd of it; ov what the overlay mount came to
// (a FUSE overlay's fd must reach fuse-overlayfs before the rootfs is used).
// Makes private the mount holding path (path itself when it is a mount
// point, unless above: then the one holding its directory), as runc's
// rootfsParentMountPrivate: walks up until mount(MS_PRIVATE) finds a mount
// point.
bool make_holder_private(const char *path, Failure &f, bool above = false) noexcept;
// Whether some mount may still be shared after "/" got this propagation
// (anything but rslave and rprivate): then the holder must be made private.
bool may_share(unsigned long root_propagation) noexcept;

bool prepare_root(const MountPlan &p, const char *rootfs, int *rootfd, OverlayResult &ov, Failure &f) noexcept;
bool run_mounts(const MountPlan &p, int rootfd, Failure &f) noexcept;
bool make_devices(const MountPlan &p, int rootfd, Failure &f) noexcept;

// pivot_root into the rootfs (or chroot into it with no_pivot).
bool enter_root(int rootfd, bool no_pivot, Failure &f) noexcept;

// After pivot_root: masked and read-only paths, a read-only root, and the
// rootfs propagation.
bool finish_root(const MountPlan &p, Failure &f) noexcept;

// The classic read-only remount of the mount at path (kernels without
// mount_setattr), keeping the flags the kernel locked on a mount a user
// namespace copied (nosuid, nodev, noexec, the atime ones). 0 or -errno.
int remount_readonly(const char *path) noexcept;

} // namespace burrow::rootfs
