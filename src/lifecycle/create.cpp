// create and run: config → plan → clone + handshake → state "created".
#include "console/console.hpp"
#include "error.hpp"
#include "read_file.hpp"
#include "hooks/run_hooks.hpp"
#include "lifecycle/hooks_state.hpp"
#include "lifecycle/lifecycle.hpp"
#include "lifecycle/state_guard.hpp"
#include "lifecycle/supervise.hpp"
#include "log.hpp"
#include "process/handshake.hpp"
#include "process/spawn.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"
#include "state/store.hpp"
#include "userns/writer.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::lifecycle {
namespace {

std::string kept_hooks(const spec::Config &c, const std::string &bundle) {
    // start runs poststart and delete runs poststop: keep them with the state.
    if (c.hooks.poststart.empty() && c.hooks.poststop.empty()) return "";
    auto j = nlohmann::json::parse(read_file(bundle + "/config.json"));
    nlohmann::json h;
    for (const char *k : {"poststart", "poststop"})
        if (j["hooks"].contains(k)) h[k] = j["hooks"][k];
    return h.dump();
}

void write_pid_file(const std::string &path, pid_t pid) {
    std::string tmp = path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("--pid-file " + path, errno);
    std::string s = std::to_string(pid);
    ssize_t n = write(fd, s.data(), s.size());
    close(fd);
    if (n != static_cast<ssize_t>(s.size()) || rename(tmp.c_str(), path.c_str()) < 0) {
        int e = errno;
        unlink(tmp.c_str());
        throw Error("--pid-file " + path, e);
    }
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

} // namespace

int create(const Globals &g, const CreateOptions &o, RunMode mode, bool keep) {
    state::validate_id(o.id);
    state::Store store(g.root);
    spec::Config cfg = spec::load_config(o.bundle);
    Launch l = with_context("config.json", [&] {
        spec::validate(cfg);
        return make_launch(cfg, o);
    });
    struct FdCloser {
        Launch &l;
        ~FdCloser() { close_launch_fds(l); }
    } ns_fds{l};
    auto &plan = l.plan;

    if (!plan.terminal && !o.console_socket.empty())
        throw Error("--console-socket: process.terminal is false in config.json: there is no pty to send");

    auto lock = store.claim(o.id);
    StateGuard guard(store, o.id);
    plan.state_lock_fd = lock.fd();

    // The terminal: the master goes to --console-socket, or to us when `run`
    // attaches the container to our own terminal.
    Fd console, console_peer;
    if (plan.terminal) {
        if (!o.console_socket.empty()) {
            console.fd = with_context("--console-socket", [&] { return console::connect_socket(o.console_socket); });
        } else if (mode == RunMode::foreground) {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
            console.fd = sv[1];
            console_peer.fd = sv[0];
        } else {
            throw Error("config.json: process.terminal: needs --console-socket to receive the pty");
        }
        plan.console_socket = console.fd;
    }

    // The seccomp agent: connected here, where listenerPath means the host's path.
    Fd agent;
    if (plan.seccomp && plan.seccomp->wants_listener) {
        agent.fd = with_context("config.json: linux.seccomp.listenerPath",
                                [&] { return console::connect_socket(cfg.linux_->seccomp->listener_path); });
        plan.seccomp_listener = agent.fd;
    }

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    Fd fifo;
    std::string fifo_path = store.dir(o.id) + "/exec.fifo";
    if (mode == RunMode::foreground) {
        plan.start_fd = sv[1];
    } else {
        if (mkfifo(fifo_path.c_str(), 0600) < 0) throw_errno("mkfifo " + fifo_path);
        fifo.fd = open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo.fd < 0) throw_errno("open " + fifo_path);
        plan.start_fd = fifo.fd;
    }

    state::Record rec;
    rec.oci_version = cfg.oci_version;
    rec.id = o.id;
    rec.bundle = o.bundle;
    rec.rootfs = plan.rootfs;
    rec.created = state::now_rfc3339();
    rec.annotations = cfg.annotations;
    rec.hooks_json = kept_hooks(cfg, o.bundle);
    rec.own_pidns = (plan.clone_flags | plan.unshare_flags) & CLONE_NEWPID;

    uid_t uid = geteuid();
    gid_t gid = getegid();
    process::SpawnHooks sh;
    sh.write_maps = [&](pid_t pid) {
        userns::write_uid_map(pid, l.uid_map, uid);
        userns::write_gid_map(pid, l.gid_map, gid, l.deny_setgroups);
    };
    sh.runtime_hooks = [&](pid_t pid) {
        rec.pid = pid;
        std::string st = hooks_state(rec, "creating");
        hooks::run_all(l.prestart, st, "prestart");
        hooks::run_all(l.create_runtime, st, "createRuntime");
        std::vector<std::string> states = {st, hooks_state(rec, "created"), ""};
        if (plan.seccomp_listener >= 0) {
            nlohmann::ordered_json ps;
            ps["ociVersion"] = rec.oci_version;
            ps["fds"] = {"seccompFd"};
            ps["pid"] = pid;
            ps["metadata"] = cfg.linux_->seccomp->listener_metadata;
            ps["state"] = nlohmann::ordered_json::parse(hooks_state(rec, "creating"));
            states[2] = ps.dump();
        }
        return states;
    };
    log::debug("create " + o.id + ": spawning");
    process::Spawned child = process::spawn(plan, sv[1], sv[0], sh);
    close_launch_fds(l);
    if (fifo.fd >= 0) close(fifo.fd), fifo.fd = -1;
    if (console.fd >= 0) close(console.fd), console.fd = -1;
    if (agent.fd >= 0) close(agent.fd), agent.fd = -1;

    rec.pid = child.pid();
    rec.pid_start = state::process_start_time(rec.pid);
    store.write(rec);
    if (!o.pid_file.empty()) write_pid_file(o.pid_file, rec.pid);
    log::debug("create " + o.id + ": created, pid " + std::to_string(rec.pid));

    if (mode == RunMode::create) {
        child.release();
        guard.commit();
        return 0;
    }
    if (mode == RunMode::detached) {
        child.release();
        guard.commit();
        { auto unlocked = std::move(lock); }
        start(g, o.id);
        return 0;
    }

    // Foreground: release the child ourselves and stay with it.
    int master = -1;
    if (console_peer.fd >= 0) {
        master = console::receive_master(console_peer.fd);
        copy_terminal_size(master); // before the program starts and asks for it
    }
    auto hooks = spec::parse_hooks_json(rec.hooks_json);
    if (!process::send_msg(child.sock(), process::MsgType::go)) throw_errno("start the container process");
    pid_t pid = child.pid();
    child.release();
    guard.commit();
    { auto unlocked = std::move(lock); } // others may kill or delete it now
    hooks::run_all_warn(hooks::prepare(hooks.poststart), hooks_state(rec, "running"), "poststart");
    int code = supervise(pid, master);
    if (master >= 0) close(master);
    hooks::run_all_warn(hooks::prepare(hooks.poststop), hooks_state(rec, "stopped"), "poststop");
    if (!keep) store.remove(o.id);
    return code;
}

} // namespace burrow::lifecycle
