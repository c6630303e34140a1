// The mount plan: config.json's mounts, devices and path lists turned into an
// ordered list of ready steps (pure: no syscalls, unit-tested). The child
// executes it with rootfs/mount_exec.hpp.
#pragma once
#include "rootfs/overlay.hpp"
#include "spec/model.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::rootfs {

enum class StepKind {
    bind,   // open_tree(source) + mount_setattr + move_mount onto target
    fs,     // mount(source, target, fstype, flags, data)
};

struct MountStep {
    StepKind kind = StepKind::fs;
    std::string source;
    std::string target;   // relative to the rootfs, no leading slash ("dev/pts")
    std::string fstype;
    std::string data;     // filesystem options ("mode=755,size=65536k")
    std::string data_fallback; // retried when data is refused (devpts without gid= in a user namespace)
    unsigned long flags = 0; // fs: MS_* for mount(2)
    bool recursive = false;  // bind: rbind
    uint64_t attr_set = 0;   // bind: MOUNT_ATTR_* to set
    uint64_t attr_clr = 0;   // bind: MOUNT_ATTR_* to clear (atime group)
    unsigned long propagation = 0; // MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE, with MS_REC
    bool target_is_file = false;   // bind of a file: create a file, not a directory
    bool sysfs_fallback = false;   // sysfs refused (not our network namespace): rbind /sys instead
    bool cgroup_fallback = false;  // cgroup2 refused: rbind /sys/fs/cgroup instead
    bool copy_up = false;          // tmpfs with tmpcopyup: starts with the covered directory's content
    int tree_fd = -1;              // bind: the source opened by the parent (rootfs/bind_source.hpp)
    bool source_is_file = false;   // ... and whether it is not a directory
    bool source_is_dir = false;    // bind: known a directory (a cgroup's): not statted again
    std::string idmap_uid, idmap_gid; // an idmapped bind: its uid_map and gid_map ("C H S\n" lines)
    bool idmap_recursive = false;     // ridmap: the submounts too (rootfs/idmap_source.hpp)
    bool own_cgroups = false;      // a cgroup mount bound from the host: only the container's own
                                   // cgroups once they are known (rootfs/cgroup_mount.hpp)
    bool remount = false;          // fs: MS_REMOUNT of the mount at target with flags and data
};

struct DeviceNode {
    std::string target; // relative to rootfs ("dev/null")
    std::string parent, name; // "dev", "null": where mknodat works
    std::string host;   // host path to bind from when mknod is not allowed
    mode_t mode = 0;    // S_IFCHR | 0666
    dev_t dev = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    bool from_config = false; // a linux.devices entry (not a default one)
};

struct Symlink {
    std::string target; // relative to rootfs ("dev/fd")
    std::string content; // "/proc/self/fd"
};

struct MountPlan {
    unsigned long root_propagation = 0;    // applied to "/" before anything (MS_REC | MS_SLAVE by default)
    unsigned long final_propagation = 0;   // rootfsPropagation applied to "/" after pivot_root, 0 = none
    std::vector<MountStep> steps;
    std::vector<DeviceNode> devices;
    bool bind_devices = false;             // in a user namespace mknod is refused: bind the host's node
    std::vector<Symlink> symlinks;
    // Config devices not made because a bind mount provides their directory.
    std::vector<std::string> skipped_devices;
    std::vector<std::string> masked;       // absolute inside the container
    std::vector<std::string> readonly;
    bool readonly_root = false;
    // process.terminal (create and run; exec has no mount plan): the pty is
    // bound onto /dev/console (rootfs/console_mount.hpp); console_borrowed
    // when a bind mount provides /dev (burrow makes no node there).
    bool console = false;
    bool console_borrowed = false;
    OverlayMount overlay;                  // --overlay: mounted on the rootfs first (rootfs/overlay.hpp)
};

struct HostFacts {
    bool in_userns = true;       // the container gets (or joins) a user namespace
    bool new_netns = false;      // sysfs can be mounted only in our own network namespace
    bool new_cgroupns = false;
    bool cgroup2_host = false;   // /sys/fs/cgroup is cgroup2 (unified)
};

// Throws Error("mounts[3].options: ...") for impossible mounts.
MountPlan plan_mounts(const spec::Config &c, const HostFacts &host);

// "ro,nosuid,mode=755" parsing, exposed for tests: returns false for an unknown flag word
// (which then belongs in the data string).
struct ParsedOptions {
    unsigned long flags = 0;
    unsigned long clear = 0;
    unsigned long propagation = 0;
    bool bind = false, recursive = false;
    bool copy_up = false; // tmpcopyup
    bool idmap = false, idmap_recursive = false; // idmap, ridmap
    std::string data;
};
ParsedOptions parse_mount_options(const std::vector<std::string> &options, const std::string &field);

} // namespace burrow::rootfs
