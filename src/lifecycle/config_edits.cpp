#include "lifecycle/config_edits.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

namespace burrow::lifecycle {

Volume parse_volume(const std::string &v) {
    size_t c1 = v.find(':');
    if (c1 == std::string::npos || c1 == 0 || c1 + 1 == v.size())
        throw Error("-v: \"" + v + "\": not SRC:DST[:ro]");
    Volume out;
    std::string src = v.substr(0, c1);
    out.destination = v.substr(c1 + 1);
    if (size_t c2 = out.destination.find(':'); c2 != std::string::npos) {
        std::string mode = out.destination.substr(c2 + 1);
        out.destination.resize(c2);
        if (mode != "ro" && mode != "rw") throw Error("-v: \"" + v + "\": the mode must be ro or rw");
        out.readonly = mode == "ro";
    }
    if (out.destination.empty() || out.destination[0] != '/')
        throw Error("-v: \"" + v + "\": the destination must be an absolute path");
    out.source = canonical_path(src, "-v " + v);
    return out;
}

void check_edits(const ConfigEdits &e) {
    if (!e.rootfs.empty()) {
        struct stat st;
        if (stat(e.rootfs.c_str(), &st) < 0) throw Error("--rootfs: " + e.rootfs, errno);
        if (!S_ISDIR(st.st_mode)) throw Error("--rootfs: " + e.rootfs + ": not a directory");
    }
    if (!e.cwd.empty() && e.cwd[0] != '/') throw Error("--cwd: \"" + e.cwd + "\": must be an absolute path");
    for (auto &v : e.env) {
        size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0) throw Error("-e: \"" + v + "\": not VAR=VALUE");
    }
}

std::vector<std::string> host_environment() {
    std::vector<std::string> out;
    for (char **v = environ; *v; v++)
        if (strchr(*v, '=') && **v != '=') out.emplace_back(*v);
    return out;
}

void apply_config_edits(nlohmann::ordered_json &j, const ConfigEdits &e) {
    check_edits(e);
    if (!e.rootfs.empty()) j["root"]["path"] = e.rootfs;
    if (e.writable) j["root"]["readonly"] = false;
    for (auto &s : e.volumes) {
        Volume v = parse_volume(s);
        nlohmann::ordered_json m;
        m["destination"] = v.destination;
        m["type"] = "bind";
        m["source"] = v.source;
        m["options"] = {"rbind", v.readonly ? "ro" : "rw", "nosuid", "nodev"};
        j["mounts"].push_back(m);
    }
    auto &p = j["process"];
    if (!e.args.empty()) {
        p["args"] = e.args;
        p["terminal"] = p.value("terminal", false);
    }
    if (!e.cwd.empty()) p["cwd"] = e.cwd;
    if (e.env_host)
        for (auto &v : host_environment()) p["env"].push_back(v);
    for (auto &v : e.env) p["env"].push_back(v);
}

} // namespace burrow::lifecycle
