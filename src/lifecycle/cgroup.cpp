#include "lifecycle/cgroup.hpp"
#include "error.hpp"
#include "lifecycle/lifecycle.hpp"
#include "log.hpp"
#include "read_file.hpp"

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::lifecycle {

session::Resources config_resources(const spec::Config &c) {
    if (!c.linux_ || c.linux_->resources_json.empty()) return {};
    try {
        return session::parse_resources(c.linux_->resources_json);
    } catch (const std::exception &e) {
        throw Error(std::string("config.json: linux.resources.") + e.what());
    }
}

std::unique_ptr<session::CgroupManager> choose_cgroup(const Globals &g, const std::string &id, const spec::Config &c,
                                                      const session::Resources &res) {
    session::CgroupRequest q;
    q.id = id;
    q.cgroups_path = c.linux_ ? c.linux_->cgroups_path : "";
    q.rootless = geteuid() != 0;
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
    return m;
}

void save_cgroup(const state::Store &s, const std::string &id, const session::CgroupRecord &r) {
    std::string path = s.dir(id) + "/cgroup.json", text = r.to_json();
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("write " + path);
    ssize_t n = write(fd, text.data(), text.size());
    int e = errno;
    // Written before the cgroup exists: a SIGKILL after this leaves a trail.
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) throw Error("write " + path, n < 0 ? e : EIO);
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
    o.status = state::status_of(store, o.rec);
    o.cgroup = open_cgroup(o.rec);
    if (o.cgroup->record().kind == session::ManagerKind::none)
        throw Error(session::no_cgroup_message(what, o.cgroup->record().path));
    return o;
}

void destroy_cgroup(session::CgroupManager &m) {
    if (m.record().kind == session::ManagerKind::none) return;
    try {
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
