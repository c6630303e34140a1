#include "rootfs/overlay.hpp"
#include "rootfs/mount_exec.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace burrow::rootfs {

bool mount_overlay(const OverlayMount &o, const char *target, OverlayResult &r, Failure &f) noexcept {
    if (o.try_kernel) {
        if (mount("overlay", target, "overlay", 0, o.kernel_data.c_str()) == 0) {
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
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        f.what = "open";
        f.path = "/dev/fuse";
        f.err = errno;
        return false;
    }
    // The kernel's side of the FUSE filesystem: fuse-overlayfs serves it
    // through this fd. allow_other: every uid of the container's user
    // namespace may use it; default_permissions: the kernel checks modes.
    char data[160];
    snprintf(data, sizeof data, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", fd);
    if (mount("fuse-overlayfs", target, "fuse.fuse-overlayfs", 0, data) < 0) {
        f.what = "mount";
        f.fstype = "fuse.fuse-overlayfs";
        f.path = target;
        f.err = errno;
        close(fd);
        return false;
    }
    r.fuse_fd = fd;
    return true;
}

const char *driver_name(OverlayDriver d) {
    return d == OverlayDriver::kernel ? "kernel" : d == OverlayDriver::fuse ? "fuse" : "none";
}

} // namespace burrow::rootfs
