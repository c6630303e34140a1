#include "fstree/visit_tree.hpp"
#include "fstree/entries.hpp"

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
    return each_entry(dir, [&](const char *name, int type) {
        if (type == DT_DIR) out.emplace_back(name);
        return 0;
    });
}

} // namespace

int visit_dirs(int fd, const std::function<void(int dirfd)> &visit) {
    struct stat st;
    int cur = own_copy(fd, st);
    if (cur < 0) return -cur;
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
        if ((err = climb(cur, levels.back().dev, levels.back().ino))) break;
    }
    close(cur);
    return err;
}

} // namespace burrow::fstree
