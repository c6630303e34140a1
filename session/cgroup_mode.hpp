// Which cgroup layout the host has. The cgroup managers (systemd over D-Bus,
// delegated cgroupfs) build on this; the mount plan uses it today to mount
// /sys/fs/cgroup in a way that works on v1, hybrid and unified hosts alike.
#pragma once

namespace burrow::session {

enum class CgroupMode {
    none,    // no cgroup filesystem at /sys/fs/cgroup
    v1,      // only v1 hierarchies
    hybrid,  // v1 hierarchies, and cgroup2 at /sys/fs/cgroup/unified (this machine)
    unified, // cgroup2 at /sys/fs/cgroup
};

// Two statfs(2) calls at most: cheap enough for every container start.
CgroupMode detect_cgroup_mode() noexcept;

// From the filesystem magic numbers of /sys/fs/cgroup and of
// /sys/fs/cgroup/unified (0 when absent): pure, for tests.
CgroupMode classify(long root_magic, long unified_magic) noexcept;

const char *mode_name(CgroupMode m) noexcept;

} // namespace burrow::session
