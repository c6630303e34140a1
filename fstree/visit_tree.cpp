#include "fstree/visit_tree.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace burrow::fstree {
namespace {

struct Level {
    std::vector<std::string> pending; // its subdirectories not visited yet
    dev_t dev;
    ino_t ino;
};

// The names of dir's subdirectories (links are not directories here).
int subdirs(int dir, std::vector<std::string> &out) {
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
            bool is_dir = d->d_type == DT_DIR;
            if (d->d_type == DT_UNKNOWN) {
                struct stat st;
                is_dir = fstatat(dir, e, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
            }
            if (is_dir) out.emplace_back(e);
        }
    }
}

} // namespace

int visit_dirs(int fd, const std::function<void(int dirfd)> &visit) {
    int cur = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    struct stat st;
    if (cur < 0 || fstat(cur, &st) < 0) {
        int e = errno;
        if (cur >= 0) close(cur);
        return e;
    }
    std::vector<Level> levels{{{}, st.st_dev, st.st_ino}}; // fd's directory, then those cur is below it
    visit(cur);
    int err = subdirs(cur, levels.back().pending);
    while (!err) {
        Level &here = levels.back();
        if (!here.pending.empty()) { // down into the next one
            std::string name = std::move(here.pending.back());
            here.pending.pop_back();
            int next = openat(cur, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (next < 0) {
                if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) continue; // gone or replaced
                err = errno;
                break;
            }
            if (fstat(next, &st) < 0) {
                err = errno;
                close(next);
                break;
            }
            close(cur);
            cur = next;
            levels.push_back({{}, st.st_dev, st.st_ino});
            visit(cur);
            err = subdirs(cur, levels.back().pending);
            continue;
        }
        if (levels.size() == 1) break; // fd's own directory: done
        levels.pop_back();
        int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (up < 0 || fstat(up, &st) < 0 || st.st_dev != levels.back().dev || st.st_ino != levels.back().ino) {
            err = up < 0 ? errno : ESTALE;
            if (up >= 0) close(up);
            break;
        }
        close(cur);
        cur = up;
    }
    close(cur);
    return err;
}

} // namespace burrow::fstree
