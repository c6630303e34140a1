// --image with a read-only root: the image's own mount is the rootfs, with
// no overlay over it, where nothing would have to be made in the image (no
// mount point, device node, link or working directory missing from it). An
// overlay's writable layer is then work for nothing: the kernel's overlayfs
// mount, its upper and work directories and their removal. Otherwise, or
// with hooks that could write to the rootfs before it turns read-only, the
// overlay is mounted as before. ch-run, too, mounts a SquashFS image
// read-only and nothing over it.
#pragma once
#include "rootfs/mount_plan.hpp"

#include <string>
#include <vector>

namespace burrow::rootfs {

// Parent (pure): the paths, relative to the rootfs, that must be in the image
// for it to be the rootfs itself: each mount's target not below an earlier
// mount of the plan, and the working directory. False where the plan would
// make a device node, a link or /dev/console in the image's own /dev.
bool image_root_needs(const MountPlan &p, const std::string &cwd, std::vector<std::string> &needs);

// Child: the first path of o.image_needs that is not in the image at
// o.image_root (resolved inside it, as the mounts will be), "" when all are,
// or null when the image cannot be opened. Syscalls only.
const char *image_lacks(const OverlayMount &o) noexcept;

} // namespace burrow::rootfs
