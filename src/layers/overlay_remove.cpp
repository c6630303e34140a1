// Removing an overlay's upper and work directories. overlayfs leaves
// work/work at mode 000, and the container may have made files and
// directories owned by its subordinate ids, which the user cannot remove
// directly: those are removed from a user namespace mapping all the user's
// ids (newuidmap/newgidmap), where the user is root over them.
#include "error.hpp"
#include "fstree/remove_tree.hpp"
#include "layers/overlay.hpp"
#include "log.hpp"
#include "read_file.hpp"
#include "state/store.hpp"
#include "userns/passwd.hpp"
#include "userns/subid.hpp"
#include "userns/writer.hpp"

#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::layers {
namespace {

// Bottom up, without following links, however deep the container nested it
// (fstree/remove_tree.hpp); a directory we may chmod gets u+rwx first.
// Returns 0 or the first errno.
int remove_entry(int parent, const char *name) {
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : errno;
    if (!S_ISDIR(st.st_mode)) return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? errno : 0;
    if ((st.st_mode & 0700) != 0700) fchmodat(parent, name, (st.st_mode & 07777) | 0700, 0);
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = fstree::remove_below(fd, {});
    close(fd);
    if (!err && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT) err = errno;
    return err;
}

// The same from a new user namespace mapping the user's own and subordinate ids.
int remove_in_userns(const std::string &path) {
    uid_t uid = geteuid();
    gid_t gid = getegid();
    std::string name = userns::user_name(uid);
    if (name.empty()) name = std::to_string(uid);
    auto uids = userns::default_rootless_maps(uid, userns::read_subid("/etc/subuid", name, uid));
    auto gids = userns::default_rootless_maps(gid, userns::read_subid("/etc/subgid", name, uid));
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0) return errno;
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) {
        close(go[0]), close(go[1]);
        return errno;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]);
        close(ready[0]);
        char c = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
        if (write(ready[1], &c, 1) != 1 || !c) _exit(2);
        if (read(go[0], &c, 1) != 1) _exit(2);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) _exit(2);
        _exit(remove_entry(AT_FDCWD, path.c_str()) ? 1 : 0);
    }
    close(go[0]);
    close(ready[1]);
    int err = 0;
    if (pid < 0) {
        err = errno;
    } else {
        char c = 0;
        if (read(ready[0], &c, 1) != 1 || !c) {
            err = EPERM;
        } else {
            try {
                userns::write_uid_map(pid, uids, uid);
                userns::write_gid_map(pid, gids, gid, false);
                c = 1;
                if (write(go[1], &c, 1) != 1) err = EPIPE;
            } catch (const std::exception &e) {
                log::debug(std::string("overlay: removing as the user's ids: ") + e.what());
                err = EPERM;
            }
        }
    }
    close(go[1]);
    close(ready[0]);
    if (pid > 0) {
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        if (!err && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) err = EACCES;
    }
    return err;
}

std::string annotation(const std::map<std::string, std::string> &a, const char *k) {
    auto it = a.find(k);
    return it == a.end() ? "" : it->second;
}

// fuse-overlayfs ends when the container's mount namespace does (its FUSE
// connection is aborted); a short wait, then it is ended.
void wait_fuse_gone(pid_t pid, uint64_t start, const std::string &name) {
    if (pid <= 0) return;
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return;
    std::string comm;
    try {
        comm = read_fd(open(("/proc/" + std::to_string(pid) + "/comm").c_str(), O_RDONLY | O_CLOEXEC), "comm", 64);
    } catch (...) {
    }
    // Checked after opening: the pidfd pins this very process.
    uint64_t now = state::process_start_time(pid); // 0 once it is a zombie
    if (comm.rfind(name, 0) != 0 || (start && now && now != start)) {
        close(fd);
        return;
    }
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) {
        log::debug("overlay: " + name + " " + std::to_string(pid) + " still runs: ending it");
        syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
        poll(&p, 1, 5000);
    }
    close(fd);
    waitpid(pid, nullptr, WNOHANG); // ours after `run`
}

// The usual case, a container that left its layer empty: a few rmdirs (work/work
// at mode 000 too: rmdir asks only the parent; --image's mount points root and
// image), not a walk of the tree.
// A layer's upper and work directories in base, when empty.
bool remove_empty_layer(const std::string &base) {
    // work/work/incompat/volatile/dirty marks a volatile overlay; overlayfs
    // leaves those directories at mode 000, ours (the container's root's) to open again.
    std::string ww = base + "/work/work";
    if (rmdir(ww.c_str()) < 0 && errno == ENOTEMPTY) {
        for (const char *sub : {"", "/incompat", "/incompat/volatile"}) chmod((ww + sub).c_str(), 0700);
        unlink((ww + "/incompat/volatile/dirty").c_str());
        for (const char *sub : {"/incompat/volatile", "/incompat", ""})
            if (rmdir((ww + sub).c_str()) < 0 && errno != ENOENT) return false;
    }
    for (const char *sub : {"/upper", "/work"})
        if (rmdir((base + sub).c_str()) < 0 && errno != ENOENT) return false;
    return true;
}

bool remove_empty_overlay(const std::string &dir) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return true; // none (most containers), or nothing in it
    // On a tmpfs state directory the layer is in overlay/layer (what its own
    // tmpfs covered, or, where it had none, the layer itself).
    std::string layer = dir + "/layer";
    if (rmdir(layer.c_str()) < 0 && errno == ENOTEMPTY &&
        (!remove_empty_layer(layer) || rmdir(layer.c_str()) < 0))
        return false;
    if (!remove_empty_layer(dir)) return false;
    if (rmdir(dir.c_str()) == 0) return true;
    if (errno != ENOTEMPTY) return false;
    for (const char *sub : {"/root", "/image", ""})
        if (rmdir((dir + sub).c_str()) < 0 && errno != ENOENT) return false;
    return true;
}

} // namespace

void remove_tree_as_owner(const std::string &path) {
    int err = remove_entry(AT_FDCWD, path.c_str());
    if (err == EACCES || err == EPERM) {
        log::debug("overlay: " + path + " holds files of other ids: removing them in a user namespace");
        err = remove_in_userns(path);
    }
    if (err) throw Error("remove " + path, err);
}

void remove_overlay(const std::string &state_dir, const std::map<std::string, std::string> &a) {
    // fuse-overlayfs first: it holds the image's mount (--image) open.
    for (auto [key, name] : {std::pair{"io.github.burrow.overlay.fuse-pid", "fuse-overlayfs"},
                             std::pair{"io.github.burrow.image.fuse-pid", "squashfuse"}}) {
        std::string pid = annotation(a, key);
        if (pid.empty()) continue;
        auto colon = pid.find(':');
        wait_fuse_gone(atoi(pid.c_str()), colon == std::string::npos ? 0 : strtoull(pid.c_str() + colon + 1, nullptr, 10),
                       name);
    }
    std::string work = annotation(a, "io.github.burrow.overlay.work");
    if (!work.empty() && work.rfind(state_dir + "/", 0) != 0) remove_tree_as_owner(work);
    if (remove_empty_overlay(state_dir + "/overlay")) return;
    struct stat st;
    if (lstat((state_dir + "/overlay").c_str(), &st) == 0) remove_tree_as_owner(state_dir + "/overlay");
}

} // namespace burrow::layers
