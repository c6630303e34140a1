// Container state on disk: one directory per container under the root
// (--root), holding state.json (written atomically: temp, rename) and,
// until `start`, exec.fifo. mkdir is the atomic claim on an id; flock on the
// directory serialises commands on one container. Beside state.json, small
// fixed-format files that do not depend on it name what a corrupt or missing
// state.json would hide from `delete --force`: init.pid (the container's
// process) and hooks.pgid (a running hook's process group); cgroup.json
// (written before the cgroup is made) names the cgroup.
#pragma once
#include "error.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::session {
class CgroupManager;
}

namespace burrow::state {

struct Record {
    std::string oci_version;
    std::string id;
    pid_t pid = 0;
    uint64_t pid_start = 0; // /proc/PID/stat start time: tells a reused pid apart
    std::string bundle;
    std::string rootfs;
    std::string created; // RFC 3339 with nanoseconds, UTC
    std::map<std::string, std::string> annotations;
    std::string hooks_json; // the config's poststart and poststop hooks, for start and delete
    bool own_pidns = false; // the container has its own pid namespace
    bool no_new_keyring = false; // create --no-new-keyring: exec keeps the caller's session keyring too
    std::string cgroup;     // session::CgroupRecord JSON (cgroup.json, written before the cgroup is made)
    // A foreground `run` without --keep, which deletes the container when it
    // exits: its pid and start time (0: none). If it was killed, the record is stale.
    pid_t runner = 0;
    uint64_t runner_start = 0;
};

enum class Status { created, running, stopped, paused };

// No such container (a permission error is never this).
struct NoSuchContainer : Error {
    using Error::Error;
};
// state.json is there but unreadable as JSON (a crash, a full disk).
struct CorruptState : Error {
    using Error::Error;
};

const char *status_name(Status s);

// Throws Error for an id runc would refuse (letters, digits, _ + - . only).
void validate_id(const std::string &id);

class Lock {
public:
    explicit Lock(int fd) : fd_(fd) {}
    Lock(Lock &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    ~Lock();
    int fd() const { return fd_; }

private:
    int fd_;
};

class Store {
public:
    explicit Store(std::string root);
    const std::string &root() const { return root_; }
    std::string dir(const std::string &id) const { return root_ + "/" + id; }

    // Claims the id: throws `container "ID" already exists`. Returns the locked directory.
    Lock claim(const std::string &id);
    // Throws `container "ID" does not exist`.
    Lock lock(const std::string &id) const;
    // Throws NoSuchContainer, CorruptState, or Error (EACCES...).
    Record read(const std::string &id) const;
    // What the files beside state.json say: pid, pid_start, own_pidns (init.pid)
    // and cgroup (cgroup.json), for a container whose state.json is corrupt or
    // not written yet. Never throws for a missing or corrupt file.
    Record remains(const std::string &id) const;
    // state.json exists; false only when it does not (ENOENT): other errors throw.
    bool exists(const std::string &id) const;
    void write(const Record &r) const;
    void write_init(const Record &r) const; // init.pid, before state.json
    void remove(const std::string &id) const;
    std::vector<std::string> ids() const;

private:
    std::string root_;
};

// The JSON of a state.json (what Store::write writes), checked: throws
// std::invalid_argument for anything else (a crash, a full disk, an edit).
Record parse_record(const std::string &text);

// The live status: created while the process waits on exec.fifo, running
// while it lives, paused while its cgroup is frozen, stopped after (a zombie
// counts as stopped).
Status status_of(const Store &s, const Record &r);
// Created, running or stopped as the process says, without the cgroup's
// freezer (paused is running here).
Status process_status(const Store &s, const Record &r);
// The same with the container's cgroup opened already (its record parsed
// once, not again here for the freezer's state).
Status status_of(const Store &s, const Record &r, const session::CgroupManager &cgroup);
uint64_t process_start_time(pid_t pid); // 0 when there is no such process
std::string now_rfc3339();
std::string rfc3339(const struct timespec &ts);

// Writes "PID START\n" records (init.pid, hooks.pgid) atomically: temp, rename.
void write_small(const std::string &path, const std::string &text);
// A file written by write_small: false when it is missing or malformed.
bool read_pid_start(const std::string &path, pid_t &pid, uint64_t &start, int *extra = nullptr);

// runc's state JSON: ociVersion, id, pid, status, bundle, rootfs, created, owner, annotations.
std::string state_json(const Record &r, Status st, const std::string &owner, int indent);

} // namespace burrow::state
