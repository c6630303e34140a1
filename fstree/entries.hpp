// The pieces the walks share: the entries of an open directory (read with
// getdents64 into a buffer on the stack; no DIR stream: the walks keep one fd
// of their own and rewind it), the climb back through "..", the walk's own
// fd. Internal to fstree.
#pragma once
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::fstree {

// Calls f(name, type) for each entry of dir but "." and "..", from the
// start; type is a DT_* value, DT_UNKNOWN resolved with fstatat (without
// following a link), or -errno where that failed. f returns 0 to go on, or
// a value that stops the loop and is returned. Otherwise 0, or the errno of
// the read.
template <class F> int each_entry(int dir, F f) {
    alignas(struct dirent64) char buf[8192];
    if (lseek(dir, 0, SEEK_SET) < 0) return errno;
    for (;;) {
        ssize_t n = getdents64(dir, buf, sizeof buf);
        if (n < 0) return errno;
        if (n == 0) return 0;
        for (ssize_t off = 0; off < n;) {
            auto *d = reinterpret_cast<struct dirent64 *>(buf + off);
            off += d->d_reclen;
            const char *e = d->d_name;
            if (e[0] == '.' && (e[1] == 0 || (e[1] == '.' && e[2] == 0))) continue;
            int type = d->d_type;
            if (type == DT_UNKNOWN) {
                struct stat st;
                type = fstatat(dir, e, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
            }
            if (int r = f(e, type)) return r;
        }
    }
}

// Out of cur through "..", which must be the directory the walk came down
// from (dev, ino): otherwise the tree was moved under the walk, and it must
// stop rather than act on what is there. cur becomes the parent's fd (its
// own closed); or an errno (ESTALE for another directory), cur unchanged.
inline int climb(int &cur, dev_t dev, ino_t ino) {
    int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (up < 0 || fstat(up, &st) < 0 || st.st_dev != dev || st.st_ino != ino) {
        int e = up < 0 ? errno : ESTALE;
        if (up >= 0) close(up);
        return e;
    }
    close(cur);
    cur = up;
    return 0;
}

// A directory fd of the walk's own, dup'd from fd, and its identity in st;
// or -errno.
inline int own_copy(int fd, struct stat &st) {
    int cur = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (cur < 0 || fstat(cur, &st) < 0) {
        int e = errno;
        if (cur >= 0) close(cur);
        return -e;
    }
    return cur;
}

} // namespace burrow::fstree
