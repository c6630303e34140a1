#include "rootfs/in_root.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::rootfs {
namespace {

bool g_no_openat2 = false;

// A symlink in procfs that is a magic link (/proc/PID/fd/N, exe, cwd, root,
// ns/...): its text is a path as the kernel sees it ("/...") or an object
// ("pipe:[12]", "mnt:[4026...]"); procfs's plain links (self, thread-self,
// mounts, net) are relative names.
bool magic_link(int dirfd, const char *text) noexcept {
    struct statfs sf;
    return fstatfs(dirfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC && (text[0] == '/' || strchr(text, ':'));
}

// The walk openat2 does, by hand: a component at a time with O_NOFOLLOW, a
// symlink's text spliced into what is left, ".." never above the root.
} // namespace

int resolve_by_hand(int rootfd, const char *path, int flags) noexcept {
    constexpr int kMaxDepth = 128;
    int stack[kMaxDepth];
    int depth = 0;
    stack[depth++] = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (stack[0] < 0) return -errno;
    auto unwind = [&](int keep) {
        while (depth > keep) close(stack[--depth]);
    };
    char rest[4096];
    if (strlen(path) >= sizeof rest) {
        unwind(0);
        return -ENAMETOOLONG;
    }
    strcpy(rest, path);
    int links = 0;
    size_t pos = 0;
    while (rest[pos]) {
        size_t end = pos;
        while (rest[end] && rest[end] != '/') end++;
        char name[256];
        size_t len = end - pos;
        size_t next = rest[end] ? end + 1 : end;
        if (len == 0 || (len == 1 && rest[pos] == '.')) {
            pos = next;
            continue;
        }
        if (len >= sizeof name) {
            unwind(0);
            return -ENAMETOOLONG;
        }
        memcpy(name, rest + pos, len);
        name[len] = 0;
        pos = next;
        if (strcmp(name, "..") == 0) {
            if (depth > 1) close(stack[--depth]);
            continue;
        }
        int fd = openat(stack[depth - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            unwind(0);
            return -e;
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
            char link[4096], spliced[4096];
            ssize_t n = readlinkat(fd, "", link, sizeof link - 1);
            close(fd);
            if (n <= 0 || ++links > 40) {
                unwind(0);
                return n <= 0 ? -EINVAL : -ELOOP;
            }
            link[n] = 0;
            if (magic_link(stack[depth - 1], link)) { // what RESOLVE_NO_MAGICLINKS refuses
                unwind(0);
                return -ELOOP;
            }
            int m = snprintf(spliced, sizeof spliced, "%s/%s", link, rest + pos);
            if (m < 0 || static_cast<size_t>(m) >= sizeof spliced) {
                unwind(0);
                return -ENAMETOOLONG;
            }
            strcpy(rest, spliced);
            pos = 0;
            if (link[0] == '/') unwind(1); // absolute: from the root again
            continue;
        }
        if (depth == kMaxDepth) {
            close(fd);
            unwind(0);
            return -ENAMETOOLONG;
        }
        stack[depth++] = fd;
    }
    int last = stack[--depth];
    unwind(0);
    if (flags & O_DIRECTORY) {
        struct stat st;
        if (fstat(last, &st) < 0 || !S_ISDIR(st.st_mode)) {
            close(last);
            return -ENOTDIR;
        }
    }
    if (!(flags & O_PATH)) {
        // Reopen for real I/O through the fd we resolved safely.
        char buf[32];
        snprintf(buf, sizeof buf, "/proc/self/fd/%d", last);
        int fd = open(buf, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
        int e = errno;
        close(last);
        return fd < 0 ? -e : fd;
    }
    return last;
}

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
    // resolved inside the root. Most often only the last component is
    // missing (a mount point in a tmpfs just mounted): start at its parent
    // when that exists, else at the root.
    char prefix[4096];
    size_t len = strlen(path);
    if (len >= sizeof prefix) return -ENAMETOOLONG;
    size_t i = 0;
    int parent = -ENOENT;
    if (const char *slash = strrchr(path, '/'); slash && slash != path && slash[1]) {
        size_t dl = static_cast<size_t>(slash - path);
        memcpy(prefix, path, dl);
        prefix[dl] = 0;
        parent = openat2_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
        if (parent >= 0) i = dl + 1;
    }
    // Started at the parent: the last component is the one found missing above.
    bool known_missing = parent >= 0;
    if (parent < 0) parent = openat2_in_root(rootfd, "", O_PATH | O_DIRECTORY);
    if (parent < 0) return parent;
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/') j++;
        memcpy(prefix, path, j);
        prefix[j] = 0;
        const char *name = prefix + i;
        bool last = j >= len;
        int next = known_missing ? -ENOENT : openat2_in_root(rootfd, prefix, O_PATH);
        known_missing = false;
        if (next == -ENOENT) {
            // Create it; neither mkdirat nor O_CREAT|O_EXCL follows a symlink
            // in the last component: on one (EEXIST) read it.
            int r;
            if (last && as_file) {
                int w = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                r = w < 0 ? -errno : 0;
                if (w >= 0) close(w);
            } else {
                r = mkdirat(parent, name, 0755) < 0 ? -errno : 0;
            }
            if (r == -EEXIST) {
                // There now, though missing when looked up: made meanwhile,
                // or a name in procfs that our own open of the parent made
                // (/proc/self/fd/N); look again, which also refuses a magic link.
                int again = openat2_in_root(rootfd, prefix, O_PATH);
                if (again != -ENOENT) {
                    close(parent);
                    if (again < 0) return again;
                    parent = again;
                    i = j + 1;
                    continue;
                }
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
            } else if (r < 0) {
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


int openat2_in_root(int rootfd, const char *path, int flags) noexcept {
    if (!g_no_openat2) {
        struct open_how how {};
        how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        long r;
        do r = syscall(SYS_openat2, rootfd, path[0] ? path : ".", &how, sizeof how);
        while (r < 0 && errno == EAGAIN);
        if (r >= 0) return static_cast<int>(r);
        if (errno != ENOSYS) return -errno;
        g_no_openat2 = true;
    }
    return resolve_by_hand(rootfd, path, flags);
}

} // namespace burrow::rootfs
