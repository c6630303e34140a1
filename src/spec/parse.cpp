#include "spec/parse.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

namespace burrow::spec {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string &field, const std::string &why) { throw Error(field + ": " + why); }

std::string str(const json &j, const std::string &f) {
    if (!j.is_string()) bad(f, "expected a string");
    return j.get<std::string>();
}
bool boolean(const json &j, const std::string &f) {
    if (!j.is_boolean()) bad(f, "expected true or false");
    return j.get<bool>();
}
template <typename T> T integer(const json &j, const std::string &f) {
    if (!j.is_number_integer()) bad(f, "expected an integer");
    if constexpr (std::is_unsigned_v<T>) {
        if (j.is_number_unsigned()) {
            auto v = j.get<uint64_t>();
            if (v > std::numeric_limits<T>::max()) bad(f, "out of range");
            return static_cast<T>(v);
        }
        if (j.get<int64_t>() < 0) bad(f, "must not be negative");
        auto v = j.get<int64_t>();
        if (static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) bad(f, "out of range");
        return static_cast<T>(v);
    } else {
        if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max()))
            bad(f, "out of range");
        auto v = j.get<int64_t>();
        if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) bad(f, "out of range");
        return static_cast<T>(v);
    }
}
std::vector<std::string> strings(const json &j, const std::string &f) {
    if (!j.is_array()) bad(f, "expected an array of strings");
    std::vector<std::string> out;
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); i++) out.push_back(str(j[i], f + "[" + std::to_string(i) + "]"));
    return out;
}
const json *member(const json &j, const char *key) {
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}
const json &required(const json &j, const char *key, const std::string &f) {
    if (auto v = member(j, key)) return *v;
    bad(f, std::string(key) + " is required");
}
void object(const json &j, const std::string &f) {
    if (!j.is_object()) bad(f, "expected an object");
}
template <typename F> void each(const json &j, const std::string &f, F fn) {
    if (!j.is_array()) bad(f, "expected an array");
    for (size_t i = 0; i < j.size(); i++) fn(j[i], f + "[" + std::to_string(i) + "]");
}
std::map<std::string, std::string> string_map(const json &j, const std::string &f) {
    object(j, f);
    std::map<std::string, std::string> m;
    for (auto &[k, v] : j.items()) m[k] = str(v, f + "." + k);
    return m;
}

int rlimit_resource(const std::string &name, const std::string &f) {
    static const std::pair<const char *, int> table[] = {
        {"RLIMIT_AS", RLIMIT_AS},         {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_CPU", RLIMIT_CPU},
        {"RLIMIT_DATA", RLIMIT_DATA},     {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
        {"RLIMIT_STACK", RLIMIT_STACK},
    };
    for (auto &[n, r] : table)
        if (name == n) return r;
    bad(f, "unknown rlimit \"" + name + "\"");
}

NsType ns_type(const std::string &s, const std::string &f) {
    static const std::pair<const char *, NsType> table[] = {
        {"user", NsType::user},     {"pid", NsType::pid},       {"network", NsType::network}, {"mount", NsType::mount},
        {"ipc", NsType::ipc},       {"uts", NsType::uts},       {"cgroup", NsType::cgroup},   {"time", NsType::time},
    };
    for (auto &[n, t] : table)
        if (s == n) return t;
    bad(f, "unknown namespace type \"" + s + "\"");
}

std::vector<IdMapping> id_mappings(const json &j, const std::string &f) {
    std::vector<IdMapping> out;
    each(j, f, [&](const json &m, const std::string &mf) {
        object(m, mf);
        IdMapping x;
        x.container_id = integer<uint32_t>(required(m, "containerID", mf), mf + ".containerID");
        x.host_id = integer<uint32_t>(required(m, "hostID", mf), mf + ".hostID");
        x.size = integer<uint32_t>(required(m, "size", mf), mf + ".size");
        out.push_back(x);
    });
    return out;
}

Hook hook(const json &j, const std::string &f) {
    object(j, f);
    Hook h;
    if (auto v = member(j, "path")) h.path = str(*v, f + ".path");
    if (auto v = member(j, "args")) h.args = strings(*v, f + ".args");
    if (auto v = member(j, "env")) h.env = strings(*v, f + ".env"), h.has_env = true;
    if (auto v = member(j, "timeout")) h.timeout = integer<int>(*v, f + ".timeout");
    return h;
}

void parse_hooks(const json &j, Hooks &h) {
    object(j, "hooks");
    auto list = [&](const char *key, std::vector<Hook> &out) {
        if (auto v = member(j, key))
            each(*v, std::string("hooks.") + key, [&](const json &x, const std::string &f) { out.push_back(hook(x, f)); });
    };
    list("prestart", h.prestart);
    list("createRuntime", h.create_runtime);
    list("createContainer", h.create_container);
    list("startContainer", h.start_container);
    list("poststart", h.poststart);
    list("poststop", h.poststop);
}

void parse_process(const json &j, Process &p) {
    const std::string f = "process";
    object(j, f);
    if (auto v = member(j, "terminal")) p.terminal = boolean(*v, f + ".terminal");
    if (auto v = member(j, "consoleSize")) {
        object(*v, f + ".consoleSize");
        ConsoleSize c;
        if (auto h = member(*v, "height")) c.height = integer<unsigned>(*h, f + ".consoleSize.height");
        if (auto w = member(*v, "width")) c.width = integer<unsigned>(*w, f + ".consoleSize.width");
        p.console_size = c;
    }
    if (auto u = member(j, "user")) {
        object(*u, f + ".user");
        if (auto v = member(*u, "uid")) p.user.uid = integer<uint32_t>(*v, f + ".user.uid");
        if (auto v = member(*u, "gid")) p.user.gid = integer<uint32_t>(*v, f + ".user.gid");
        if (auto v = member(*u, "umask")) p.user.umask = integer<uint32_t>(*v, f + ".user.umask");
        if (auto v = member(*u, "additionalGids"))
            each(*v, f + ".user.additionalGids",
                 [&](const json &g, const std::string &gf) { p.user.additional_gids.push_back(integer<uint32_t>(g, gf)); });
        if (member(*u, "username")) bad(f + ".user.username", "is for Windows containers");
    }
    if (auto v = member(j, "args")) p.args = strings(*v, f + ".args");
    if (member(j, "commandLine")) bad(f + ".commandLine", "is for Windows containers");
    if (auto v = member(j, "env")) p.env = strings(*v, f + ".env");
    if (auto v = member(j, "cwd")) p.cwd = str(*v, f + ".cwd");
    if (auto c = member(j, "capabilities")) {
        object(*c, f + ".capabilities");
        Capabilities caps;
        auto set = [&](const char *k, std::vector<std::string> &out) {
            if (auto v = member(*c, k)) out = strings(*v, f + ".capabilities." + k);
        };
        set("bounding", caps.bounding);
        set("effective", caps.effective);
        set("inheritable", caps.inheritable);
        set("permitted", caps.permitted);
        set("ambient", caps.ambient);
        p.capabilities = std::move(caps);
    }
    if (auto v = member(j, "rlimits"))
        each(*v, f + ".rlimits", [&](const json &r, const std::string &rf) {
            object(r, rf);
            Rlimit l;
            l.type = str(required(r, "type", rf), rf + ".type");
            l.resource = rlimit_resource(l.type, rf + ".type");
            l.soft = integer<uint64_t>(required(r, "soft", rf), rf + ".soft");
            l.hard = integer<uint64_t>(required(r, "hard", rf), rf + ".hard");
            for (auto &o : p.rlimits)
                if (o.resource == l.resource) bad(rf + ".type", "\"" + l.type + "\" is given twice");
            p.rlimits.push_back(l);
        });
    if (auto v = member(j, "noNewPrivileges")) p.no_new_privileges = boolean(*v, f + ".noNewPrivileges");
    if (auto v = member(j, "oomScoreAdj")) p.oom_score_adj = integer<int>(*v, f + ".oomScoreAdj");
    if (auto v = member(j, "apparmorProfile")) p.apparmor_profile = str(*v, f + ".apparmorProfile");
    if (auto v = member(j, "selinuxLabel")) p.selinux_label = str(*v, f + ".selinuxLabel");
    if (auto s = member(j, "scheduler")) {
        object(*s, f + ".scheduler");
        Scheduler sc;
        sc.policy = str(required(*s, "policy", f + ".scheduler"), f + ".scheduler.policy");
        if (auto v = member(*s, "nice")) sc.nice = integer<int32_t>(*v, f + ".scheduler.nice");
        if (auto v = member(*s, "priority")) sc.priority = integer<int32_t>(*v, f + ".scheduler.priority");
        if (auto v = member(*s, "flags")) sc.flags = strings(*v, f + ".scheduler.flags");
        if (auto v = member(*s, "runtime")) sc.runtime = integer<uint64_t>(*v, f + ".scheduler.runtime");
        if (auto v = member(*s, "deadline")) sc.deadline = integer<uint64_t>(*v, f + ".scheduler.deadline");
        if (auto v = member(*s, "period")) sc.period = integer<uint64_t>(*v, f + ".scheduler.period");
        p.scheduler = sc;
    }
    if (auto s = member(j, "ioPriority")) {
        object(*s, f + ".ioPriority");
        IoPriority io;
        io.io_class = str(required(*s, "class", f + ".ioPriority"), f + ".ioPriority.class");
        if (auto v = member(*s, "priority")) io.priority = integer<int>(*v, f + ".ioPriority.priority");
        p.io_priority = io;
    }
}

void parse_seccomp(const json &j, Seccomp &s) {
    const std::string f = "linux.seccomp";
    object(j, f);
    s.default_action = str(required(j, "defaultAction", f), f + ".defaultAction");
    if (auto v = member(j, "defaultErrnoRet")) s.default_errno_ret = integer<uint32_t>(*v, f + ".defaultErrnoRet");
    if (auto v = member(j, "architectures")) s.architectures = strings(*v, f + ".architectures");
    if (auto v = member(j, "flags")) s.flags = strings(*v, f + ".flags");
    if (auto v = member(j, "listenerPath")) s.listener_path = str(*v, f + ".listenerPath");
    if (auto v = member(j, "listenerMetadata")) s.listener_metadata = str(*v, f + ".listenerMetadata");
    if (auto v = member(j, "syscalls"))
        each(*v, f + ".syscalls", [&](const json &x, const std::string &xf) {
            object(x, xf);
            SeccompSyscall sc;
            sc.names = strings(required(x, "names", xf), xf + ".names");
            sc.action = str(required(x, "action", xf), xf + ".action");
            if (auto e = member(x, "errnoRet")) sc.errno_ret = integer<uint32_t>(*e, xf + ".errnoRet");
            if (auto args = member(x, "args"))
                each(*args, xf + ".args", [&](const json &a, const std::string &af) {
                    object(a, af);
                    SeccompArg arg;
                    arg.index = integer<unsigned>(required(a, "index", af), af + ".index");
                    arg.value = integer<uint64_t>(required(a, "value", af), af + ".value");
                    if (auto v = member(a, "valueTwo")) arg.value_two = integer<uint64_t>(*v, af + ".valueTwo");
                    arg.op = str(required(a, "op", af), af + ".op");
                    sc.args.push_back(arg);
                });
            s.syscalls.push_back(std::move(sc));
        });
}

void parse_linux(const json &j, Linux &l) {
    const std::string f = "linux";
    object(j, f);
    if (auto v = member(j, "namespaces"))
        each(*v, f + ".namespaces", [&](const json &n, const std::string &nf) {
            object(n, nf);
            Namespace ns;
            ns.type = ns_type(str(required(n, "type", nf), nf + ".type"), nf + ".type");
            if (auto p = member(n, "path")) ns.path = str(*p, nf + ".path");
            if (l.find(ns.type)) bad(nf + ".type", std::string("namespace \"") + ns_name(ns.type) + "\" is given twice");
            l.namespaces.push_back(ns);
        });
    if (auto v = member(j, "uidMappings")) l.uid_mappings = id_mappings(*v, f + ".uidMappings");
    if (auto v = member(j, "gidMappings")) l.gid_mappings = id_mappings(*v, f + ".gidMappings");
    if (auto v = member(j, "timeOffsets")) {
        object(*v, f + ".timeOffsets");
        for (auto &[k, o] : v->items()) {
            auto of = f + ".timeOffsets." + k;
            if (k != "monotonic" && k != "boottime") bad(of, "unknown clock (monotonic or boottime)");
            object(o, of);
            TimeOffset t;
            if (auto s = member(o, "secs")) t.secs = integer<int64_t>(*s, of + ".secs");
            if (auto n = member(o, "nanosecs")) t.nanosecs = integer<uint32_t>(*n, of + ".nanosecs");
            l.time_offsets[k] = t;
        }
    }
    if (auto v = member(j, "devices"))
        each(*v, f + ".devices", [&](const json &d, const std::string &df) {
            object(d, df);
            Device dev;
            dev.path = str(required(d, "path", df), df + ".path");
            if (auto t = member(d, "type")) {
                auto s = str(*t, df + ".type");
                if (s != "c" && s != "b" && s != "u" && s != "p") bad(df + ".type", "must be c, b, u or p");
                dev.type = s[0];
            } else bad(df, "type is required");
            if (auto m = member(d, "major")) dev.major = integer<int64_t>(*m, df + ".major");
            if (auto m = member(d, "minor")) dev.minor = integer<int64_t>(*m, df + ".minor");
            if (auto m = member(d, "fileMode")) dev.file_mode = integer<uint32_t>(*m, df + ".fileMode");
            if (auto m = member(d, "uid")) dev.uid = integer<uint32_t>(*m, df + ".uid");
            if (auto m = member(d, "gid")) dev.gid = integer<uint32_t>(*m, df + ".gid");
            l.devices.push_back(dev);
        });
    if (auto v = member(j, "cgroupsPath")) l.cgroups_path = str(*v, f + ".cgroupsPath");
    if (auto v = member(j, "resources")) {
        object(*v, f + ".resources");
        l.resources_json = v->dump();
    }
    if (auto v = member(j, "rootfsPropagation")) l.rootfs_propagation = str(*v, f + ".rootfsPropagation");
    if (auto v = member(j, "maskedPaths")) l.masked_paths = strings(*v, f + ".maskedPaths");
    if (auto v = member(j, "readonlyPaths")) l.readonly_paths = strings(*v, f + ".readonlyPaths");
    if (auto v = member(j, "mountLabel")) l.mount_label = str(*v, f + ".mountLabel");
    if (auto v = member(j, "sysctl")) l.sysctl = string_map(*v, f + ".sysctl");
    if (auto v = member(j, "seccomp")) {
        l.seccomp.emplace();
        parse_seccomp(*v, *l.seccomp);
    }
    if (auto v = member(j, "personality")) {
        object(*v, f + ".personality");
        Personality p;
        p.domain = str(required(*v, "domain", f + ".personality"), f + ".personality.domain");
        if (auto fl = member(*v, "flags")) p.flags = strings(*fl, f + ".personality.flags");
        l.personality = p;
    }
}

} // namespace

const char *ns_name(NsType t) {
    switch (t) {
    case NsType::user: return "user";
    case NsType::pid: return "pid";
    case NsType::network: return "network";
    case NsType::mount: return "mount";
    case NsType::ipc: return "ipc";
    case NsType::uts: return "uts";
    case NsType::cgroup: return "cgroup";
    case NsType::time: return "time";
    }
    return "?";
}

namespace {

json parse_json(const std::string &text) { return parse_json_text<json>(text); }

} // namespace

void throw_invalid_json(const std::exception &e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 3, column 5: ...";
    // out_of_range 406 (a number beyond a double, "1e999") was found by fuzz_process.
    std::string w = e.what();
    auto p = w.find("] ");
    throw Error("invalid JSON: " + (p == std::string::npos ? w : w.substr(p + 2)));
}

Config parse_config(const std::string &text) {
    json j = parse_json(text);
    object(j, "the config");
    Config c;
    if (auto v = member(j, "ociVersion")) c.oci_version = str(*v, "ociVersion");
    else bad("ociVersion", "is required");
    if (auto r = member(j, "root")) {
        object(*r, "root");
        if (auto v = member(*r, "path")) c.root.path = str(*v, "root.path");
        if (auto v = member(*r, "readonly")) c.root.readonly = boolean(*v, "root.readonly");
    }
    if (auto v = member(j, "mounts"))
        each(*v, "mounts", [&](const json &m, const std::string &mf) {
            object(m, mf);
            Mount mt;
            mt.destination = str(required(m, "destination", mf), mf + ".destination");
            if (auto t = member(m, "type")) mt.type = str(*t, mf + ".type");
            if (auto s = member(m, "source")) mt.source = str(*s, mf + ".source");
            if (auto o = member(m, "options")) mt.options = strings(*o, mf + ".options");
            if (auto v = member(m, "uidMappings")) mt.uid_mappings = id_mappings(*v, mf + ".uidMappings");
            if (auto v = member(m, "gidMappings")) mt.gid_mappings = id_mappings(*v, mf + ".gidMappings");
            c.mounts.push_back(std::move(mt));
        });
    if (auto v = member(j, "process")) {
        c.process.emplace();
        parse_process(*v, *c.process);
    }
    if (auto v = member(j, "hostname")) c.hostname = str(*v, "hostname");
    if (auto v = member(j, "domainname")) c.domainname = str(*v, "domainname");
    if (auto v = member(j, "hooks")) parse_hooks(*v, c.hooks);
    if (auto v = member(j, "annotations")) c.annotations = string_map(*v, "annotations");
    if (auto v = member(j, "linux")) {
        c.linux_.emplace();
        parse_linux(*v, *c.linux_);
    }
    return c;
}

Hooks parse_hooks_json(const std::string &text) {
    Hooks h;
    if (text.empty()) return h;
    parse_hooks(parse_json(text), h); // a bad text is an Error, as config.json's
    return h;
}

Process parse_process_json(const std::string &text) {
    json j = parse_json(text);
    Process p;
    parse_process(j, p);
    return p;
}

Config load_config(const std::string &bundle) {
    return with_context("config.json", [&] {
        return parse_config(read_file(bundle + "/config.json"));
    });
}

} // namespace burrow::spec
