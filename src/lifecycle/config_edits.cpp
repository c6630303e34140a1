#include "lifecycle/config_edits.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

namespace burrow::lifecycle {
namespace {

using json = nlohmann::ordered_json;

// -v SRC:DST[:ro|:rw] as a recursive bind mount; SRC must exist.
json volume(const std::string &v) {
    size_t c1 = v.find(':');
    if (c1 == std::string::npos || c1 == 0 || c1 + 1 == v.size())
        throw Error("-v: \"" + v + "\": not SRC:DST[:ro]");
    std::string src = v.substr(0, c1), dst = v.substr(c1 + 1), mode = "rw";
    if (size_t c2 = dst.find(':'); c2 != std::string::npos) {
        mode = dst.substr(c2 + 1);
        dst = dst.substr(0, c2);
        if (mode != "ro" && mode != "rw") throw Error("-v: \"" + v + "\": the mode must be ro or rw");
    }
    if (dst.empty() || dst[0] != '/') throw Error("-v: \"" + v + "\": the destination must be an absolute path");
    src = canonical_path(src, "-v " + v);
    json m;
    m["destination"] = dst;
    m["type"] = "bind";
    m["source"] = src;
    m["options"] = {"rbind", mode, "nosuid", "nodev"};
    return m;
}

} // namespace

void apply_config_edits(json &j, const ConfigEdits &e) {
    if (!e.rootfs.empty()) {
        struct stat st;
        if (stat(e.rootfs.c_str(), &st) < 0) throw Error("--rootfs: " + e.rootfs, errno);
        if (!S_ISDIR(st.st_mode)) throw Error("--rootfs: " + e.rootfs + ": not a directory");
        j["root"]["path"] = e.rootfs;
    }
    if (e.writable) j["root"]["readonly"] = false;
    for (auto &v : e.volumes) j["mounts"].push_back(volume(v));
    auto &p = j["process"];
    if (!e.args.empty()) {
        p["args"] = e.args;
        p["terminal"] = e.from_template ? false : p.value("terminal", false);
    }
    if (!e.cwd.empty()) {
        if (e.cwd[0] != '/') throw Error("--cwd: \"" + e.cwd + "\": must be an absolute path");
        p["cwd"] = e.cwd;
    }
    // Appended: where a name comes twice the last value wins (as Slurm's own
    // append of the job's environment to process.env relies on).
    if (e.env_host)
        for (char **v = environ; *v; v++)
            if (strchr(*v, '=') && **v != '=') p["env"].push_back(*v);
    for (auto &v : e.env) {
        size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0) throw Error("-e: \"" + v + "\": not VAR=VALUE");
        p["env"].push_back(v);
    }
}

} // namespace burrow::lifecycle
