// Until the systemd backend is built (the systemd helper replaces this file
// with session/cgroup_systemd.cpp): --systemd-cgroup, which wrappers pass
// as a matter of course, falls back to the automatic choice and says so.
#include "session/cgroup_manager.hpp"

#include <stdexcept>

namespace burrow::session {

std::unique_ptr<CgroupManager> make_systemd_manager(const CgroupRequest &r, std::string &reason) {
    CgroupRequest q = r;
    q.preference = Preference::automatic;
    auto m = choose_manager(q, reason);
    reason = "systemd asked for, but not built in; " + reason;
    return m;
}

std::unique_ptr<CgroupManager> open_systemd_manager(const CgroupRecord &) {
    throw std::runtime_error("the container's cgroup is a systemd scope, and this burrow has no systemd cgroup manager");
}

} // namespace burrow::session
