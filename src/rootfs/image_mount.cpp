#include "rootfs/image.hpp"
#include "rootfs/fuse_mount.hpp"
#include "rootfs/mount_exec.hpp"

#include <cerrno>
#include <sys/mount.h>

namespace burrow::rootfs {

bool mount_image(const MountPlan &p, int *fuse_fd, Failure &f) noexcept {
    // Private first, so that the image's mount is the container's alone.
    if (mount(nullptr, "/", nullptr, p.root_propagation, nullptr) < 0) {
        f.what = "set the propagation of";
        f.path = "/";
        f.err = errno;
        return false;
    }
    // With a shared root (rootfsPropagation rshared) the image's mount would
    // reach the host: the mount holding its directory is made private.
    if (may_share(p.root_propagation) && !make_holder_private(p.overlay.image_dir.c_str(), f)) return false;
    // Read-only; the kernel checks the image's own modes.
    int fd = mount_fuse("squashfuse", "fuse.squashfuse", p.overlay.image_dir.c_str(), MS_RDONLY | MS_NODEV | MS_NOSUID, f);
    if (fd < 0) return false;
    *fuse_fd = fd;
    return true;
}

} // namespace burrow::rootfs
