#include "lifecycle/cgroup.hpp"
#include "error.hpp"
#include "lifecycle/lifecycle.hpp"
#include "log.hpp"
#include "read_file.hpp"
#include "session/cgroup_files.hpp"
#include "session/cgroup_mode.hpp"
#include "session/cgroupfs.hpp"

#include <algorithm>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::lifecycle {

session::Resources config_resources(const spec::Config &c) {
    if (!c.linux_ || c.linux_->resources_json.empty()) return {};
    session::Resources r;
    try {
        r = session::parse_resources(c.linux_->resources_json);
    } catch (const std::exception &e) {
        throw Error(std::string("config.json: linux.resources.") + e.what());
    }
    if (!r.devices.empty()) {
        // As runc: under the config's rules the default devices, the pts and
        // mknod stay allowed, and so does every device linux.devices makes.
        for (auto &d : session::default_device_rules()) r.devices.push_back(d);
        for (auto &d : c.linux_->devices)
            if (d.type == 'c' || d.type == 'b' || d.type == 'u')
                r.devices.push_back({true, d.type == 'b' ? 'b' : 'c', d.major, d.minor, "rwm"});
    }
    return r;
}

std::unique_ptr<session::CgroupManager> choose_cgroup(const Globals &g, const std::string &id, const spec::Config &c,
                                                      const session::Resources &res) {
    session::CgroupRequest q;
    q.id = id;
    q.cgroups_path = c.linux_ ? c.linux_->cgroups_path : "";
    q.rootless = geteuid() != 0;
    q.resources = &res;
    std::string reason;
    std::unique_ptr<session::CgroupManager> m;
    try {
        q.preference = session::preference_from_name(g.cgroup_manager);
        m = session::choose_manager(q, reason);
    } catch (const std::invalid_argument &e) {
        throw Error(std::string(e.what()).rfind("--", 0) == 0 ? e.what() : std::string("config.json: linux.") + e.what());
    } catch (const std::exception &e) {
        throw Error(std::string("cgroup: ") + e.what());
    }
    log::debug("cgroup manager: " + reason);
    if (m->record().kind == session::ManagerKind::none && !res.empty())
        throw Error("config.json: " + session::no_cgroup_message("linux.resources", m->record().path));
    if (m->record().kind == session::ManagerKind::none) try {
            session::check_devices_unenforced(res.devices, "this container has no cgroup");
        } catch (const std::exception &e) {
            throw Error(std::string("config.json: ") + e.what());
        }
    return m;
}

void save_cgroup(const state::Store &s, const std::string &id, const session::CgroupRecord &r) {
    save_cgroup_text(s, id, r.to_json());
}

void save_cgroup_text(const state::Store &s, const std::string &id, const std::string &text) {
    std::string path = s.dir(id) + "/cgroup.json";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("write " + path);
    ssize_t n = write(fd, text.data(), text.size());
    int e = errno;
    // Written before the cgroup exists: a SIGKILL after this leaves a trail.
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) throw Error("write " + path, n < 0 ? e : EIO);
}

rootfs::CgroupView cgroup_view(const session::CgroupRecord &r) {
    rootfs::CgroupView v;
    const auto &own = session::own_cgroups();
    if (session::detect_cgroup_mode() == session::CgroupMode::unified) {
        v.unknown = r.kind == session::ManagerKind::systemd && r.path.empty(); // the scope's path comes later
        bool v2 = r.kind == session::ManagerKind::cgroupfs_v2 || r.kind == session::ManagerKind::systemd;
        v.unified = v2 ? session::join_path(r.root, r.path) : session::join_path("/sys/fs/cgroup", own.count("") ? own.at("") : std::string());
        return v;
    }
    bool v1 = r.kind == session::ManagerKind::cgroupfs_v1;
    for (auto &[c, path] : own) {
        if (c.empty()) continue; // a hybrid host's cgroup2: runc binds none either
        std::string top = session::v1_hierarchy("/sys/fs/cgroup", c);
        std::string name = top.substr(top.rfind('/') + 1);
        if (session::hierarchy_id(top) == std::pair<dev_t, ino_t>{0, 0}) continue;
        if (std::any_of(v.hierarchies.begin(), v.hierarchies.end(), [&](auto &h) { return h.first == name; })) continue;
        if (v1 && std::find(r.controllers.begin(), r.controllers.end(), c) != r.controllers.end()) {
            v.hierarchies.emplace_back(name, session::join_path(session::v1_hierarchy(r.root, c), r.path_of(c)));
        } else if (path != "/") { // where the container's processes stay: the caller's own
            v.hierarchies.emplace_back(name, session::join_path(top, path));
            // A hierarchy the container may join later is the user's, and
            // holds the user's other containers' cgroups: seen, not changed.
            if (v1 && r.joinable.count(c)) v.read_only.push_back(name);
        }
    }
    return v;
}

std::unique_ptr<session::CgroupManager> open_cgroup(const state::Record &r) {
    if (r.cgroup.empty()) return session::open_manager({});
    try {
        return session::open_manager(session::CgroupRecord::from_json(r.cgroup));
    } catch (const std::exception &e) {
        throw Error(std::string("cgroup: ") + e.what());
    }
}

std::unique_ptr<session::CgroupManager> open_cgroup(const state::Store &s, const std::string &id) {
    state::Record r;
    struct stat st;
    std::string path = s.dir(id) + "/cgroup.json";
    if (stat(path.c_str(), &st) == 0) r.cgroup = read_file(path);
    return open_cgroup(r);
}

ContainerCgroup open_container_cgroup(const state::Store &store, const std::string &id, const char *what) {
    state::validate_id(id);
    ContainerCgroup o;
    o.rec = store.read(id);
    o.cgroup = open_cgroup(o.rec);
    o.status = state::status_of(store, o.rec, *o.cgroup);
    if (o.cgroup->record().kind == session::ManagerKind::none)
        throw Error(session::no_cgroup_message(what, o.cgroup->record().path));
    return o;
}

void destroy_cgroup(session::CgroupManager &m) {
    if (m.record().kind == session::ManagerKind::none) return;
    try {
        if (m.remove_if_empty()) return; // the usual end: its processes exited
        // Kill until empty: a fork racing with us lands in the cgroup too.
        for (int round = 0; round < 1000; round++) {
            auto pids = m.pids();
            if (pids.empty()) break;
            for (pid_t p : pids) ::kill(p, SIGKILL);
            if (round == 0 && m.freezer_state() != session::FreezerState::thawed) m.freeze(false);
            usleep(round < 20 ? 1000 : 10000);
        }
        m.destroy();
    } catch (const std::exception &e) {
        throw Error(std::string("cgroup: ") + e.what());
    }
}

CgroupGuard::~CgroupGuard() {
    if (!m_) return;
    try {
        destroy_cgroup(*m_);
    } catch (const std::exception &e) {
        log::error(std::string("burrow: cleaning up the cgroup: ") + e.what());
    }
}

} // namespace burrow::lifecycle
