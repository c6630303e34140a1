// Choosing the cgroup manager, the none manager, and the record kept in the state.
#include "session/cgroup_manager.hpp"
#include "session/cgroup_files.hpp"
#include "session/cgroup_mode.hpp"
#include "session/cgroupfs.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unistd.h>

namespace burrow::session {
namespace {

// No cgroup: the container runs where burrow runs; what needs one fails.
class NoCgroup : public CgroupManager {
public:
    explicit NoCgroup(std::string why) { rec_.path = std::move(why); }
    const CgroupRecord &record() const override { return rec_; }
    void enter(pid_t) override {}
    bool make_early() override { return true; }
    void join(pid_t) override {}
    void apply(const Resources &r) override {
        if (!r.empty()) throw std::runtime_error(no_cgroup_message("linux.resources", rec_.path));
        check_devices_unenforced(r.devices, "this container has no cgroup");
    }
    std::vector<pid_t> pids() const override { return {}; }
    void freeze(bool) override { throw std::runtime_error(no_cgroup_message("pause and resume", rec_.path)); }
    FreezerState freezer_state() const override { return FreezerState::thawed; }
    Stats stats() const override { throw std::runtime_error(no_cgroup_message("stats", rec_.path)); }
    int oom_fd() override { return -1; }
    unsigned oom_events() override { return 0; }
    void destroy() override {}
    void select_sub(const std::map<std::string, std::string> &) override {
        throw std::runtime_error(no_cgroup_message("--cgroup", rec_.path));
    }

private:
    CgroupRecord rec_;
};

} // namespace

const char *kind_name(ManagerKind k) noexcept {
    switch (k) {
    case ManagerKind::none: return "none";
    case ManagerKind::cgroupfs_v1: return "cgroupfs-v1";
    case ManagerKind::cgroupfs_v2: return "cgroupfs-v2";
    case ManagerKind::systemd: return "systemd";
    }
    return "?";
}

ManagerKind kind_from_name(const std::string &s) {
    for (auto k : {ManagerKind::none, ManagerKind::cgroupfs_v1, ManagerKind::cgroupfs_v2, ManagerKind::systemd})
        if (s == kind_name(k)) return k;
    throw std::invalid_argument("unknown cgroup manager \"" + s + "\"");
}

Preference preference_from_name(const std::string &s) {
    if (s == "cgroupfs") return Preference::cgroupfs;
    if (s == "systemd") return Preference::systemd;
    if (s == "disabled" || s == "none") return Preference::disabled;
    if (s == "" || s == "auto") return Preference::automatic;
    throw std::invalid_argument("--cgroup-manager: \"" + s + "\" is not cgroupfs, systemd or disabled");
}

std::string CgroupRecord::to_json() const {
    nlohmann::ordered_json j;
    j["manager"] = kind_name(kind);
    j["path"] = path;
    j["dirs"] = dirs;
    if (!unit.empty()) j["unit"] = unit;
    if (!root.empty()) j["root"] = root;
    if (!controllers.empty()) j["controllers"] = controllers;
    if (!paths.empty()) j["paths"] = paths;
    if (!joinable.empty()) j["joinable"] = joinable;
    return j.dump();
}

CgroupRecord CgroupRecord::from_json(const std::string &text) {
    CgroupRecord r;
    try {
        auto j = nlohmann::json::parse(text);
        r.kind = kind_from_name(j.at("manager").get<std::string>());
        r.path = j.value("path", "");
        r.dirs = j.value("dirs", std::vector<std::string>{});
        r.unit = j.value("unit", "");
        r.root = j.value("root", "");
        r.controllers = j.value("controllers", std::vector<std::string>{});
        r.paths = j.value("paths", std::map<std::string, std::string>{});
        r.joinable = j.value("joinable", std::map<std::string, std::string>{});
    } catch (const nlohmann::json::exception &e) {
        throw std::invalid_argument(std::string("the container's cgroup record is damaged: ") + e.what());
    }
    return r;
}

void CgroupManager::select_sub(const std::map<std::string, std::string> &) {
    throw std::invalid_argument(std::string("--cgroup: the ") + kind_name(record().kind) +
                                " cgroup manager does not place exec'd processes in sub-cgroups");
}

std::string sub_path(const std::string &p) {
    std::string out;
    for (auto &part : split(p, '/')) {
        if (part == "..") throw std::invalid_argument("--cgroup: \"" + p + "\" leaves the container's cgroup");
        if (part != ".") out += (out.empty() ? "" : "/") + part;
    }
    return out; // "": the container's cgroup itself (runc's --cgroup "")
}

std::string no_cgroup_message(const std::string &what, const std::string &why) {
    return what + " needs a cgroup, and this container has none (" +
           (why.empty() ? "no cgroup here is writable by this user" : why) +
           "); to get one, run burrow in a cgroup delegated to you: e.g. `systemd-run --user --scope -p "
           "Delegate=yes burrow ...` on cgroup v2, or as root mkdir and chown -R a subtree of "
           "/sys/fs/cgroup/<controller> to the user and start burrow in it";
}

std::unique_ptr<CgroupManager> choose_manager(const CgroupRequest &r, std::string &reason) {
    std::string name = r.cgroups_path.empty() ? r.id : r.cgroups_path;
    if (r.preference == Preference::systemd) return make_systemd_manager(r, reason);
    if (r.preference == Preference::disabled) {
        reason = "cgroups disabled by --cgroup-manager disabled";
        return std::make_unique<NoCgroup>(reason);
    }
    auto own = own_cgroups(); // a copy: v1 drops its "0::" entry
    auto mode = detect_cgroup_mode();
    // /proc/self/cgroup names a cgroup2 ("0::/...") on every kernel; on a v1
    // host its mount point (a hybrid host's cgroup2 unmounted, as crun needs
    // it) is a plain directory, never a cgroup to join.
    if (mode == CgroupMode::v1) own.erase("");
    std::string why;
    if (mode == CgroupMode::v1 || mode == CgroupMode::hybrid) {
        try {
            // Rootless: only the hierarchies it needs (kV1Rootless); as root
            // every one, as runc (the devices rules are a security boundary).
            std::vector<std::string> join;
            if (r.rootless) join = v1_rootless_join(r.resources);
            if (auto m = probe_cgroupfs_v1("/sys/fs/cgroup", own, name, why, join)) {
                reason = std::string("cgroupfs v1 (") + mode_name(mode) + " host; joined:";
                for (auto &c : m->record().controllers) reason += " " + (c.empty() ? std::string("cgroup2") : c);
                if (!m->record().joinable.empty()) reason += "; joinable later:";
                for (auto &[c, p] : m->record().joinable) reason += " " + (c.empty() ? std::string("cgroup2") : c);
                reason += ")";
                return m;
            }
        } catch (const std::invalid_argument &) {
            throw;
        } catch (const std::exception &e) {
            why = e.what();
        }
    }
    if ((mode == CgroupMode::unified || mode == CgroupMode::hybrid) && own.count("")) {
        std::string root = mode == CgroupMode::unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
        std::string why2;
        try {
            if (auto m = probe_cgroupfs_v2(root, own[""], name, why2)) {
                reason = std::string("cgroupfs v2 (") + mode_name(mode) + " host; " + root + own[""] + " is writable)";
                return m;
            }
        } catch (const std::invalid_argument &) {
            throw;
        } catch (const std::exception &e) {
            why2 = e.what();
        }
        why += (why.empty() ? "" : "; ") + why2;
    }
    reason = std::string("no cgroup: ") + mode_name(mode) + " host, " + (why.empty() ? "no cgroup filesystem" : why);
    return std::make_unique<NoCgroup>(reason);
}

std::unique_ptr<CgroupManager> open_manager(const CgroupRecord &r) {
    switch (r.kind) {
    case ManagerKind::none: return std::make_unique<NoCgroup>(r.path);
    case ManagerKind::cgroupfs_v1: return open_cgroupfs_v1(r);
    case ManagerKind::cgroupfs_v2: return open_cgroupfs_v2(r);
    case ManagerKind::systemd: return open_systemd_manager(r);
    }
    throw std::invalid_argument("unknown cgroup manager");
}

} // namespace burrow::session
