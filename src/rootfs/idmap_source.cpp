#include "rootfs/idmap_source.hpp"
#include "error.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::rootfs {
namespace {

void write_file(const std::string &path, const std::string &text) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw Error("open " + path, errno);
    ssize_t n = write(fd, text.data(), text.size());
    int e = errno;
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) throw Error("write " + path, n < 0 ? e : EIO);
}

// A user namespace with these maps ("C H S\n" lines), as an fd: a child
// made for it unshares, we write its maps and open its namespace, and it
// exits. No process outlives the call.
int userns_with(const std::string &uid_map, const std::string &gid_map) {
    int ready[2], go[2];
    if (pipe2(ready, O_CLOEXEC) < 0) throw Error("pipe", errno);
    if (pipe2(go, O_CLOEXEC) < 0) {
        int e = errno;
        close(ready[0]), close(ready[1]);
        throw Error("pipe", e);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        char c = unshare(CLONE_NEWUSER) == 0 ? 'u' : 'x';
        if (write(ready[1], &c, 1) != 1) _exit(1);
        while (read(go[0], &c, 1) < 0 && errno == EINTR) {}
        _exit(0);
    }
    int e = errno;
    close(ready[1]);
    close(go[0]);
    if (pid < 0) {
        close(ready[0]), close(go[1]);
        throw Error("fork", e);
    }
    auto reap = [&] {
        close(go[1]);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    };
    char c = 0;
    ssize_t n;
    while ((n = read(ready[0], &c, 1)) < 0 && errno == EINTR) {}
    close(ready[0]);
    try {
        if (n != 1 || c != 'u') throw Error("make a user namespace for the mapping", n == 1 ? EPERM : ECHILD);
        std::string proc = "/proc/" + std::to_string(pid);
        write_file(proc + "/uid_map", uid_map);
        write_file(proc + "/gid_map", gid_map);
        int fd = open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw Error("open " + proc + "/ns/user", errno);
        reap();
        return fd;
    } catch (...) {
        reap();
        throw;
    }
}

} // namespace

void open_idmapped_sources(MountPlan &p, bool rootless) {
    for (auto &s : p.steps) {
        if (s.idmap_uid.empty() || s.tree_fd >= 0) continue;
        std::string what = "mount on /" + s.target;
        if (rootless)
            throw Error(what + ": idmapped mounts need root: the kernel idmaps only a filesystem whose user "
                               "namespace the caller owns, and " + s.source + " is the host's");
        struct stat st;
        if (stat(s.source.c_str(), &st) < 0) throw Error("bind mount source " + s.source, errno);
        int ns = userns_with(s.idmap_uid, s.idmap_gid);
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (s.recursive ? AT_RECURSIVE : 0);
        int tree = open_tree(AT_FDCWD, s.source.c_str(), flags);
        if (tree < 0) {
            int e = errno;
            close(ns);
            throw Error(what + ": open_tree " + s.source, e);
        }
        int r = 0;
        const char *step = "set its mount options";
        if (s.attr_set || s.attr_clr) {
            struct mount_attr attr {};
            attr.attr_set = s.attr_set;
            attr.attr_clr = s.attr_clr;
            r = mount_setattr(tree, "", AT_EMPTY_PATH | (s.recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
        }
        if (r == 0) {
            // idmap: the top mount only; ridmap: its submounts too.
            struct mount_attr attr {};
            attr.attr_set = MOUNT_ATTR_IDMAP;
            attr.userns_fd = static_cast<uint64_t>(ns);
            step = "idmap it";
            r = mount_setattr(tree, "", AT_EMPTY_PATH | (s.idmap_recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
        }
        int e = errno;
        close(ns);
        if (r < 0) {
            close(tree);
            if (e == EINVAL || e == EPERM)
                throw Error(what + ": " + step + ": the kernel refuses to idmap " + s.source +
                                " (its filesystem may not support idmapped mounts, or a submount of it with ridmap)",
                            e);
            throw Error(what + ": " + step, e);
        }
        s.tree_fd = tree;
        s.source_is_file = !S_ISDIR(st.st_mode);
    }
}

} // namespace burrow::rootfs
