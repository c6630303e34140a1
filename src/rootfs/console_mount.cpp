#include "rootfs/console_mount.hpp"
#include "rootfs/in_root.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::rootfs {
namespace {

constexpr const char *kConsole = "dev/console";

bool fail(Failure &f, const char *what, int err) noexcept {
    f.what = what;
    f.path = kConsole;
    f.err = err < 0 ? -err : err;
    return false;
}

// The /dev to work in, as a directory fd (resolved inside the rootfs).
int open_dev(int rootfd, bool create) noexcept {
    int dev = open_in_root(rootfd, "dev", create, false);
    if (dev < 0) return dev;
    char buf[32];
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", dev);
    int dfd = open(buf, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    int e = errno;
    close(dev);
    return dfd < 0 ? -e : dfd;
}

} // namespace

bool make_console_point(const MountPlan &p, int rootfd, ConsolePoint &out, Failure &f) noexcept {
    if (!p.console) return true;
    int dfd = open_dev(rootfd, !p.console_borrowed);
    if (dfd < 0) return fail(f, "open the directory of", dfd);
    struct stat dst;
    if (fstat(dfd, &dst) < 0) {
        int e = errno;
        close(dfd);
        return fail(f, "stat the directory of", e);
    }
    // O_PATH|O_NOFOLLOW: a symlink is opened as itself, never followed.
    int fd = openat(dfd, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        out.fd = fd; // the image's node, or the host's in a bound /dev: bound over as it is
        out.dev = st.st_dev;
        close(dfd);
        return true;
    }
    if (fd >= 0) {
        close(fd);
        // A symlink (or anything else) is not followed. In the container's
        // own /dev it is replaced; a bound /dev is not burrow's to change.
        if (p.console_borrowed) {
            close(dfd);
            return fail(f, "not a file or device (a symlink is not followed) in a /dev bound in:", 0);
        }
        if (unlinkat(dfd, "console", 0) < 0) {
            int e = errno;
            close(dfd);
            return fail(f, "replace the non-file", e);
        }
    } else if (errno != ENOENT) {
        int e = errno;
        close(dfd);
        return fail(f, "open", e);
    }
    // O_EXCL|O_NOFOLLOW: this very call makes the file, or fails.
    fd = openat(dfd, "console", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0666);
    int e = errno;
    close(dfd);
    if (fd < 0) return fail(f, "create the mount point", e);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != dst.st_dev) {
        close(fd);
        return fail(f, "the console's mount point is not the file made in the container's /dev:", 0);
    }
    out.fd = fd;
    out.dev = dst.st_dev;
    out.made = true;
    return true;
}

bool bind_console(const ConsolePoint &pt, int pty_fd, Failure &f) noexcept {
    struct stat st;
    if (fstat(pt.fd, &st) < 0) return fail(f, "stat the mount point", errno);
    // Still the file made (or found) before pivot_root: not unlinked, not replaced.
    bool ok = st.st_nlink > 0 && st.st_dev == pt.dev &&
              (pt.made ? S_ISREG(st.st_mode) && st.st_size == 0 : S_ISREG(st.st_mode) || S_ISCHR(st.st_mode));
    if (!ok) return fail(f, "the console's mount point was replaced during setup (not followed):", 0);
    int tree = open_tree(pty_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree >= 0) {
        int r = move_mount(tree, "", pt.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        int e = errno;
        close(tree);
        if (r < 0) return fail(f, "bind the pty onto", e);
        return true;
    }
    if (errno != ENOSYS) return fail(f, "bind the pty onto", errno);
    // Kernels before 5.2 (and valgrind): the magic links name the very files.
    char src[32], dst[32];
    snprintf(src, sizeof src, "/proc/self/fd/%d", pty_fd);
    snprintf(dst, sizeof dst, "/proc/self/fd/%d", pt.fd);
    if (mount(src, dst, nullptr, MS_BIND, nullptr) < 0) return fail(f, "bind the pty onto", errno);
    return true;
}

} // namespace burrow::rootfs
