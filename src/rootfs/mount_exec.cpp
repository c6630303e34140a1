#include "rootfs/mount_exec.hpp"
#include "rootfs/copy_up.hpp"
#include "rootfs/in_root.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace burrow::rootfs {
namespace {

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

bool g_legacy = false; // no open_tree/mount_setattr (kernels before 5.12, valgrind)

unsigned long ms_flags(uint64_t set, uint64_t clr) noexcept {
    unsigned long ms = 0;
    if (set & MOUNT_ATTR_RDONLY) ms |= MS_RDONLY;
    if (set & MOUNT_ATTR_NOSUID) ms |= MS_NOSUID;
    if (set & MOUNT_ATTR_NODEV) ms |= MS_NODEV;
    if (set & MOUNT_ATTR_NOEXEC) ms |= MS_NOEXEC;
    if (set & MOUNT_ATTR_NOSYMFOLLOW) ms |= MS_NOSYMFOLLOW;
    if (set & MOUNT_ATTR_NODIRATIME) ms |= MS_NODIRATIME;
    if (clr & MOUNT_ATTR__ATIME) {
        uint64_t at = set & MOUNT_ATTR__ATIME;
        ms |= at == MOUNT_ATTR_NOATIME ? MS_NOATIME : at == MOUNT_ATTR_STRICTATIME ? MS_STRICTATIME : MS_RELATIME;
    }
    return ms;
}

// The classic way: mount(MS_BIND), then a remount for the flags. In a user
// namespace the kernel locks the flags the source mount had (nosuid, nodev,
// noexec, atime): the remount must repeat them or it is refused.
int legacy_bind(const char *src, const char *dst, int reopen_root, const char *reopen_rel, bool recursive,
                uint64_t set, uint64_t clr) noexcept {
    if (mount(src, dst, nullptr, MS_BIND | (recursive ? MS_REC : 0), nullptr) < 0) return -errno;
    if (!set && !clr) return 0;
    // dst may name the covered directory (a /proc/self/fd link): reach the new mount again.
    int fd;
    if (reopen_root >= 0) {
        fd = openat2_in_root(reopen_root, reopen_rel, O_PATH);
    } else {
        fd = open(dst, O_PATH | O_CLOEXEC);
        if (fd < 0) fd = -errno;
    }
    if (fd < 0) return fd;
    char buf[32];
    fd_path(buf, fd);
    struct statvfs sv {};
    unsigned long locked = 0;
    if (statvfs(buf, &sv) == 0) {
        if (sv.f_flag & ST_NOSUID) locked |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) locked |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) locked |= MS_NOEXEC;
        if (!(clr & MOUNT_ATTR__ATIME)) {
            if (sv.f_flag & ST_NOATIME) locked |= MS_NOATIME;
            if (sv.f_flag & ST_RELATIME) locked |= MS_RELATIME;
        }
        if (sv.f_flag & ST_NODIRATIME) locked |= MS_NODIRATIME;
    }
    int r = mount(nullptr, buf, nullptr, MS_BIND | MS_REMOUNT | ms_flags(set, clr) | locked, nullptr);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

// Binds src onto a mount point, with MOUNT_ATTR_* flags. The point is either
// an O_PATH fd below the rootfs (before pivot_root; reopen_root and rel reach
// it again) or, with target_fd < 0, an absolute path (after pivot_root).
// Returns 0 or -errno.
int bind_mount(const char *src, int target_fd, const char *target_path, int reopen_root, const char *rel,
               bool recursive, uint64_t set, uint64_t clr) noexcept {
    if (!g_legacy) {
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        int tree = open_tree(AT_FDCWD, src, flags);
        if (tree < 0 && errno != ENOSYS) return -errno;
        if (tree >= 0) {
            int r = 0;
            if (set || clr) {
                struct mount_attr attr {};
                attr.attr_set = set;
                attr.attr_clr = clr;
                r = mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
            }
            if (r == 0)
                r = target_fd >= 0
                        ? move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
                        : move_mount(tree, "", AT_FDCWD, target_path, MOVE_MOUNT_F_EMPTY_PATH);
            int e = errno;
            close(tree);
            if (r == 0) return 0;
            if (e != ENOSYS) return -e;
        }
        g_legacy = true;
    }
    char buf[32];
    const char *dst = target_fd >= 0 ? fd_path(buf, target_fd) : target_path;
    return legacy_bind(src, dst, target_fd >= 0 ? reopen_root : -1, rel, recursive, set, clr);
}

bool bind_step(const MountStep &s, const char *source, int rootfd, int target, Failure &f) noexcept {
    if (s.tree_fd >= 0) { // opened and set up by the parent: attach it
        if (move_mount(s.tree_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return fail(f, "bind mount onto", s.target.c_str(), errno);
        return true;
    }
    int r = bind_mount(source, target, nullptr, rootfd, s.target.c_str(), s.recursive, s.attr_set, s.attr_clr);
    if (r < 0) return fail(f, "bind mount onto", s.target.c_str(), r);
    return true;
}

bool mount_fs(const MountStep &s, int rootfd, int target, Failure &f) noexcept {
    char buf[32];
    const char *src = s.source.empty() ? s.fstype.c_str() : s.source.c_str();
    const char *data = s.data.empty() ? nullptr : s.data.c_str();
    if (s.remount) {
        if (mount(nullptr, fd_path(buf, target), nullptr, MS_REMOUNT | s.flags, data) == 0) return true;
        return fail(f, "remount", s.target.c_str(), errno);
    }
    if (mount(src, fd_path(buf, target), s.fstype.c_str(), s.flags, data) == 0) return true;
    int e = errno;
    if (e == EINVAL && !s.data_fallback.empty() &&
        mount(src, buf, s.fstype.c_str(), s.flags, s.data_fallback.c_str()) == 0)
        return true;
    if ((e == EPERM || e == EACCES || e == EBUSY) && (s.sysfs_fallback || s.cgroup_fallback)) {
        // Not ours to mount (another network or cgroup namespace owns it): the host's, read as it is.
        const char *host = s.sysfs_fallback ? "/sys" : "/sys/fs/cgroup";
        uint64_t attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                        ((s.flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0);
        if (bind_mount(host, target, nullptr, rootfd, s.target.c_str(), true, attr, 0) == 0) return true;
    }
    f.fstype = s.fstype.c_str();
    return fail(f, "mount", s.target.c_str(), e);
}

// tmpcopyup: the directory is opened before the tmpfs covers it, and its
// content copied into the new mount (reached again by its path).
bool fs_step(const MountStep &s, int rootfd, int target, Failure &f) noexcept {
    if (!s.copy_up) return mount_fs(s, rootfd, target, f);
    char buf[32];
    int from = open(fd_path(buf, target), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = mount_fs(s, rootfd, target, f);
    if (!ok || from < 0) {
        if (from >= 0) close(from);
        return ok;
    }
    int mnt = openat2_in_root(rootfd, s.target.c_str(), O_PATH);
    int to = mnt < 0 ? mnt : open(fd_path(buf, mnt), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mnt >= 0) close(mnt);
    if (to < 0 && mnt >= 0) to = -errno;
    int r = to < 0 ? to : copy_tree(from, to);
    close(from);
    if (to >= 0) close(to);
    if (r < 0) return fail(f, "copy up (tmpcopyup) into", s.target.c_str(), r);
    return true;
}

// The tmpfs mounts this plan just made (/dev, /sys/fs/cgroup, /dev/shm):
// empty, and reachable by nobody but us (no process of the container exists
// yet, and the mount namespace is ours), so a mount point directly in one is
// made and opened by name through its fd: two syscalls instead of four path
// walks inside the root. A later mount on one of them or above forgets it.
struct FreshDir {
    const char *path = nullptr; // the plan's target ("dev")
    size_t len = 0;
    int fd = -1;
};
FreshDir g_fresh[4];

void forget_fresh_under(const char *target) noexcept {
    size_t n = strlen(target);
    for (auto &d : g_fresh)
        if (d.fd >= 0 && (n == 0 || (strncmp(d.path, target, n) == 0 && (d.path[n] == 0 || d.path[n] == '/')))) {
            close(d.fd);
            d = FreshDir{};
        }
}

void remember_fresh(const MountStep &s, int rootfd) noexcept {
    if (s.kind != StepKind::fs || s.fstype != "tmpfs" || s.copy_up || s.remount) return;
    for (auto &d : g_fresh)
        if (d.fd < 0) {
            // Reopened: the fd used as the mount point names the covered directory.
            d.fd = openat2_in_root(rootfd, s.target.c_str(), O_PATH | O_DIRECTORY);
            if (d.fd < 0) d.fd = -1;
            else d.path = s.target.c_str(), d.len = s.target.size();
            return;
        }
}

// open_in_root(create) for a mount point, by name when it is directly in a fresh tmpfs.
int mount_point(int rootfd, const char *target, bool as_file) noexcept {
    for (auto &d : g_fresh) {
        if (d.fd < 0 || strncmp(target, d.path, d.len) != 0 || target[d.len] != '/') continue;
        const char *name = target + d.len + 1;
        if (!*name || strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) break;
        // mknodat makes a regular file without an fd to close (tmpfs has it;
        // like O_CREAT|O_EXCL it follows no symlink and fails on any name there).
        int r = as_file ? mknodat(d.fd, name, S_IFREG | 0644, 0) : mkdirat(d.fd, name, 0755);
        if (r < 0) break; // there already (two mounts on one target): the walk inside the root
        int fd = openat(d.fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) return fd;
        break;
    }
    return open_in_root(rootfd, target, true, as_file);
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

bool may_share(unsigned long root_propagation) noexcept {
    return root_propagation != (MS_REC | MS_SLAVE) && root_propagation != (MS_REC | MS_PRIVATE);
}

bool make_holder_private(const char *path, Failure &f, bool above) noexcept {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || path[0] != '/' || n >= sizeof buf) return fail(f, "make private the mount holding", path, EINVAL);
    memcpy(buf, path, n + 1);
    if (above) {
        while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
        while (n > 1 && buf[n - 1] != '/') buf[--n] = 0;
    }
    for (;;) {
        while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
        // EINVAL: not a mount point; the mount holding it is further up.
        if (mount(nullptr, buf, nullptr, MS_PRIVATE, nullptr) == 0) return true;
        if (errno != EINVAL || n <= 1) return fail(f, "make private the mount holding", path, errno);
        while (n > 1 && buf[n - 1] != '/') n--;
        buf[n] = 0;
    }
}

bool prepare_root(const MountPlan &p, const char *rootfs, int *rootfd, OverlayResult &ov, Failure &f) noexcept {
    // The root gets the propagation asked for (rslave by default), as runc
    // gives it: with rootfsPropagation rshared the host's shared mounts stay
    // peers of the container's binds of them, both ways.
    if (mount(nullptr, "/", nullptr, p.root_propagation, nullptr) < 0)
        return fail(f, "set the propagation of", "/", errno);
    // Only the mount holding the rootfs is made private: pivot_root refuses a
    // shared one, and the rootfs's own mount must not propagate to the host.
    // After rslave or rprivate nothing is shared: the holder stays as it is
    // (a slave still receives the host's mounts, for volumes on the same mount).
    if (may_share(p.root_propagation) && !make_holder_private(rootfs, f)) return false;
    // The image's mount as the rootfs is a mount point itself: pivot_root
    // wants the mount holding it unshared as well.
    if (ov.image_is_root && may_share(p.root_propagation) && !make_holder_private(rootfs, f, true)) return false;
    // The overlay, after the propagation change so that it stays ours, is
    // itself the rootfs's mount (an O_PATH open of it asks FUSE nothing).
    if (ov.image_is_root) {
        // rootfs is the image's mount itself (rootfs/image_root.hpp): a
        // mount point already, and no peer of the holder's (whose mount is
        // private, as is one of our own).
    } else if (p.overlay.enabled) {
        if (!mount_overlay(p.overlay, rootfs, ov, f)) return false;
    } else if (mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        return fail(f, "bind the rootfs", rootfs, errno);
    }
    int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(f, "open the rootfs", rootfs, errno);
    *rootfd = fd;
    return true;
}

namespace {

// With the root recursively shared (rootfsPropagation rshared) a mount on the
// rootfs reaches its peers: the rootfs's /sys is a bind of /sys, so a tmpfs on
// the container's /sys/fs/cgroup covers this namespace's /sys/fs/cgroup too,
// where the later binds' sources are. Then every bind's source is opened
// before the first mount, and bound through its fd.
constexpr size_t kMaxEarly = 256;
int g_early[kMaxEarly];

struct EarlySources {
    size_t n = 0;
    EarlySources(const MountPlan &p) noexcept {
        if ((p.root_propagation & (MS_SHARED | MS_REC)) != (MS_SHARED | MS_REC) || p.steps.size() > kMaxEarly) return;
        for (; n < p.steps.size(); n++) {
            auto &s = p.steps[n];
            g_early[n] = s.kind == StepKind::bind && s.tree_fd < 0 ? open(s.source.c_str(), O_PATH | O_CLOEXEC) : -1;
        }
    }
    ~EarlySources() {
        for (size_t i = 0; i < n; i++)
            if (g_early[i] >= 0) close(g_early[i]);
    }
    int fd(size_t i) const noexcept { return i < n ? g_early[i] : -1; }
};

} // namespace

bool run_mounts(const MountPlan &p, int rootfd, Failure &f) noexcept {
    forget_fresh_under(""); // only this plan's tmpfs mounts, below this root
    EarlySources early(p);
    for (size_t i = 0; i < p.steps.size(); i++) {
        auto &s = p.steps[i];
        char src_buf[32];
        int src_fd = early.fd(i);
        const char *source = src_fd >= 0 ? fd_path(src_buf, src_fd) : s.source.c_str();
        bool as_file = false;
        if (s.kind == StepKind::bind && s.tree_fd >= 0) {
            as_file = s.source_is_file;
        } else if (s.kind == StepKind::bind && !s.source_is_dir) {
            struct stat st;
            if ((src_fd >= 0 ? fstat(src_fd, &st) : stat(source, &st)) < 0)
                return fail(f, "bind mount source", s.source.c_str(), errno);
            as_file = !S_ISDIR(st.st_mode);
        }
        // A missing mount point is made, even in a directory a bind provides
        // (podman binds an empty /run/secrets, then each secret into it), as
        // runc does: an empty file or directory, made through fds resolved
        // inside the rootfs. Nothing already there is replaced or chowned.
        int target = mount_point(rootfd, s.target.c_str(), as_file);
        if (target < 0) return fail(f, "create mount point", s.target.c_str(), target);
        bool ok = s.kind == StepKind::bind ? bind_step(s, source, rootfd, target, f) : fs_step(s, rootfd, target, f);
        close(target);
        if (!ok) return false;
        forget_fresh_under(s.target.c_str()); // covered now, or changed
        remember_fresh(s, rootfd);
        if (s.propagation && !set_propagation(rootfd, s.target.c_str(), s.propagation, f)) return false;
    }
    return true;
}

// A directory of the rootfs opened for mknodat and symlinkat: resolved inside
// the root, then reopened as a real directory fd. Kept for the next node in
// the same directory (the default devices and the /dev links all are in
// "dev"): no process of the container exists yet and the mount namespace is
// ours, so nothing can change what it names meanwhile.
struct NodeDir {
    const char *parent = nullptr;
    int fd = -1;
    ~NodeDir() {
        if (fd >= 0) close(fd);
    }
    // The fd of `dir`, or -errno; what failed in `what`.
    int open_dir(int rootfd, const char *dir, const char *&what) noexcept {
        if (fd >= 0 && strcmp(parent, dir) == 0) return fd;
        if (fd >= 0) close(fd);
        fd = -1;
        int o = open_in_root(rootfd, dir, true, false);
        if (o < 0) return what = "create", o;
        char buf[32];
        fd = open(fd_path(buf, o), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        int e = errno;
        close(o);
        if (fd < 0) return what = "open", -e;
        parent = dir;
        return fd;
    }
};

bool make_devices(const MountPlan &p, int rootfd, Failure &f) noexcept {
    NodeDir dir;
    const char *what = "";
    for (auto &d : p.devices) {
        // A FIFO needs no privilege to make, and the host has none to bind.
        if (!p.bind_devices || S_ISFIFO(d.mode)) {
            // mknod where allowed, below a parent resolved inside the root.
            int dfd = dir.open_dir(rootfd, d.parent.c_str(), what);
            if (dfd < 0) return fail(f, what, d.parent.c_str(), -dfd);
            // A node already there (the image's) is left as it is, as runc
            // does: only what burrow makes gets the config's owner and mode.
            if (mknodat(dfd, d.name.c_str(), d.mode, d.dev) == 0) {
                fchownat(dfd, d.name.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW);
                fchmodat(dfd, d.name.c_str(), d.mode & 07777, 0);
            } else if (errno != EEXIST) {
                return fail(f, "mknod", d.target.c_str(), errno);
            }
            continue;
        }
        int target = mount_point(rootfd, d.target.c_str(), true);
        if (target < 0) return fail(f, "create device", d.target.c_str(), target);
        int r = bind_mount(d.host.c_str(), target, nullptr, rootfd, d.target.c_str(), false, 0, 0);
        close(target);
        if (r < 0) return fail(f, "bind device from the host", d.host.c_str(), r);
    }
    if (p.symlinks.empty()) return true; // /dev is bound in: not ours to change
    int dfd = dir.open_dir(rootfd, "dev", what);
    if (dfd < 0) return fail(f, what, "dev", -dfd);
    for (auto &l : p.symlinks) {
        const char *name = l.target.c_str() + 4;
        if (symlinkat(l.content.c_str(), dfd, name) == 0) continue;
        if (errno != EEXIST) return fail(f, "symlink", l.target.c_str(), errno);
        if (strcmp(name, "ptmx") == 0) {
            // An image's /dev/ptmx node: the devpts instance's ptmx is the one to use.
            struct stat st;
            if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
                unlinkat(dfd, name, 0) == 0)
                symlinkat(l.content.c_str(), dfd, name);
        }
    }
    return true;
}

bool enter_root(int rootfd, bool no_pivot, Failure &f) noexcept {
    if (fchdir(rootfd) < 0) return fail(f, "chdir to", "the rootfs", errno);
    if (no_pivot) {
        // Moved onto a shared "/", the rootfs would show up on the host: "/"
        // alone becomes a slave (the container's shared binds stay peers).
        if (mount(nullptr, "/", nullptr, MS_SLAVE, nullptr) < 0) return fail(f, "make / a slave", "/", errno);
        if (mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) return fail(f, "move the rootfs to", "/", errno);
        if (chroot(".") < 0) return fail(f, "chroot", ".", errno);
    } else {
        // pivot_root(".", "."): the old root ends up stacked on the new one and is
        // lazily unmounted, with no directory needed for it in the image.
        // Before that the old root becomes a recursive slave (reached through
        // an fd of it, as runc does: "." would be the new root), so that its
        // unmount cannot propagate to the host when the root was left shared.
        int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (oldroot < 0) return fail(f, "open the old root", "/", errno);
        int r = static_cast<int>(syscall(SYS_pivot_root, ".", "."));
        int e = errno;
        if (r == 0 && fchdir(oldroot) < 0) r = -1, e = errno;
        close(oldroot);
        if (r < 0) return fail(f, "pivot_root", ".", e);
        if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0)
            return fail(f, "make the old root a slave", "/", errno);
        if (umount2(".", MNT_DETACH) < 0) return fail(f, "detach the old root", "/", errno);
    }
    if (chdir("/") < 0) return fail(f, "chdir", "/", errno);
    return true;
}

// CVE-2025-31133: masked files are covered by the container's /dev/null,
// which a container sharing a volume (or an image) could have replaced with
// a symlink or another file. Opened once without following a link, checked
// to be the null device (char 1:3), and bound from that very fd.
int open_null(Failure &f) noexcept {
    int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail(f, "mask: open", "/dev/null", errno), -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
        close(fd);
        return fail(f, "mask: not the null device (char 1:3), refused as the source:", "/dev/null", EPERM), -1;
    }
    return fd;
}

int bind_null(int null_fd, const char *target) noexcept {
    if (!g_legacy) {
        int tree = open_tree(null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree >= 0) {
            int r = move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
            int e = errno;
            close(tree);
            return r < 0 ? -e : 0;
        }
        if (errno != ENOSYS) return -errno;
        g_legacy = true;
    }
    char buf[32];
    return mount(fd_path(buf, null_fd), target, nullptr, MS_BIND, nullptr) < 0 ? -errno : 0;
}

bool finish_root(const MountPlan &p, Failure &f) noexcept {
    int null_fd = -1;
    for (auto &m : p.masked) {
        struct stat st;
        if (stat(m.c_str(), &st) < 0) {
            if (errno == ENOENT) continue;
            return fail(f, "mask", m.c_str(), errno);
        }
        int r;
        if (S_ISDIR(st.st_mode)) {
            r = mount("tmpfs", m.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k");
            if (r < 0) r = -errno;
        } else {
            if (null_fd < 0 && (null_fd = open_null(f)) < 0) return false;
            r = bind_null(null_fd, m.c_str());
        }
        if (r < 0) {
            if (null_fd >= 0) close(null_fd);
            return fail(f, "mask", m.c_str(), r);
        }
    }
    if (null_fd >= 0) close(null_fd);
    for (auto &ro : p.readonly) {
        int r = bind_mount(ro.c_str(), -1, ro.c_str(), -1, nullptr, true, MOUNT_ATTR_RDONLY, 0);
        if (r == -ENOENT) continue;
        if (r < 0) return fail(f, "make read-only", ro.c_str(), r);
    }
    if (p.readonly_root) {
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        int r = g_legacy ? -1 : mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr);
        if (r < 0 && !g_legacy && errno != ENOSYS) r = -errno;
        else if (r < 0) r = remount_readonly("/");
        if (r < 0) return fail(f, "make read-only", "/", -r);
    }
    if (p.final_propagation && mount(nullptr, "/", nullptr, p.final_propagation, nullptr) < 0)
        return fail(f, "set propagation of", "/", errno);
    return true;
}

int remount_readonly(const char *path) noexcept {
    struct statvfs sv {};
    unsigned long keep = 0;
    if (statvfs(path, &sv) == 0)
        keep = (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
               (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) | (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) |
               (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0) | (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0);
    return mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) < 0 ? -errno : 0;
}

} // namespace burrow::rootfs
