#include "rootfs/cgroup_mount.hpp"

#include <algorithm>
#include <sys/mount.h>

namespace burrow::rootfs {

void own_cgroup_mounts(MountPlan &p, const CgroupView &v) {
    std::vector<MountStep> out;
    out.reserve(p.steps.size() + v.hierarchies.size() + 2); // no step moved twice (a MountStep is large)
    for (auto &s : p.steps) {
        if (!s.own_cgroups || v.unknown) {
            out.push_back(std::move(s));
            continue;
        }
        bool ro = s.attr_set & MOUNT_ATTR_RDONLY;
        uint64_t attr = s.attr_set | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        if (!v.unified.empty()) {
            s.source = v.unified;
            s.recursive = false;
            s.attr_set = attr;
            s.own_cgroups = false;
            out.push_back(std::move(s));
            continue;
        }
        MountStep tmpfs;
        tmpfs.kind = StepKind::fs;
        tmpfs.source = "tmpfs";
        tmpfs.fstype = "tmpfs";
        tmpfs.target = s.target;
        tmpfs.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        tmpfs.data = "mode=755";
        tmpfs.propagation = s.propagation;
        out.push_back(tmpfs);
        for (auto &[name, dir] : v.hierarchies) {
            MountStep b;
            b.kind = StepKind::bind;
            b.source = dir;
            b.source_is_dir = true;
            b.target = s.target + "/" + name;
            b.attr_set = attr;
            if (std::find(v.read_only.begin(), v.read_only.end(), name) != v.read_only.end())
                b.attr_set |= MOUNT_ATTR_RDONLY;
            out.push_back(std::move(b));
        }
        if (ro) {
            MountStep r = tmpfs;
            r.remount = true;
            r.flags |= MS_RDONLY;
            r.propagation = 0;
            out.push_back(std::move(r));
        }
    }
    p.steps = std::move(out);
}

} // namespace burrow::rootfs
