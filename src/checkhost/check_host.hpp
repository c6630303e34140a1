// `burrow check-host`: why rootless containers do or do not work here. Each
// check says OK, WARN (a container runs, something is degraded) or MISSING
// (that part cannot work), what it means for a container, and the fix.
// The host's files and the live probes come from HostEnv, so unit tests can
// describe a host this machine is not (no subuid range, userns disabled...).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace burrow::checkhost {

enum class CheckStatus { ok, warn, missing };
const char *status_name(CheckStatus s) noexcept; // "OK", "WARN", "MISSING"

struct Check {
    std::string name;   // stable identifier: "userns-create", "subuid", ...
    CheckStatus status = CheckStatus::ok;
    std::string detail; // what was found, and what it means for a container
    std::string fix;    // one line: a command or a package; empty when OK
    bool required = false; // MISSING here means no rootless container can run
};

// What the cgroup manager choice found (session/cgroup_manager.hpp).
struct CgroupChoice {
    std::string manager;                  // "cgroupfs-v1", "cgroupfs-v2", "systemd", "none"
    std::string path;                     // the container's cgroup path, "" for none
    std::vector<std::string> controllers; // delegated (writable) controllers
    std::string reason;
};

// Live probes: each returns 0 or an errno value. The defaults (real_probes())
// fork a child where the probe needs namespaces, and leave nothing behind.
struct HostProbes {
    std::function<int()> userns;          // fork, unshare(CLONE_NEWUSER), write own maps
    std::function<int()> overlay_userns;  // overlay mount with userxattr in a user+mount namespace
    std::function<int()> seccomp;         // seccomp(SECCOMP_GET_ACTION_AVAIL)
    std::function<int()> pidfd_open, openat2, open_tree;
    std::function<int(const std::string &)> open_rw;     // open a device read-write
    std::function<int(const std::string &)> connect_unix; // connect to a unix socket path
    std::function<CgroupChoice()> cgroup;
};
// cgroup_manager: the global --cgroup-manager ("" or "auto": the automatic choice).
HostProbes real_probes(const std::string &cgroup_manager = "");

struct HostEnv {
    std::string proc_sys = "/proc/sys";
    std::string subuid = "/etc/subuid", subgid = "/etc/subgid";
    std::string uid_map = "/proc/self/uid_map", gid_map = "/proc/self/gid_map";
    std::string dev_fuse = "/dev/fuse", dev_tun = "/dev/net/tun";
    std::string path_env;            // PATH to search for helpers
    std::string xdg_runtime_dir;     // "" when unset
    std::string dbus_session_bus;    // DBUS_SESSION_BUS_ADDRESS, "" when unset
    std::string state_root;          // --root
    std::string user;                // the caller's name ("" when /etc/passwd has none)
    uint32_t uid = 0, gid = 0;
    bool rootless = true;            // is the caller unprivileged (or root in a user namespace)?
    HostProbes probe;
};
// This process's environment, with the state root of --root and the cgroup manager asked for.
HostEnv real_host(const std::string &state_root, const std::string &cgroup_manager = "");

std::vector<Check> check_host(const HostEnv &h);

// 0 when a rootless container can run (no required check is MISSING), else 1.
int check_exit_status(const std::vector<Check> &checks);

// "text": one aligned line per check (and its fix indented below it);
// "json": an array of {name, status, detail, fix}. Throws Error for another format.
std::string format_checks(const std::vector<Check> &checks, const std::string &format);

// The whole command: the report in `format` (text, json) into out, for the
// state root and cgroup manager asked for; returns the exit status (0: a
// rootless container can run here).
int check_host_report(const std::string &root, const std::string &cgroup_manager, const std::string &format,
                      std::string &out);

} // namespace burrow::checkhost
