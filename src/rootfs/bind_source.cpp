#include "rootfs/bind_source.hpp"
#include "error.hpp"
#include "log.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace burrow::rootfs {

namespace {

// Whether host ids uid/gid may look the path up: search permission on every
// directory above it (what stat and open_tree need). Ignores ACLs and
// capabilities: a false "no" only means the parent opens it.
bool reachable(const std::string &path, uid_t uid, gid_t gid) {
    if (uid == static_cast<uid_t>(-1)) return false;
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        struct stat st;
        if (stat(path.substr(0, slash).c_str(), &st) < 0) return false;
        mode_t need = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
        if (!(st.st_mode & need)) return false;
    }
    return true;
}

} // namespace

void open_bind_sources(MountPlan &p, uid_t uid, gid_t gid) {
    for (auto &s : p.steps) {
        if (s.kind != StepKind::bind || s.tree_fd >= 0 || s.source.empty() || s.source[0] != '/') continue;
        struct stat st;
        if (stat(s.source.c_str(), &st) < 0) throw Error("bind mount source " + s.source, errno);
        if (reachable(s.source, uid, gid)) continue;
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

namespace {

const char *atime_name(uint64_t a) {
    return a == MOUNT_ATTR_NOATIME ? "noatime" : a == MOUNT_ATTR_STRICTATIME ? "strictatime" : "relatime";
}

} // namespace

void keep_locked_atime(MountPlan &p) {
    for (auto &s : p.steps) {
        if (s.kind != StepKind::bind || s.tree_fd >= 0 || s.source.empty()) continue;
        bool atime = s.attr_clr & MOUNT_ATTR__ATIME;
        bool nodiratime = s.attr_set & MOUNT_ATTR_NODIRATIME;
        if (!atime && !nodiratime) continue;
        struct statvfs sv {};
        if (statvfs(s.source.c_str(), &sv) < 0) continue; // the child says what is wrong with it
        uint64_t source = (sv.f_flag & ST_NOATIME) ? MOUNT_ATTR_NOATIME
                          : (sv.f_flag & ST_RELATIME) ? MOUNT_ATTR_RELATIME
                                                        : MOUNT_ATTR_STRICTATIME;
        std::string what = "mount on /" + s.target + ": ";
        if (atime) {
            uint64_t want = s.attr_set & MOUNT_ATTR__ATIME;
            if (want != source)
                log::debug(what + std::string(atime_name(want)) + " not applied: kept " + atime_name(source) +
                           ", the source mount's, which the kernel locks in a user namespace");
            s.attr_set &= ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
            s.attr_clr &= ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
        }
        if (nodiratime && !(sv.f_flag & ST_NODIRATIME)) {
            log::debug(what + "nodiratime not applied: kept diratime, the source mount's, which the kernel "
                              "locks in a user namespace");
            s.attr_set &= ~static_cast<uint64_t>(MOUNT_ATTR_NODIRATIME);
        }
    }
}

void close_bind_sources(MountPlan &p) noexcept {
    for (auto &s : p.steps)
        if (s.tree_fd >= 0) close(s.tree_fd), s.tree_fd = -1;
}

} // namespace burrow::rootfs
