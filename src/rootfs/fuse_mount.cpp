#include "rootfs/fuse_mount.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace burrow::rootfs {

int mount_fuse(const char *name, const char *fstype, const char *target, unsigned long flags, Failure &f) noexcept {
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        f.what = "open";
        f.path = "/dev/fuse";
        f.err = errno;
        return -1;
    }
    // The mount's owner is who we are in the user namespace: root, or, with a
    // map of the caller's own id alone, that id (an unmapped 0 is EINVAL).
    char data[160];
    snprintf(data, sizeof data, "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,default_permissions", fd,
             static_cast<unsigned>(geteuid()), static_cast<unsigned>(getegid()));
    if (mount(name, target, fstype, flags, data) < 0) {
        f.what = "mount";
        f.fstype = fstype;
        f.path = target;
        f.err = errno;
        close(fd);
        return -1;
    }
    return fd;
}

} // namespace burrow::rootfs
