#include "rootfs/bind_source.hpp"
#include "error.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::rootfs {

void open_bind_sources(MountPlan &p) {
    for (auto &s : p.steps) {
        if (s.kind != StepKind::bind || s.tree_fd >= 0) continue;
        struct stat st;
        if (stat(s.source.c_str(), &st) < 0) throw Error("bind mount source " + s.source, errno);
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (s.recursive ? AT_RECURSIVE : 0);
        int tree = open_tree(AT_FDCWD, s.source.c_str(), flags);
        if (tree < 0) {
            if (errno == ENOSYS) return; // the child binds by path, as before
            throw Error("bind mount source " + s.source, errno);
        }
        if (s.attr_set || s.attr_clr) {
            struct mount_attr attr {};
            attr.attr_set = s.attr_set;
            attr.attr_clr = s.attr_clr;
            if (mount_setattr(tree, "", AT_EMPTY_PATH | (s.recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
                int e = errno;
                close(tree);
                throw Error("set the mount options of " + s.source, e);
            }
        }
        s.tree_fd = tree;
        s.source_is_file = !S_ISDIR(st.st_mode);
    }
}

void close_bind_sources(MountPlan &p) noexcept {
    for (auto &s : p.steps)
        if (s.tree_fd >= 0) close(s.tree_fd), s.tree_fd = -1;
}

} // namespace burrow::rootfs
