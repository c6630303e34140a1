// The overlay rootfs (--overlay): the bundle's rootfs and any further lower
// layers stay read-only and the container writes to an upper layer. The
// parent prepares the option strings; the child mounts over the rootfs path
// in its own mount namespace, before the rest of the mount plan:
//   kernel: mount("overlay", ..., "lowerdir=..,upperdir=..,workdir=..,userxattr"),
//           one syscall, in the container's user namespace;
//   fuse:   the child opens /dev/fuse and mounts a FUSE filesystem on it
//           (fd=N), then hands the fd to the parent (handshake step 3a),
//           which runs fuse-overlayfs on it from inside the container's user
//           namespace. fuse-overlayfs lives in burrow's mount namespace, so it
//           holds nothing of the container's: when the container's mount
//           namespace goes, the FUSE connection is aborted and it exits.
#pragma once
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::rootfs {

enum class OverlayDriver { none, kernel, fuse };

// The container's own layer where the state directory is a tmpfs (a user's
// /run/user/UID, root's /run): a tmpfs of its own, as large as that one, is
// mounted on dir (upper and work's directory), in the container's mount
// namespace before the kernel's overlay (fuse-overlayfs: in its server's),
// so that the container fills only its own (and it goes with the
// namespace). The upper directory is given to the caller's ids in the
// container (-1: left to the container's root), as the parent's mkdir would
// have. Not mounted (the state directory's directories below dir serve)
// where it cannot be or where tmpfs lacks the user.* xattrs overlayfs needs
// in a user namespace, and fuse-overlayfs always (before Linux 6.6).
struct LayerTmpfs {
    std::string dir, options, upper, work; // dir empty: none
    bool user_xattr = false;               // probe for user.* xattrs first
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
};

// Mounts t, makes its upper and work: true; false when it is not mounted.
bool mount_layer_tmpfs(const LayerTmpfs &t) noexcept;

struct OverlayMount {
    bool enabled = false;
    bool try_kernel = false; // kernel overlayfs first
    bool allow_fuse = false; // fuse-overlayfs (when the kernel refuses, or forced)
    std::string kernel_data; // "lowerdir=A:B,upperdir=U,workdir=W,userxattr[,volatile]"
    std::string kernel_data_fallback; // retried when kernel_data is refused: without volatile (before 5.10)
    std::string image_dir;   // --image: squashfuse's mount, the lowest layer (rootfs/image.hpp)
    // --image with a read-only root: the image's mount (image_dir, or the
    // holder's) is the rootfs itself where it has every path of image_needs
    // (rootfs/image_root.hpp).
    bool image_as_root = false;
    std::string image_root;
    std::vector<std::string> image_needs;
    bool dirs_later = false; // the overlay's directories are made when the child asks (overlay_dirs)
    LayerTmpfs layer;        // the own layer's tmpfs (dir empty: none)
};

struct Failure;

// What the child's overlay mount came to.
struct OverlayResult {
    int fuse_fd = -1;   // FUSE: the /dev/fuse fd to hand to the parent
    int kernel_err = 0; // the errno of the kernel's overlayfs before falling back to FUSE
    bool image_is_root = false; // no overlay: the image's mount is the rootfs (set before prepare_root)
};

// Child side: mounts the overlay onto target.
bool mount_overlay(const OverlayMount &o, const char *target, OverlayResult &r, Failure &f) noexcept;

const char *driver_name(OverlayDriver d);

} // namespace burrow::rootfs
