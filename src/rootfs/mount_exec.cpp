#include "rootfs/mount_exec.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::rootfs {
namespace {

int openat2_in_root(int rootfd, const char *path, int flags) noexcept {
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long r;
    do r = syscall(SYS_openat2, rootfd, path[0] ? path : ".", &how, sizeof how);
    while (r < 0 && errno == EAGAIN);
    return r < 0 ? -errno : static_cast<int>(r);
}

bool fail(Failure &f, const char *what, const char *path, int err) noexcept {
    f.what = what;
    f.path = path;
    f.err = err < 0 ? -err : err;
    return false;
}

// "/proc/self/fd/N" into buf: the mount target as a magic link to an fd we
// resolved safely.
const char *fd_path(char (&buf)[32], int fd) noexcept {
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
    return buf;
}

bool bind_step(const MountStep &s, int target, Failure &f) noexcept {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (s.recursive ? AT_RECURSIVE : 0);
    int tree = open_tree(AT_FDCWD, s.source.c_str(), flags);
    if (tree < 0) return fail(f, "bind mount source", s.source.c_str(), errno);
    if (s.attr_set || s.attr_clr) {
        struct mount_attr attr {};
        attr.attr_set = s.attr_set;
        attr.attr_clr = s.attr_clr;
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (s.recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
            int e = errno;
            close(tree);
            return fail(f, "set bind mount flags on", s.target.c_str(), e);
        }
    }
    int r = move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    close(tree);
    if (r < 0) return fail(f, "bind mount onto", s.target.c_str(), e);
    return true;
}

bool fs_step(const MountStep &s, int target, Failure &f) noexcept {
    char buf[32];
    const char *src = s.source.empty() ? s.fstype.c_str() : s.source.c_str();
    const char *data = s.data.empty() ? nullptr : s.data.c_str();
    if (mount(src, fd_path(buf, target), s.fstype.c_str(), s.flags, data) == 0) return true;
    int e = errno;
    if (e == EINVAL && !s.data_fallback.empty() &&
        mount(src, buf, s.fstype.c_str(), s.flags, s.data_fallback.c_str()) == 0)
        return true;
    if ((e == EPERM || e == EACCES || e == EBUSY) && (s.sysfs_fallback || s.cgroup_fallback)) {
        const char *host = s.sysfs_fallback ? "/sys" : "/sys/fs/cgroup";
        int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (tree >= 0) {
            struct mount_attr attr {};
            attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                            ((s.flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0);
            mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
            int r = move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
            close(tree);
            if (r == 0) return true;
        }
    }
    f.fstype = s.fstype.c_str();
    return fail(f, "mount", s.target.c_str(), e);
}

bool set_propagation(int rootfd, const char *rel, unsigned long prop, Failure &f) noexcept {
    // Reopen: the fd used as the mount point still names the covered directory.
    int fd = openat2_in_root(rootfd, rel, O_PATH);
    if (fd < 0) return fail(f, "open", rel, fd);
    char buf[32];
    int r = mount(nullptr, fd_path(buf, fd), nullptr, prop, nullptr);
    int e = errno;
    close(fd);
    if (r < 0) return fail(f, "set propagation of", rel, e);
    return true;
}

} // namespace

namespace {

// Builds "<dir of prefix[0..i)>/<link>/<rest>" for a symlink met at component
// prefix[i..j): the link is followed inside the root, as the kernel would.
bool splice_link(char *out, size_t size, const char *path, size_t i, size_t j, const char *link) noexcept {
    const char *rest = path + j;
    int n;
    if (link[0] == '/') n = snprintf(out, size, "%s%s", link + 1, rest);
    else n = snprintf(out, size, "%.*s%s%s", static_cast<int>(i), path, link, rest);
    return n > 0 && static_cast<size_t>(n) < size;
}

int open_in_root_depth(int rootfd, const char *path, bool create, bool as_file, int depth) noexcept {
    int fd = openat2_in_root(rootfd, path, O_PATH);
    if (fd >= 0 || fd != -ENOENT || !create) return fd;
    if (depth > 40) return -ELOOP;

    // Walk down, creating what is missing below a parent that was itself
    // resolved inside the root.
    char prefix[4096];
    size_t len = strlen(path);
    if (len >= sizeof prefix) return -ENAMETOOLONG;
    int parent = openat2_in_root(rootfd, "", O_PATH | O_DIRECTORY);
    if (parent < 0) return parent;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/') j++;
        memcpy(prefix, path, j);
        prefix[j] = 0;
        const char *name = prefix + i;
        bool last = j >= len;
        int next = openat2_in_root(rootfd, prefix, O_PATH);
        if (next == -ENOENT) {
            // A dangling symlink: create what it points to, inside the root.
            char link[4096];
            ssize_t ln = readlinkat(parent, name, link, sizeof link - 1);
            if (ln > 0) {
                link[ln] = 0;
                char spliced[4096];
                close(parent);
                if (!splice_link(spliced, sizeof spliced, path, i, j, link)) return -ENAMETOOLONG;
                return open_in_root_depth(rootfd, spliced, create, as_file, depth + 1);
            }
            int r;
            if (last && as_file) {
                int w = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                r = w < 0 ? -errno : 0;
                if (w >= 0) close(w);
            } else {
                r = mkdirat(parent, name, 0755) < 0 ? -errno : 0;
            }
            if (r < 0 && r != -EEXIST) {
                close(parent);
                return r;
            }
            next = openat2_in_root(rootfd, prefix, O_PATH);
        }
        close(parent);
        if (next < 0) return next;
        parent = next;
        i = j + 1;
    }
    return parent;
}

} // namespace

int open_in_root(int rootfd, const char *path, bool create, bool as_file) noexcept {
    return open_in_root_depth(rootfd, path, create, as_file, 0);
}

bool prepare_root(const MountPlan &p, const char *rootfs, int *rootfd, Failure &f) noexcept {
    if (mount(nullptr, "/", nullptr, p.root_propagation, nullptr) < 0)
        return fail(f, "make / private", "/", errno);
    if (mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr) < 0) return fail(f, "bind the rootfs", rootfs, errno);
    int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(f, "open the rootfs", rootfs, errno);
    *rootfd = fd;
    return true;
}

bool run_mounts(const MountPlan &p, int rootfd, Failure &f) noexcept {
    for (auto &s : p.steps) {
        bool as_file = false;
        if (s.kind == StepKind::bind) {
            struct stat st;
            if (stat(s.source.c_str(), &st) < 0) return fail(f, "bind mount source", s.source.c_str(), errno);
            as_file = !S_ISDIR(st.st_mode);
        }
        int target = open_in_root(rootfd, s.target.c_str(), true, as_file);
        if (target < 0) return fail(f, "create mount point", s.target.c_str(), target);
        bool ok = s.kind == StepKind::bind ? bind_step(s, target, f) : fs_step(s, target, f);
        close(target);
        if (!ok) return false;
        if (s.propagation && !set_propagation(rootfd, s.target.c_str(), s.propagation, f)) return false;
    }
    return true;
}

bool make_devices(const MountPlan &p, int rootfd, Failure &f) noexcept {
    for (auto &d : p.devices) {
        if (!p.bind_devices) {
            // mknod where allowed, below a parent resolved inside the root.
            int dir = open_in_root(rootfd, d.parent.c_str(), true, false);
            if (dir < 0) return fail(f, "create", d.parent.c_str(), dir);
            char buf[32];
            int dfd = open(fd_path(buf, dir), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
            close(dir);
            if (dfd < 0) return fail(f, "open", d.parent.c_str(), errno);
            unlinkat(dfd, d.name.c_str(), 0);
            int r = mknodat(dfd, d.name.c_str(), d.mode, d.dev);
            int e = errno;
            if (r == 0) {
                fchownat(dfd, d.name.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW);
                fchmodat(dfd, d.name.c_str(), d.mode & 07777, 0);
            }
            close(dfd);
            if (r < 0) return fail(f, "mknod", d.target.c_str(), e);
            continue;
        }
        int target = open_in_root(rootfd, d.target.c_str(), true, true);
        if (target < 0) return fail(f, "create device", d.target.c_str(), target);
        int tree = open_tree(AT_FDCWD, d.host.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0) {
            int e = errno;
            close(target);
            return fail(f, "bind device from the host", d.host.c_str(), e);
        }
        int r = move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        int e = errno;
        close(tree);
        close(target);
        if (r < 0) return fail(f, "bind device", d.target.c_str(), e);
    }
    int dev = open_in_root(rootfd, "dev", true, false);
    if (dev < 0) return fail(f, "create", "dev", dev);
    // O_PATH fd of dev: reopen as a real directory fd for symlinkat.
    char buf[32];
    int dfd = open(fd_path(buf, dev), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    close(dev);
    if (dfd < 0) return fail(f, "open", "dev", errno);
    for (auto &l : p.symlinks) {
        const char *name = l.target.c_str() + 4;
        if (symlinkat(l.content.c_str(), dfd, name) < 0 && errno != EEXIST) {
            int e = errno;
            close(dfd);
            return fail(f, "symlink", l.target.c_str(), e);
        }
        if (errno == EEXIST && strcmp(name, "ptmx") == 0) {
            // An image's /dev/ptmx node: the devpts instance's ptmx is the one to use.
            struct stat st;
            if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
                unlinkat(dfd, name, 0) == 0)
                symlinkat(l.content.c_str(), dfd, name);
        }
    }
    close(dfd);
    return true;
}

bool enter_root(int rootfd, bool no_pivot, Failure &f) noexcept {
    if (fchdir(rootfd) < 0) return fail(f, "chdir to", "the rootfs", errno);
    if (no_pivot) {
        if (mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) return fail(f, "move the rootfs to", "/", errno);
        if (chroot(".") < 0) return fail(f, "chroot", ".", errno);
    } else {
        // pivot_root(".", "."): the old root ends up stacked on the new one and is
        // lazily unmounted, with no directory needed for it in the image.
        // The old root is already a slave (prepare_root), so its unmount cannot
        // propagate to the host. (mount(MS_SLAVE) on "." here would hit the new
        // root instead, turning the container's shared mounts private.)
        if (syscall(SYS_pivot_root, ".", ".") < 0) return fail(f, "pivot_root", ".", errno);
        if (umount2(".", MNT_DETACH) < 0) return fail(f, "detach the old root", "/", errno);
    }
    if (chdir("/") < 0) return fail(f, "chdir", "/", errno);
    return true;
}

bool finish_root(const MountPlan &p, Failure &f) noexcept {
    for (auto &m : p.masked) {
        struct stat st;
        if (stat(m.c_str(), &st) < 0) {
            if (errno == ENOENT) continue;
            return fail(f, "mask", m.c_str(), errno);
        }
        int r;
        if (S_ISDIR(st.st_mode)) {
            r = mount("tmpfs", m.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k");
        } else {
            int tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
            r = tree < 0 ? -1 : move_mount(tree, "", AT_FDCWD, m.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
            int e = errno;
            if (tree >= 0) close(tree);
            errno = e;
        }
        if (r < 0) return fail(f, "mask", m.c_str(), errno);
    }
    for (auto &ro : p.readonly) {
        int tree = open_tree(AT_FDCWD, ro.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (tree < 0) {
            if (errno == ENOENT) continue;
            return fail(f, "make read-only", ro.c_str(), errno);
        }
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        int r = mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
        if (r == 0) r = move_mount(tree, "", AT_FDCWD, ro.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
        int e = errno;
        close(tree);
        if (r < 0) return fail(f, "make read-only", ro.c_str(), e);
    }
    if (p.readonly_root) {
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) < 0) return fail(f, "make read-only", "/", errno);
    }
    if (p.final_propagation && mount(nullptr, "/", nullptr, p.final_propagation, nullptr) < 0)
        return fail(f, "set propagation of", "/", errno);
    return true;
}

} // namespace burrow::rootfs
