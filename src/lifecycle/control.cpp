// start, kill and delete: commands on an existing container.
#include "error.hpp"
#include "hooks/exec_hook.hpp"
#include "hooks/run_hooks.hpp"
#include "lifecycle/cgroup.hpp"
#include "lifecycle/hooks_state.hpp"
#include "lifecycle/lifecycle.hpp"
#include "layers/overlay.hpp"
#include "lifecycle/members.hpp"
#include "session/notify_relay.hpp"
#include "log.hpp"
#include "netless/helper.hpp"
#include "security/seccomp_cache.hpp"
#include "spec/parse.hpp"

#include <algorithm>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::lifecycle {

using namespace layers; // the overlay's and the image's parent side (src/layers/)

std::string hooks_state(const state::Record &r, const char *status) {
    nlohmann::ordered_json j;
    j["ociVersion"] = r.oci_version;
    j["id"] = r.id;
    j["status"] = status;
    j["pid"] = r.pid;
    j["bundle"] = r.bundle;
    if (!r.annotations.empty()) j["annotations"] = r.annotations;
    return j.dump();
}

std::string agent_state(const std::string &oci_version, const std::string &state_json, pid_t pid,
                        const std::string &metadata) {
    nlohmann::ordered_json ps;
    ps["ociVersion"] = oci_version;
    ps["fds"] = {"seccompFd"};
    ps["pid"] = pid;
    ps["metadata"] = metadata;
    ps["state"] = nlohmann::ordered_json::parse(state_json);
    return ps.dump();
}

namespace {

// The container's process, pinned by a pidfd where the kernel has them (5.3);
// else by pid, checked against its start time.
class Process {
public:
    explicit Process(const state::Record &r) : pid_(r.pid) {
        fd_ = static_cast<int>(syscall(SYS_pidfd_open, r.pid, 0));
        if (fd_ < 0 && errno != ENOSYS) return; // gone
        // Checked after opening: the pidfd pins this very process.
        alive_ = state::process_start_time(r.pid) == r.pid_start;
    }
    ~Process() {
        if (fd_ >= 0) close(fd_);
    }
    bool alive() const { return alive_; }
    int signal(int sig) const {
        return fd_ >= 0 ? static_cast<int>(syscall(SYS_pidfd_send_signal, fd_, sig, nullptr, 0)) : ::kill(pid_, sig);
    }
    bool wait_gone(int ms) const {
        if (fd_ >= 0) {
            struct pollfd p = {fd_, POLLIN, 0};
            int n;
            do n = poll(&p, 1, ms);
            while (n < 0 && errno == EINTR);
            return n > 0;
        }
        for (int waited = 0; waited < ms; waited += 10) {
            if (state::process_start_time(pid_) == 0) return true;
            usleep(10000);
        }
        return false;
    }

private:
    pid_t pid_;
    int fd_ = -1;
    bool alive_ = false;
};

// Every process of the container but its init. Each is pinned by a pidfd,
// then the members are listed again: a pid that was reused between the first
// list and its pidfd (the member exited, another process got the number) is
// no longer in the second list and is not signalled.
void signal_all(const state::Record &r, int sig) {
    auto pids = container_pids(r);
    std::vector<std::pair<pid_t, int>> pinned;
    for (size_t i = 1; i < pids.size(); i++) {
        int fd = static_cast<int>(syscall(SYS_pidfd_open, pids[i], 0));
        if (fd < 0 && errno == ENOSYS) { // before 5.3: by pid, as read
            ::kill(pids[i], sig);
            continue;
        }
        if (fd >= 0) pinned.emplace_back(pids[i], fd);
    }
    if (pinned.empty()) return;
    auto again = container_pids(r);
    for (auto [pid, fd] : pinned) {
        if (std::find(again.begin(), again.end(), pid) != again.end())
            syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0);
        close(fd);
    }
}

// The processes in the cgroup of a container whose init has gone (only the
// cgroup knows them: they were reparented). Nothing without a cgroup.
void signal_leftovers(const state::Record &r, int sig) {
    std::vector<pid_t> pids;
    try {
        auto cgroup = open_cgroup(r);
        if (cgroup->record().kind == session::ManagerKind::none) return;
        pids = cgroup->pids();
    } catch (const std::exception &) {
        return; // the cgroup is gone (a manager removes it with its last process), as runc
    }
    for (pid_t pid : pids) ::kill(pid, sig);
}

} // namespace

void start(const Globals &g, const std::string &id) {
    state::validate_id(id);
    state::Store store(g.root);
    auto lock = store.lock(id);
    auto r = store.read(id);
    auto st = state::status_of(store, r);
    if (st == state::Status::running) throw Error("cannot start an already running container");
    if (st == state::Status::stopped) throw Error("cannot start a container that has stopped");
    if (st == state::Status::paused) throw Error("cannot start a container in the paused state");
    // Under a service manager that waits for readiness (and the container
    // was created for it): our socket is bound before the program can send.
    std::string notify_host = session::host_notify_socket(), notify_dir = store.dir(id) + "/notify";
    int notify = -1;
    struct stat nst;
    if (!notify_host.empty() && stat(notify_dir.c_str(), &nst) == 0) notify = session::bind_notify_socket(notify_dir);
    std::string fifo = store.dir(id) + "/exec.fifo";
    int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENXIO) throw Error("the container process is no longer waiting to start");
        throw_errno("open " + fifo);
    }
    ssize_t n = write(fd, "0", 1);
    int e = errno;
    close(fd);
    if (n != 1) throw Error("release the container process", e);
    unlink(fifo.c_str());
    auto hooks = spec::parse_hooks_json(r.hooks_json);
    if (!hooks.poststart.empty())
        hooks::run_all_warn(hooks::prepare(hooks.poststart), hooks_state(r, "running"), "poststart",
                            store.dir(id) + "/hooks.pgid");
    if (notify >= 0) {
        // As runc: start returns once the program said READY=1 (or exited).
        int pidfd = static_cast<int>(syscall(SYS_pidfd_open, r.pid, 0));
        session::relay_ready(notify, pidfd, r.pid, notify_host, -1);
        if (pidfd >= 0) close(pidfd);
        close(notify);
    }
}

void kill(const Globals &g, const std::string &id, int sig, bool all) {
    state::validate_id(id);
    state::Store store(g.root);
    auto r = store.read(id);
    Process p(r);
    if (!p.alive()) {
        // As runc: --all signals what is left in the cgroup (a child the
        // main process left behind; containerd kills what remains of a
        // task this way), and a stopped container is no error.
        if (all) signal_leftovers(r, sig);
        else throw Error("container not running");
        return;
    }
    if (all) signal_all(r, sig);
    if (p.signal(sig) < 0) throw_errno("send signal " + std::to_string(sig));
}

void remove(const Globals &g, const std::string &id, bool force) {
    state::validate_id(id);
    state::Store store(g.root);
    std::optional<state::Lock> lock;
    try {
        lock.emplace(store.lock(id));
    } catch (const state::NoSuchContainer &) {
        if (force) return; // runc: --force on a missing container is not an error
        throw;
    }
    // A permission error (or any other) on the way is never "no such container".
    state::Record r;
    bool partial = false; // no readable state.json: what the files beside it name
    try {
        r = store.read(id);
    } catch (const state::NoSuchContainer &) {
        // A create killed midway: its directory, maybe its process, cgroup, hooks.
        if (!force) throw;
        partial = true;
    } catch (const state::CorruptState &e) {
        if (!force) throw Error(std::string(e.what()) + " (delete --force removes it)");
        log::warn(std::string("delete ") + id + ": " + e.what() + ": removing what its other records name");
        partial = true;
    }
    if (partial) {
        r = store.remains(id);
        if (!r.cgroup.empty()) log::debug("delete " + id + ": cgroup " + r.cgroup);
    }
    std::string dir = store.dir(id);
    // A hook a killed create, run or delete left running (and what it started).
    if (force) hooks::end_recorded_group(dir + "/hooks.pgid");
    auto st = state::status_of(store, r);
    if ((st == state::Status::running || st == state::Status::paused) && !force)
        throw Error("cannot delete container \"" + id + "\" that is not stopped: " + state::status_name(st) +
                    " (use --force)");
    std::unique_ptr<session::CgroupManager> cgroup;
    try {
        cgroup = open_cgroup(r);
    } catch (const std::exception &e) {
        if (!partial) throw;
        log::warn(std::string("delete ") + id + ": " + e.what());
        r.cgroup.clear(); // its processes are found without it
        cgroup = open_cgroup(r);
    }
    if (st != state::Status::stopped) {
        Process p(r);
        if (p.alive()) {
            signal_all(r, SIGKILL);
            p.signal(SIGKILL);
            if (st == state::Status::paused) with_context("cgroup", [&] { cgroup->freeze(false); }); // or SIGKILL waits
            if (!p.wait_gone(10000)) throw Error("the container process did not exit after SIGKILL");
        }
    }
    // Whatever is left in its cgroup (exec'd processes) goes too.
    destroy_cgroup(*cgroup);
    auto hooks = spec::parse_hooks_json(r.hooks_json);
    if (!hooks.poststop.empty())
        hooks::run_all_warn(hooks::prepare(hooks.poststop), hooks_state(r, "stopped"), "poststop", dir + "/hooks.pgid");
    remove_overlay(dir, r.annotations);
    netless::stop_helper(dir); // slirp4netns or pasta, and its socket
    security::drop_seccomp(dir + "/seccomp.bpf", store.dir(security::kSeccompCache));
    store.remove(id);
}

} // namespace burrow::lifecycle
