// check-host's checks, in the order a rootless container meets them: the
// user namespace, its id maps, the cgroup, devices and helpers, kernel
// features, where the state goes. Host files come from HostEnv, live probes
// from HostEnv::probe (host_probes.cpp).
#include "checkhost/check_host.hpp"
#include "read_file.hpp"
#include "session/cgroup_files.hpp"
#include "userns/subid.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace burrow::checkhost {
namespace {

using S = CheckStatus;

// A file's text, "" when it cannot be read.
std::string text_of(const std::string &path) {
    try {
        return read_file(path);
    } catch (const std::exception &) {
        return "";
    }
}

// A /proc/sys value, trimmed; "" when the file is absent.
std::string sysctl(const HostEnv &h, const std::string &rel) {
    auto w = session::words(text_of(h.proc_sys + "/" + rel));
    return w.empty() ? "" : w[0];
}

std::string why(int err) { return strerror(err); }

std::string find_in_path(const HostEnv &h, const std::string &name, bool usr_bin_fallback) {
    std::string p = h.path_env;
    for (size_t i = 0; i <= p.size();) {
        size_t j = p.find(':', i);
        if (j == std::string::npos) j = p.size();
        std::string dir = p.substr(i, j - i);
        i = j + 1;
        if (dir.empty() || dir[0] != '/') continue; // as userns::find_helper: absolute dirs only
        std::string f = dir + "/" + name;
        struct stat st;
        if (stat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(f.c_str(), X_OK) == 0) return f;
    }
    if (usr_bin_fallback && access(("/usr/bin/" + name).c_str(), X_OK) == 0) return "/usr/bin/" + name;
    return "";
}

std::string who(const HostEnv &h) { return h.user.empty() ? std::to_string(h.uid) : h.user; }

std::string range_text(const userns::Range &r) {
    return std::to_string(r.start) + "-" + std::to_string(uint64_t(r.start) + r.count - 1);
}

bool overlaps(const userns::Range &a, const userns::Range &b) {
    return uint64_t(a.start) < uint64_t(b.start) + b.count && uint64_t(b.start) < uint64_t(a.start) + a.count;
}

void userns_checks(const HostEnv &h, std::vector<Check> &out) {
    auto clone = sysctl(h, "kernel/unprivileged_userns_clone");
    Check c{"userns-sysctl", S::ok, "", "", false};
    if (clone.empty())
        c.detail = "kernel.unprivileged_userns_clone: not in this kernel (no such gate)";
    else if (clone == "0") {
        c.status = S::missing;
        c.detail = "kernel.unprivileged_userns_clone = 0: unprivileged users may not create user namespaces";
        c.fix = "sudo sysctl -w kernel.unprivileged_userns_clone=1";
    } else
        c.detail = "kernel.unprivileged_userns_clone = " + clone + ": unprivileged user namespaces allowed";
    out.push_back(c);

    auto max = sysctl(h, "user/max_user_namespaces");
    c = {"userns-max", S::ok, "", "", false};
    if (max.empty()) {
        c.status = S::warn;
        c.detail = "user.max_user_namespaces: not found (a kernel without user namespaces?)";
        c.fix = "a kernel built with CONFIG_USER_NS";
    } else if (max == "0") {
        c.status = S::missing;
        c.detail = "user.max_user_namespaces = 0: no user namespace may be created";
        c.fix = "sudo sysctl -w user.max_user_namespaces=28633";
    } else
        c.detail = "user.max_user_namespaces = " + max;
    out.push_back(c);

    auto aa = sysctl(h, "kernel/apparmor_restrict_unprivileged_userns");
    c = {"userns-apparmor", S::ok, "", "", false};
    if (aa.empty() || aa == "0")
        c.detail = "kernel.apparmor_restrict_unprivileged_userns: " + (aa.empty() ? std::string("not set") : "0") +
                   ": AppArmor does not restrict user namespaces";
    else {
        c.status = S::warn;
        c.detail = "kernel.apparmor_restrict_unprivileged_userns = " + aa +
                   ": AppArmor (Ubuntu) takes capabilities away in unprivileged user namespaces";
        c.fix = "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile with `userns,` for burrow";
    }
    out.push_back(c);

    c = {"userns-create", S::ok, "", "", h.rootless};
    if (int e = h.probe.userns()) {
        c.status = S::missing;
        c.detail = "creating a user namespace and mapping your uid failed: " + why(e) +
                   (h.rootless ? ": no rootless container can run" : ": containers with a user namespace cannot run");
        c.fix = aa == "1" ? "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
                          : "allow unprivileged user namespaces (see userns-sysctl, userns-max, userns-apparmor)";
    } else
        c.detail = "created a user namespace and mapped uid " + std::to_string(h.uid) + " to root in it";
    out.push_back(c);
}

// All ranges of the file by owner (name or uid as written), in file order.
std::vector<std::pair<std::string, userns::Range>> all_ranges(const std::string &text) {
    std::vector<std::pair<std::string, userns::Range>> out;
    for (auto &line : session::split(text, '\n')) {
        auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0 || line[0] == '#') continue;
        std::string owner = line.substr(0, colon);
        // The library's parser decides what a valid line is; uid -1 matches no decimal owner.
        for (auto &r : userns::parse_subid(line, owner, UINT32_MAX)) out.emplace_back(owner, r);
    }
    return out;
}

void subid_check(const HostEnv &h, const char *name, const std::string &file, bool gid, std::vector<Check> &out) {
    Check c{name, S::ok, "", "", false};
    const char *ids = gid ? "gid" : "uid";
    if (!h.rootless) {
        c.detail = std::string("you are root: any ") + ids + " may be mapped without " + file;
        out.push_back(c);
        return;
    }
    if ((gid ? h.gid : h.uid) == 0) {
        // Root of a user namespace (podman's rootless mode): the ids to map
        // are those of that namespace, not a range in the file.
        // Lines of "inside outside count".
        auto w = session::words(text_of(gid ? h.gid_map : h.uid_map));
        uint64_t total = 0;
        for (size_t i = 2; i < w.size(); i += 3) total += strtoull(w[i].c_str(), nullptr, 10);
        c.detail = "root of a user namespace of " + std::to_string(total) + " " + ids +
                   "s (as under podman): containers map from those, not from " + file;
        if (total < 65536) {
            c.status = S::warn;
            c.detail += ": fewer than 65536";
            c.fix = "give the user that made this namespace 65536 ids in " + file;
        }
        out.push_back(c);
        return;
    }
    std::string text = text_of(file);
    auto mine = userns::parse_subid(text, h.user, gid ? h.gid : h.uid);
    auto all = all_ranges(text);
    if (mine.empty()) {
        // A free range: above every range in the file, at a 65536 boundary.
        uint64_t end = 100000;
        for (auto &[o, r] : all) end = std::max<uint64_t>(end, uint64_t(r.start) + r.count);
        uint64_t start = (end + 65535) / 65536 * 65536;
        c.status = S::missing;
        c.detail = "no range for " + who(h) + " in " + file + ": a container gets only your own " + ids +
                   " (0 inside); an image with files of other owners, or a second user, cannot be mapped";
        c.fix = std::string("sudo usermod --add-sub") + ids + "s " + std::to_string(start) + "-" +
                std::to_string(start + 65535) + " " + who(h);
        out.push_back(c);
        return;
    }
    uint64_t total = 0;
    std::string list;
    for (auto &r : mine) {
        total += r.count;
        list += (list.empty() ? "" : ", ") + range_text(r);
    }
    c.detail = who(h) + ": " + list + " (" + std::to_string(total) + " ids) in " + file;
    if (total < 65536) {
        c.status = S::warn;
        c.detail += ": fewer than 65536, so an image using higher ids (nobody: 65534) cannot be mapped whole";
        c.fix = "give " + who(h) + " 65536 ids in " + file + " (sudo usermod --add-sub" + ids + "s ...)";
    }
    for (auto &[owner, r] : all) {
        if (owner == h.user || owner == std::to_string(gid ? h.gid : h.uid)) continue;
        for (auto &m : mine)
            if (overlaps(m, r)) {
                c.status = S::warn;
                c.detail += "; " + range_text(m) + " overlaps " + owner + "'s " + range_text(r) +
                            ": that user's containers share those ids with yours";
                c.fix = "give each user a range of its own in " + file;
            }
    }
    out.push_back(c);
}

void helper_check(const HostEnv &h, const char *name, std::vector<Check> &out) {
    Check c{name, S::ok, "", "", false};
    std::string path = find_in_path(h, name, true);
    if (path.empty()) {
        c.status = h.rootless ? S::missing : S::ok;
        c.detail = std::string(name) + " not found: only your own id can be mapped (no subordinate ranges)";
        if (!h.rootless) c.detail = std::string(name) + " not found (root does not need it)";
        else c.fix = "sudo apt-get install uidmap";
        out.push_back(c);
        return;
    }
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID)) {
        c.detail = path + ": setuid root";
    } else if (getxattr(path.c_str(), "security.capability", nullptr, 0) > 0) {
        c.detail = path + ": has file capabilities";
    } else {
        c.status = h.rootless ? S::missing : S::ok;
        c.detail = path + ": neither setuid root nor with file capabilities: maps wider than your own id fail";
        if (h.rootless) c.fix = "sudo chmod u+s " + path + " (or: sudo setcap cap_setuid,cap_setgid+ep " + path + ")";
    }
    out.push_back(c);
}

void cgroup_check(const HostEnv &h, std::vector<Check> &out) {
    Check c{"cgroup", S::ok, "", "", false};
    auto g = h.probe.cgroup();
    std::string ctl;
    for (auto &x : g.controllers) ctl += (ctl.empty() ? "" : " ") + x;
    if (g.manager == "none" || g.manager.empty()) {
        c.status = S::warn;
        c.detail = "no cgroup manager: " + g.reason +
                   ": containers run, but linux.resources, pause, resume, update and events --stats are refused";
        c.fix = g.manager == "none" && g.reason.rfind("cgroups disabled", 0) == 0
                    ? "leave out the global option --cgroup-manager disabled"
                    : "run burrow in a delegated cgroup: systemd-run --user --scope -p Delegate=yes burrow ... (cgroup v2)";
    } else if (ctl.empty()) {
        c.status = S::warn;
        c.detail = g.manager + " at " + g.path + ", but no controller is delegated: resource limits are refused";
        c.fix = "delegate controllers: systemd-run --user --scope -p Delegate=yes, or echo +memory +pids > cgroup.subtree_control of the parent";
    } else
        c.detail = g.manager + " at " + g.path + "; delegated controllers: " + ctl;
    out.push_back(c);
}

std::string bus_path(const HostEnv &h) {
    const std::string unix_path = "unix:path=";
    if (h.dbus_session_bus.compare(0, unix_path.size(), unix_path) == 0) {
        auto p = h.dbus_session_bus.substr(unix_path.size());
        return p.substr(0, p.find(','));
    }
    return h.xdg_runtime_dir.empty() ? "" : h.xdg_runtime_dir + "/bus";
}

void systemd_check(const HostEnv &h, std::vector<Check> &out) {
    Check c{"systemd-user", S::ok, "", "", false};
    std::string bus = bus_path(h);
    int e = bus.empty() ? ENOENT : h.probe.connect_unix(bus);
    if (e) {
        c.status = S::warn;
        c.detail = "no systemd user manager reachable (" + (bus.empty() ? "no DBUS_SESSION_BUS_ADDRESS or XDG_RUNTIME_DIR" : bus + ": " + why(e)) +
                   "): --systemd-cgroup and user services of containers are unavailable; cgroupfs is used";
        c.fix = "sudo loginctl enable-linger " + who(h) + ", then log in again (a systemd user session)";
    } else
        c.detail = "user bus at " + bus + ": --systemd-cgroup can make a scope";
    out.push_back(c);
}

void device_check(const HostEnv &h, const char *name, const std::string &dev, const char *what, const char *module,
                  std::vector<Check> &out) {
    Check c{name, S::ok, "", "", false};
    if (int e = h.probe.open_rw(dev)) {
        c.status = S::warn;
        c.detail = dev + ": " + why(e) + ": " + what + " cannot work";
        c.fix = std::string("sudo modprobe ") + module + " && sudo chmod 0666 " + dev;
    } else
        c.detail = dev + ": opened read-write: " + what + " can work";
    out.push_back(c);
}

void tool_check(const HostEnv &h, const char *name, const char *package, const char *use, std::vector<Check> &out) {
    Check c{name, S::ok, "", "", false};
    std::string p = find_in_path(h, name, false);
    if (p.empty()) {
        c.status = S::warn;
        c.detail = std::string(name) + " not in PATH: " + use + " unavailable";
        c.fix = std::string("sudo apt-get install ") + package;
    } else
        c.detail = p + ": " + use;
    out.push_back(c);
}

void kernel_check(const char *name, int err, const std::string &ok, const std::string &without, const char *fix,
                  std::vector<Check> &out) {
    Check c{name, S::ok, ok, "", false};
    if (err) {
        c.status = S::warn;
        c.detail = name + std::string(": ") + why(err) + ": " + without;
        c.fix = fix;
    }
    out.push_back(c);
}

// Writable, or can be made by us below its nearest existing ancestor.
void state_check(const HostEnv &h, std::vector<Check> &out) {
    Check c{"state-root", S::ok, "", "", true};
    std::string p = h.state_root;
    bool exists = access(p.c_str(), F_OK) == 0;
    std::string probe = p;
    while (!exists && probe.size() > 1) {
        probe = probe.substr(0, std::max<size_t>(probe.rfind('/'), 1));
        exists = access(probe.c_str(), F_OK) == 0;
    }
    struct stat st;
    bool ok = stat(probe.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
              faccessat(AT_FDCWD, probe.c_str(), W_OK | X_OK, AT_EACCESS) == 0;
    if (!ok) {
        c.status = S::missing;
        c.detail = p + ": " + (probe == p ? "not a writable directory" : probe + " is not writable, so it cannot be made") +
                   ": no container can be created with this state root";
        c.fix = "burrow --root DIR with a directory of your own (or set XDG_RUNTIME_DIR)";
    } else
        c.detail = p + (probe == p ? ": writable" : ": will be made (in " + probe + ", writable)");
    out.push_back(c);
}

void xdg_check(const HostEnv &h, std::vector<Check> &out) {
    Check c{"xdg-runtime-dir", S::ok, "", "", false};
    struct stat st;
    if (!h.rootless) {
        c.detail = "root keeps its state in /run/burrow";
    } else if (h.xdg_runtime_dir.empty()) {
        c.status = S::warn;
        c.detail = "XDG_RUNTIME_DIR is not set: state goes to /tmp/burrow-" + std::to_string(h.uid) +
                   ", and the systemd user manager cannot be found";
        c.fix = "log in through a systemd-logind session, or: export XDG_RUNTIME_DIR=/run/user/$(id -u)";
    } else if (stat(h.xdg_runtime_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != h.uid) {
        c.status = S::warn;
        c.detail = "XDG_RUNTIME_DIR=" + h.xdg_runtime_dir + " is not a directory of yours";
        c.fix = "export XDG_RUNTIME_DIR=/run/user/$(id -u) (made by systemd-logind at login)";
    } else
        c.detail = "XDG_RUNTIME_DIR=" + h.xdg_runtime_dir;
    out.push_back(c);
}

} // namespace

const char *status_name(CheckStatus s) noexcept {
    switch (s) {
    case S::ok: return "OK";
    case S::warn: return "WARN";
    case S::missing: return "MISSING";
    }
    return "?";
}

std::vector<Check> check_host(const HostEnv &h) {
    std::vector<Check> out;
    userns_checks(h, out);
    subid_check(h, "subuid", h.subuid, false, out);
    subid_check(h, "subgid", h.subgid, true, out);
    helper_check(h, "newuidmap", out);
    helper_check(h, "newgidmap", out);
    cgroup_check(h, out);
    systemd_check(h, out);
    device_check(h, "dev-fuse", h.dev_fuse, "fuse-overlayfs (a rootfs overlay without kernel overlayfs)", "fuse", out);
    device_check(h, "dev-net-tun", h.dev_tun, "slirp4netns and pasta (a container network of its own)", "tun", out);
    Check ov{"overlay-userns", S::ok, "kernel overlayfs mounts in a user namespace (userxattr)", "", false};
    if (int e = h.probe.overlay_userns()) {
        ov.status = S::warn;
        ov.detail = "kernel overlayfs in a user namespace: " + why(e) + ": --overlay needs fuse-overlayfs";
        ov.fix = "Linux >= 5.11 for userxattr, or: sudo apt-get install fuse-overlayfs";
    }
    out.push_back(ov);
    tool_check(h, "fuse-overlayfs", "fuse-overlayfs", "the overlay rootfs without kernel overlayfs", out);
    tool_check(h, "slirp4netns", "slirp4netns", "a user-mode network (--network slirp4netns)", out);
    tool_check(h, "pasta", "passt", "a user-mode network (--network pasta)", out);
    kernel_check("seccomp", h.probe.seccomp(), "seccomp filters available", "configs with linux.seccomp fail",
                 "a kernel with CONFIG_SECCOMP_FILTER", out);
    if (out.back().status != S::ok) out.back().status = S::missing;
    kernel_check("pidfd", h.probe.pidfd_open(), "pidfd_open available", "burrow waits on SIGCHLD instead",
                 "Linux >= 5.3", out);
    kernel_check("openat2", h.probe.openat2(), "openat2 RESOLVE_IN_ROOT available",
                 "paths in the rootfs are resolved by hand instead", "Linux >= 5.6", out);
    kernel_check("mount-api", h.probe.open_tree(), "open_tree and mount_setattr available",
                 "bind mounts are remounted the classic way instead", "Linux >= 5.12", out);
    state_check(h, out);
    xdg_check(h, out);
    return out;
}

int check_exit_status(const std::vector<Check> &checks) {
    for (auto &c : checks)
        if (c.required && c.status == S::missing) return 1;
    return 0;
}

} // namespace burrow::checkhost
