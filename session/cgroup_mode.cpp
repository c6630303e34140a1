#include "session/cgroup_mode.hpp"

#include <linux/magic.h>
#include <sys/vfs.h>

namespace burrow::session {

CgroupMode classify(long root_magic, long unified_magic) noexcept {
    if (root_magic == CGROUP2_SUPER_MAGIC) return CgroupMode::unified;
    if (root_magic != TMPFS_MAGIC && root_magic != CGROUP_SUPER_MAGIC) return CgroupMode::none;
    return unified_magic == CGROUP2_SUPER_MAGIC ? CgroupMode::hybrid : CgroupMode::v1;
}

namespace {

CgroupMode detect_once() noexcept {
    struct statfs root {}, unified {};
    if (statfs("/sys/fs/cgroup", &root) < 0) return CgroupMode::none;
    if (root.f_type == CGROUP2_SUPER_MAGIC) return CgroupMode::unified;
    long u = statfs("/sys/fs/cgroup/unified", &unified) == 0 ? static_cast<long>(unified.f_type) : 0;
    return classify(static_cast<long>(root.f_type), u);
}

} // namespace

// Once per process: the host's layout does not change under a command, and
// choosing, making and recording a container's cgroups asked it three times.
CgroupMode detect_cgroup_mode() noexcept {
    static const CgroupMode mode = detect_once();
    return mode;
}

const char *mode_name(CgroupMode m) noexcept {
    switch (m) {
    case CgroupMode::none: return "none";
    case CgroupMode::v1: return "v1";
    case CgroupMode::hybrid: return "hybrid";
    case CgroupMode::unified: return "unified";
    }
    return "?";
}

} // namespace burrow::session
