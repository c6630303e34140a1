// Container state on disk: one directory per container under the root
// (--root), holding state.json (written atomically) and, until `start`,
// exec.fifo. mkdir is the atomic claim on an id; flock on the directory
// serialises commands on one container.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

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
    std::string cgroup;     // session::CgroupRecord JSON (cgroup.json, written before the cgroup is made)
    // A foreground `run` without --keep, which deletes the container when it
    // exits: its pid and start time (0: none). If it was killed, the record is stale.
    pid_t runner = 0;
    uint64_t runner_start = 0;
};

enum class Status { created, running, stopped, paused };

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
    Record read(const std::string &id) const;
    bool exists(const std::string &id) const;
    void write(const Record &r) const;
    void remove(const std::string &id) const;
    std::vector<std::string> ids() const;

private:
    std::string root_;
};

// The live status: created while the process waits on exec.fifo, running
// while it lives, paused while its cgroup is frozen, stopped after (a zombie
// counts as stopped).
Status status_of(const Store &s, const Record &r);
uint64_t process_start_time(pid_t pid); // 0 when there is no such process
std::string now_rfc3339();

// runc's state JSON: ociVersion, id, pid, status, bundle, rootfs, created, owner, annotations.
std::string state_json(const Record &r, Status st, const std::string &owner, int indent);

} // namespace burrow::state
