#include "layers/server_confine.hpp"
#include "read_file.hpp"
#include "rootfs/mount_exec.hpp"
#include "security/apply.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::layers {
namespace {

// A mountinfo field with its \ooo escapes (space, tab, newline, backslash) undone.
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Field 5 of each line: where the mount is, in the order mounted (parents first).
std::vector<std::string> mount_points() {
    std::string text = read_file("/proc/self/mountinfo");
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size();) {
        size_t nl = text.find('\n', i);
        if (nl == std::string::npos) nl = text.size();
        std::string_view line(text.data() + i, nl - i);
        size_t f = 0;
        for (int n = 0; n < 4 && f != std::string_view::npos; ++n) f = line.find(' ', f + (n ? 1 : 0));
        if (f != std::string_view::npos) {
            size_t e = line.find(' ', f + 1);
            out.push_back(unescape(line.substr(f + 1, e == std::string_view::npos ? e : e - f - 1)));
        }
        i = nl + 1;
    }
    return out;
}

bool kernel_has_mount_setattr() {
    // An invalid call: EBADF/EINVAL where it exists, ENOSYS where it does not.
    return syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0) == 0 || errno != ENOSYS;
}

int fail(const char **what, const char *step, int e) noexcept {
    *what = step;
    return -e;
}

// What a file server may keep: owners, modes, device nodes for whiteouts,
// file capabilities of the container's files. Everything else is dropped
// from its bounding set, so even as root it cannot mount.
constexpr bool server_keeps(int cap) {
    return cap == CAP_CHOWN || cap == CAP_DAC_OVERRIDE || cap == CAP_DAC_READ_SEARCH || cap == CAP_FOWNER ||
           cap == CAP_FSETID || cap == CAP_MKNOD || cap == CAP_SETUID || cap == CAP_SETGID || cap == CAP_SETFCAP;
}

} // namespace

ServerConfinement plan_server_confinement(std::vector<std::string> writable) {
    ServerConfinement c;
    c.writable = std::move(writable);
    for (auto &w : c.writable) c.all_writable = c.all_writable || w == "/";
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls.push_back({{"socket"}, "SCMP_ACT_ERRNO", EACCES, {}});
    s.syscalls.push_back({{"io_uring_setup", "add_key", "keyctl", "request_key"}, "SCMP_ACT_ERRNO", EPERM, {}});
    c.filter = security::compile_seccomp(s);
    if (!kernel_has_mount_setattr()) {
        c.legacy = true;
        c.mount_points = mount_points();
    }
    return c;
}

int confine_server(const ServerConfinement &c, const char **what) noexcept {
    if (unshare(CLONE_NEWNS) < 0) return fail(what, "unshare the mount namespace", errno);
    // Nothing done here may reach the caller's namespace (a copy made as real
    // root keeps the host's shared mounts shared).
    if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) return fail(what, "make / a slave", errno);
    if (c.all_writable) {
        // An --overlay-upper right below /: its directory is everything (the rest below still holds).
    } else if (!c.legacy) {
        // The writable directories cloned while still writable, everything
        // made read-only, the clones put back on top.
        int trees[8];
        size_t n = c.writable.size() < 8 ? c.writable.size() : 8;
        if (n < c.writable.size()) return fail(what, "clone the writable directories (more than 8)", E2BIG);
        for (size_t i = 0; i < n; ++i) {
            trees[i] = open_tree(AT_FDCWD, c.writable[i].c_str(), OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC);
            if (trees[i] < 0) return fail(what, "clone a writable directory", errno);
        }
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) < 0)
            return fail(what, "make every mount read-only", errno);
        for (size_t i = 0; i < n; ++i) {
            if (move_mount(trees[i], "", AT_FDCWD, c.writable[i].c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return fail(what, "put back a writable directory", errno);
            close(trees[i]);
        }
    } else {
        for (auto &w : c.writable)
            if (mount(w.c_str(), w.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
                return fail(what, "bind a writable directory", errno);
        for (auto &m : c.mount_points) {
            bool skip = false;
            for (auto &w : c.writable) skip = skip || m == w;
            if (skip) continue;
            int r = rootfs::remount_readonly(m.c_str());
            // One the server cannot reach (below a directory it may not
            // search, or gone meanwhile) it cannot write either.
            if (r < 0 && r != -EACCES && r != -ENOENT) return fail(what, "make a mount read-only", -r);
        }
    }
    // The daemon the server forks to serve (the process that answers the
    // container's requests for as long as it runs) is born in a pid
    // namespace of its own, its first process: it can signal no process of
    // the user's. (The server's own process, which starts it, cannot make
    // threads from now on; none of them does before it forks.)
    if (unshare(CLONE_NEWPID) < 0) return fail(what, "unshare the pid namespace", errno);
    // Up to what the running kernel knows (EINVAL past its last), which may be more than our headers.
    for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap)
        if (!server_keeps(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return fail(what, "drop capabilities from the bounding set", errno);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(what, "set no_new_privs", errno);
    int r = security::load_seccomp(c.filter);
    if (r == -ENOSYS) { // seccomp(2) is 3.17's (and valgrind has none): the filter through prctl
        struct sock_fprog prog = {static_cast<unsigned short>(c.filter.filter.size()),
                                  const_cast<struct sock_filter *>(c.filter.filter.data())};
        r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
    }
    if (r < 0) return fail(what, "load the seccomp filter", -r);
    return 0;
}

} // namespace burrow::layers
