#include "lifecycle/keep_id.hpp"
#include "error.hpp"
#include "log.hpp"
#include "userns/idmap.hpp"
#include "userns/passwd.hpp"
#include "userns/rootless.hpp"
#include "userns/subid.hpp"

#include <unistd.h>

namespace burrow::lifecycle {

std::string userns_mode(const std::string &flag, const std::map<std::string, std::string> &annotations) {
    std::string mode = flag;
    const char *where = "--userns";
    if (mode.empty())
        if (auto it = annotations.find(kUsernsAnnotation); it != annotations.end()) {
            mode = it->second;
            where = "annotations: io.github.burrow.userns";
        }
    if (!mode.empty() && mode != "keep-id" && mode != kKeepIdSingle)
        throw Error(std::string(where) + ": \"" + mode + "\" is not keep-id or keep-id:single");
    return mode;
}

void keep_id_user(spec::User &u) {
    if (u.uid == 0 && u.gid == 0) {
        u.uid = geteuid();
        u.gid = getegid();
    }
}

void apply_keep_id(spec::Config &c, bool single) {
    const std::string flag = single ? "--userns keep-id:single" : "--userns keep-id";
    if (!userns::rootless()) throw Error(flag + ": only for a rootless container (you are root)");
    if (!c.linux_) c.linux_.emplace();
    auto &lx = *c.linux_;
    bool user_ns = false;
    for (auto &n : lx.namespaces)
        if (n.type == spec::NsType::user) {
            if (!n.path.empty()) throw Error(flag + ": the config joins the user namespace " + n.path);
            user_ns = true;
        }
    if (!user_ns) lx.namespaces.push_back({spec::NsType::user, ""});

    uid_t uid = geteuid();
    gid_t gid = getegid();
    lx.uid_mappings.clear();
    lx.gid_mappings.clear();
    if (single) { // the own ids alone: written directly, no newuidmap/newgidmap, no /etc/subuid
        lx.uid_mappings.push_back({uid, uid, 1});
        lx.gid_mappings.push_back({gid, gid, 1});
        if (c.process) keep_id_user(c.process->user);
        return;
    }
    std::string name = userns::user_name(uid);
    auto subuid = userns::subordinate_ranges(userns::IdKind::uid, name, uid);
    auto subgid = userns::subordinate_ranges(userns::IdKind::gid, name, uid);
    if (subuid.empty() || subgid.empty())
        log::warn("--userns keep-id: no subordinate " + std::string(subuid.empty() ? "uids" : "gids") + " for " +
                  (name.empty() ? std::to_string(uid) : name) +
                  ": only your own ids are mapped, so files of other owners show as nobody and chown to "
                  "another id fails (ask for ranges in /etc/subuid and /etc/subgid)");
    for (auto &m : userns::keep_id_maps(uid, subuid)) lx.uid_mappings.push_back({m.inside, m.outside, m.count});
    for (auto &m : userns::keep_id_maps(gid, subgid)) lx.gid_mappings.push_back({m.inside, m.outside, m.count});
    if (c.process) keep_id_user(c.process->user);
}

} // namespace burrow::lifecycle
