// The kernel's side of a FUSE file system whose server the parent starts
// later (fuse-overlayfs for the overlay, squashfuse for an image): the child
// opens /dev/fuse and mounts on it; the server gets the fd. Child side:
// syscalls only, no allocation.
#pragma once
#include "rootfs/mount_exec.hpp"

namespace burrow::rootfs {

// Mounts "fuse.<name>" on target with flags; returns the /dev/fuse fd, or -1
// with f filled in. allow_other: every uid of the container's user namespace
// may use it; default_permissions: the kernel checks the files' modes.
int mount_fuse(const char *name, const char *fstype, const char *target, unsigned long flags, Failure &f) noexcept;

} // namespace burrow::rootfs
