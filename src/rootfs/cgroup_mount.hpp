// What a container sees at /sys/fs/cgroup where it cannot mount a cgroup
// filesystem of its own (cgroup v1 and hybrid hosts; cgroup v2 without a
// cgroup namespace): its own cgroups, bound from the host's, and nothing of
// the other containers' and users' (as runc). Pure: the planner's step is
// replaced once the container's cgroups are chosen.
#pragma once
#include "rootfs/mount_plan.hpp"

#include <string>
#include <utility>
#include <vector>

namespace burrow::rootfs {

struct CgroupView {
    // cgroup v1: one directory under /sys/fs/cgroup per hierarchy ("memory",
    // "systemd") and the host's directory of the container's cgroup in it.
    std::vector<std::pair<std::string, std::string>> hierarchies;
    // Of those, the ones bound read-only whatever the mount says.
    std::vector<std::string> read_only;
    // cgroup v2 (the host's /sys/fs/cgroup is cgroup2): the container's cgroup.
    std::string unified;
    // Not known before the container's cgroup is made (a systemd scope on
    // cgroup v2): the step stays the host's whole hierarchy.
    bool unknown = false;
};

// Replaces each own_cgroups step of the plan: v1, a tmpfs with one
// non-recursive bind per hierarchy (read-only unless the config's mount is
// rw; the tmpfs itself is made read-only last); v2, one bind of the
// container's cgroup. nosuid, nodev, noexec always.
void own_cgroup_mounts(MountPlan &p, const CgroupView &v);

} // namespace burrow::rootfs
