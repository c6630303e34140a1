// The launch plan: everything the container's first process needs, prepared
// in the parent before clone. The child only reads it (string .c_str() and
// vector iteration allocate nothing) and makes syscalls on it.
#pragma once
#include "rootfs/mount_plan.hpp"
#include "security/caps.hpp"
#include "security/seccomp.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace burrow::process {

struct NsJoin {
    int fd = -1;     // opened in the parent from linux.namespaces[].path
    int nstype = 0;  // CLONE_NEW*
    std::string path; // for error messages
    // exec: not compared with ours in the parent (the config has the
    // container make it): /proc/self/ns/KIND, for the child to compare if
    // the one setns of the pidfd is refused. Empty: not ours.
    std::string self_path{};
};

struct Hook {
    std::string path;
    std::vector<std::string> args, env; // storage
    std::vector<char *> argv, envp;     // NULL-terminated views into args/env
    int timeout = 0;                    // seconds, 0 = none
};

struct Rlimit {
    int resource;
    struct rlimit value;
    std::string name;
};

struct Plan {
    // Namespaces. clone_flags are created by clone(2) itself; unshare_flags
    // afterwards (time, or all of them when a user namespace is joined).
    unsigned long clone_flags = 0;
    int cgroup_fd = -1; // cgroup v2: clone3(CLONE_INTO_CGROUP) into it (then no join_cgroup)
    bool wait_for_cgroup = false; // v1 without a new userns: the parent moves us into the cgroups, then says go
    // exec: the cgroup.procs files we write "0" to (moving ourselves) first,
    // with the caller's ids still: then nothing waits for the parent.
    std::vector<std::string> cgroup_procs;
    unsigned long unshare_flags = 0;
    std::vector<NsJoin> joins; // user namespace first
    // exec: the container process's pidfd: joins (their fds -1) are entered
    // with one setns(ns_pidfd, mask) where the kernel can (5.8), else opened
    // by path in the child. -1: through joins[].fd.
    int ns_pidfd = -1;
    bool new_userns = false;
    // A map of the caller's own uid and gid alone (userns::writable_directly),
    // rootless: the child writes it itself, as the kernel lets a process do for
    // the user namespace it made (bench/floor.c and ch-run do too), and the
    // maps_wanted round trip goes. Empty: the parent writes the maps.
    std::string own_uid_map, own_gid_map;
    bool needs_fork = false; // pid or time namespace that only children enter
    std::string timens_offsets; // "monotonic 10 0\nboottime 5 0\n"
    bool setup_as_root = false; // container uid/gid 0 is mapped: become it for setup
    bool bring_up_loopback = false;
    bool want_network = false; // a helper (slirp4netns, pasta) joins the new netns: handshake step 3
    std::string persistent_tap; // the helper's tap, made persistent first ("" none; netless/loopback.hpp)

    // Root filesystem.
    std::string rootfs; // absolute host path
    rootfs::MountPlan mounts;
    bool no_pivot = false;

    // Identity and limits.
    std::string hostname, domainname;
    bool set_hostname = false, set_domainname = false;
    std::vector<std::pair<std::string, std::string>> sysctl; // /proc/sys path, value
    std::vector<Rlimit> rlimits;
    std::string oom_score_adj; // text to write, empty = leave
    std::optional<unsigned long> personality;
    bool has_scheduler = false;
    struct {
        uint32_t policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
    } sched{};
    int ioprio = -1; // ioprio_set value, -1 = leave
    std::string keyring; // session keyring name, empty = keep the caller's
    // create's keyring searchable by the container's root, so that exec joins
    // it rather than make one more (only in a user namespace of the
    // container's, whose keyring names no other container's processes see)
    bool keyring_searchable = false;

    // User.
    uint32_t uid = 0, gid = 0;
    std::vector<gid_t> groups;
    bool set_groups = false; // setgroups(2) is allowed in this user namespace
    std::optional<mode_t> umask;
    std::optional<security::CapSets> caps;
    int last_cap = 40;
    bool no_new_privs = false;
    std::optional<security::SeccompProgram> seccomp;
    std::string apparmor_exec; // "exec PROFILE", empty = none
    int seccomp_listener = -1; // connected to linux.seccomp.listenerPath: the notify fd goes there

    // The program.
    std::string cwd;
    std::vector<std::string> args, env, path_dirs; // path_dirs from the container's PATH
    std::vector<char *> argv, envp;
    // process.env has no HOME: env ends with "HOME=" and home_capacity
    // reserved bytes, which the child fills from the container's /etc/passwd
    // for uid home_uid (process/passwd_home.hpp). 0 = nothing to fill.
    size_t home_capacity = 0;
    uint32_t home_uid = 0;
    bool terminal = false;
    int console_socket = -1;
    unsigned short console_rows = 0, console_cols = 0;
    int preserve_fds = 0; // fds 3 .. 3+n-1 stay open
    // The exec stub's sealed memfd (security/exec_stub.hpp), -1 = execve the
    // program directly. stub_argv is sized by use_exec_stub(); the child fills
    // it (magic, the program found, argv) without allocating.
    int exec_stub_fd = -1;
    mutable std::vector<char *> stub_argv;
    // run --join (lifecycle/join.cpp): the process is the stub in hold mode,
    // not process.args (which is neither looked up nor run).
    bool hold = false;

    std::vector<Hook> create_container_hooks, start_container_hooks;
    bool runtime_hooks = false; // ask the parent to run prestart/createRuntime
    // The child asks for the state JSONs (handshake step 4) when hooks or a
    // seccomp agent need them.
    bool wants_state() const {
        return runtime_hooks || !create_container_hooks.empty() || !start_container_hooks.empty() ||
               seccomp_listener >= 0;
    }

    int start_fd = -1; // wait for one byte here before exec (exec fifo or sync socket)
    int state_lock_fd = -1; // the parent's lock on the state dir: closed first thing in the child,
                            // or `start` would wait on a lock the waiting child shares
};

// Fills argv/envp pointer arrays of a Hook or of the plan itself.
std::vector<char *> c_array(std::vector<std::string> &v);

// Has the child execute the program through the exec stub when a container
// could write burrow's binary: makes the sealed memfd (the caller closes
// p.exec_stub_fd), sizes stub_argv and lets the seccomp filter allow the
// stub's execveat. Call once the program and the filter are planned.
void use_exec_stub(Plan &p);

// The process holds the namespaces and runs nothing (the stub's hold mode,
// security/exec_stub.hpp), always from the sealed memfd, with the filter's
// allowances for the stub. Throws burrow::Error where the build has no stub.
void use_hold_stub(Plan &p);

} // namespace burrow::process
