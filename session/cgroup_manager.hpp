// The container's cgroup, behind one interface: systemd (a transient scope
// through the user's or the system's manager), cgroupfs v2, cgroupfs v1
// (delegated per-controller subtrees) and none (no cgroup the caller may
// write). Standalone: errors are std::runtime_error / std::system_error
// with a message fit for "burrow: create c1: <message>".
//
// Life of a container's cgroup:
//   create:  choose_manager() -> record() saved in the state dir (before
//            anything is made, so a SIGKILLed create can be cleaned up) ->
//            enter(pid) in the parent while the child still has the caller's
//            ids (handshake step 1) -> apply(resources).
//   later:   open_manager(record) -> pids(), freeze(), apply(), stats(),
//            oom_fd()/oom_events(), destroy().
#pragma once
#include "session/cgroup_resources.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::session {

enum class ManagerKind { none, cgroupfs_v1, cgroupfs_v2, systemd };

// "none", "cgroupfs-v1", "cgroupfs-v2", "systemd" (as kept in the state).
const char *kind_name(ManagerKind k) noexcept;
ManagerKind kind_from_name(const std::string &s); // throws std::invalid_argument

// What the state keeps to find the cgroup again.
struct CgroupRecord {
    ManagerKind kind = ManagerKind::none;
    std::string path;              // shown by `burrow state`: v2 path under the cgroup2 root, v1 path
                                   // under each hierarchy, systemd: the scope's cgroup path
    std::vector<std::string> dirs; // every directory made, outermost first (absolute host paths)
    std::string unit;              // systemd: the scope's unit name
    std::string root;              // cgroupfs: the hierarchy root ("/sys/fs/cgroup", ".../unified");
                                   // v1: each controller's hierarchy is root/CONTROLLER
    std::vector<std::string> controllers; // cgroupfs v1: the controllers joined
    // cgroupfs v1: each controller's path in its hierarchy, where it is not
    // `path` (a process sits at its own path in each: memory at /a, pids at /).
    std::map<std::string, std::string> paths;
    // cgroupfs v1, rootless: the writable hierarchies the container did not
    // join (no limit asked for one): controller -> the container's path
    // there, where `update` makes its cgroup when a limit needs it.
    std::map<std::string, std::string> joinable;
    // The container's path in controller c's hierarchy (v1), else `path`.
    const std::string &path_of(const std::string &c) const {
        auto it = paths.find(c);
        return it == paths.end() ? path : it->second;
    }
    std::string to_json() const;
    static CgroupRecord from_json(const std::string &text); // throws std::invalid_argument
    bool operator==(const CgroupRecord &) const = default; // every field to_json writes
};

enum class FreezerState { thawed, freezing, frozen };

// runc's events --stats data, the parts a cgroup has; 0 where the host has
// no such file.
struct Stats {
    struct {
        uint64_t total = 0, kernel = 0, user = 0; // ns
        std::vector<uint64_t> percpu;
        uint64_t periods = 0, throttled_periods = 0, throttled_time = 0;
    } cpu;
    struct Usage {
        uint64_t usage = 0, max = 0, limit = 0, failcnt = 0;
    };
    struct {
        Usage usage, swap, kernel;
        std::vector<std::pair<std::string, uint64_t>> raw; // memory.stat
    } memory;
    struct {
        uint64_t current = 0, limit = 0; // limit 0: none
    } pids;
    struct Entry {
        uint64_t major = 0, minor = 0;
        std::string op; // Read, Write, Sync, Async, Discard, Total
        uint64_t value = 0;
    };
    struct {
        std::vector<Entry> service_bytes, serviced;
    } blkio;
};

class CgroupManager {
public:
    virtual ~CgroupManager() = default;
    virtual const CgroupRecord &record() const = 0;

    // Makes the cgroup(s) and moves pid in. Parent side, before the child
    // switches to mapped ids. Errors leave what was made for destroy().
    virtual void enter(pid_t pid) = 0;
    // Instead of enter(), where the manager can (cgroup v2): makes the
    // cgroup and returns an O_PATH fd of it for clone3(CLONE_INTO_CGROUP),
    // so the child starts inside and nothing is moved (a move waits for an
    // RCU grace period, milliseconds). -1: enter() after clone. If clone3
    // cannot, join(pid) after clone. The caller closes the fd.
    virtual int prepare_clone() { return -1; }
    // create, where prepare_clone() gave no fd: makes the cgroup(s) before
    // clone where that needs no process (cgroupfs v1), so that the child's
    // own view of them (its /sys/fs/cgroup) can be bound before enter()
    // moves it in, and the child need not wait for the move; enter() then
    // only moves. False where the cgroup comes with the move (systemd's
    // scope): the child must wait for enter().
    virtual bool make_early() { return false; }
    // exec: the existing cgroup as an O_PATH fd for clone3(CLONE_INTO_CGROUP),
    // or -1 (join() then). The caller closes it.
    virtual int clone_target() const { return -1; }
    // exec: moves pid into the existing cgroup(s), creating nothing.
    virtual void join(pid_t pid) = 0;
    // exec: the cgroup.procs files join() writes, for a child that moves
    // itself (writes "0") while it still has the caller's ids; empty where
    // only join() can (systemd) or there is nothing to join.
    virtual std::vector<std::string> join_files() const { return {}; }
    // exec --cgroup: join() and clone_target() then use an existing
    // sub-cgroup of the container's: subs maps a controller (v1) or ""
    // (every hierarchy) to a path below the container's cgroup. Throws
    // std::invalid_argument for a path leaving it, a controller it has not,
    // or a sub-cgroup that does not exist.
    virtual void select_sub(const std::map<std::string, std::string> &subs);
    // update, before apply(): a limit in a hierarchy the container has no
    // cgroup in (rootless cgroupfs v1 joins only the ones its limits need)
    // adds that cgroup to the record, making nothing yet. True when the
    // record changed: the caller saves it (so delete finds the cgroup even
    // if update is killed), then apply() makes it and moves every process
    // of the container in before it writes the limit.
    virtual bool extend(const Resources &) { return false; }
    // create and update. Throws naming the resource when the host lacks the
    // controller or refuses the value.
    virtual void apply(const Resources &r) = 0;
    // Every process in the cgroup (all hierarchies for v1), sorted.
    virtual std::vector<pid_t> pids() const = 0;
    // Returns once the kernel reports the state reached.
    virtual void freeze(bool frozen) = 0;
    virtual FreezerState freezer_state() const = 0;
    virtual Stats stats() const = 0;
    // An fd that polls readable when an OOM event may have happened (-1:
    // none to watch); oom_events() then says how many new ones there were.
    virtual int oom_fd() = 0;
    virtual unsigned oom_events() = 0;
    // Removes every directory/scope made; the processes must be gone (the
    // caller kills pids() first). Idempotent; missing dirs are fine.
    virtual void destroy() = 0;
    // destroy() when the container has no process left, cheaply (no listing):
    // false, with nothing removed, when it has (then kill pids() first).
    virtual bool remove_if_empty() { return false; }
};

// How the caller asked: global --cgroup-manager / --systemd-cgroup.
enum class Preference { automatic, cgroupfs, systemd, disabled };
Preference preference_from_name(const std::string &s); // "cgroupfs", "systemd", "disabled"/"none"; throws

struct CgroupRequest {
    std::string id;
    std::string cgroups_path; // config.json linux.cgroupsPath ("" = default from the id)
    Preference preference = Preference::automatic;
    bool rootless = true;
    // What config.json asks for: rootless, cgroupfs v1 joins only the
    // hierarchies these limits need and the ones for accounting and control
    // (kV1Rootless); the others stay joinable for `update`.
    const Resources *resources = nullptr;
};

// The manager for a new container, and why it was chosen (for --debug).
// Throws only when the preference cannot be met (systemd asked for, no bus).
std::unique_ptr<CgroupManager> choose_manager(const CgroupRequest &r, std::string &reason);
// The manager of an existing container, from its record.
std::unique_ptr<CgroupManager> open_manager(const CgroupRecord &r);

// One line for "this needs a cgroup, and there is none" (pause, update,
// events --stats, resources in config.json): `what` is the request, `why`
// the none manager's reason (its record's path).
std::string no_cgroup_message(const std::string &what, const std::string &why = "");

// "a/b" below the container's cgroup: leading slashes dropped ("" for the
// container's cgroup itself); throws std::invalid_argument for "..".
std::string sub_path(const std::string &p);

// The systemd backend (session/cgroup_systemd.cpp); the stub throws.
std::unique_ptr<CgroupManager> make_systemd_manager(const CgroupRequest &r, std::string &reason);
std::unique_ptr<CgroupManager> open_systemd_manager(const CgroupRecord &r);

} // namespace burrow::session
