#include "rootfs/copy_up.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::rootfs {
namespace {

constexpr int kMaxDepth = 64; // each level holds a getdents buffer on the stack

struct Dirent64 {
    ino64_t d_ino;
    off64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

int copy_file(int from, int to, const char *name, const struct stat &st) noexcept {
    int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) return -errno;
    int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
    if (out < 0) {
        int e = errno;
        close(in);
        return -e;
    }
    int r = 0;
    for (;;) {
        ssize_t n = copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
        if (n > 0) continue;
        if (n == 0) break;
        if (errno == EINTR) continue;
        // Not across these filesystems: the plain way.
        char buf[8192];
        ssize_t got;
        while ((got = read(in, buf, sizeof buf)) > 0)
            for (ssize_t off = 0; off < got;) {
                ssize_t w = write(out, buf + off, static_cast<size_t>(got - off));
                if (w < 0) {
                    if (errno == EINTR) continue;
                    r = -errno;
                    break;
                }
                off += w;
            }
        if (got < 0) r = -errno;
        break;
    }
    if (r == 0) {
        // The owner where this user namespace maps it; the mode in any case
        // (not the umask's, and after chown, which clears setuid).
        (void)!fchown(out, st.st_uid, st.st_gid);
        fchmod(out, st.st_mode & 07777);
    }
    close(in);
    close(out);
    return r;
}

int copy_dir(int from, int to, int depth) noexcept {
    if (depth > kMaxDepth) return -ELOOP;
    alignas(8) char buf[2048];
    for (;;) {
        long n = syscall(SYS_getdents64, from, buf, sizeof buf);
        if (n < 0) return -errno;
        if (n == 0) return 0;
        for (long off = 0; off < n;) {
            auto *d = reinterpret_cast<Dirent64 *>(buf + off);
            off += d->d_reclen;
            const char *name = d->d_name;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            struct stat st;
            if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
            int r = 0;
            if (S_ISDIR(st.st_mode)) {
                if (mkdirat(to, name, st.st_mode & 07777) < 0 && errno != EEXIST) return -errno;
                int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub_from < 0) return -errno;
                int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub_to < 0) {
                    r = -errno;
                    close(sub_from);
                    return r;
                }
                r = copy_dir(sub_from, sub_to, depth + 1);
                if (r == 0) {
                    (void)!fchown(sub_to, st.st_uid, st.st_gid);
                    fchmod(sub_to, st.st_mode & 07777);
                }
                close(sub_from);
                close(sub_to);
            } else if (S_ISREG(st.st_mode)) {
                r = copy_file(from, to, name, st);
            } else if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t len = readlinkat(from, name, target, sizeof target - 1);
                if (len < 0) return -errno;
                target[len] = 0;
                if (symlinkat(target, to, name) < 0) return -errno;
                fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
            } else if (S_ISFIFO(st.st_mode)) {
                if (mknodat(to, name, st.st_mode, 0) < 0) return -errno;
                fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
            }
            // Sockets and device nodes are not copied: a tmpfs in a user
            // namespace cannot hold devices, and sockets are not content.
            if (r < 0) return r;
        }
    }
}

} // namespace

int copy_tree(int from, int to) noexcept { return copy_dir(from, to, 0); }

} // namespace burrow::rootfs
