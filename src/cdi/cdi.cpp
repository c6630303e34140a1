#include "cdi/cdi.hpp"
#include "cdi/yaml.hpp"
#include "error.hpp"
#include "read_file.hpp"
#include "spec/parse.hpp"

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <map>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace burrow::cdi {
namespace {

using json = nlohmann::json;

bool valid_kind(const std::string &k) {
    auto slash = k.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == k.size()) return false;
    return std::all_of(k.begin(), k.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '/';
    }) && std::count(k.begin(), k.end(), '/') == 1;
}

bool valid_name(const std::string &n) {
    return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':';
    });
}

const json *member(const json &j, const char *key) {
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::vector<std::string> strings(const json &j, const std::string &where) {
    if (!j.is_array()) throw Error(where + ": expected an array of strings");
    std::vector<std::string> out;
    for (auto &s : j) {
        if (!s.is_string()) throw Error(where + ": expected an array of strings");
        out.push_back(s.get<std::string>());
    }
    return out;
}

std::string string_of(const json &j, const char *key, const std::string &where, bool required) {
    auto *v = member(j, key);
    std::string field = where + (where.back() == ':' ? " " : ".") + key; // "f.json: kind", "...devices[0].name"
    if (!v) {
        if (required) throw Error(field + ": required");
        return "";
    }
    if (!v->is_string()) throw Error(field + ": expected a string");
    return v->get<std::string>();
}

json &array_at(json &parent, const char *key) {
    json &a = parent[key];
    if (a.is_null()) a = json::array();
    return a;
}

json device_node(const json &n, const std::string &where) {
    if (!n.is_object()) throw Error(where + ": expected an object");
    std::string path = string_of(n, "path", where, true);
    if (path.empty() || path[0] != '/') throw Error(where + ".path: \"" + path + "\" is not absolute");
    std::string host = string_of(n, "hostPath", where, false);
    if (host.empty()) host = path;
    std::string type = string_of(n, "type", where, false);
    json d = {{"path", path}};
    bool numbered = member(n, "major") && member(n, "minor");
    if (type.empty() || !numbered) {
        // Take what the spec leaves out from the host's node, as CDI does.
        struct stat st;
        if (stat(host.c_str(), &st) < 0) throw Error(where + ": " + host, errno);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) throw Error(where + ": " + host + " is not a device");
        if (type.empty()) type = S_ISBLK(st.st_mode) ? "b" : "c";
        if (!numbered) d["major"] = major(st.st_rdev), d["minor"] = minor(st.st_rdev);
        if (!member(n, "fileMode")) d["fileMode"] = st.st_mode & 07777;
    }
    if (type != "c" && type != "b" && type != "u" && type != "p")
        throw Error(where + ".type: \"" + type + "\" is not c, b, u or p");
    d["type"] = type;
    for (const char *k : {"major", "minor", "fileMode", "uid", "gid"})
        if (auto *v = member(n, k)) {
            if (!v->is_number_unsigned()) throw Error(where + "." + k + ": expected a number");
            d[k] = *v;
        }
    return d;
}

json mount_of(const json &m, const std::string &where) {
    if (!m.is_object()) throw Error(where + ": expected an object");
    std::string host = string_of(m, "hostPath", where, true), ctr = string_of(m, "containerPath", where, true);
    if (ctr.empty() || ctr[0] != '/') throw Error(where + ".containerPath: \"" + ctr + "\" is not absolute");
    std::string type = string_of(m, "type", where, false);
    std::vector<std::string> opts;
    if (auto *o = member(m, "options")) opts = strings(*o, where + ".options");
    if (type.empty()) type = "bind";
    if (type == "bind" && std::none_of(opts.begin(), opts.end(), [](auto &o) { return o == "bind" || o == "rbind"; }))
        opts.insert(opts.begin(), "rbind");
    return {{"destination", ctr}, {"type", type}, {"source", host}, {"options", opts}};
}

const char *const kHookNames[] = {"prestart", "createRuntime", "createContainer", "startContainer",
                                   "poststart", "poststop"};

} // namespace

DeviceName parse_device_name(const std::string &s) {
    auto eq = s.find('=');
    DeviceName d;
    if (eq != std::string::npos) d = {s.substr(0, eq), s.substr(eq + 1)};
    if (eq == std::string::npos || !valid_kind(d.kind) || !valid_name(d.name))
        throw Error("--device " + s + ": not a CDI device name (vendor.com/class=name)");
    return d;
}

Spec parse_spec(const json &j, const std::string &path) {
    if (!j.is_object()) throw Error(path + ": expected a JSON object");
    Spec s;
    s.path = path;
    if (string_of(j, "cdiVersion", path + ":", true).empty()) throw Error(path + ": cdiVersion: must not be empty");
    s.kind = string_of(j, "kind", path + ":", true);
    if (!valid_kind(s.kind)) throw Error(path + ": kind: \"" + s.kind + "\" is not vendor.com/class");
    if (auto *e = member(j, "containerEdits")) s.edits = *e;
    auto *devs = member(j, "devices");
    if (!devs || !devs->is_array()) throw Error(path + ": devices: expected an array");
    for (size_t i = 0; i < devs->size(); i++) {
        auto &d = (*devs)[i];
        std::string where = path + ": devices[" + std::to_string(i) + "]";
        if (!d.is_object()) throw Error(where + ": expected an object");
        std::string name = string_of(d, "name", where, true);
        if (!valid_name(name)) throw Error(where + ".name: \"" + name + "\" is not a device name");
        auto *e = member(d, "containerEdits");
        if (!e) throw Error(where + ".containerEdits: required");
        s.devices.emplace_back(name, *e);
    }
    return s;
}

void apply_edits(json &config, const json &edits, const std::string &where) {
    if (edits.is_null()) return;
    if (!edits.is_object()) throw Error(where + ": expected an object");
    if (auto *env = member(edits, "env")) {
        auto &penv = array_at(config["process"], "env");
        for (auto &e : strings(*env, where + ".env")) penv.push_back(e);
    }
    if (auto *nodes = member(edits, "deviceNodes")) {
        if (!nodes->is_array()) throw Error(where + ".deviceNodes: expected an array");
        auto &devs = array_at(config["linux"], "devices");
        for (size_t i = 0; i < nodes->size(); i++) {
            json d = device_node((*nodes)[i], where + ".deviceNodes[" + std::to_string(i) + "]");
            for (auto it = devs.begin(); it != devs.end();) // the same path again replaces it
                it = it->is_object() && it->value("path", "") == d["path"] ? devs.erase(it) : it + 1;
            devs.push_back(d);
        }
    }
    if (auto *mounts = member(edits, "mounts")) {
        if (!mounts->is_array()) throw Error(where + ".mounts: expected an array");
        auto &ms = array_at(config, "mounts");
        for (size_t i = 0; i < mounts->size(); i++)
            ms.push_back(mount_of((*mounts)[i], where + ".mounts[" + std::to_string(i) + "]"));
    }
    if (auto *hooks = member(edits, "hooks")) {
        if (!hooks->is_array()) throw Error(where + ".hooks: expected an array");
        for (size_t i = 0; i < hooks->size(); i++) {
            auto &h = (*hooks)[i];
            std::string w = where + ".hooks[" + std::to_string(i) + "]";
            if (!h.is_object()) throw Error(w + ": expected an object");
            std::string name = string_of(h, "hookName", w, true);
            if (std::none_of(std::begin(kHookNames), std::end(kHookNames), [&](const char *n) { return name == n; }))
                throw Error(w + ".hookName: \"" + name + "\" is not an OCI hook");
            json hook = {{"path", string_of(h, "path", w, true)}};
            for (const char *k : {"args", "env"})
                if (auto *v = member(h, k)) hook[k] = strings(*v, w + "." + k);
            if (auto *t = member(h, "timeout")) hook["timeout"] = *t;
            array_at(config["hooks"], name.c_str()).push_back(hook);
        }
    }
    for (const char *key : {"additionalGids", "additionalGIDs"})
        if (auto *g = member(edits, key)) {
            if (!g->is_array()) throw Error(where + "." + key + ": expected an array");
            auto &gids = array_at(config["process"]["user"], "additionalGids");
            for (auto &x : *g)
                if (x != 0) gids.push_back(x);
        }
}

std::vector<std::string> spec_dirs() {
    const char *env = getenv("BURROW_CDI_DIRS");
    if (!env || !*env) return {"/etc/cdi", "/var/run/cdi"};
    std::vector<std::string> dirs;
    std::string s = env;
    for (size_t i = 0; i <= s.size();) {
        size_t j = s.find(':', i);
        if (j == std::string::npos) j = s.size();
        if (j > i) dirs.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return dirs;
}

namespace {

bool ends_with(const std::string &s, const char *suffix) {
    std::string x = suffix;
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// The spec files of one directory, sorted by name ("" when it is missing).
std::vector<std::string> files_in(const std::string &dir) {
    std::vector<std::string> out;
    DIR *d = opendir(dir.c_str());
    if (!d) return out;
    while (auto *e = readdir(d)) {
        std::string n = e->d_name;
        if (n[0] != '.' && (ends_with(n, ".json") || ends_with(n, ".yaml") || ends_with(n, ".yml")))
            out.push_back(dir + "/" + n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

// The kind a YAML spec declares, from its top-level "kind:" line.
std::string yaml_kind(const std::string &text) {
    for (size_t i = 0; i < text.size();) {
        size_t j = text.find('\n', i);
        if (j == std::string::npos) j = text.size();
        std::string line = text.substr(i, j - i);
        if (line.rfind("kind:", 0) == 0) {
            std::string k = line.substr(5);
            k.erase(0, k.find_first_not_of(" \t\"'"));
            k.erase(k.find_last_not_of(" \t\r\"'") + 1);
            return k;
        }
        i = j + 1;
    }
    return "";
}

} // namespace

void inject(json &config, const std::vector<std::string> &devices, const std::vector<std::string> &dirs) {
    if (devices.empty()) return;
    std::vector<DeviceName> wanted;
    for (auto &d : devices) wanted.push_back(parse_device_name(d));

    // kind -> its spec files, the later directory's first: they take precedence.
    std::map<std::string, std::vector<Spec>> by_kind;
    for (auto dir = dirs.rbegin(); dir != dirs.rend(); ++dir)
        for (auto &f : files_in(*dir)) {
            bool wanted_kind = false;
            std::string text = read_file(f);
            json j;
            if (!ends_with(f, ".json")) {
                // Only a spec of a kind asked for is parsed: its top-level kind line says.
                std::string k = yaml_kind(text);
                for (auto &w : wanted) wanted_kind |= w.kind == k;
                if (!wanted_kind) continue;
                j = yaml_to_json(f);
            } else {
                j = with_context(f, [&] { return spec::parse_json_text<json>(text); });
            }
            std::string kind = j.is_object() ? j.value("kind", "") : "";
            wanted_kind = false;
            for (auto &w : wanted) wanted_kind |= w.kind == kind;
            if (wanted_kind) by_kind[kind].push_back(parse_spec(j, f)); // others are not our business
        }

    std::vector<const Spec *> applied;
    for (size_t i = 0; i < wanted.size(); i++) {
        auto &w = wanted[i];
        std::string what = "--device " + devices[i];
        const Spec *spec = nullptr;
        const json *edits = nullptr;
        for (auto &s : by_kind[w.kind]) {
            for (auto &[name, e] : s.devices)
                if (name == w.name) {
                    if (edits && spec->path.substr(0, spec->path.rfind('/')) == s.path.substr(0, s.path.rfind('/')))
                        throw Error(what + ": defined twice, in " + spec->path + " and " + s.path);
                    if (!edits) spec = &s, edits = &e;
                }
        }
        if (!edits) {
            std::string dirlist;
            for (auto &d : dirs) dirlist += (dirlist.empty() ? "" : ", ") + d;
            if (by_kind[w.kind].empty())
                throw Error(what + ": no CDI spec of kind " + w.kind + " in " + dirlist);
            std::string names;
            for (auto &s : by_kind[w.kind])
                for (auto &d : s.devices) names += (names.empty() ? "" : ", ") + d.first;
            throw Error(what + ": kind " + w.kind + " has no device \"" + w.name + "\" (it has " + names + ")");
        }
        if (std::find(applied.begin(), applied.end(), spec) == applied.end()) {
            apply_edits(config, spec->edits, spec->path + ": containerEdits");
            applied.push_back(spec);
        }
        apply_edits(config, *edits, spec->path + ": device " + w.name + ": containerEdits");
    }
}

} // namespace burrow::cdi
