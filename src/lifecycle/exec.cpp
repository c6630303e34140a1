// exec: a new process in a running container. Its own path (not create with
// flags): enter the container process's namespaces, take the process's
// identity and limits, exec.
#include "console/console.hpp"
#include "error.hpp"
#include "lifecycle/hooks_state.hpp"
#include "lifecycle/cgroup.hpp"
#include "lifecycle/keep_id.hpp"
#include "lifecycle/lifecycle.hpp"
#include "lifecycle/pid_file.hpp"
#include "lifecycle/members.hpp"
#include "lifecycle/supervise.hpp"
#include "log.hpp"
#include "process/child.hpp"
#include "process/handshake.hpp"
#include "read_file.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_cache.hpp"
#include "session/cgroup_files.hpp"
#include "spec/parse.hpp"
#include "state/store.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <exception>
#include <optional>
#include <linux/sched.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace burrow::lifecycle {
namespace {

uint32_t number(const std::string &s, const char *what) {
    char *end;
    unsigned long v = strtoul(s.c_str(), &end, 10);
    if (s.empty() || *end || v > 0xffffffffUL) throw Error(std::string(what) + ": \"" + s + "\" is not a number");
    return static_cast<uint32_t>(v);
}

// The process to run: --process FILE, or the container's own process with
// the command and the options in place of its values (as runc does).
spec::Process exec_process(const spec::Config &cfg, const ExecOptions &o) {
    if (!o.process_file.empty())
        return with_context(o.process_file, [&] { return spec::parse_process_json(read_file(o.process_file)); });
    spec::Process p = cfg.process ? *cfg.process : spec::Process{};
    p.args = o.args;
    p.terminal = o.tty;
    p.console_size.reset();
    for (auto &e : o.env) {
        auto name = e.substr(0, e.find('='));
        std::erase_if(p.env, [&](const std::string &x) { return x.rfind(name + "=", 0) == 0; });
        p.env.push_back(e);
    }
    if (!o.cwd.empty()) p.cwd = o.cwd;
    if (!o.user.empty()) {
        auto colon = o.user.find(':');
        p.user.uid = number(o.user.substr(0, colon), "--user");
        if (colon != std::string::npos) p.user.gid = number(o.user.substr(colon + 1), "--user");
    }
    for (auto &g : o.additional_gids) p.user.additional_gids.push_back(number(g, "--additional-gids"));
    if (!o.caps.empty()) {
        if (!p.capabilities) p.capabilities.emplace();
        // Never into the inheritable set (CVE-2022-29162: a setcap'd or
        // setuid program would gain them); ambient only where the config
        // already has inheritable capabilities, as runc since 1.1.2.
        bool ambient = !p.capabilities->inheritable.empty();
        for (auto &c : o.caps) {
            for (auto *set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted})
                set->push_back(c);
            if (ambient) p.capabilities->ambient.push_back(c);
        }
    }
    if (o.no_new_privs) p.no_new_privileges = true;
    if (!o.apparmor.empty()) p.apparmor_profile = o.apparmor;
    return p;
}

// --cgroup's values, as runc's: SUBPATH for every hierarchy (given once), or
// CONTROLLER[,CONTROLLER]:SUBPATH for those (repeatable).
std::map<std::string, std::string> exec_cgroups(const std::vector<std::string> &values) {
    std::map<std::string, std::string> out;
    for (auto &v : values) {
        auto colon = v.find(':');
        std::string path = colon == std::string::npos ? v : v.substr(colon + 1);
        if (path.find(':') != std::string::npos) throw Error("--cgroup: \"" + v + "\" is not [CONTROLLER:]SUBPATH");
        if (colon == std::string::npos) {
            // As runc: a path for every hierarchy only alone.
            if (values.size() != 1)
                throw Error("--cgroup: \"" + v + "\": give CONTROLLER:SUBPATH when --cgroup is given more than once");
            out[""] = path;
            continue;
        }
        std::string list = v.substr(0, colon);
        size_t i = 0;
        do {
            size_t j = list.find(',', i);
            if (j == std::string::npos) j = list.size();
            std::string c = list.substr(i, j - i);
            if (c.empty()) throw Error("--cgroup: \"" + v + "\": an empty controller name");
            out[c] = path;
            i = j + 1;
        } while (i <= list.size());
    }
    return out;
}

struct Fds {
    std::vector<int> fds;
    ~Fds() {
        for (int fd : fds)
            if (fd >= 0) close(fd);
    }
};

// Whether the container's namespace of this kind is not ours (false too for a
// kind this kernel lacks). ours: /proc/self/ns, opened on first use (kept in dirs).
bool differs(int theirs, int &ours, Fds &dirs, const char *name, const std::string &dir) {
    char a[64], b[64];
    ssize_t n = readlinkat(theirs, name, a, sizeof a);
    // ENOENT: a kind this kernel lacks. Anything else (EACCES: a created
    // container whose process became another id and is not dumpable until
    // it execs, as keep-id's) must not leave us in our own namespace.
    if (n <= 0) {
        if (n < 0 && errno == ENOENT) return false;
        throw Error("read " + dir + "/" + name + (errno == EACCES ? " (a created container whose process changed ids: "
                                                                    "start it first)" : ""), errno);
    }
    if (ours < 0 && (ours = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        throw Error("open /proc/self/ns", errno);
    if (ours != dirs.fds.back()) dirs.fds.push_back(ours);
    ssize_t m = readlinkat(ours, name, b, sizeof b);
    return !(m == n && memcmp(a, b, static_cast<size_t>(n)) == 0);
}

// The container process's namespaces that are not ours, user first. Read
// through its ns directory (readlinkat), not a /proc path walk per link. Ours
// cost more (our /proc/self is new: every entry is made anew): with a pidfd,
// a kind the config has the container make (created: CLONE_NEW* flags, never
// the user namespace) is taken as not ours without reading either link, and
// the child compares it only if the one setns of the pidfd is refused
// (join_main). Were it ours after all
// (we run inside the container), entering it again changes nothing but an
// extra fork for a pid namespace, or the root and cwd to the container's for
// a mount namespace, which exec sets anyway. With the pidfd nothing is opened
// here; else their fds, as before Linux 5.3.
void plan_joins(process::Plan &p, pid_t pid, int pidfd, int created) {
    static const std::pair<const char *, int> kinds[] = {
        {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},    {"pid", CLONE_NEWPID},        {"net", CLONE_NEWNET},
        {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
    };
    std::string dir = "/proc/" + std::to_string(pid) + "/ns";
    Fds dirs;
    int theirs = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (theirs < 0) throw Error("open " + dir, errno);
    dirs.fds.push_back(theirs);
    int ours = -1;
    if (pidfd < 0) created = 0;
    for (auto &[name, flag] : kinds) {
        process::NsJoin j{-1, flag, dir + "/" + name};
        if (flag & created) {
            // The kernel made it for the container, so it has this kind, and
            // the user namespace, read first, has shown that its links are
            // ours to read: nothing to learn from this one's.
            j.self_path = std::string("/proc/self/ns/") + name;
        } else if (!differs(theirs, ours, dirs, name, dir)) {
            continue;
        } else if (pidfd < 0 && (j.fd = openat(theirs, name, O_RDONLY | O_CLOEXEC)) < 0) {
            throw Error("open " + j.path, errno);
        }
        p.joins.push_back(std::move(j));
        if (flag == CLONE_NEWPID || flag == CLONE_NEWTIME) p.needs_fork = true;
    }
    p.ns_pidfd = pidfd;
}

// The kinds of namespace the config has the container make (CLONE_NEW* flags).
int created_namespaces(const spec::Config &c) {
    int out = 0;
    if (!c.linux_) return out;
    for (auto &n : c.linux_->namespaces)
        if (n.path.empty()) out |= clone_flag(n.type);
    return out & ~CLONE_NEWUSER; // the user namespace is always compared
}

// A single-id gid map denied setgroups for good in that user namespace.
bool setgroups_denied(pid_t pid) {
    try {
        return read_file("/proc/" + std::to_string(pid) + "/setgroups").rfind("deny", 0) == 0;
    } catch (const Error &) {
        return false;
    }
}

} // namespace

int exec(const Globals &g, const ExecOptions &o) {
    state::validate_id(o.id);
    state::Store store(g.root);
    auto rec = o.record ? *o.record : store.read(o.id);
    // Before the status: a process found running by its start time is then
    // the one the pidfd pins (no second read of /proc/PID/stat), while we
    // read its namespaces and while the child joins them through it.
    int pidfd = rec.pid > 0 ? static_cast<int>(syscall(SYS_pidfd_open, rec.pid, 0)) : -1;
    Fds owned;
    owned.fds.push_back(pidfd);
    // The cgroup's record parsed once, for the freezer's state here and the join below.
    std::unique_ptr<session::CgroupManager> cgroup;
    std::exception_ptr unreadable; // told after the status, as before
    try {
        cgroup = open_cgroup(rec);
    } catch (const std::exception &) {
        unreadable = std::current_exception();
    }
    auto st = cgroup ? state::status_of(store, rec, *cgroup) : state::status_of(store, rec);
    if (st == state::Status::stopped) throw Error("cannot exec in a stopped container");
    if (st == state::Status::paused) throw Error("cannot exec in a paused container (resume it first)");
    if (unreadable) std::rethrow_exception(unreadable);

    // A config built or edited by create (run --rootfs ..., -e, --device) is kept with the state.
    struct stat kept;
    std::string dir = store.dir(o.id);
    // The container's filter as create compiled it (security/seccomp_cache.hpp):
    // then its profile is not even read (but for an agent's listenerPath).
    auto filter = security::load_seccomp_cache(dir + "/seccomp.bpf");
    spec::ParseOptions read;
    read.seccomp = !filter || filter->wants_listener;
    spec::Config cfg = spec::load_config(stat((dir + "/config.json").c_str(), &kept) == 0 ? dir : rec.bundle, read);
    spec::Process proc = exec_process(cfg, o);
    // A keep-id container's processes run as the caller, as its init does.
    if (o.process_file.empty() && o.user.empty() && is_keep_id(userns_mode("", rec.annotations)))
        keep_id_user(proc.user);
    if (proc.args.empty() || proc.args[0].empty()) throw Error("process.args: must not be empty");
    if (proc.terminal && o.detach && o.console_socket.empty())
        throw Error("--tty with --detach needs --console-socket to receive the pty");
    if (!proc.terminal && !o.console_socket.empty())
        throw Error("--console-socket: the process has no terminal (use --tty)");

    process::Plan plan;
    plan.rootfs = rec.rootfs;
    plan_process(proc, plan, setgroups_denied(rec.pid), o.preserve_fds);
    plan.seccomp = std::move(filter);
    if (!plan.seccomp && cfg.linux_ && cfg.linux_->seccomp)
        plan.seccomp = with_context("config.json", [&] { return security::compile_seccomp(*cfg.linux_->seccomp); });
    if (plan.seccomp && plan.seccomp->wants_listener) {
        if (!cfg.linux_ || !cfg.linux_->seccomp) // the bundle's config.json changed since create
            throw Error("config.json: linux.seccomp: the container's filter hands calls to an agent, "
                        "and the config no longer says where (listenerPath)");
        // As in create: listenerPath is the host's path, connected from here.
        plan.seccomp_listener = with_context("config.json: linux.seccomp.listenerPath", [&] {
            return console::connect_socket(cfg.linux_->seccomp->listener_path);
        });
        owned.fds.push_back(plan.seccomp_listener);
    }
    plan_joins(plan, rec.pid, pidfd, created_namespaces(cfg));
    // As runc's exec: not the caller's session keyring (process/child.cpp).
    if (!rec.no_new_keyring) plan.keyring = "_ses." + rec.id;
    for (auto &j : plan.joins) owned.fds.push_back(j.fd);
    process::use_exec_stub(plan);
    owned.fds.push_back(plan.exec_stub_fd);
    // Without a pidfd (before Linux 5.3), the fds opened are the container's
    // only if its pid was not reused meanwhile.
    if (pidfd < 0 && state::process_start_time(rec.pid) != rec.pid_start) throw Error("container not running");

    // The terminal, as for run: to --console-socket, or proxied by us.
    int console_peer = -1;
    if (proc.terminal) {
        auto ends = console::console_ends(o.console_socket);
        owned.fds.push_back(ends.to_child);
        owned.fds.push_back(ends.peer);
        plan.console_socket = ends.to_child;
        console_peer = ends.peer;
    }

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    // Into the container's cgroup, so ps, kill --all and delete find it:
    // cloned into it (cgroup v2), else (v1) the child moves itself there
    // first, while it has the caller's ids (the systemd manager's join is
    // ours: the child waits until we have done it). Not by stepping in
    // ourselves for the fork: that wrote every hierarchy twice, in and back out.
    if (!o.cgroups.empty()) {
        try {
            cgroup->select_sub(exec_cgroups(o.cgroups));
        } catch (const std::exception &e) {
            close(sv[0]);
            close(sv[1]);
            throw Error(e.what());
        }
    }
    long child = -1;
    if (int target = cgroup->clone_target(); target >= 0) {
        struct clone_args a {};
        a.flags = CLONE_INTO_CGROUP;
        a.exit_signal = SIGCHLD;
        a.cgroup = static_cast<uint64_t>(target);
        child = syscall(SYS_clone3, &a, sizeof a);
        close(target); // (the child's copy is closed at exec)
    }
    bool move_child = false;
    if (child < 0 && cgroup->record().kind != session::ManagerKind::none) {
        plan.cgroup_procs = cgroup->join_files();
        move_child = plan.wait_for_cgroup = plan.cgroup_procs.empty();
    }
    // Where the child never waits for us, it runs in our memory while we
    // sleep (process/child.hpp): no copy of burrow's to make and tear down.
    bool vforked = false;
    if (child < 0 && process::can_vfork_join(plan)) {
        // Without a user namespace to join (as root), we enter the container's
        // pid namespace for our children ourselves (setns of a pid namespace
        // moves only where they are born): the child is born in it, and no
        // process forks once more into it. Ours again once it is born.
        bool user = false, stepped = false;
        for (auto &j : plan.joins) user |= j.nstype == CLONE_NEWUSER;
        auto in_pid = std::find_if(plan.joins.begin(), plan.joins.end(),
                                   [](const process::NsJoin &j) { return j.nstype == CLONE_NEWPID; });
        int self = -1;
        // Only where we may come back: root of a user namespace (rootless
        // podman's burrow) may enter the container's pid namespace but not
        // the host's again (it is the initial user namespace's): setns to our
        // own first asks exactly that, and changes nothing.
        if (!user && in_pid != plan.joins.end() && pidfd >= 0 && in_pid->fd < 0 &&
            (self = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0))) >= 0 && setns(self, CLONE_NEWPID) == 0 &&
            setns(pidfd, CLONE_NEWPID) == 0) {
            plan.joins.erase(in_pid);
            plan.needs_fork = false;
            stepped = true;
        }
        child = process::vfork_join(plan, sv[1], sv[0], stepped);
        vforked = child >= 0;
        if (stepped && setns(self, CLONE_NEWPID) < 0) {
            int e = errno;
            if (vforked) {
                ::kill(static_cast<pid_t>(child), SIGKILL);
                waitpid(static_cast<pid_t>(child), nullptr, 0);
            }
            close(sv[0]);
            close(sv[1]);
            if (self >= 0) close(self);
            throw Error("return to our own pid namespace", e);
        }
        if (self >= 0) close(self);
        if (stepped && !vforked) {
            close(sv[0]);
            close(sv[1]);
            throw_errno("start the exec process");
        }
    }
    if (child < 0) child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (child < 0) {
        close(sv[0]);
        close(sv[1]);
        throw_errno("fork the exec process");
    }
    if (child == 0) {
        close(sv[0]);
        process::join_main(plan, sv[1]);
    }
    close(sv[1]);
    owned.fds.push_back(sv[0]);
    pid_t pid = static_cast<pid_t>(child);
    auto kill_it = [&] {
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    };
    if (move_child) {
        try {
            cgroup->join(pid);
        } catch (const std::exception &e) {
            kill_it();
            throw Error(std::string("cgroup: ") + e.what());
        }
        process::send_msg(sv[0], process::MsgType::go);
    }
    // Until the socket closes at exec: the real pid after a fork into the pid
    // namespace, or the error (after a vfork_join, before the pid).
    std::optional<Error> failed;
    for (;;) {
        process::Message m;
        if (!process::recv_msg(sv[0], m)) break;
        if (m.type == process::MsgType::pid) {
            waitpid(pid, nullptr, 0);
            pid = m.value;
        } else if (m.type == process::MsgType::agent_wanted) {
            auto ps = agent_state(rec.oci_version, hooks_state(rec, state::status_name(st)), pid,
                                  cfg.linux_->seccomp->listener_metadata);
            if (ps.size() >= process::kMaxStateJson) {
                kill_it();
                throw Error("the seccomp agent's state is larger than " + std::to_string(process::kMaxStateJson) +
                            " bytes");
            }
            process::send_msg(sv[0], process::MsgType::agent_state, 1);
            send(sv[0], ps.data(), ps.size(), MSG_NOSIGNAL);
        } else if (m.type == process::MsgType::error) {
            m.text[sizeof m.text - 1] = 0;
            failed.emplace(m.text, m.err);
            if (!vforked) break;
        }
    }
    if (failed) {
        kill_it();
        throw *failed;
    }
    if (!o.pid_file.empty()) write_pid_file(o.pid_file, pid);
    log::debug("exec " + o.id + ": pid " + std::to_string(pid));
    if (o.detach) return 0;
    int master = -1;
    if (console_peer >= 0) {
        master = console::receive_master(console_peer);
        copy_terminal_size(master);
    }
    int code = supervise(pid, master);
    if (master >= 0) close(master);
    return code;
}

} // namespace burrow::lifecycle
