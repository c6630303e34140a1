#include "process/child.hpp"
#include "console/pass_fd.hpp"
#include "hooks/exec_hook.hpp"
#include "netless/loopback.hpp"
#include "process/handshake.hpp"
#include "process/passwd_home.hpp"
#include "rootfs/console_mount.hpp"
#include "rootfs/in_root.hpp"
#include "rootfs/image.hpp"
#include "rootfs/image_root.hpp"
#include "rootfs/mount_exec.hpp"
#include "security/apparmor.hpp"
#include "security/apply.hpp"
#include "security/exec_stub.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

namespace burrow::process {
namespace {

// Static storage: the child must not allocate.
char g_state[kMaxStateJson];         // for createContainer hooks ("creating")
size_t g_state_len = 0;
char g_state_created[kMaxStateJson]; // for startContainer hooks ("created")
size_t g_state_created_len = 0;
char g_agent_state[kMaxStateJson];   // containerProcessState for the seccomp agent
char g_exe[4096];
int g_sock = -1;
bool g_network_pending = false; // network_wanted sent, network_ready not yet received
rootfs::ConsolePoint g_console;      // /dev/console's mount point (create with a terminal)

[[noreturn]] void die(const char *text, int err) noexcept {
    if (g_sock >= 0) send_msg(g_sock, MsgType::error, 0, err, text);
    else if (err) dprintf(2, "burrow: %s: %s\n", text, strerror(err));
    else dprintf(2, "burrow: %s\n", text);
    _exit(1);
}

[[noreturn]] void die_fmt(int err, const char *fmt, const char *a, const char *b = "") noexcept {
    char buf[480];
    snprintf(buf, sizeof buf, fmt, a, b);
    die(buf, err);
}

[[noreturn]] void die_mount(const rootfs::Failure &f) noexcept {
    char buf[480];
    const char *slash = f.path[0] == '/' ? "" : "/";
    if (f.fstype)
        snprintf(buf, sizeof buf, "mount %s on %s%s", f.fstype, slash, f.path);
    else
        snprintf(buf, sizeof buf, "%s %s%s", f.what, slash, f.path);
    die(buf, f.err);
}

// A procfs file, by its path below /proc, through a handle verified to be
// that procfs file (security::open_proc_file); errno set on failure.
bool write_proc(const char *rel, const char *data, size_t len) noexcept {
    int r = security::write_proc_file(rel, data, len);
    if (r == -EXDEV || r == -ELOOP)
        die_fmt(-r, "write /proc/%s: not procfs's own file (something is mounted over it, or /proc is not procfs)", rel);
    if (r < 0) errno = -r;
    return r == 0;
}

// The maps of the caller's own ids (Plan::own_uid_map), written by us while
// we still stand in the host's mounts: /proc is the host's procfs here, so
// not through write_proc's check of it (five more calls a file).
void write_own_maps(const Plan &p) noexcept {
    struct {
        const char *file, *text;
        size_t len;
    } const files[] = {{"/proc/self/setgroups", "deny", 4},
                       {"/proc/self/uid_map", p.own_uid_map.data(), p.own_uid_map.size()},
                       {"/proc/self/gid_map", p.own_gid_map.data(), p.own_gid_map.size()}};
    for (auto &f : files) {
        int fd = open(f.file, O_WRONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && &f == &files[0]) continue; // setgroups: before Linux 3.19
        ssize_t n = fd < 0 ? -1 : write(fd, f.text, f.len);
        int e = errno;
        if (fd >= 0) close(fd);
        if (n != static_cast<ssize_t>(f.len)) die_fmt(n < 0 ? e : EIO, "write %s", f.file);
    }
}

void wait_parent(MsgType want) noexcept {
    Message m;
    if (!recv_msg(g_sock, m)) _exit(1); // the parent is gone: nothing to report to
    if (m.type != want) die("unexpected handshake message", EPROTO);
    if (want == MsgType::hooks_done && m.value == 3) {
        ssize_t n = recv(g_sock, g_state, sizeof g_state, 0);
        g_state_len = n > 0 ? static_cast<size_t>(n) : 0;
        n = recv(g_sock, g_state_created, sizeof g_state_created, 0);
        g_state_created_len = n > 0 ? static_cast<size_t>(n) : 0;
        n = recv(g_sock, g_agent_state, sizeof g_agent_state - 1, 0);
        g_agent_state[n > 0 ? n : 0] = 0;
    } else if (want == MsgType::agent_state) {
        ssize_t n = recv(g_sock, g_agent_state, sizeof g_agent_state - 1, 0);
        g_agent_state[n > 0 ? n : 0] = 0;
    }
}

// The helper the parent started at step 3 is up (its ready fd, the ports
// published) before hooks or net sysctls see the network, and before
// set_identity may make us non-dumpable: the helper opens our /proc/PID/ns as
// the caller.
void network_sync() noexcept {
    if (!g_network_pending) return;
    g_network_pending = false;
    send_msg(g_sock, MsgType::network_wait);
    wait_parent(MsgType::network_ready);
}

void run_hooks(const std::vector<Hook> &hooks, const char *stage, const char *state, size_t len) noexcept {
    for (auto &h : hooks) {
        auto r = hooks::run_hook(h, state, len);
        if (!r.ok()) {
            char buf[400];
            hooks::describe(h, r, buf, sizeof buf);
            die_fmt(0, "%s: %s", stage, buf);
        }
    }
}

void fork_into_namespaces(const Plan &p) noexcept;

void join_and_unshare(const Plan &p) noexcept {
    for (auto &j : p.joins)
        if (j.nstype != CLONE_NEWUSER && setns(j.fd, j.nstype) < 0) die_fmt(errno, "join namespace %s", j.path.c_str());
    if (p.unshare_flags && unshare(static_cast<int>(p.unshare_flags)) < 0) die("unshare namespaces", errno);
    if (!p.timens_offsets.empty() &&
        !write_proc("self/timens_offsets", p.timens_offsets.data(), p.timens_offsets.size()))
        die("write /proc/self/timens_offsets", errno);
    fork_into_namespaces(p);
}

// exec: a join the parent did not compare (NsJoin::self_path) that names
// the namespace we are in.
bool ours_already(const NsJoin &j) noexcept {
    if (j.self_path.empty()) return false;
    char a[64], b[64];
    ssize_t n = readlink(j.path.c_str(), a, sizeof a), m = readlink(j.self_path.c_str(), b, sizeof b);
    return n > 0 && n == m && memcmp(a, b, static_cast<size_t>(n)) == 0;
}

// exec: every namespace of the container's process that is not ours, in one
// setns through its pidfd (Linux 5.8: the user namespace first, the others
// with the capabilities it gives, all or none); else (EINVAL: an older
// kernel; EPERM: one the parent took for the container's own is ours, which
// we may not enter again) kind by kind: compared, opened by path, all before
// any is joined, and joined user first.
void join_container(const Plan &p) noexcept {
    if (p.joins.empty()) return;
    if (p.ns_pidfd >= 0) {
        int mask = 0;
        for (auto &j : p.joins) mask |= j.nstype;
        if (setns(p.ns_pidfd, mask) == 0) return;
        if (errno != EINVAL && errno != EPERM) die("join the namespaces of the container's process", errno);
    }
    int fds[16];
    size_t n = 0;
    for (auto &j : p.joins) {
        if (n == sizeof fds / sizeof fds[0]) die("join namespaces: too many", E2BIG);
        int fd = -1; // ours already: left out
        if (j.fd >= 0) fd = j.fd;
        else if (!ours_already(j) && (fd = open(j.path.c_str(), O_RDONLY | O_CLOEXEC)) < 0)
            die_fmt(errno, "open %s", j.path.c_str());
        fds[n++] = fd;
    }
    for (int user = 1; user >= 0; user--)
        for (size_t i = 0; i < n; i++)
            if (fds[i] >= 0 && (p.joins[i].nstype == CLONE_NEWUSER) == (user == 1) && setns(fds[i], p.joins[i].nstype) < 0)
                die_fmt(errno, "join namespace %s", p.joins[i].path.c_str());
}

// vfork_join(): the top of the stack for the fork into a joined pid
// namespace, whose process shares our memory too (null: a plain fork).
char *g_vfork_stack = nullptr;

[[noreturn]] void join_rest(const Plan &p) noexcept;

int join_rest_entry(void *plan) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    join_rest(*static_cast<const Plan *>(plan));
}

void fork_into_namespaces(const Plan &p) noexcept {
    if (p.needs_fork && g_vfork_stack) {
        // vfork_join: we sleep until the new process has executed the program
        // or died, so the pid message follows its error, if any (the parent
        // reads on to it). CLONE_PARENT: the container process is burrow's child.
        int pid = clone(join_rest_entry, g_vfork_stack, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD,
                        const_cast<Plan *>(&p));
        if (pid < 0) die("fork into the new namespaces", errno);
        send_msg(g_sock, MsgType::pid, pid);
        _exit(0);
    }
    if (p.needs_fork) {
        // Only children enter a new pid or time namespace. CLONE_PARENT keeps the
        // container process a child of burrow, as clone made us.
        // The new process speaks only after the pid message is sent (the
        // pipe's EOF: the intermediate has exited), or the parent could
        // take its next message for the intermediate's.
        int told[2];
        if (pipe2(told, O_CLOEXEC) < 0) die("pipe", errno);
        long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0) die("fork into the new namespaces", errno);
        if (pid > 0) {
            send_msg(g_sock, MsgType::pid, static_cast<int32_t>(pid));
            _exit(0);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(told[1]);
        char b;
        while (read(told[0], &b, 1) < 0 && errno == EINTR) {
        }
        close(told[0]);
    }
}

void set_oom_score_adj(const Plan &p) noexcept {
    if (!p.oom_score_adj.empty() &&
        !write_proc("self/oom_score_adj", p.oom_score_adj.data(), p.oom_score_adj.size()))
        die_fmt(errno, "write oom_score_adj %s", p.oom_score_adj.c_str());
}

// with_oom false: exec's child wrote oom_score_adj first (join_main).
// A session keyring of the container's own (runc's `_ses.ID`), for create's
// init and for every exec: the caller's holds the user's keys (Kerberos
// tickets, AFS tokens), and a process of the container that holds it may read
// them, or have them read through ptrace by the container's root. Only ENOSYS
// (no keyrings in this kernel) lets the caller's stay. A seccomp filter or an
// LSM refusing keyctl to us refuses it to the container too: that is checked,
// not assumed. A full key quota is an error: a container's root, the user's
// own uid, can fill it to make us keep the caller's keyring.
// searchable (create's, in a user namespace of the container's): its root
// may then find it by name, so each exec joins it (as runc's does) instead of
// taking one more key of the user's quota (200 by default: a node's MPI ranks
// in one container would run out). The kernel keeps a keyring's name to the
// user namespace it was made in: another container cannot find it.
void join_session_keyring(const char *name, bool searchable) noexcept {
    long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
    if (id >= 0) {
        // keyrings(7)'s bits (keyutils.h, not the kernel's headers): the
        // possessor's all, the user's view, read, search and link.
        constexpr unsigned long kPerm = 0x3f000000 | 0x00010000 | 0x00020000 | 0x00080000 | 0x00100000;
        if (searchable && syscall(SYS_keyctl, KEYCTL_SETPERM, id, kPerm) < 0)
            die("make the session keyring searchable", errno);
        return;
    }
    if (errno == ENOSYS) return;
    int err = errno;
    if ((err == EPERM || err == EACCES) &&
        syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) < 0)
        return; // no keyring can be reached at all
    if (err == EDQUOT) die("join a new session keyring (the user's key quota, sysctl kernel.keys.maxkeys, is full)", err);
    die("join a new session keyring", err);
}

void set_process_attributes(const Plan &p, bool with_oom = true) noexcept {
    for (auto &[path, value] : p.sysctl)
        if (!write_proc(path.c_str() + 6, value.data(), value.size())) die_fmt(errno, "sysctl %s", path.c_str() + 10);
    if (with_oom) set_oom_score_adj(p);
    for (auto &r : p.rlimits)
        if (setrlimit(r.resource, &r.value) < 0) die_fmt(errno, "set %s", r.name.c_str());
    if (p.personality && personality(*p.personality) < 0) die("set personality", errno);
    if (p.has_scheduler) {
        struct {
            uint32_t size, policy;
            uint64_t flags;
            int32_t nice;
            uint32_t priority;
            uint64_t runtime, deadline, period;
        } attr{48, p.sched.policy, p.sched.flags, p.sched.nice, p.sched.priority,
               p.sched.runtime, p.sched.deadline, p.sched.period};
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) die("set the scheduler", errno);
    }
    if (p.ioprio >= 0 && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p.ioprio) < 0)
        die("set the I/O priority", errno);
    if (!p.keyring.empty()) join_session_keyring(p.keyring.c_str(), p.keyring_searchable);
}

void setup_terminal(const Plan &p) noexcept {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) die("open /dev/ptmx", errno);
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) die("unlock the pty", errno);
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) die("open the pty's peer", errno);
    if (g_console.fd >= 0) { // create/run: the pty is the container's /dev/console too
        rootfs::Failure f;
        if (!rootfs::bind_console(g_console, slave, f)) die_mount(f);
        close(g_console.fd);
        g_console.fd = -1;
    }
    if (p.console_rows || p.console_cols) {
        struct winsize ws {};
        ws.ws_row = p.console_rows;
        ws.ws_col = p.console_cols;
        ioctl(slave, TIOCSWINSZ, &ws);
    }
    // The master goes to whoever holds the console socket.
    if (int r = console::send_fd(p.console_socket, master, "/dev/ptmx"); r < 0)
        die("send the pty to the console socket", -r);
    close(master);
    close(p.console_socket);
    if (setsid() < 0) die("setsid", errno);
    if (ioctl(slave, TIOCSCTTY, 0) < 0) die("set the controlling terminal", errno);
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) die("dup the pty", errno);
    if (slave > 2) close(slave);
}

// Without no_new_privs the kernel loads a seccomp filter only for a process
// with CAP_SYS_ADMIN in its effective set, and the filter must be the last
// thing before execve (a profile need allow nothing the runtime does). So
// CAP_SYS_ADMIN stays in the effective and permitted sets until then: execve
// computes the new permitted set from the bounding, inheritable and ambient
// sets and the file's capabilities, never from the old permitted set, so the
// program gets exactly what it would have got without it.
bool keeps_admin_for_seccomp(const Plan &p) noexcept { return p.seccomp && !p.no_new_privs; }

void set_identity(const Plan &p) noexcept {
    bool keep_admin = keeps_admin_for_seccomp(p);
    // EPERM with no groups asked for: a joined user namespace denies setgroups.
    if (p.set_groups && setgroups(p.groups.size(), p.groups.data()) < 0 && !(errno == EPERM && p.groups.empty()))
        die("setgroups", errno);
    if (p.caps && security::drop_bounding(p.caps->bounding, p.last_cap) < 0) die("drop bounding capabilities", errno);
    if ((p.caps || keep_admin) && security::set_keepcaps(true) < 0) die("keep capabilities", errno);
    // EINVAL: the id has no mapping in the container's user namespace.
    if (setresgid(p.gid, p.gid, p.gid) < 0)
        die_fmt(errno, "setgid to process.user.gid%s", errno == EINVAL ? " (not mapped in the user namespace)" : "");
    if (setresuid(p.uid, p.uid, p.uid) < 0)
        die_fmt(errno, "setuid to process.user.uid%s", errno == EINVAL ? " (not mapped in the user namespace)" : "");
    if (p.caps || keep_admin) security::set_keepcaps(false);
    constexpr uint64_t admin = uint64_t{1} << CAP_SYS_ADMIN;
    if (p.caps) {
        security::CapSets c = *p.caps;
        if (keep_admin) {
            c.effective |= admin;
            c.permitted |= admin;
        }
        int r = security::apply_caps(c);
        if (r < 0) die("set capabilities", -r);
    } else if (keep_admin && p.uid != 0) {
        // No capabilities in the config: a non-root user ends with none after execve.
        security::CapSets c;
        c.effective = c.permitted = admin;
        int r = security::apply_caps(c);
        if (r < 0) die("set capabilities", -r);
    }
    if (p.no_new_privs && security::set_no_new_privs() < 0) die("set no_new_privs", errno);
    if (p.umask) umask(*p.umask);
}

// Like execvp's search, done before `start` so a missing binary is a create error.
void resolve_executable(const Plan &p) noexcept {
    const char *a0 = p.args[0].c_str();
    if (strchr(a0, '/')) {
        if (strlen(a0) >= sizeof g_exe) die("exec: path too long", ENAMETOOLONG);
        strcpy(g_exe, a0);
        struct stat st;
        if (stat(g_exe, &st) < 0) die_fmt(errno, "exec: \"%s\"", a0);
        // As execve says it: EACCES for a directory (podman maps "permission denied" to 126).
        if (S_ISDIR(st.st_mode)) die_fmt(EACCES, "exec: \"%s\"", a0);
        if (faccessat(AT_FDCWD, g_exe, X_OK, AT_EACCESS) < 0) die_fmt(errno, "exec: \"%s\"", a0);
        return;
    }
    for (auto &d : p.path_dirs) {
        int n = snprintf(g_exe, sizeof g_exe, "%s/%s", d.empty() ? "." : d.c_str(), a0);
        if (n < 0 || static_cast<size_t>(n) >= sizeof g_exe) continue;
        struct stat st;
        if (stat(g_exe, &st) == 0 && S_ISREG(st.st_mode) && faccessat(AT_FDCWD, g_exe, X_OK, AT_EACCESS) == 0) return;
    }
    die_fmt(0, "exec: \"%s\": executable file not found in $PATH", a0);
}

void wait_for_start(int fd) noexcept {
    struct pollfd pf = {fd, POLLIN, 0};
    while (poll(&pf, 1, -1) < 0)
        if (errno != EINTR) _exit(1);
    if (pf.revents & POLLIN) {
        char b[sizeof(Message)];
        if (read(fd, b, sizeof b) > 0) return;
    }
    _exit(1); // `start` never came (the fifo's writer or the run parent went away)
}

// Loads the filter; with SCMP_ACT_NOTIFY rules the listener fd goes to the
// seccomp agent with the containerProcessState, as the runtime-spec says.
int load_seccomp(const Plan &p) noexcept {
    int r = security::load_seccomp(*p.seccomp);
    if (r < 0 || !p.seccomp->wants_listener) return r;
    int sent = console::send_fd(p.seccomp_listener, r, g_agent_state);
    close(r);
    close(p.seccomp_listener);
    return sent;
}

void reset_signals() noexcept {
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) sigaction(s, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

// CVE-2024-21626: process.cwd (or exec --cwd) through /proc/self/fd/N, an fd
// burrow or its caller still holds, or a symlink another container swapped
// in, can name a directory outside the container's root. The kernel's
// getcwd then starts with "(unreachable)": refused, whatever path led there.
void check_cwd_inside(const Plan &p) noexcept {
    static char cwd[4096];
    if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0) die_fmt(errno, "check the working directory %s (process.cwd)", p.cwd.c_str());
    if (cwd[0] != '/') die_fmt(EPERM, "process.cwd %s is outside the container", p.cwd.c_str());
}

// The terminal, then who the process is: ids and capabilities, cwd, the
// program found and checked, AppArmor; fds above the preserved ones close at
// exec. Shared by create and exec. Everything that could trip a seccomp
// profile happens here, before the filter.
void become_the_process(const Plan &p) noexcept {
    // Still as the container's root: a passwd only root may read is read.
    // (run --join's holder runs no program: nothing reads its HOME.)
    if (p.home_capacity && !p.hold) fill_home(p.envp.data(), p.home_capacity, p.home_uid);
    if (p.terminal) setup_terminal(p);
    set_identity(p);
    if (!p.cwd.empty() && chdir(p.cwd.c_str()) < 0) die_fmt(errno, "chdir to %s (process.cwd)", p.cwd.c_str());
    check_cwd_inside(p);
    if (!p.hold) resolve_executable(p);
    if (!p.apparmor_exec.empty()) {
        int r = security::apparmor_exec_profile(p.apparmor_exec);
        if (r < 0) die_fmt(-r, "set the AppArmor profile (%s)", p.apparmor_exec.c_str() + 5);
    }
    syscall(SYS_close_range, 3 + p.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
}

// Default signal handling, then the seccomp filter, then execve: after the
// filter the runtime makes no syscall but execve (and, for a notify agent,
// the sendmsg of its fd). Returns only on failure, with the errno of the
// failing step and its name in *what.
int exec_the_process(const Plan &p, const char **what) noexcept {
    reset_signals();
    if (p.seccomp) {
        int r = load_seccomp(p);
        if (r < 0) {
            *what = "load the seccomp filter";
            return -r;
        }
    }
    if (p.hold) { // the stub in hold mode, alone (run --join)
        p.stub_argv[0] = const_cast<char *>(security::kExecStubHold);
        p.stub_argv[1] = nullptr;
        syscall(SYS_execveat, p.exec_stub_fd, "", p.stub_argv.data(), p.envp.data(), AT_EMPTY_PATH);
        *what = "exec the exec stub (hold)";
        return errno;
    }
    if (p.exec_stub_fd >= 0) { // security/exec_stub.hpp: never load the program as burrow
        auto &a = p.stub_argv;
        if (p.argv.size() + 2 > a.size()) {
            *what = "exec (the exec stub's argv was planned too short)";
            return E2BIG;
        }
        size_t n = 0;
        a[n++] = const_cast<char *>(security::kExecStubMagic);
        a[n++] = g_exe;
        for (char *arg : p.argv) a[n++] = arg; // ends with argv's NULL
        syscall(SYS_execveat, p.exec_stub_fd, "", a.data(), p.envp.data(), AT_EMPTY_PATH);
        *what = "exec the exec stub";
        return errno;
    }
    execve(g_exe, p.argv.data(), p.envp.data());
    *what = "exec";
    return errno;
}

} // namespace

void child_main(const Plan &p, int sock) noexcept {
    g_sock = sock;
    if (p.state_lock_fd >= 0) close(p.state_lock_fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "burrow-init"); // what ps shows while it waits for start
    // Joining a pid namespace that has processes (a pod's), we are seen by
    // them until we execute the stub: non-dumpable, they cannot open our
    // /proc/PID/exe (burrow's binary) or fds (CVE-2019-5736, CVE-2016-9962).
    // Not earlier in general: the parent writes a new user namespace's maps
    // and helpers open our /proc/PID/ns as the caller, which needs us dumpable.
    for (auto &j : p.joins)
        if (j.nstype == CLONE_NEWPID) prctl(PR_SET_DUMPABLE, 0);

    // 0. Without a new user namespace on cgroup v1: the parent writes our pid
    // into the container's cgroups and its device rules first.
    if (p.wait_for_cgroup) wait_parent(MsgType::go);

    // 1. The user namespace: join it, or have the parent map the one clone made.
    for (auto &j : p.joins)
        if (j.nstype == CLONE_NEWUSER && setns(j.fd, CLONE_NEWUSER) < 0)
            die_fmt(errno, "join namespace %s", j.path.c_str());
    if (p.new_userns && !p.own_uid_map.empty()) {
        write_own_maps(p);
    } else if (p.new_userns) {
        send_msg(sock, MsgType::maps_wanted);
        wait_parent(MsgType::maps_done);
    }
    if (p.setup_as_root && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
        die("become root in the user namespace", errno);

    // 2. The other namespaces.
    join_and_unshare(p);
    if (p.set_hostname && sethostname(p.hostname.data(), p.hostname.size()) < 0) die("sethostname", errno);
    if (p.set_domainname && setdomainname(p.domainname.data(), p.domainname.size()) < 0) die("setdomainname", errno);
    if (p.bring_up_loopback) {
        int r = netless::loopback_up();
        if (r < 0) die("bring up the loopback interface", -r);
    }
    // Failing, the helper makes its own tap (and says what is wrong).
    if (!p.persistent_tap.empty()) netless::persistent_tap(p.persistent_tap.c_str());
    if (p.want_network) { // the parent starts slirp4netns or pasta on our netns while we make the rootfs
        send_msg(sock, MsgType::network_wanted);
        g_network_pending = true;
    }

    // 3. The root filesystem, still seen from the host's root.
    rootfs::Failure f;
    int rootfd = -1;
    rootfs::OverlayResult ov;
    if (!p.mounts.overlay.image_dir.empty()) { // image_fuse: squashfuse must serve it before the overlay uses it
        int fd = -1;
        if (!rootfs::mount_image(p.mounts, &fd, f)) die_mount(f);
        // And the mount itself, for fuse-overlayfs (layers/overlay.hpp): the
        // parent may not open /proc/PID/root of a child that changed ids.
        int dir = open(p.mounts.overlay.image_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) die_fmt(errno, "open %s", p.mounts.overlay.image_dir.c_str());
        send_msg(sock, MsgType::image_fuse);
        if (int r = console::send_fd(sock, fd, "fuse"); r < 0) die("send the image's /dev/fuse fd", -r);
        if (int r = console::send_fd(sock, dir, "image"); r < 0) die("send the image's mount", -r);
        close(fd);
        close(dir);
        wait_parent(MsgType::image_ready);
    }
    // --image with a read-only root: the image's mount itself, where it has
    // every path the plan needs; else the overlay, whose directories the
    // parent may first have to make (rootfs/image_root.hpp).
    const char *root = p.rootfs.c_str();
    if (p.mounts.overlay.image_as_root) {
        const char *lacks = rootfs::image_lacks(p.mounts.overlay);
        if (lacks && !*lacks) {
            ov.image_is_root = true;
            root = p.mounts.overlay.image_root.c_str();
        } else if (p.mounts.overlay.dirs_later) {
            send_msg(sock, MsgType::overlay_dirs, 0, 0, lacks ? lacks : "");
            wait_parent(MsgType::overlay_dirs_made);
        }
    }
    if (!rootfs::prepare_root(p.mounts, root, &rootfd, ov, f)) die_mount(f);
    if (ov.fuse_fd >= 0) { // overlay_fuse: fuse-overlayfs must serve it before the rootfs is used
        send_msg(sock, MsgType::overlay_fuse, 0, ov.kernel_err);
        if (int r = console::send_fd(sock, ov.fuse_fd, "fuse"); r < 0) die("send the overlay's /dev/fuse fd", -r);
        close(ov.fuse_fd);
        wait_parent(MsgType::overlay_ready);
    }
    if (!rootfs::run_mounts(p.mounts, rootfd, f)) die_mount(f);
    if (!rootfs::make_devices(p.mounts, rootfd, f)) die_mount(f);
    if (!rootfs::make_console_point(p.mounts, rootfd, g_console, f)) die_mount(f);
    if (p.cwd.size() > 1) {
        int cwd = rootfs::open_in_root(rootfd, p.cwd.c_str() + 1, true, false);
        if (cwd < 0) die_fmt(-cwd, "create %s (process.cwd)", p.cwd.c_str());
        close(cwd);
    }

    network_sync();
    // 4. Hooks that see the namespaces before pivot_root.
    if (p.wants_state()) {
        send_msg(sock, MsgType::hooks_wanted);
        wait_parent(MsgType::hooks_done);
    }
    run_hooks(p.create_container_hooks, "createContainer", g_state, g_state_len);

    if (!rootfs::enter_root(rootfd, p.no_pivot, f)) die_mount(f);
    close(rootfd);
    set_process_attributes(p);
    if (!rootfs::finish_root(p.mounts, f)) die_mount(f);

    // A session of its own, as runc gives it (with a terminal, setup_terminal
    // makes it): the caller's process group (conmon's, killed by its --timeout)
    // is not the container's.
    if (!p.terminal && setsid() < 0) die("setsid", errno);
    become_the_process(p);

    prctl(PR_SET_PDEATHSIG, 0); // `create` returns now; we wait for `start`
    send_msg(sock, MsgType::ready, ov.image_is_root ? 1 : 0);
    wait_for_start(p.start_fd);
    g_sock = -1; // nobody reads it any more: failures go to the container's stderr

    run_hooks(p.start_container_hooks, "startContainer", g_state_created, g_state_created_len);
    // `create` has returned: nobody reads the sync socket, so the container's
    // stderr is where a failure can still be told.
    const char *what = "";
    int err = exec_the_process(p, &what);
    dprintf(2, "burrow: %s %s: %s\n", what, g_exe, strerror(err));
    _exit(127);
}

void join_main(const Plan &p, int sock) noexcept {
    g_sock = sock;
    // Processes of the container may see us once we join its pid namespace:
    // non-dumpable, they cannot open our /proc/PID/exe (burrow's binary), fds
    // or memory (runc's CVE-2016-9962). Joining a user namespace does this
    // too; as root without one, only this does.
    // process.oomScoreAdj first, while /proc/self's files are ours: once we
    // are not dumpable they are root's, and a rootless container's root may
    // not write them (forks and exec keep the value).
    set_oom_score_adj(p);
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "burrow-exec");
    // Into the container's cgroups before we fork into its pid namespace,
    // while we still have the caller's ids: we move ourselves, or (a manager
    // only the parent can use) the parent writes our pid there.
    for (auto &f : p.cgroup_procs) {
        int fd = open(f.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) die_fmt(errno, "cgroup: open %s", f.c_str());
        if (write(fd, "0", 1) != 1) die_fmt(errno, "cgroup: write \"0\" to %s", f.c_str());
        close(fd);
    }
    if (p.wait_for_cgroup) wait_parent(MsgType::go);
    // Joining the mount namespace puts our root and cwd at the container's root.
    join_container(p);
    fork_into_namespaces(p);
    join_rest(p);
}

namespace {

void join_rest(const Plan &p) noexcept {
    if (p.seccomp_listener >= 0) { // the agent's state names our final pid
        send_msg(g_sock, MsgType::agent_wanted);
        wait_parent(MsgType::agent_state);
    }
    set_process_attributes(p, false);
    if (!p.terminal && setsid() < 0) die("setsid", errno);
    become_the_process(p);
    prctl(PR_SET_PDEATHSIG, 0);
    const char *what = "";
    int err = exec_the_process(p, &what);
    die_fmt(err, "%s %s", what, g_exe);
}

struct VforkArgs {
    const Plan *plan;
    int sock, other_end;
};

int join_entry(void *a) {
    auto *v = static_cast<VforkArgs *>(a);
    close(v->other_end);
    join_main(*v->plan, v->sock);
}

} // namespace

bool can_vfork_join(const Plan &p) noexcept {
    if (p.wait_for_cgroup || p.seccomp_listener >= 0) return false;
    for (auto &j : p.joins)
        if (j.nstype == CLONE_NEWTIME) return false;
    return true;
}

pid_t vfork_join(const Plan &p, int sock, int other_end, bool born_inside) noexcept {
    // Two stacks (the child's, and its fork's into a pid namespace), each
    // above a page that faults: an overflow is a crash, not a write elsewhere.
    constexpr size_t guard = 4096, size = 64 * 1024, total = 2 * (guard + size);
    void *m = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (m == MAP_FAILED) return -1;
    char *base = static_cast<char *>(m);
    if (mprotect(base, guard, PROT_NONE) < 0 || mprotect(base + guard + size, guard, PROT_NONE) < 0) {
        int e = errno;
        munmap(m, total);
        errno = e;
        return -1;
    }
    // Born in the container's pid namespace (exec.cpp): non-dumpable before it
    // exists (it shares our memory), so it is never seen dumpable there.
    int dumpable = prctl(PR_GET_DUMPABLE);
    if (born_inside) prctl(PR_SET_DUMPABLE, 0);
    g_vfork_stack = base + total;
    VforkArgs args{&p, sock, other_end};
    int pid = clone(join_entry, base + guard + size, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    int e = errno;
    g_vfork_stack = nullptr;
    // The child made the memory we share non-dumpable (and a change of its
    // ids may have): ours as it was. Nothing else uses it now.
    if (dumpable >= 0) prctl(PR_SET_DUMPABLE, dumpable);
    munmap(m, total);
    errno = e;
    return pid;
}

} // namespace burrow::process
