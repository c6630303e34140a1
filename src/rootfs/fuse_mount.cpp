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
    char data[160];
    snprintf(data, sizeof data, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", fd);
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
