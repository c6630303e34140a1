// `burrow spec`: a starting config.json, as runc's (same mounts, masked and
// read-only paths), with the rootless variant runc makes for --rootless; and
// the same template, filled in from the command line, for `run --rootfs
// DIR|--image FILE -- CMD` (lifecycle/config_edits.hpp).
//
// The template is written as text in one pass, its holes filled as it goes:
// a job step that runs from it pays for one parse of the result (spec/), not
// for a JSON tree built, printed, parsed again, edited and printed again
// (about a million instructions, 5% of a run).
#include "error.hpp"
#include "lifecycle/config_edits.hpp"
#include "lifecycle/keep_id.hpp"
#include "lifecycle/lifecycle.hpp"
#include "spec/parse.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>


namespace burrow::lifecycle {
namespace {

using json = nlohmann::ordered_json;

// What the command line puts in the template's holes; the defaults are
// `burrow spec`'s.
struct Holes {
    bool rootless = true;
    bool terminal = true;
    std::vector<std::string> args{"sh"};
    std::vector<std::string> env; // after PATH and TERM
    std::string cwd = "/";
    std::string root = "rootfs";
    bool readonly = true;
    std::vector<Volume> volumes; // after the template's mounts
};

// A JSON string, escaped by nlohmann's serializer (not UTF-8: U+FFFD).
void quoted(std::string &o, std::string_view s) { o += spec::dump_json_text(nlohmann::json(s)); }

void strings(std::string &o, const std::vector<std::string> &v) {
    o += '[';
    for (size_t i = 0; i < v.size(); i++) {
        if (i) o += ',';
        quoted(o, v[i]);
    }
    o += ']';
}

void bind(std::string &o, const Volume &v) {
    o += R"(,{"destination":)";
    quoted(o, v.destination);
    o += R"(,"type":"bind","source":)";
    quoted(o, v.source);
    o += R"(,"options":["rbind",")";
    o += v.readonly ? "ro" : "rw";
    o += R"(","nosuid","nodev"]})";
}

// The template in the order runc's `spec` writes it, compact.
std::string text(const Holes &h) {
    constexpr const char *caps = R"(["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"])";
    std::string o;
    o.reserve(3072);
    o += R"({"ociVersion":"1.0.2-dev","process":{"terminal":)";
    o += h.terminal ? "true" : "false";
    o += R"(,"user":{"uid":0,"gid":0},"args":)";
    strings(o, h.args);
    o += R"(,"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","TERM=xterm")";
    for (auto &e : h.env) {
        o += ',';
        quoted(o, e);
    }
    o += R"(],"cwd":)";
    quoted(o, h.cwd);
    o += R"(,"capabilities":{)";
    for (const char *k : {"bounding", "effective", "permitted", "ambient"}) {
        if (*k != 'b') o += ',';
        o += '"';
        o += k;
        o += "\":";
        o += caps;
    }
    o += R"(},"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},"root":{"path":)";
    quoted(o, h.root);
    o += R"(,"readonly":)";
    o += h.readonly ? "true" : "false";
    o += R"(},"hostname":"burrow","mounts":[)"
         R"({"destination":"/proc","type":"proc","source":"proc"},)"
         R"({"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},)"
         R"({"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620")";
    o += h.rootless ? "]}," : R"(,"gid=5"]},)";
    o += R"({"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},)"
         R"({"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},)";
    o += h.rootless ? R"({"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]},)"
                    : R"({"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},)";
    o += R"({"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]})";
    for (auto &v : h.volumes) bind(o, v);
    o += R"(],"linux":{)";
    if (h.rootless) {
        for (auto [key, id] : {std::pair{"uidMappings", static_cast<unsigned>(geteuid())},
                               std::pair{"gidMappings", static_cast<unsigned>(getegid())}}) {
            o += '"';
            o += key;
            o += R"(":[{"containerID":0,"hostID":)";
            o += std::to_string(id);
            o += R"(,"size":1}],)";
        }
    } else {
        o += R"("resources":{"devices":[{"allow":false,"access":"rwm"}]},)";
    }
    // runc's namespaces exactly (runc 1.1's `spec` and `spec --rootless`):
    // tools add a cgroup namespace to this template themselves, and a
    // second one would be refused as given twice.
    o += h.rootless ? R"("namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}],)"
                    : R"("namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],)";
    o += R"("maskedPaths":["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats",)"
         R"("/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/sys/firmware","/proc/scsi"],)"
         R"("readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}})";
    return o;
}

// `burrow spec`'s file: the template as runc prints it (tab-indented).
std::string spec_file(bool rootless, bool keep_id) {
    Holes h;
    h.rootless = rootless;
    json j = json::parse(text(h));
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

std::string template_config(const ConfigEdits &e, bool rootless) {
    check_edits(e);
    Holes h;
    h.rootless = rootless;
    h.terminal = false;
    h.args = e.args;
    if (!e.cwd.empty()) h.cwd = e.cwd;
    h.root = e.rootfs.empty() ? "rootfs" : e.rootfs;
    h.readonly = !e.writable;
    for (auto &v : e.volumes) h.volumes.push_back(parse_volume(v));
    if (e.env_host) h.env = host_environment();
    h.env.insert(h.env.end(), e.env.begin(), e.env.end());
    return text(h);
}

void write_spec(const std::string &bundle, bool rootless, bool keep_id) {
    std::string path = bundle + "/config.json";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EEXIST) throw Error("File " + path + " exists. Remove it first");
        throw Error("create " + path, errno);
    }
    std::string text = spec_file(rootless, keep_id);
    ssize_t n = write(fd, text.data(), text.size());
    int e = errno;
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) throw Error("write " + path, n < 0 ? e : EIO);
}

} // namespace burrow::lifecycle
