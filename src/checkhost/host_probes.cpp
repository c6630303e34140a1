// check-host's live probes: each tries the real thing (a user namespace, an
// overlay mount, a syscall) the way a container start would, in a forked
// child where namespaces are involved, and leaves nothing behind.
#include "error.hpp"
#include "checkhost/check_host.hpp"
#include "session/cgroup_manager.hpp"
#include "session/cgroup_files.hpp"
#include "session/cgroup_mode.hpp"
#include "userns/passwd.hpp"
#include "userns/rootless.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::checkhost {
namespace {

// The maps a lone user may write for itself, prepared before fork.
struct SelfMaps {
    std::string uid_map, gid_map;
    SelfMaps() {
        uid_map = "0 " + std::to_string(geteuid()) + " 1";
        gid_map = "0 " + std::to_string(getegid()) + " 1";
    }
};

// In the child: 0 or errno.
int write_file(const char *path, const std::string &text) noexcept {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) ? 0 : errno;
    close(fd);
    return err;
}

// In the child: a user namespace (plus `more` namespaces) where we are root.
int enter_userns(const SelfMaps &m, int more) noexcept {
    if (unshare(CLONE_NEWUSER | more) != 0) return errno;
    if (int e = write_file("/proc/self/setgroups", "deny"); e && e != ENOENT) return e;
    if (int e = write_file("/proc/self/uid_map", m.uid_map)) return e;
    return write_file("/proc/self/gid_map", m.gid_map);
}

// Runs fn in a forked child; its errno comes back as the exit status.
template <class F> int in_child(F fn) {
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) _exit(fn() & 0xff);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return errno;
    return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

int probe_userns() {
    SelfMaps m;
    return in_child([&]() noexcept { return enter_userns(m, 0); });
}

int remove_entry(const char *path, const struct stat *, int, struct FTW *) { return remove(path); }

// Kernel overlayfs as a rootless container mounts it: userxattr, in a user
// and mount namespace of its own, on a real directory (not tmpfs, which
// lacked user xattrs before Linux 6.6). The mount dies with the child's
// namespace; the directories are removed here.
int probe_overlay() {
    const char *tmp = getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp == '/' ? tmp : "/tmp") + "/burrow-check-host-XXXXXX";
    if (!mkdtemp(dir.data())) return errno;
    std::string lower = dir + "/lower", upper = dir + "/upper", work = dir + "/work", merged = dir + "/merged";
    std::string data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work + ",userxattr";
    int err = 0;
    for (auto *d : {&lower, &upper, &work, &merged})
        if (!err && mkdir(d->c_str(), 0700) != 0) err = errno;
    SelfMaps m;
    if (!err)
        err = in_child([&]() noexcept {
            if (int e = enter_userns(m, CLONE_NEWNS)) return e;
            if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
            if (mount("overlay", merged.c_str(), "overlay", 0, data.c_str()) != 0) return errno;
            return 0;
        });
    nftw(dir.c_str(), remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    return err;
}

int probe_seccomp() {
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return errno;
    uint32_t action = SECCOMP_RET_KILL_PROCESS;
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0 ? 0 : errno;
}

int probe_pidfd() {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

int probe_openat2() {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT;
    int fd = static_cast<int>(syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how));
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

// open_tree without OPEN_TREE_CLONE needs no privilege; mount_setattr with a
// bad fd says EBADF where it exists.
int probe_open_tree() {
    int fd = static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLOEXEC));
    if (fd < 0) return errno;
    close(fd);
    if (syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0) < 0 && errno == ENOSYS) return ENOSYS;
    return 0;
}

int probe_open_rw(const std::string &path) {
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

int probe_connect(const std::string &path) {
    sockaddr_un sa{};
    if (path.size() >= sizeof sa.sun_path) return ENAMETOOLONG;
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path.c_str(), path.size());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int err = connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0 ? 0 : errno;
    close(fd);
    return err;
}

// What `burrow create` would pick with the same global --cgroup-manager or
// --systemd-cgroup (choose_manager makes nothing until enter()).
CgroupChoice probe_cgroup(const std::string &cgroup_manager) {
    CgroupChoice c;
    session::CgroupRequest r;
    r.id = "burrow-check-host";
    r.rootless = geteuid() != 0; // as lifecycle/cgroup.cpp asks
    try {
        r.preference = session::preference_from_name(cgroup_manager);
    } catch (const std::invalid_argument &e) {
        throw Error(e.what()); // refused as create refuses it
    }
    try {
        auto m = session::choose_manager(r, c.reason);
        auto &rec = m->record();
        c.manager = session::kind_name(rec.kind);
        if (rec.kind == session::ManagerKind::none) return c;
        c.path = rec.path;
        c.controllers = rec.controllers;
        // v1 rootless: delegated too, joined when a limit needs them
        for (auto &j : rec.joinable) c.controllers.push_back(j.first);
        if (rec.kind == session::ManagerKind::cgroupfs_v2) {
            // Delegated controllers: those the caller's cgroup offers to children.
            const auto &own = session::own_cgroups();
            std::string dir = session::join_path(rec.root, own.count("") ? own.at("") : "/");
            auto text = session::read_cgroup(dir + "/cgroup.controllers").value_or("");
            for (size_t i = 0; i < text.size();) {
                size_t j = text.find_first_of(" \n", i);
                if (j == std::string::npos) j = text.size();
                if (j > i) c.controllers.push_back(text.substr(i, j - i));
                i = j + 1;
            }
        }
    } catch (const std::exception &e) {
        c.manager = "none";
        c.reason = e.what();
    }
    return c;
}

std::string env(const char *name) {
    const char *v = getenv(name);
    return v ? v : "";
}

} // namespace

HostProbes real_probes(const std::string &cgroup_manager) {
    HostProbes p;
    p.userns = probe_userns;
    p.overlay_userns = probe_overlay;
    p.seccomp = probe_seccomp;
    p.pidfd_open = probe_pidfd;
    p.openat2 = probe_openat2;
    p.open_tree = probe_open_tree;
    p.open_rw = probe_open_rw;
    p.connect_unix = probe_connect;
    p.cgroup = [cgroup_manager] { return probe_cgroup(cgroup_manager); };
    return p;
}

HostEnv real_host(const std::string &state_root, const std::string &cgroup_manager) {
    HostEnv h;
    h.path_env = env("PATH");
    h.xdg_runtime_dir = env("XDG_RUNTIME_DIR");
    h.dbus_session_bus = env("DBUS_SESSION_BUS_ADDRESS");
    h.state_root = state_root;
    h.uid = geteuid();
    h.gid = getegid();
    h.user = userns::user_name(h.uid);
    h.rootless = userns::rootless();
    h.probe = real_probes(cgroup_manager);
    // The rootless tests' fake host files (a user with no subordinate range,
    // a sysctl set to 0): only what check-host reads, never what create uses.
    if (auto d = env("BURROW_TEST_HOST_FILES"); !d.empty()) {
        h.subuid = d + "/etc/subuid";
        h.subgid = d + "/etc/subgid";
        h.proc_sys = d + "/proc/sys";
    }
    return h;
}

} // namespace burrow::checkhost
