// `burrow spec`: a starting config.json, as runc's (same mounts, masked and
// read-only paths), with the rootless variant runc makes for --rootless.
#include "error.hpp"
#include "lifecycle/config_edits.hpp"
#include "lifecycle/keep_id.hpp"
#include "lifecycle/lifecycle.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace burrow::lifecycle {
namespace {

using json = nlohmann::ordered_json;

json mount(const char *dest, const char *type, const char *src, std::vector<std::string> opts) {
    json m;
    m["destination"] = dest;
    m["type"] = type;
    m["source"] = src;
    if (!opts.empty()) m["options"] = opts;
    return m;
}

json caps() {
    json c;
    std::vector<std::string> set = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    for (const char *k : {"bounding", "effective", "permitted", "ambient"}) c[k] = set;
    return c;
}

std::string make(bool rootless, bool keep_id) {
    json j;
    j["ociVersion"] = "1.0.2-dev";
    json p;
    p["terminal"] = true;
    p["user"] = {{"uid", 0}, {"gid", 0}};
    p["args"] = {"sh"};
    p["env"] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    p["cwd"] = "/";
    p["capabilities"] = caps();
    p["rlimits"] = json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}});
    p["noNewPrivileges"] = true;
    j["process"] = p;
    j["root"] = {{"path", "rootfs"}, {"readonly", true}};
    j["hostname"] = "burrow";
    json mounts = json::array();
    mounts.push_back(mount("/proc", "proc", "proc", {}));
    mounts.push_back(mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
    std::vector<std::string> pts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
    if (!rootless) pts.push_back("gid=5");
    mounts.push_back(mount("/dev/pts", "devpts", "devpts", pts));
    mounts.push_back(mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
    mounts.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
    if (rootless)
        mounts.push_back(mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
    else
        mounts.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
    mounts.push_back(mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}));
    j["mounts"] = mounts;
    json lx;
    if (rootless) {
        lx["uidMappings"] = json::array({{{"containerID", 0}, {"hostID", geteuid()}, {"size", 1}}});
        lx["gidMappings"] = json::array({{{"containerID", 0}, {"hostID", getegid()}, {"size", 1}}});
    } else {
        lx["resources"] = {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}};
    }
    // runc's namespaces exactly (runc 1.1's `spec` and `spec --rootless`):
    // tools add a cgroup namespace to this template themselves, and a
    // second one would be refused as given twice.
    json ns = json::array({{{"type", "pid"}}});
    if (!rootless) ns.push_back({{"type", "network"}});
    for (const char *t : {"ipc", "uts", "mount"}) ns.push_back({{"type", t}});
    if (rootless) ns.push_back({{"type", "user"}});
    lx["namespaces"] = ns;
    lx["maskedPaths"] = {"/proc/acpi",        "/proc/asound",     "/proc/kcore",       "/proc/keys",
                         "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                         "/sys/firmware",     "/proc/scsi"};
    lx["readonlyPaths"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    j["linux"] = lx;
    if (keep_id) {
        // The same rewrite as `create --userns keep-id`, written out.
        spec::Config c;
        c.process.emplace();
        apply_keep_id(c);
        auto maps = [](const std::vector<spec::IdMapping> &v) {
            json a = json::array();
            for (auto &m : v) a.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
            return a;
        };
        j["process"]["user"] = {{"uid", c.process->user.uid}, {"gid", c.process->user.gid}};
        j["linux"]["uidMappings"] = maps(c.linux_->uid_mappings);
        j["linux"]["gidMappings"] = maps(c.linux_->gid_mappings);
    }
    return j.dump(1, '\t');
}

} // namespace

std::string template_config(bool rootless) { return make(rootless, false); }

void write_spec(const std::string &bundle, bool rootless, bool keep_id) {
    std::string path = bundle + "/config.json";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EEXIST) throw Error("File " + path + " exists. Remove it first");
        throw Error("create " + path, errno);
    }
    std::string text = make(rootless, keep_id);
    ssize_t n = write(fd, text.data(), text.size());
    int e = errno;
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) throw Error("write " + path, n < 0 ? e : EIO);
}

} // namespace burrow::lifecycle
