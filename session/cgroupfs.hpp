// The cgroupfs managers (v2: one unified hierarchy; v1: one hierarchy per
// controller), built on a given hierarchy root and caller's cgroup so tests
// can run them on a directory laid out like a cgroup filesystem.
#pragma once
#include "session/cgroup_manager.hpp"

#include <map>

namespace burrow::session {

// root: the cgroup2 mount; own: the caller's cgroup path in it ("/a/b");
// cgroups_path: absolute (from the root) or relative to the caller's cgroup.
// Throws when the target cannot be made (not writable).
std::unique_ptr<CgroupManager> make_cgroupfs_v2(const std::string &root, const std::string &own,
                                                const std::string &cgroups_path);
// root: the directory holding one hierarchy per controller; own: the
// caller's path per controller. Only writable ones are used; throws when none is.
// join: the controllers to join now (their hierarchies); the other writable
// ones are recorded as joinable. Empty: every writable hierarchy (root, as runc).
std::unique_ptr<CgroupManager> make_cgroupfs_v1(const std::string &root, const std::map<std::string, std::string> &own,
                                                const std::string &cgroups_path,
                                                const std::vector<std::string> &join = {});
// The same, but "nothing here is writable" is an answer, not an error: null,
// with the reason in `why`. A caller started by root that switched to the user
// (slurmstepd, sudo -u, systemd's User=) sits in root's cgroups and lands here
// on every run; a throw would page in the unwinder and its tables (0.4 MiB of
// the binary) for nothing. Bad input (cgroupsPath with "..") still throws.
std::unique_ptr<CgroupManager> probe_cgroupfs_v2(const std::string &root, const std::string &own,
                                                 const std::string &cgroups_path, std::string &why);
std::unique_ptr<CgroupManager> probe_cgroupfs_v1(const std::string &root, const std::map<std::string, std::string> &own,
                                                 const std::string &cgroups_path, std::string &why,
                                                 const std::vector<std::string> &join = {});
std::unique_ptr<CgroupManager> open_cgroupfs_v2(const CgroupRecord &r);
std::unique_ptr<CgroupManager> open_cgroupfs_v1(const CgroupRecord &r);

// The v1 controllers burrow joins where the host has them and the caller may
// write (runc's list; name=systemd is joined as runc does, for systemd's view).
inline const char *const kV1Controllers[] = {"memory",  "pids",    "cpu",        "cpuacct", "cpuset",
                                             "freezer", "blkio",   "hugetlb",    "devices", "net_cls",
                                             "net_prio", "perf_event", "rdma",   "misc",    "name=systemd"};
// What a rootless container joins whatever its limits: accounting and
// control users rely on (stats, OOM events, kill --all, ps, delete, pause).
// Every cgroup made costs a run a mkdir, a cgroup.procs write, a bind and an
// rmdir (a new cpuset two more reads and writes): cpuset, blkio and the rest
// wait for a limit (v1_controllers_for), at create or at update.
inline const char *const kV1Rootless[] = {"memory", "pids", "cpu", "cpuacct", "freezer"};
// The v1 controllers whose files r writes, but devices (a rootless caller
// cannot write device rules: they pass unenforced, as in runc and crun).
std::vector<std::string> v1_controllers_for(const Resources &r);
// kV1Rootless and v1_controllers_for(r).
std::vector<std::string> v1_rootless_join(const Resources *r);
// The directory of a controller's hierarchy: root/memory, root/systemd for name=systemd.
std::string v1_hierarchy(const std::string &root, const std::string &controller);
// Which hierarchy a directory is (cpu and cpuacct may be one, through a
// symlink): its device and inode, {0, 0} when it is no directory. Remembered
// for the process (one path walk in sysfs per hierarchy, not one per asker).
std::pair<dev_t, ino_t> hierarchy_id(const std::string &dir);

// The directories still to make from `under` down to `under`+rel (outermost first).
std::vector<std::string> missing_dirs(const std::string &under, const std::string &rel);
// rmdir each (innermost first, and any sub-cgroups made inside), waiting
// briefly while the kernel still counts exited processes. Missing ones are
// fine; those in `gone` were removed already (no second rmdir).
void remove_dirs(const std::vector<std::string> &dirs, const std::vector<std::string> &leaves,
                 const std::vector<std::string> &gone = {});

} // namespace burrow::session
