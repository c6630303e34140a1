#include "rootfs/image.hpp"
#include "rootfs/mount_exec.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace burrow::rootfs {

bool mount_image(const MountPlan &p, int *fuse_fd, Failure &f) noexcept {
    // Private first, so that the image's mount is the container's alone.
    if (mount(nullptr, "/", nullptr, p.root_propagation, nullptr) < 0) {
        f.what = "make / private";
        f.path = "/";
        f.err = errno;
        return false;
    }
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        f.what = "open";
        f.path = "/dev/fuse";
        f.err = errno;
        return false;
    }
    // Read-only; allow_other: every uid of the container's user namespace
    // may read it; default_permissions: the kernel checks the image's modes.
    char data[160];
    snprintf(data, sizeof data, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", fd);
    const char *dir = p.overlay.image_dir.c_str();
    if (mount("squashfuse", dir, "fuse.squashfuse", MS_RDONLY | MS_NODEV | MS_NOSUID, data) < 0) {
        f.what = "mount";
        f.fstype = "fuse.squashfuse";
        f.path = dir;
        f.err = errno;
        close(fd);
        return false;
    }
    *fuse_fd = fd;
    return true;
}

} // namespace burrow::rootfs
