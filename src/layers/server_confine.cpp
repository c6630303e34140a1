#include "layers/server_confine.hpp"
#include "read_file.hpp"
#include "rootfs/mount_exec.hpp"
#include "security/apply.hpp"
#include "security/caps.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <linux/capability.h>
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
constexpr uint64_t kServerCaps = uint64_t{1} << CAP_CHOWN | uint64_t{1} << CAP_DAC_OVERRIDE |
                                 uint64_t{1} << CAP_DAC_READ_SEARCH | uint64_t{1} << CAP_FOWNER |
                                 uint64_t{1} << CAP_FSETID | uint64_t{1} << CAP_MKNOD | uint64_t{1} << CAP_SETUID |
                                 uint64_t{1} << CAP_SETGID | uint64_t{1} << CAP_SETFCAP;

} // namespace

ServerConfinement plan_server_confinement(const std::string &writable, const std::string &binary,
                                          const std::vector<std::string> &readable, const rootfs::LayerTmpfs &tmpfs) {
    ServerConfinement c;
    using security::FsAccess;
    // The system's programs, libraries and configuration (ld.so.cache,
    // fuse.conf), where a user keeps no secrets, and the trees software is
    // installed in besides (/opt, Nix's and Guix's stores); /proc for its
    // own entries (another user namespace's processes are closed to it there
    // anyway); the two devices it opens; the program's own directory,
    // wherever it is, and the libraries beside it or on LD_LIBRARY_PATH (an
    // HPC site's build); its layers.
    for (const char *d : {"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc", "/opt", "/nix/store",
                          "/gnu/store"})
        c.paths.push_back({d, FsAccess::read_exec});
    if (size_t slash = binary.rfind('/'); slash != std::string::npos && slash > 0) {
        std::string dir = binary.substr(0, slash); // its bin/, and the lib/ beside it: not the whole prefix (~/.local)
        c.paths.push_back({dir, FsAccess::read_exec});
        if (size_t up = dir.rfind('/'); up != std::string::npos && up > 0)
            for (const char *lib : {"/lib", "/lib64"}) c.paths.push_back({dir.substr(0, up) + lib, FsAccess::read_exec});
    }
    if (const char *ld = getenv("LD_LIBRARY_PATH"))
        for (std::string_view rest = ld; !rest.empty();) {
            size_t colon = rest.find(':');
            std::string_view d = rest.substr(0, colon);
            if (!d.empty() && d.front() == '/') c.paths.push_back({std::string(d), FsAccess::read_exec});
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    c.paths.push_back({"/proc", FsAccess::read});
    c.paths.push_back({"/dev/null", FsAccess::write});
    c.paths.push_back({"/dev/fuse", FsAccess::write});
    for (auto &r : readable) c.paths.push_back({r, FsAccess::read});
    if (!writable.empty()) c.paths.push_back({writable, FsAccess::write});
    c.writable = writable;
    c.tmpfs = tmpfs;
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls.push_back({{"socket"}, "SCMP_ACT_ERRNO", EACCES, {}});
    s.syscalls.push_back({{"io_uring_setup", "add_key", "keyctl", "request_key"}, "SCMP_ACT_ERRNO", EPERM, {}});
    c.filter = security::compile_seccomp(s);
    c.keep_caps = kServerCaps;
    c.last_cap = security::last_cap();
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
    const char *w = c.writable.empty() ? nullptr : c.writable.c_str();
    if (w && c.writable == "/") {
        // An --overlay-upper right below /: its directory is everything (the rest below still holds).
    } else if (!c.legacy) {
        // The writable directory cloned while still writable, everything
        // made read-only, the clone put back on top.
        int tree = w ? open_tree(AT_FDCWD, w, OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC) : -1;
        if (w && tree < 0) return fail(what, "clone the writable directory", errno);
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) < 0)
            return fail(what, "make every mount read-only", errno);
        if (w && move_mount(tree, "", AT_FDCWD, w, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return fail(what, "put back the writable directory", errno);
        if (tree >= 0) close(tree);
    } else {
        if (w && mount(w, w, nullptr, MS_BIND | MS_REC, nullptr) < 0)
            return fail(what, "bind the writable directory", errno);
        for (auto &m : c.mount_points) {
            if (m == c.writable) continue;
            int r = rootfs::remount_readonly(m.c_str());
            // One the server cannot reach (below a directory it may not
            // search, or gone meanwhile) it cannot write either.
            if (r < 0 && r != -EACCES && r != -ENOENT) return fail(what, "make a mount read-only", -r);
        }
    }
    // (where that fails, the writable directory itself serves)
    if (w) rootfs::mount_layer_tmpfs(c.tmpfs);
    // The daemon the server forks to serve (the process that answers the
    // container's requests for as long as it runs) is born in a pid
    // namespace of its own, its first process: it can signal no process of
    // the user's. (The server's own process, which starts it, cannot make
    // threads from now on; none of them does before it forks.)
    if (unshare(CLONE_NEWPID) < 0) return fail(what, "unshare the pid namespace", errno);
    if (int r = security::drop_bounding(c.keep_caps, c.last_cap); r < 0)
        return fail(what, "drop capabilities from the bounding set", -r);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(what, "set no_new_privs", errno);
    // After the layer's tmpfs is mounted: its rule is on that mount's root.
    if (int r = security::restrict_paths(c.paths); r < 0)
        return fail(what, "restrict its file access (Landlock)", -r);
    if (int r = security::load_seccomp(c.filter); r < 0) return fail(what, "load the seccomp filter", -r);
    return 0;
}

} // namespace burrow::layers
