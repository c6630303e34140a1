// The systemd cgroup manager: the container's init in a transient scope
// (Delegate=yes) of the caller's systemd manager, its resources as unit
// properties. The D-Bus work is done by the helper burrow-systemd
// (session/systemd_helper.cpp, reached through systemd_client.hpp), a
// dynamically linked program next to burrow, so that the static burrow never
// loads libsystemd on its default path.
// Reading and writing the scope's cgroup files (pids, freeze, stats, what
// systemd has no property for) is the cgroupfs v2 manager's work on the
// scope's directory.
#include "session/cgroup_files.hpp"
#include "session/cgroup_manager.hpp"
#include "session/cgroup_mode.hpp"
#include "session/cgroup_systemd.hpp"
#include "session/cgroupfs.hpp"
#include "session/systemd_client.hpp"
#include "session/systemd_unit.hpp"

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::session {
namespace {

bool exists(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

// The cgroup hierarchy in which systemd tracks units: cgroup2 where there is one.
std::string tracking_root() {
    switch (detect_cgroup_mode()) {
    case CgroupMode::unified: return "/sys/fs/cgroup";
    case CgroupMode::hybrid: return "/sys/fs/cgroup/unified";
    default: return "/sys/fs/cgroup/systemd";
    }
}

std::string join_fields(const std::vector<std::string> &f) {
    std::string s;
    for (auto &x : f) {
        if (x.find_first_of("\t\n") != std::string::npos)
            throw std::invalid_argument("\"" + x + "\": tabs and newlines cannot go to systemd");
        s += (s.empty() ? "" : "\t") + x;
    }
    return s;
}

class Systemd : public CgroupManager {
public:
    explicit Systemd(CgroupRecord r) : rec_(std::move(r)) {}
    const CgroupRecord &record() const override { return rec_; }

    void enter(pid_t pid) override {
        if (in_service()) return files().enter(pid); // the sub-cgroup of the service's own
        std::vector<std::string> req = {"start", rec_.unit, std::to_string(pid)};
        for (auto &p : scope_properties(ScopeName{slice_, rec_.unit}, "burrow container " + id_)) req.push_back(p);
        // The resources with the scope, as runc gives them: one request, no
        // SetUnitProperties after it (apply() sends only what differs).
        if (resources_) req.insert(req.end(), resources_->begin(), resources_->end());
        try {
            rec_.path = helper_.request(join_fields(req));
        } catch (...) {
            start_failed_ = true; // systemd made no scope, or collects the failed one itself
            throw;
        }
        files_.reset();
        started_props_ = std::move(resources_);
    }

    // In a service on cgroup v2, the child is cloned straight into its cgroup
    // below the service's; a scope needs the process first (-1: enter()).
    int prepare_clone() override { return in_service() ? files().prepare_clone() : -1; }

    // exec: the new process into the scope's cgroup (and, on a hybrid host,
    // the scope's name=systemd cgroup as well, where systemd mirrors it).
    void join(pid_t pid) override {
        files().join(pid);
        if (rec_.root == "/sys/fs/cgroup/unified") try {
                write_cgroup(join_path("/sys/fs/cgroup/systemd", rec_.path), "cgroup.procs", std::to_string(pid));
            } catch (const std::exception &) {
            }
    }

    void apply(const Resources &r) override {
        // systemd's scopes here are cgroup v2 ones: no net_cls/net_prio, no device cgroup.
        if (r.network.class_id || !r.network.priorities.empty())
            throw std::invalid_argument("network: the systemd manager's cgroup v2 has no net_cls or net_prio");
        check_devices_unenforced(r.devices, "the systemd manager sets no device policy");
        auto props = resource_properties(r);
        if (!props.empty() && !(started_props_ && *started_props_ == props)) {
            std::vector<std::string> req = {"set", rec_.unit};
            req.insert(req.end(), props.begin(), props.end());
            helper_.request(join_fields(req));
        }
        // The helper stays until this manager goes (the end of create, or of
        // a foreground run, whose destroy() stops the scope with it: one
        // helper and one connection per run, not two).
        // The files too, as runc does, where the cgroup has controllers (a
        // delegated scope on cgroup v2): exact values where systemd rounds, and
        // what it has no property for. Where it has none (a hybrid host's empty
        // cgroup2, or a sub-cgroup of a service burrow itself runs in) the
        // properties are all there is, and the `unified` map cannot apply.
        auto offered = read_cgroup(join_path(rec_.root, rec_.path) + "/cgroup.controllers").value_or("");
        if (offered.find_first_not_of(" \n") != std::string::npos) files().apply(r);
        else if (!r.unified.empty() || !r.hugepage_limits.empty()) files().apply(only_files(r));
    }

    // Before enter() (a create killed midway) the scope's cgroup is not
    // known: no processes to find, and destroy() stops the unit by name.
    std::vector<pid_t> pids() const override { return rec_.path.empty() ? std::vector<pid_t>{} : files().pids(); }
    void freeze(bool frozen) override { files().freeze(frozen); }
    FreezerState freezer_state() const override {
        return rec_.path.empty() ? FreezerState::thawed : files().freezer_state();
    }
    Stats stats() const override { return files().stats(); }
    int oom_fd() override { return files().oom_fd(); }
    unsigned oom_events() override { return files().oom_events(); }

    void destroy() override {
        if (in_service()) return files().destroy(); // the service itself is systemd's to stop
        // systemd removes a scope (and every cgroup under it) by itself once
        // its processes are gone; StopUnit for one that is still there.
        if (start_failed_ || (!rec_.path.empty() && !exists(join_path(rec_.root, rec_.path)))) return;
        helper_.request(join_fields({"stop", rec_.unit}));
        helper_.close();
    }

    std::string slice_, id_;
    // The config's resources as unit properties, for StartTransientUnit
    // (none where the conversion throws: apply() then says why).
    std::optional<std::vector<std::string>> resources_;

    // Started by a service unit: the container's cgroup is made below the
    // service's own (rec_.unit is the service), with the service's
    // properties as its resources.
    bool in_service() const {
        return rec_.unit.size() > 8 && rec_.unit.compare(rec_.unit.size() - 8, 8, ".service") == 0;
    }

private:
    CgroupRecord rec_;
    bool start_failed_ = false;
    std::optional<std::vector<std::string>> started_props_; // what the scope was started with
    mutable SystemdClient helper_;
    mutable std::unique_ptr<CgroupManager> files_;

    CgroupManager &files() const {
        if (rec_.path.empty()) throw std::runtime_error("the container's systemd scope " + rec_.unit + " has no cgroup");
        if (!files_) {
            CgroupRecord f;
            f.kind = ManagerKind::cgroupfs_v2;
            f.root = rec_.root;
            f.path = rec_.path;
            f.dirs = rec_.dirs;
            files_ = open_cgroupfs_v2(f);
        }
        return *files_;
    }

    static Resources only_files(const Resources &r) {
        Resources f;
        f.unified = r.unified;
        f.hugepage_limits = r.hugepage_limits;
        return f;
    }
};

// burrow started by a service unit (`ExecStart=burrow run ...`): the service's
// cgroup, or "" elsewhere. The container then lives in a cgroup of its own
// under it rather than in a scope elsewhere, so that systemd counts it as the
// service's (MAINPID, KillMode, accounting).
std::string service_cgroup(std::string &unit) {
    const auto &own = own_cgroups();
    auto it = own.find("");
    if (it == own.end() || it->second.empty()) return "";
    const std::string &cg = it->second;
    unit = cg.substr(cg.rfind('/') + 1);
    if (unit.size() <= 8 || unit.compare(unit.size() - 8, 8, ".service") != 0) return "";
    if (unit.compare(0, 5, "user@") == 0) return ""; // the user manager's own cgroup
    return cg;
}

} // namespace

std::unique_ptr<CgroupManager> make_systemd_manager(const CgroupRequest &r, std::string &reason) {
    std::string unit;
    if (std::string service = service_cgroup(unit); r.cgroups_path.empty() && !service.empty()) {
        // Absolute: inside the service's cgroup even though burrow's own process is
        // there too (cgroupfs would put it beside, outside the service).
        auto files = make_cgroupfs_v2(tracking_root(), service, service + "/burrow-" + r.id);
        CgroupRecord rec = files->record();
        rec.kind = ManagerKind::systemd;
        rec.unit = unit;
        auto m = std::make_unique<Systemd>(rec);
        m->id_ = r.id;
        reason = "systemd: burrow runs in the service " + unit + ": the container in its cgroup " + rec.path +
                 " (give the unit Delegate=yes), resources as the service's properties";
        return m;
    }
    auto name = scope_name(r.cgroups_path, r.id, r.rootless);
    if (systemd_helper_path().empty()) {
        // A build without libsystemd (features says systemd false): wrappers
        // pass --systemd-cgroup as a matter of course; the automatic choice serves.
        CgroupRequest q = r;
        q.preference = Preference::automatic;
        auto m = choose_manager(q, reason);
        reason = "systemd asked for, but " + no_helper_message() + "; " + reason;
        return m;
    }
    // Said before anything is spawned: the manager must be there.
    std::string where = "/run/systemd/private";
    if (r.rootless) {
        const char *x = getenv("XDG_RUNTIME_DIR");
        if (!x || !*x) throw std::runtime_error("--systemd-cgroup: XDG_RUNTIME_DIR is not set, so there is no user manager to ask");
        where = std::string(x) + "/systemd/private";
        const char *address = getenv("DBUS_SESSION_BUS_ADDRESS");
        bool bus = exists(std::string(x) + "/bus") || (address && *address);
        if (!exists(where) && !bus)
            throw std::runtime_error("--systemd-cgroup: no systemd user manager runs for this user (" + where +
                                     " and " + x + "/bus are missing; log in, or `loginctl enable-linger`)");
    } else if (!exists(where) && !exists("/run/dbus/system_bus_socket")) {
        throw std::runtime_error("--systemd-cgroup: systemd is not running (" + where + " is missing)");
    }
    CgroupRecord rec;
    rec.kind = ManagerKind::systemd;
    rec.unit = name.unit;
    rec.root = tracking_root();
    auto m = std::make_unique<Systemd>(rec);
    m->slice_ = name.slice;
    m->id_ = r.id;
    if (r.resources) try {
            m->resources_ = resource_properties(*r.resources);
        } catch (const std::exception &) {
        }
    reason = "systemd (" + std::string(r.rootless ? "the user manager" : "the system manager") + ", scope " + name.unit +
             " in " + name.slice + ")";
    return m;
}

std::unique_ptr<CgroupManager> open_systemd_manager(const CgroupRecord &r) { return std::make_unique<Systemd>(r); }

} // namespace burrow::session
