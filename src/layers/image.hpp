// --image FILE.sqfs, the parent's side (the child's mount is rootfs/image.hpp):
// a squashfs file is the rootfs, read-only and never unpacked, with the
// overlay's writable layer on top. --image implies --overlay; root.path is
// not used (it need not exist). squashfuse serves the image from the
// container's user namespace, as fuse-overlayfs does the overlay.
#pragma once
#include "layers/overlay.hpp"
#include "rootfs/mount_plan.hpp"
#include "spec/model.hpp"

#include <map>
#include <string>
#include <sys/types.h>

namespace burrow::layers {

// For a client that only writes config.json: the image file (relative: to the bundle).
inline constexpr const char *kImageAnnotation = "io.github.burrow.image";

// Checks the image (a readable squashfs file), finds squashfuse, and makes
// its mount the lowest layer: state_dir/overlay/image. Throws Error.
void plan_image(const std::string &image, const std::string &from, const std::string &state_dir, OverlayLayers &l,
                rootfs::OverlayMount &m);

// With a read-only root, no layer but the image, no upper or driver asked
// for and no hook that runs before the root turns read-only: lets the child
// make the image's mount (l.lower.back(), its own or the holder's) the rootfs
// itself, no overlay, where it finds every path the plan needs in it
// (rootfs/image_root.hpp). Called once the image's mount path is known.
void plan_image_root(const OverlayLayers &l, const OverlayOptions &o, const spec::Hooks &hooks, const std::string &cwd,
                     rootfs::MountPlan &m);

// The directories the image and the overlay are mounted on (the latter the container's rootfs).
void make_image_dirs(const OverlayLayers &l, const rootfs::OverlayMount &m);

// The overlay's mount point with --image (the plan's rootfs).
std::string image_rootfs(const std::string &state_dir);

// Handshake step 4a: squashfuse on the child's /dev/fuse fd; its daemon's pid.
pid_t start_squashfuse(const OverlayLayers &l, pid_t child, int fuse_fd, int userns_fd = -1);

void record_image(const OverlayLayers &l, pid_t fuse_pid, std::map<std::string, std::string> &annotations);
void forget_image_keys(std::map<std::string, std::string> &annotations);

} // namespace burrow::layers
