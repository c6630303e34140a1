#include "rootfs/overlay.hpp"
#include "rootfs/fuse_mount.hpp"

#include <cerrno>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace burrow::rootfs {


bool mount_overlay(const OverlayMount &o, const char *target, OverlayResult &r, Failure &f) noexcept {
    if (o.try_kernel) {
        int m = mount("overlay", target, "overlay", 0, o.kernel_data.c_str());
        if (m < 0 && errno == EINVAL && !o.kernel_data_fallback.empty())
            m = mount("overlay", target, "overlay", 0, o.kernel_data_fallback.c_str());
        if (m == 0) {
            // An upper layer it cannot write to (on a network or FUSE file
            // system, say) makes the kernel's overlay read-only, not an error.
            struct statvfs sv {};
            if (statvfs(target, &sv) < 0 || !(sv.f_flag & ST_RDONLY)) return true;
            umount2(target, MNT_DETACH);
            errno = EROFS;
        }
        r.kernel_err = errno;
        if (!o.allow_fuse) {
            f.what = "mount";
            f.fstype = "overlay";
            f.path = target;
            f.err = errno;
            return false;
        }
    }
    // fuse-overlayfs serves it through the fd.
    int fd = mount_fuse("fuse-overlayfs", "fuse.fuse-overlayfs", target, 0, f);
    if (fd < 0) return false;
    r.fuse_fd = fd;
    return true;
}

const char *driver_name(OverlayDriver d) {
    return d == OverlayDriver::kernel ? "kernel" : d == OverlayDriver::fuse ? "fuse" : "none";
}

} // namespace burrow::rootfs
