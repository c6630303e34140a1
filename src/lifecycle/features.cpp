// `burrow features`: the runtime-spec features document, saying only what
// burrow really does.
#include "lifecycle/lifecycle.hpp"
#include "security/caps.hpp"
#include "security/seccomp.hpp"
#include "session/cgroup_systemd.hpp"
#include "userns/rootless.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

namespace burrow::lifecycle {

std::string features() {
    nlohmann::ordered_json j;
    j["ociVersionMin"] = "1.0.0";
    j["ociVersionMax"] = "1.2.0";
    j["hooks"] = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};
    j["mountOptions"] = {"async",      "atime",   "bind",       "dev",         "diratime",    "dirsync",
                         "exec",       "idmap",   "lazytime", "loud",        "mand",        "noatime",     "nodev",
                         "nodiratime", "noexec",  "nolazytime", "nomand",      "norelatime",  "nostrictatime",
                         "nosuid",     "nosymfollow", "private", "rbind",      "relatime",    "remount",     "ridmap",
                         "ro",         "rprivate", "rshared",   "rslave",      "runbindable", "rw",
                         "shared",     "silent",  "slave",      "strictatime", "suid",        "symfollow",
                         "sync",       "tmpcopyup", "unbindable"};
    nlohmann::ordered_json lx;
    lx["namespaces"] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};
    lx["capabilities"] = security::known_caps();
    lx["cgroup"] = {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}};
    // The systemd manager (system and user) works when its D-Bus helper is installed.
    lx["cgroup"]["systemd"] = lx["cgroup"]["systemdUser"] = !session::systemd_helper_path().empty();
    nlohmann::ordered_json sc;
    sc["enabled"] = true;
    sc["actions"] = security::known_actions();
    sc["operators"] = security::known_operators();
    sc["archs"] = security::known_archs();
    sc["knownFlags"] = security::known_flags();
    sc["supportedFlags"] = security::known_flags();
    lx["seccomp"] = sc;
    lx["apparmor"] = {{"enabled", true}};
    lx["selinux"] = {{"enabled", false}};
    lx["intelRdt"] = {{"enabled", false}};
    // Idmapped bind mounts are made as root only (rootfs/idmap_source.hpp).
    lx["mountExtensions"] = {{"idmap", {{"enabled", geteuid() == 0 && !userns::rootless()}}}};
    j["linux"] = lx;
    j["annotations"] = {{"io.github.burrow.version", BURROW_VERSION}};
    // --overlay and its annotations (burrow-create(1)): the drivers it can use.
    j["annotations"]["io.github.burrow.overlay"] = "kernel,fuse";
    // --image and its annotation: a squashfs file, served by squashfuse.
    j["annotations"]["io.github.burrow.image"] = "squashfuse";
    // Read from config.json as --network and --publish (netless/).
    j["annotations"]["io.github.burrow.network"] = "none|loopback|slirp4netns|pasta[:allow_host_loopback=true]";
    j["annotations"]["io.github.burrow.publish"] = "[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp],...";
    j["annotations"]["io.github.burrow.userns"] = "keep-id|keep-id:single"; // --userns
    return j.dump(4) + "\n";
}

} // namespace burrow::lifecycle
