#include "spec/parse.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <fcntl.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>

namespace burrow::spec {
namespace {

// config.json as a tree of Nodes in one vector: kinds as nlohmann's, strings
// as views into one buffer, children as a sibling list, built from the events
// of nlohmann's SAX parser (its errors are the ones users see). Why: its DOM
// of a 3 KB config (a map node and a json value per member, a string each)
// cost a run 320,000 instructions, a quarter of burrow's own, and the field
// names built for every value read 100,000 more; now names are made only for
// an error.
struct Node {
    enum Kind : uint8_t { null, boolean, integer, unsigned_, floating, string, array, object };
    Kind kind = null;
    bool b = false;
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;
    uint32_t count = 0;            // array elements, object members
    int32_t first = -1, next = -1; // children; the next sibling
    std::string_view key;          // an object member's name
    std::string_view str;          // a string's value
};

struct Tree {
    std::vector<Node> nodes;
    std::string chars; // the strings and names the views point into (reserved: never moves)
};

// A value of the tree with nlohmann's accessors, as the readers below use them.
class J {
public:
    J(const Tree *t, int32_t n) : t_(t), n_(n) {}
    const Node &node() const { return t_->nodes[static_cast<size_t>(n_)]; }
    bool is_null() const { return node().kind == Node::null; }
    bool is_string() const { return node().kind == Node::string; }
    bool is_boolean() const { return node().kind == Node::boolean; }
    bool is_number_integer() const { return node().kind == Node::integer || node().kind == Node::unsigned_; }
    bool is_number_unsigned() const { return node().kind == Node::unsigned_; }
    bool is_array() const { return node().kind == Node::array; }
    bool is_object() const { return node().kind == Node::object; }
    size_t size() const { return node().count; }
    std::string_view key() const { return node().key; }
    // Children in order: first(), then next() until !valid().
    J first() const { return J(t_, node().first); }
    J next() const { return J(t_, node().next); }
    bool valid() const { return n_ >= 0; }
    // An object's member (the last of that name, as nlohmann keeps it); invalid if none.
    J find(std::string_view k) const {
        int32_t found = -1;
        for (int32_t c = node().first; c >= 0; c = t_->nodes[static_cast<size_t>(c)].next)
            if (t_->nodes[static_cast<size_t>(c)].key == k) found = c;
        return J(t_, found);
    }
    // As nlohmann's DOM of it would dump (members in key order, the last of a name).
    nlohmann::json to_json() const {
        const Node &n = node();
        switch (n.kind) {
        case Node::boolean: return n.b;
        case Node::integer: return n.i;
        case Node::unsigned_: return n.u;
        case Node::floating: return n.f;
        case Node::string: return std::string(n.str);
        case Node::array: {
            nlohmann::json a = nlohmann::json::array();
            for (J e = first(); e.valid(); e = e.next()) a.push_back(e.to_json());
            return a;
        }
        case Node::object: {
            nlohmann::json o = nlohmann::json::object();
            for (J e = first(); e.valid(); e = e.next()) o[std::string(e.key())] = e.to_json();
            return o;
        }
        default: return nullptr;
        }
    }
    std::string dump() const { return to_json().dump(); }

private:
    const Tree *t_;
    int32_t n_;
};

// nlohmann's SAX events into the tree. A parse error throws as
// parse_json_text's would: Error("invalid JSON: ...").
class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
public:
    explicit TreeBuilder(Tree &t) : t_(t) {}
    bool null() override { return add(Node{}); }
    bool boolean(bool v) override {
        Node n;
        n.kind = Node::boolean, n.b = v;
        return add(n);
    }
    bool number_integer(number_integer_t v) override {
        Node n;
        n.kind = Node::integer, n.i = v;
        return add(n);
    }
    bool number_unsigned(number_unsigned_t v) override {
        Node n;
        n.kind = Node::unsigned_, n.u = v;
        n.i = v > static_cast<uint64_t>(INT64_MAX) ? 0 : static_cast<int64_t>(v);
        return add(n);
    }
    bool number_float(number_float_t v, const string_t &) override {
        Node n;
        n.kind = Node::floating, n.f = v;
        return add(n);
    }
    bool string(string_t &v) override {
        Node n;
        n.kind = Node::string, n.str = keep(v);
        return add(n);
    }
    bool binary(binary_t &) override { return add(Node{}); } // not in JSON text
    bool key(string_t &v) override {
        key_ = keep(v);
        return true;
    }
    bool start_object(std::size_t) override { return open(Node::object); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(Node::array); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &e) override {
        throw_invalid_json(e);
    }

private:
    struct Open {
        int32_t self, last;
    };
    Tree &t_;
    std::vector<Open> open_;
    std::string_view key_;

    std::string_view keep(const std::string &v) {
        size_t at = t_.chars.size();
        // Within the reserve, so the views stay put: the text holds every
        // string and name, unescaped, and more. (Never otherwise; but a view
        // must not dangle if it were.)
        if (v.size() > t_.chars.capacity() - at) throw Error("invalid JSON: longer strings than its text");
        t_.chars.append(v);
        return std::string_view(t_.chars.data() + at, v.size());
    }
    bool add(Node n) {
        auto self = static_cast<int32_t>(t_.nodes.size());
        if (!open_.empty()) {
            Open &o = open_.back();
            if (t_.nodes[static_cast<size_t>(o.self)].kind == Node::object) n.key = key_;
            if (o.last < 0) t_.nodes[static_cast<size_t>(o.self)].first = self;
            else t_.nodes[static_cast<size_t>(o.last)].next = self;
            o.last = self;
            t_.nodes[static_cast<size_t>(o.self)].count++;
        }
        t_.nodes.push_back(n);
        return true;
    }
    bool open(Node::Kind k) {
        Node n;
        n.kind = k;
        add(n);
        open_.push_back({static_cast<int32_t>(t_.nodes.size() - 1), -1});
        return true;
    }
    bool close() {
        open_.pop_back();
        return true;
    }
};

// The text as a tree; a text that is not JSON throws Error("invalid JSON: ...").
// The tree's views point into its own buffer.
void json_tree(const std::string &text, Tree &t) {
    t.nodes.reserve(text.size() / 16 + 8);
    t.chars.reserve(text.size());
    TreeBuilder b(t);
    nlohmann::json::sax_parse(text, &b);
}

// A field's name, made only for an error: "process", "process.args[2]",
// "linux.timeOffsets.monotonic.secs".
struct Path {
    const Path *parent = nullptr;
    std::string_view key;        // ".key" (or the first name, without parent)
    size_t index = SIZE_MAX;     // else "[index]"
    std::string str() const {
        std::string s = parent ? parent->str() : std::string();
        if (index != SIZE_MAX) return s + "[" + std::to_string(index) + "]";
        if (parent) s += '.';
        return s.append(key);
    }
    Path operator/(std::string_view k) const { return Path{this, k}; }
    Path operator[](size_t i) const { return Path{this, {}, i}; }
};
Path root(std::string_view name) { return Path{nullptr, name}; }

[[noreturn]] void bad(const std::string &field, const std::string &why) { throw Error(field + ": " + why); }
[[noreturn]] void bad(const Path &field, const std::string &why) { bad(field.str(), why); }

std::string str(const J &j, const Path &f) {
    if (!j.is_string()) bad(f, "expected a string");
    return std::string(j.node().str);
}
bool boolean(const J &j, const Path &f) {
    if (!j.is_boolean()) bad(f, "expected true or false");
    return j.node().b;
}
template <typename T> T integer(const J &j, const Path &f) {
    if (!j.is_number_integer()) bad(f, "expected an integer");
    const Node &n = j.node();
    if constexpr (std::is_unsigned_v<T>) {
        if (j.is_number_unsigned()) {
            if (n.u > std::numeric_limits<T>::max()) bad(f, "out of range");
            return static_cast<T>(n.u);
        }
        if (n.i < 0) bad(f, "must not be negative");
        if (static_cast<uint64_t>(n.i) > std::numeric_limits<T>::max()) bad(f, "out of range");
        return static_cast<T>(n.i);
    } else {
        if (j.is_number_unsigned() && n.u > static_cast<uint64_t>(std::numeric_limits<T>::max())) bad(f, "out of range");
        int64_t v = n.i; // an unsigned value in range is the same number
        if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) bad(f, "out of range");
        return static_cast<T>(v);
    }
}
std::vector<std::string> strings(const J &j, const Path &f) {
    if (!j.is_array()) bad(f, "expected an array of strings");
    std::vector<std::string> out;
    out.reserve(j.size());
    size_t i = 0;
    for (J e = j.first(); e.valid(); e = e.next(), i++) out.push_back(str(e, f[i]));
    return out;
}
std::optional<J> member(const J &j, std::string_view key) {
    J v = j.find(key);
    if (!v.valid() || v.is_null()) return std::nullopt;
    return v;
}
J required(const J &j, std::string_view key, const Path &f) {
    if (auto v = member(j, key)) return *v;
    bad(f, std::string(key) + " is required");
}
void object(const J &j, const Path &f) {
    if (!j.is_object()) bad(f, "expected an object");
}
template <typename F> void each(const J &j, const Path &f, F fn) {
    if (!j.is_array()) bad(f, "expected an array");
    size_t i = 0;
    for (J e = j.first(); e.valid(); e = e.next(), i++) fn(e, f[i]);
}
// An object's members as nlohmann's std::map holds them: in key order, the
// last of a repeated name.
template <typename F> void items(const J &j, F fn) {
    std::map<std::string_view, J> sorted;
    for (J e = j.first(); e.valid(); e = e.next()) sorted.insert_or_assign(e.key(), e);
    for (auto &[k, v] : sorted) fn(k, v);
}
std::map<std::string, std::string> string_map(const J &j, const Path &f) {
    object(j, f);
    std::map<std::string, std::string> m;
    items(j, [&](std::string_view k, const J &v) { m[std::string(k)] = str(v, f / k); });
    return m;
}

int rlimit_resource(const std::string &name, const Path &f) {
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

NsType ns_type(const std::string &s, const Path &f) {
    static const std::pair<const char *, NsType> table[] = {
        {"user", NsType::user},     {"pid", NsType::pid},       {"network", NsType::network}, {"mount", NsType::mount},
        {"ipc", NsType::ipc},       {"uts", NsType::uts},       {"cgroup", NsType::cgroup},   {"time", NsType::time},
    };
    for (auto &[n, t] : table)
        if (s == n) return t;
    bad(f, "unknown namespace type \"" + s + "\"");
}

std::vector<IdMapping> id_mappings(const J &j, const Path &f) {
    std::vector<IdMapping> out;
    each(j, f, [&](const J &m, const Path &mf) {
        object(m, mf);
        IdMapping x;
        x.container_id = integer<uint32_t>(required(m, "containerID", mf), mf / "containerID");
        x.host_id = integer<uint32_t>(required(m, "hostID", mf), mf / "hostID");
        x.size = integer<uint32_t>(required(m, "size", mf), mf / "size");
        out.push_back(x);
    });
    return out;
}

Hook hook(const J &j, const Path &f) {
    object(j, f);
    Hook h;
    if (auto v = member(j, "path")) h.path = str(*v, f / "path");
    if (auto v = member(j, "args")) h.args = strings(*v, f / "args");
    if (auto v = member(j, "env")) h.env = strings(*v, f / "env"), h.has_env = true;
    if (auto v = member(j, "timeout")) h.timeout = integer<int>(*v, f / "timeout");
    return h;
}

void parse_hooks(const J &j, Hooks &h) {
    const Path f = root("hooks");
    object(j, f);
    auto list = [&](const char *key, std::vector<Hook> &out) {
        if (auto v = member(j, key))
            each(*v, f / key, [&](const J &x, const Path &xf) { out.push_back(hook(x, xf)); });
    };
    list("prestart", h.prestart);
    list("createRuntime", h.create_runtime);
    list("createContainer", h.create_container);
    list("startContainer", h.start_container);
    list("poststart", h.poststart);
    list("poststop", h.poststop);
}

void parse_process(const J &j, Process &p) {
    const Path f = root("process");
    object(j, f);
    if (auto v = member(j, "terminal")) p.terminal = boolean(*v, f / "terminal");
    if (auto v = member(j, "consoleSize")) {
        const Path cf = f / "consoleSize";
        object(*v, cf);
        ConsoleSize c;
        if (auto h = member(*v, "height")) c.height = integer<unsigned>(*h, cf / "height");
        if (auto w = member(*v, "width")) c.width = integer<unsigned>(*w, cf / "width");
        p.console_size = c;
    }
    if (auto u = member(j, "user")) {
        const Path uf = f / "user";
        object(*u, uf);
        if (auto v = member(*u, "uid")) p.user.uid = integer<uint32_t>(*v, uf / "uid");
        if (auto v = member(*u, "gid")) p.user.gid = integer<uint32_t>(*v, uf / "gid");
        if (auto v = member(*u, "umask")) p.user.umask = integer<uint32_t>(*v, uf / "umask");
        if (auto v = member(*u, "additionalGids"))
            each(*v, uf / "additionalGids",
                 [&](const J &g, const Path &gf) { p.user.additional_gids.push_back(integer<uint32_t>(g, gf)); });
        if (member(*u, "username")) bad(uf / "username", "is for Windows containers");
    }
    if (auto v = member(j, "args")) p.args = strings(*v, f / "args");
    if (member(j, "commandLine")) bad(f / "commandLine", "is for Windows containers");
    if (auto v = member(j, "env")) p.env = strings(*v, f / "env");
    if (auto v = member(j, "cwd")) p.cwd = str(*v, f / "cwd");
    if (auto c = member(j, "capabilities")) {
        const Path cf = f / "capabilities";
        object(*c, cf);
        Capabilities caps;
        auto set = [&](const char *k, std::vector<std::string> &out) {
            if (auto v = member(*c, k)) out = strings(*v, cf / k);
        };
        set("bounding", caps.bounding);
        set("effective", caps.effective);
        set("inheritable", caps.inheritable);
        set("permitted", caps.permitted);
        set("ambient", caps.ambient);
        p.capabilities = std::move(caps);
    }
    if (auto v = member(j, "rlimits"))
        each(*v, f / "rlimits", [&](const J &r, const Path &rf) {
            object(r, rf);
            Rlimit l;
            l.type = str(required(r, "type", rf), rf / "type");
            l.resource = rlimit_resource(l.type, rf / "type");
            l.soft = integer<uint64_t>(required(r, "soft", rf), rf / "soft");
            l.hard = integer<uint64_t>(required(r, "hard", rf), rf / "hard");
            for (auto &o : p.rlimits)
                if (o.resource == l.resource) bad(rf / "type", "\"" + l.type + "\" is given twice");
            p.rlimits.push_back(l);
        });
    if (auto v = member(j, "noNewPrivileges")) p.no_new_privileges = boolean(*v, f / "noNewPrivileges");
    if (auto v = member(j, "oomScoreAdj")) p.oom_score_adj = integer<int>(*v, f / "oomScoreAdj");
    if (auto v = member(j, "apparmorProfile")) p.apparmor_profile = str(*v, f / "apparmorProfile");
    if (auto v = member(j, "selinuxLabel")) p.selinux_label = str(*v, f / "selinuxLabel");
    if (auto s = member(j, "scheduler")) {
        const Path sf = f / "scheduler";
        object(*s, sf);
        Scheduler sc;
        sc.policy = str(required(*s, "policy", sf), sf / "policy");
        if (auto v = member(*s, "nice")) sc.nice = integer<int32_t>(*v, sf / "nice");
        if (auto v = member(*s, "priority")) sc.priority = integer<int32_t>(*v, sf / "priority");
        if (auto v = member(*s, "flags")) sc.flags = strings(*v, sf / "flags");
        if (auto v = member(*s, "runtime")) sc.runtime = integer<uint64_t>(*v, sf / "runtime");
        if (auto v = member(*s, "deadline")) sc.deadline = integer<uint64_t>(*v, sf / "deadline");
        if (auto v = member(*s, "period")) sc.period = integer<uint64_t>(*v, sf / "period");
        p.scheduler = sc;
    }
    if (auto s = member(j, "ioPriority")) {
        const Path iof = f / "ioPriority";
        object(*s, iof);
        IoPriority io;
        io.io_class = str(required(*s, "class", iof), iof / "class");
        if (auto v = member(*s, "priority")) io.priority = integer<int>(*v, iof / "priority");
        p.io_priority = io;
    }
}

void parse_seccomp(const J &j, Seccomp &s) {
    const Path l = root("linux"), f = l / "seccomp";
    object(j, f);
    s.default_action = str(required(j, "defaultAction", f), f / "defaultAction");
    if (auto v = member(j, "defaultErrnoRet")) s.default_errno_ret = integer<uint32_t>(*v, f / "defaultErrnoRet");
    if (auto v = member(j, "architectures")) s.architectures = strings(*v, f / "architectures");
    if (auto v = member(j, "flags")) s.flags = strings(*v, f / "flags");
    if (auto v = member(j, "listenerPath")) s.listener_path = str(*v, f / "listenerPath");
    if (auto v = member(j, "listenerMetadata")) s.listener_metadata = str(*v, f / "listenerMetadata");
    if (auto v = member(j, "syscalls"))
        each(*v, f / "syscalls", [&](const J &x, const Path &xf) {
            object(x, xf);
            SeccompSyscall sc;
            sc.names = strings(required(x, "names", xf), xf / "names");
            sc.action = str(required(x, "action", xf), xf / "action");
            if (auto e = member(x, "errnoRet")) sc.errno_ret = integer<uint32_t>(*e, xf / "errnoRet");
            if (auto args = member(x, "args"))
                each(*args, xf / "args", [&](const J &a, const Path &af) {
                    object(a, af);
                    SeccompArg arg;
                    arg.index = integer<unsigned>(required(a, "index", af), af / "index");
                    arg.value = integer<uint64_t>(required(a, "value", af), af / "value");
                    if (auto v = member(a, "valueTwo")) arg.value_two = integer<uint64_t>(*v, af / "valueTwo");
                    arg.op = str(required(a, "op", af), af / "op");
                    sc.args.push_back(arg);
                });
            s.syscalls.push_back(std::move(sc));
        });
}

void parse_linux(const J &j, Linux &l, const ParseOptions &o) {
    const Path f = root("linux");
    object(j, f);
    if (auto v = member(j, "namespaces"))
        each(*v, f / "namespaces", [&](const J &n, const Path &nf) {
            object(n, nf);
            Namespace ns;
            ns.type = ns_type(str(required(n, "type", nf), nf / "type"), nf / "type");
            if (auto p = member(n, "path")) ns.path = str(*p, nf / "path");
            if (l.find(ns.type)) bad(nf / "type", std::string("namespace \"") + ns_name(ns.type) + "\" is given twice");
            l.namespaces.push_back(ns);
        });
    if (auto v = member(j, "uidMappings")) l.uid_mappings = id_mappings(*v, f / "uidMappings");
    if (auto v = member(j, "gidMappings")) l.gid_mappings = id_mappings(*v, f / "gidMappings");
    if (auto v = member(j, "timeOffsets")) {
        const Path tf = f / "timeOffsets";
        object(*v, tf);
        items(*v, [&](std::string_view k, const J &o) {
            const Path of = tf / k;
            if (k != "monotonic" && k != "boottime") bad(of, "unknown clock (monotonic or boottime)");
            object(o, of);
            TimeOffset t;
            if (auto s = member(o, "secs")) t.secs = integer<int64_t>(*s, of / "secs");
            if (auto n = member(o, "nanosecs")) t.nanosecs = integer<uint32_t>(*n, of / "nanosecs");
            l.time_offsets[std::string(k)] = t;
        });
    }
    if (auto v = member(j, "devices"))
        each(*v, f / "devices", [&](const J &d, const Path &df) {
            object(d, df);
            Device dev;
            dev.path = str(required(d, "path", df), df / "path");
            if (auto t = member(d, "type")) {
                auto s = str(*t, df / "type");
                if (s != "c" && s != "b" && s != "u" && s != "p") bad(df / "type", "must be c, b, u or p");
                dev.type = s[0];
            } else bad(df, "type is required");
            if (auto m = member(d, "major")) dev.major = integer<int64_t>(*m, df / "major");
            if (auto m = member(d, "minor")) dev.minor = integer<int64_t>(*m, df / "minor");
            if (auto m = member(d, "fileMode")) dev.file_mode = integer<uint32_t>(*m, df / "fileMode");
            if (auto m = member(d, "uid")) dev.uid = integer<uint32_t>(*m, df / "uid");
            if (auto m = member(d, "gid")) dev.gid = integer<uint32_t>(*m, df / "gid");
            l.devices.push_back(dev);
        });
    if (auto v = member(j, "cgroupsPath")) l.cgroups_path = str(*v, f / "cgroupsPath");
    if (auto v = member(j, "resources")) {
        object(*v, f / "resources");
        l.resources_json = v->dump();
    }
    if (auto v = member(j, "rootfsPropagation")) l.rootfs_propagation = str(*v, f / "rootfsPropagation");
    if (auto v = member(j, "maskedPaths")) l.masked_paths = strings(*v, f / "maskedPaths");
    if (auto v = member(j, "readonlyPaths")) l.readonly_paths = strings(*v, f / "readonlyPaths");
    if (auto v = member(j, "mountLabel")) l.mount_label = str(*v, f / "mountLabel");
    if (auto v = member(j, "sysctl")) l.sysctl = string_map(*v, f / "sysctl");
    if (auto v = o.seccomp ? member(j, "seccomp") : std::nullopt) {
        l.seccomp.emplace();
        parse_seccomp(*v, *l.seccomp);
    }
    if (auto v = member(j, "personality")) {
        const Path pf = f / "personality";
        object(*v, pf);
        Personality p;
        p.domain = str(required(*v, "domain", pf), pf / "domain");
        if (auto fl = member(*v, "flags")) p.flags = strings(*fl, pf / "flags");
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

void throw_invalid_json(const std::exception &e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 3, column 5: ...";
    // out_of_range 406 (a number beyond a double, "1e999") was found by fuzz_process.
    std::string w = e.what();
    auto p = w.find("] ");
    throw Error("invalid JSON: " + (p == std::string::npos ? w : w.substr(p + 2)));
}

Config parse_config(const std::string &text, ParseOptions o) {
    Tree t;
    json_tree(text, t);
    J j(&t, 0);
    object(j, root("the config"));
    Config c;
    if (auto v = member(j, "ociVersion")) c.oci_version = str(*v, root("ociVersion"));
    else bad("ociVersion", "is required");
    if (auto r = member(j, "root")) {
        const Path rf = root("root");
        object(*r, rf);
        if (auto v = member(*r, "path")) c.root.path = str(*v, rf / "path");
        if (auto v = member(*r, "readonly")) c.root.readonly = boolean(*v, rf / "readonly");
    }
    if (auto v = member(j, "mounts")) {
        c.mounts.reserve(v->size());
        each(*v, root("mounts"), [&](const J &m, const Path &mf) {
            object(m, mf);
            Mount mt;
            mt.destination = str(required(m, "destination", mf), mf / "destination");
            if (auto t = member(m, "type")) mt.type = str(*t, mf / "type");
            if (auto s = member(m, "source")) mt.source = str(*s, mf / "source");
            if (auto o = member(m, "options")) mt.options = strings(*o, mf / "options");
            if (auto v = member(m, "uidMappings")) mt.uid_mappings = id_mappings(*v, mf / "uidMappings");
            if (auto v = member(m, "gidMappings")) mt.gid_mappings = id_mappings(*v, mf / "gidMappings");
            c.mounts.push_back(std::move(mt));
        });
    }
    if (auto v = member(j, "process")) {
        c.process.emplace();
        parse_process(*v, *c.process);
    }
    if (auto v = member(j, "hostname")) c.hostname = str(*v, root("hostname"));
    if (auto v = member(j, "domainname")) c.domainname = str(*v, root("domainname"));
    if (auto v = member(j, "hooks")) parse_hooks(*v, c.hooks);
    if (auto v = member(j, "annotations")) c.annotations = string_map(*v, root("annotations"));
    if (auto v = member(j, "linux")) {
        c.linux_.emplace();
        parse_linux(*v, *c.linux_, o);
    }
    return c;
}

Hooks parse_hooks_json(const std::string &text) {
    Hooks h;
    if (text.empty()) return h;
    Tree t;
    json_tree(text, t); // a bad text is an Error, as config.json's
    parse_hooks(J(&t, 0), h);
    return h;
}

Process parse_process_json(const std::string &text) {
    Tree t;
    json_tree(text, t);
    Process p;
    parse_process(J(&t, 0), p);
    return p;
}

Config load_config(const std::string &bundle, ParseOptions o) {
    return with_context("config.json", [&] {
        return parse_config(read_file(bundle + "/config.json"), o);
    });
}

} // namespace burrow::spec
