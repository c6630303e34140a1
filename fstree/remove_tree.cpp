#include "fstree/remove_tree.hpp"
#include "fstree/entries.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace burrow::fstree {
namespace {

struct Level {
    std::string name; // in its parent
    dev_t dev;
    ino_t ino;
};

long now_ms() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

std::string place(const std::vector<Level> &levels, const std::string &name) {
    // levels[0] is the top (fd's directory, no name)
    std::string p = levels.size() <= 1 ? "" : levels.size() == 2 ? levels[1].name + "/" : ".../" + levels.back().name + "/";
    return p + name;
}

// A directory of at's, made searchable where asked, opened without following
// a link; its identity in st. The fd or -errno.
int open_dir(int at, const char *name, const Removal &how, struct stat &st) {
    if (how.make_searchable && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & 0700) != 0700)
        fchmodat(at, name, (st.st_mode & 07777) | 0700, 0);
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

// One pass over the directory cur: what can go, goes; the name of the first
// directory that cannot (children, or a cgroup's processes) is put in busy.
// Returns 0 or an errno (the entry's name in busy).
int pass(int cur, const Removal &how, std::string &busy) {
    busy.clear();
    constexpr int kInto = -1; // stop: busy names the directory to go into
    int r = each_entry(cur, [&](const char *e, int type) {
        if (type == -ENOENT) return 0; // gone meanwhile
        if (type < 0) {
            busy = e;
            return -type;
        }
        if (type != DT_DIR) {
            if (how.files && unlinkat(cur, e, 0) < 0 && errno != ENOENT) {
                busy = e;
                return errno;
            }
            return 0;
        }
        if (unlinkat(cur, e, AT_REMOVEDIR) == 0 || errno == ENOENT) return 0;
        busy = e;
        if (errno != ENOTEMPTY && errno != EEXIST && errno != EBUSY) return errno;
        return kInto;
    });
    return r == kInto ? 0 : r;
}

// rmdir of name in at, tried again while it is busy for how.busy_ms.
int remove_dir(int at, const std::string &name, const Removal &how) {
    long deadline = now_ms() + how.busy_ms;
    for (useconds_t wait = 50;; wait = std::min<useconds_t>(wait * 2, 20000)) {
        if (unlinkat(at, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || now_ms() >= deadline) return errno;
        usleep(wait);
    }
}

} // namespace

int remove_below(int fd, const Removal &how, std::string *where) {
    struct stat st;
    int cur = own_copy(fd, st);
    if (cur < 0) return -cur;
    std::vector<Level> levels{{"", st.st_dev, st.st_ino}}; // fd's directory, then those cur is below it
    std::string busy;
    int err = 0;
    for (;;) {
        if ((err = pass(cur, how, busy))) break;
        if (!busy.empty()) { // into it: what is below it first
            int next = open_dir(cur, busy.c_str(), how, st);
            if (next < 0) {
                err = -next;
                break;
            }
            close(cur);
            cur = next;
            levels.push_back({busy, st.st_dev, st.st_ino});
            continue;
        }
        if (levels.size() == 1) break; // fd's own directory: done
        // Nothing below cur now: out of it through "..", and it goes.
        busy = levels.back().name;
        levels.pop_back();
        if ((err = climb(cur, levels.back().dev, levels.back().ino)) || (err = remove_dir(cur, busy, how))) break;
    }
    close(cur);
    if (err && where) *where = place(levels, busy);
    return err;
}

} // namespace burrow::fstree
