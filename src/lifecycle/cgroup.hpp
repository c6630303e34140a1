// The container's cgroup as the lifecycle uses it: chosen and recorded at
// create (cgroup.json in the state dir, before anything is made, so a
// SIGKILLed create can be cleaned up), reopened by later commands.
#pragma once
#include "error.hpp"
#include "rootfs/cgroup_mount.hpp"
#include "session/cgroup_manager.hpp"
#include "spec/model.hpp"
#include "state/store.hpp"

#include <memory>
#include <string>

namespace burrow::lifecycle {

struct Globals;

// config.json's linux.resources ("config.json: linux.resources.memory.limit: ..." on error).
session::Resources config_resources(const spec::Config &c);

// The manager for a new container (nothing made yet); says why with --debug.
// Throws when resources are asked for and there is no cgroup.
std::unique_ptr<session::CgroupManager> choose_cgroup(const Globals &g, const std::string &id, const spec::Config &c,
                                                      const session::Resources &res);
void save_cgroup(const state::Store &s, const std::string &id, const session::CgroupRecord &r);
// The same with the record's JSON already made (create keeps it for state.json).
void save_cgroup_text(const state::Store &s, const std::string &id, const std::string &text);

// The host's directories of the container's own cgroups, for its
// /sys/fs/cgroup (rootfs/cgroup_mount.hpp): per v1 hierarchy the cgroup
// the manager will make, else the caller's own unless that is the root
// (read-only where the container may join one later: the user's own).
// Called before anything joins the cgroup.
rootfs::CgroupView cgroup_view(const session::CgroupRecord &r);

// The manager of an existing container (none when it has no cgroup record).
std::unique_ptr<session::CgroupManager> open_cgroup(const state::Record &r);
// The same, from the state dir alone (a create that was killed before state.json).
std::unique_ptr<session::CgroupManager> open_cgroup(const state::Store &s, const std::string &id);

// A container and its cgroup, for the commands that need one (pause,
// resume, update, events): throws the no-cgroup line, naming `what`, when
// it has none.
struct ContainerCgroup {
    state::Record rec;
    state::Status status;
    std::unique_ptr<session::CgroupManager> cgroup;
};
ContainerCgroup open_container_cgroup(const state::Store &store, const std::string &id, const char *what);

// Runs f, turning the session library's errors into "cgroup: ..." Errors.
template <typename F>
auto cgroup_call(F &&f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        throw Error(std::string("cgroup: ") + e.what());
    }
}

// Kills every process in the cgroup (thawing it, so SIGKILL lands), waits
// for them to go, and removes the cgroup.
void destroy_cgroup(session::CgroupManager &m);

// Undoes a half-made cgroup unless committed.
class CgroupGuard {
public:
    explicit CgroupGuard(session::CgroupManager *m) : m_(m) {}
    ~CgroupGuard();
    void commit() { m_ = nullptr; }

private:
    session::CgroupManager *m_;
};

} // namespace burrow::lifecycle
