// Until the systemd backend is built: --systemd-cgroup says so in one line.
// (The systemd helper replaces this file with session/cgroup_systemd.cpp.)
#include "session/cgroup_manager.hpp"

#include <stdexcept>

namespace burrow::session {

std::unique_ptr<CgroupManager> make_systemd_manager(const CgroupRequest &, std::string &) {
    throw std::runtime_error("the systemd cgroup manager is not built into this burrow (use --cgroup-manager cgroupfs)");
}

std::unique_ptr<CgroupManager> open_systemd_manager(const CgroupRecord &) {
    throw std::runtime_error("the container's cgroup is a systemd scope, and this burrow has no systemd cgroup manager");
}

} // namespace burrow::session
