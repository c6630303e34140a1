# shellcheck shell=bash
# Seccomp, no_new_privs and capabilities as enforced (not only as reported).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# seccomp JSON: sets linux.seccomp.
seccomp() { cfg --argjson s "$1" '.linux.seccomp = $s'; }

test_seccomp_errno_mkdir() {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    probe_ok syscall mkdir /tmp/x syscall mkdirat /tmp/y syscall getpid dump
    assert_line syscall:mkdir EPERM
    assert_line syscall:mkdirat EPERM
    assert_line syscall:getpid ok:1
    assert_line Seccomp 2
}

test_seccomp_control_without_filter() {
    # the same calls without a filter reach the kernel (read-only rootfs: EROFS)
    cfg 'del(.linux.seccomp)'
    probe_ok syscall mkdir /tmp/x dump
    assert_line syscall:mkdir EROFS
    assert_line Seccomp 0
}

test_seccomp_errno_ret() {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95},
                           {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
    probe_ok syscall mkdir /tmp/x syscall chmod /tmp 700
    assert_line syscall:mkdir EOPNOTSUPP
    assert_line syscall:chmod ENOSYS
}

test_seccomp_arg_condition() {
    # personality(8 = PER_LINUX32) denied, any other argument allowed
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                            "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
    probe_ok syscall personality 8 syscall personality 0xffffffff syscall personality 0
    assert_line syscall:personality EPERM
    local all
    all=$(pvs syscall:personality | paste -sd' ' -)
    assert_eq "$all" "EPERM ok:0x0 ok:0x0" "personality results"
}

test_seccomp_arg_masked_eq() {
    # unshare with CLONE_NEWUSER (0x10000000) in its flags denied
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                            "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
    probe_ok syscall unshare user,uts syscall unshare 0
    assert_eq "$(pvs syscall:unshare | paste -sd' ' -)" "EACCES ok:0" "unshare results"
}

# allow_list: the syscalls the probe (and a runtime's last steps before
# execve) need, as a JSON array.
allow_list() {
    local allow
    allow=$(jq -nc '[
        "read", "write", "writev", "readv", "pread64", "open", "openat", "close", "close_range", "fstat", "newfstatat",
        "stat", "lstat", "statx", "lseek", "mmap", "munmap", "mprotect", "brk", "rt_sigaction", "rt_sigprocmask",
        "rt_sigreturn", "sigaltstack", "ioctl", "access", "faccessat", "faccessat2", "dup", "dup2", "dup3", "fcntl",
        "execve", "execveat", "exit", "exit_group", "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid",
        "getegid", "getresuid", "getresgid", "getgroups", "setgroups", "setuid", "setgid", "setresuid", "setresgid",
        "capget", "capset", "prctl", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
        "getrlimit", "uname", "getrandom", "futex", "nanosleep", "clock_nanosleep", "clock_gettime", "sched_yield",
        "sched_getaffinity", "madvise", "mremap", "getcwd", "chdir", "fchdir", "readlink", "readlinkat", "getdents64",
        "tgkill", "kill", "wait4", "waitid", "pipe2", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_wait",
        "sigreturn", "select", "pselect6", "poll", "ppoll", "socket", "socketpair", "connect", "sendmsg", "recvmsg",
        "sendto", "recvfrom", "getsockname", "getpeername", "setsockopt", "getsockopt", "bind", "clone", "clone3",
        "fork", "vfork", "setsid", "getpgid", "getsid", "setpgid", "umask", "personality", "sched_getscheduler",
        "sched_getparam", "getpriority", "ioprio_get", "ioctl", "sysinfo", "fstatfs", "statfs", "membarrier"]')
    echo "$allow"
}

test_seccomp_default_errno_allow_list() {
    # default deny; only what the probe (and the runtime's last steps to execve) need
    seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": $(allow_list), \"action\": \"SCMP_ACT_ALLOW\"}]}"
    probe_ok syscall getpid syscall mkdir /tmp/x syscall chroot / syscall getcwd
    assert_line syscall:getpid ok:1
    assert_line syscall:mkdir EPERM
    assert_line syscall:chroot EPERM
    assert_line syscall:getcwd ok:/
}

# static_allow_list: exactly the syscalls a static glibc program makes from
# execve to exit_group (strace of the probe), and none of a runtime's own:
# no faccessat2, stat, capset, setresuid, prctl, rt_sigaction, close_range.
static_allow_list() {
    jq -nc '["execve", "arch_prctl", "brk", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
             "readlink", "getrandom", "mprotect", "newfstatat", "ioctl", "write", "exit_group", "getpid"]'
}

# After the filter the runtime makes no syscall but execve: the executable is
# found and checked before it, with or without no_new_privs.
test_seccomp_allow_list_only_the_program() {
    local nnp
    for nnp in true false; do
        cfg --argjson n "$nnp" '.process.noNewPrivileges = $n'
        seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": $(static_allow_list), \"action\": \"SCMP_ACT_ALLOW\"}]}"
        probe_ok syscall getpid syscall mkdir /tmp/x
        assert_line syscall:getpid ok:1
        assert_line syscall:mkdir EPERM
        # a bare name, looked up in the container's PATH
        cfg '.process.args[0] = "probe" | .process.env = ["PATH=/bin:/"]'
        probe_ok syscall getpid
        assert_line syscall:getpid ok:1
        cfg '.process.args[0] = "/probe"'
    done
}

# The same list with SCMP_ACT_KILL_PROCESS: any other syscall, the runtime's
# included, would kill the container (exit 159).
test_seccomp_allow_list_kill_default() {
    local nnp
    for nnp in true false; do
        cfg --argjson n "$nnp" '.process.noNewPrivileges = $n'
        seccomp "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [{\"names\": $(static_allow_list), \"action\": \"SCMP_ACT_ALLOW\"}]}"
        probe_ok syscall getpid
        assert_line syscall:getpid ok:1
    done
}

# exec applies the container's profile the same way.
test_seccomp_allow_list_exec() {
    local nnp
    for nnp in true false; do
        cfg --argjson n "$nnp" '.process.noNewPrivileges = $n'
        # and what the waiting probe needs (stat, sleep)
        seccomp "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [{\"names\": $(static_allow_list | jq -c '. + ["clock_nanosleep", "nanosleep", "stat"]'), \"action\": \"SCMP_ACT_ALLOW\"}]}"
        probe_args wait-file /nonexistent 30
        cfg '.process.env = ["PATH=/bin:/"]'
        rtc run -d --bundle "$BUNDLE" "$CID"
        assert_ok
        rtc exec "$CID" /probe syscall getpid
        assert_ok
        assert_match "$(pv syscall:getpid)" '^ok:[0-9]+$'
        rtc exec "$CID" probe syscall getpid
        assert_ok
        assert_match "$(pv syscall:getpid)" '^ok:[0-9]+$'
        kill_and_delete "$CID"
        cfg '.process.args = ["/probe"]'
    done
}

# Without no_new_privs burrow keeps CAP_SYS_ADMIN until the filter is loaded;
# execve must drop it: the program has exactly the capabilities configured.
test_seccomp_without_nnp_adds_no_capability() {
    cfg '.process.noNewPrivileges = false'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
    cfg '.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"], inheritable: [], ambient: []}'
    probe_ok dump syscall sethostname x
    assert_line CapPrm "$(capmask CAP_KILL)"
    assert_line CapEff "$(capmask CAP_KILL)"
    assert_line syscall:sethostname EPERM
    # a user other than root, with and without capabilities in the config
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000}'
    probe_ok dump
    assert_line CapPrm 0000000000000000
    assert_line CapEff 0000000000000000
    cfg 'del(.process.capabilities)'
    probe_ok dump
    assert_line CapPrm 0000000000000000
    assert_line CapEff 0000000000000000
    assert_line Seccomp 2
}

test_seccomp_default_errno_ret() {
    # defaultErrnoRet: the errno of the default action
    seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": [{\"names\": $(allow_list), \"action\": \"SCMP_ACT_ALLOW\"}]}"
    probe_ok syscall mkdir /tmp/x syscall getpid
    assert_line syscall:mkdir ENOSYS
    assert_line syscall:getpid ok:1
}

# SCMP_ACT_NOTIFY: the notify fd and the containerProcessState reach the agent
# at listenerPath; the agent answers every notified call with an errno.
AGENT=$BURROW_TEST_DIR/seccomp-agent
# seccomp_agent ERRNO [NAME]: an agent answering ERRNO at $TEST_DIR/agent.sock
# (taking the path over from an earlier one), writing $TEST_DIR/NAME.state.
seccomp_agent() {
    local name=${2:-agent}
    [ -x "$AGENT" ] || fail "$AGENT missing (run tests/rootless/run as root: it builds seccomp-agent.c)"
    rm -f "$TEST_DIR/agent.sock"
    bg "$name" "$AGENT" "$TEST_DIR/agent.sock" "$TEST_DIR/$name.state" "$1"
    wait_for 5 test -S "$TEST_DIR/agent.sock" || fail "the agent did not listen: $(cat "$TEST_DIR/$name.err")"
}

test_seccomp_notify_agent() {
    seccomp_agent 95
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$TEST_DIR/agent.sock\",
              \"listenerMetadata\": \"meta-1\",
              \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    probe_ok syscall mkdir /tmp/x syscall getpid
    assert_line syscall:mkdir EOPNOTSUPP
    bg_wait agent
    assert_eq "$RC" 0 "agent exit code"
    local st=$TEST_DIR/agent.state
    assert_eq "$(jq -r '.fds[0]' "$st")" seccompFd "fds"
    assert_eq "$(jq -r .metadata "$st")" meta-1 "metadata"
    assert_eq "$(jq -r .state.id "$st")" "$CID" "state.id"
    assert_match "$(jq -r .pid "$st")" '^[0-9]+$' "pid"
}

# exec loads the container's filter too: its own notify fd goes to the agent
# (a second connection), with its own pid in the containerProcessState.
# (runc 1.1 fails here rootless: its pidfd_getfd is not permitted.)
test_seccomp_notify_agent_exec() {
    seccomp_agent 95
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$TEST_DIR/agent.sock\",
              \"listenerMetadata\": \"meta-2\",
              \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    probe_args sleep 60
    capture rt run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    # no agent listening any more: a clear error, and no process started
    rm "$TEST_DIR/agent.sock"
    capture rt exec "$CID" /probe echo ran
    assert_fail_with "linux.seccomp.listenerPath"
    assert_not_contains "$OUT" ran "output"
    # The bundle's config no longer names the agent: the kept filter still
    # wants one (burrow_only: runc and crun read the config kept at create).
    if [ "$RT_KIND" = burrow ]; then
        cp "$BUNDLE/config.json" "$TEST_DIR/config.kept"
        cfg 'del(.linux.seccomp)'
        capture rt exec "$CID" /probe echo ran
        assert_fail_with "no longer says where (listenerPath)"
        assert_not_contains "$OUT" ran "output"
        cp "$TEST_DIR/config.kept" "$BUNDLE/config.json"
    fi
    seccomp_agent 13 agent2
    capture rt exec --pid-file "$TEST_DIR/exec.pid" "$CID" /probe syscall mkdir /tmp/x
    assert_ok
    assert_line syscall:mkdir EACCES
    local st=$TEST_DIR/agent2.state
    assert_eq "$(jq -r .metadata "$st")" meta-2 "metadata"
    assert_eq "$(jq -r .state.id "$st")" "$CID" "state.id"
    assert_eq "$(jq -r .state.status "$st")" running "state.status"
    assert_eq "$(jq -r .state.pid "$st")" "$(ct_pid "$CID")" "state.pid (the container's)"
    assert_eq "$(jq -r .pid "$st")" "$(cat "$TEST_DIR/exec.pid")" "pid (the exec process's)"
    rtc delete --force "$CID"
    assert_ok
    bg_wait agent
    bg_wait agent2
    assert_eq "$RC" 0 "agent exit code"
}

# As crun: a listenerPath gets its connection, fd and containerProcessState
# even when no rule notifies (an agent waiting in accept() would wait for ever).
test_seccomp_listener_without_notify_rule() {
    seccomp_agent 95
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$TEST_DIR/agent.sock\",
              \"listenerMetadata\": \"meta-3\",
              \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}"
    probe_ok syscall mkdir /tmp/x
    assert_line syscall:mkdir EACCES
    bg_wait agent
    assert_eq "$RC" 0 "agent exit code"
    local st=$TEST_DIR/agent.state
    [ -s "$st" ] || fail "the agent got no state: $ERR"
    assert_eq "$(jq -r '.fds[0]' "$st")" seccompFd "fds"
    assert_eq "$(jq -r .metadata "$st")" meta-3 "metadata"
    assert_eq "$(jq -r .state.id "$st")" "$CID" "state.id"
}

test_seccomp_notify_without_no_new_privs() {
    # loaded before the capabilities are dropped: same agent protocol
    cfg '.process.noNewPrivileges = false'
    seccomp_agent 13
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$TEST_DIR/agent.sock\",
              \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    probe_ok syscall mkdir /tmp/x
    assert_line syscall:mkdir EACCES
    bg_wait agent
}

test_seccomp_notify_agent_missing() {
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$TEST_DIR/nobody.sock\",
              \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_fail_with linux.seccomp.listenerPath nobody.sock
}

test_seccomp_kill_process() {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
    probe_run echo before syscall mkdir /tmp/x echo after
    assert_rc 159   # 128 + SIGSYS
    assert_eq "$OUT" before "stdout"
}

test_seccomp_unknown_syscall_name_ignored() {
    # runc and crun skip syscall names libseccomp does not know
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "no_such_syscall_xyz"], "action": "SCMP_ACT_ERRNO"}]}'
    probe_ok syscall mkdir /tmp/x
    assert_line syscall:mkdir EPERM
}

test_seccomp_with_no_new_privs_false() {
    # without no_new_privs the filter is installed while still privileged (in the user ns)
    cfg '.process.noNewPrivileges = false'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    probe_ok syscall mkdir /tmp/x dump
    assert_line syscall:mkdir EPERM
    assert_line NoNewPrivs 0
    assert_line Seccomp 2
}

test_no_new_privs_reported() {
    cfg '.process.noNewPrivileges = true'
    probe_ok
    assert_line NoNewPrivs 1
    cfg '.process.noNewPrivileges = false'
    probe_ok
    assert_line NoNewPrivs 0
}

test_capability_enforced_chroot() {
    cfg '.process.capabilities = {bounding: ["CAP_SYS_CHROOT"], permitted: ["CAP_SYS_CHROOT"], effective: ["CAP_SYS_CHROOT"], inheritable: [], ambient: []}'
    probe_ok syscall chroot /
    assert_line syscall:chroot ok:0
    cfg '.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"], inheritable: [], ambient: []}'
    probe_ok syscall chroot /
    assert_line syscall:chroot EPERM
}

test_capability_enforced_sethostname() {
    cfg '.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"], inheritable: [], ambient: []}'
    probe_ok syscall sethostname x
    assert_line syscall:sethostname EPERM
}

test_cannot_regain_capabilities() {
    # bounding set dropped: not even a new user namespace gives them back to the host
    cfg '.process.capabilities = {bounding: [], permitted: [], effective: [], inheritable: [], ambient: []}'
    probe_ok syscall setuid 0 syscall chroot /
    assert_line syscall:chroot EPERM
}

# A profile is compiled once per state root while a container of it exists:
# the next create finds the program the first kept (@seccomp, a link of its
# seccomp.bpf), the filter still applies, and the last container's delete
# (or the end of its run) takes the shared entry with it: nothing is left.
test_seccomp_compiled_once_per_profile() {
    burrow_only "the state directory's files are burrow's"
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95}]}'
    probe_args sleep 60
    capture rt run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    capture rt --debug run --detach --bundle "$BUNDLE" "$CID-2"
    assert_ok
    assert_contains "$ERR" "seccomp: compiled already, for a container of the same profile" "the second create"
    [ "$(find "$STATE_ROOT/@seccomp" -type f | wc -l)" = 1 ] || fail "not one shared entry: $(ls -la "$STATE_ROOT/@seccomp")"
    capture rt exec "$CID-2" /probe syscall mkdir /tmp/x
    assert_line syscall:mkdir EOPNOTSUPP
    # A foreground run of the same profile finds it too, and leaves it to the others.
    probe_args syscall mkdir /tmp/y
    capture rt --debug run --bundle "$BUNDLE" "$CID-3"
    assert_ok
    assert_contains "$ERR" "seccomp: compiled already" "run"
    assert_line syscall:mkdir EOPNOTSUPP
    capture rt delete --force "$CID"
    assert_ok
    [ -d "$STATE_ROOT/@seccomp" ] || fail "the shared entry went with the first of two containers"
    capture rt delete --force "$CID-2"
    assert_ok
    [ ! -e "$STATE_ROOT/@seccomp" ] || fail "left after the last container: $(ls -la "$STATE_ROOT/@seccomp")"
    # The same with run: its end takes it.
    capture rt --debug run --bundle "$BUNDLE" "$CID-4"
    assert_ok
    assert_not_contains "$ERR" "compiled already" "after the last one went"
    [ -z "$(ls -A "$STATE_ROOT")" ] || fail "state left: $(ls -A "$STATE_ROOT")"
}

run_tests "$@"
