# shellcheck shell=bash
# The process section of config.json against what the process sees.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_args() {
    set_args /probe "arg with spaces" "" 'q"uo\te' --x
    probe_ok
    assert_line argc 5
    assert_line arg.0 /probe
    assert_line arg.1 "arg with spaces"
    assert_line arg.2 ""
    assert_line arg.3 'q"uo\te'
    assert_line arg.4 --x
}

test_args_path_lookup() {
    # args[0] without a slash is looked up in the container's PATH
    cfg '.process.env = ["PATH=/bin", "BURROW_TEST_TAG=" + env.BURROW_TEST_TAG]'
    set_args echo from-path
    probe_ok
    assert_eq "$OUT" from-path "stdout of echo found via PATH"
}

test_env() {
    cfg '.process.env = ["PATH=/bin:/sbin", "A=1", "B=x y", "EMPTY=", "MULTI=a=b=c", "BURROW_TEST_TAG=" + env.BURROW_TEST_TAG]'
    probe_ok
    assert_line env.A 1
    assert_line env.B "x y"
    assert_line env.EMPTY ""
    assert_line env.MULTI "a=b=c"
    assert_line env.PATH /bin:/sbin
    # nothing of the caller's environment leaks in
    local k
    for k in XDG_RUNTIME_DIR LOGNAME USER RUNTIME STATE_ROOT; do
        pv "env.$k" >/dev/null && fail "caller's $k leaked into the container"
    done
    # HOME is added (from /etc/passwd) when missing, as runc and crun do
    assert_line env.HOME /root
}

test_cwd() {
    cfg '.process.cwd = "/home/user"'
    probe_ok
    assert_line cwd /home/user
}

test_cwd_created_when_missing() {
    # runc creates a missing cwd (here in a writable rootfs); burrow should too
    # (containers built with WORKDIR of a path missing from the image rely on it)
    writable_rootfs
    cfg '.process.cwd = "/new/work/dir"'
    probe_ok
    assert_line cwd /new/work/dir
}

test_user_root_single_map() {
    probe_ok
    assert_line uid 0
    assert_line euid 0
    assert_line suid 0
    assert_line gid 0
    assert_line egid 0
    assert_line uid_map "0 $MY_UID 1"
    assert_line gid_map "0 $MY_GID 1"
}

# runc 1.1 refuses additionalGids in any rootless container ("cannot set any
# additional groups in a rootless container"), even when newgidmap mapped a
# range and setgroups is allowed; burrow must set them then.
test_user_uid_gid_additional_gids() {
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [5, 1000, 65534]}'
    probe_ok
    assert_line uid 1000
    assert_line euid 1000
    assert_line suid 1000
    assert_line gid 1000
    assert_line egid 1000
    assert_line sgid 1000
    local g
    g=$(pv groups | tr ',' '\n' | sort -n | paste -sd, -)
    assert_eq "$g" "5,1000,65534" "supplementary groups"
}

# runc 1.1 leaves the caller's own group (mapped to 0) as a supplementary
# group of the container process; with setgroups allowed, burrow must clear it.
test_user_nonroot_no_additional_gids() {
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000}'
    probe_ok
    assert_line uid 1000
    assert_line gid 1000
    assert_line groups ""
}

test_umask() {
    cfg '.process.user.umask = 23'   # 0027
    probe_ok
    assert_line umask 0027
}

test_umask_default() {
    # the OCI default when unset is 0022
    probe_ok
    assert_line umask 0022
}

test_rlimits() {
    cfg '.process.rlimits = [
        {type: "RLIMIT_NOFILE", soft: 512, hard: 1024},
        {type: "RLIMIT_NPROC", soft: 1000, hard: 2000},
        {type: "RLIMIT_CORE", soft: 1024, hard: 4096}]'
    probe_ok
    assert_line rlimit_nofile 512:1024
    assert_line rlimit_nproc 1000:2000
    assert_line rlimit_core 1024:4096
}

test_rlimit_above_hard_fails() {
    # raising a hard limit needs CAP_SYS_RESOURCE in the initial namespace
    local hard
    hard=$(ulimit -Hn)
    cfg --argjson h "$((hard + 1000))" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 64, hard: $h}]'
    probe_run
    [ "$RC" != 0 ] || fail "an RLIMIT_NOFILE hard limit above the caller's was accepted"
}

test_capabilities_all_sets() {
    # As uid 0 the kernel's exec gives effective = permitted (and, with
    # no_new_privs, permitted no larger than before exec), so both are the same here;
    # the non-root case is below.
    cfg '.process.capabilities = {
        bounding:    ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
        permitted:   ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
        effective:   ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
        inheritable: ["CAP_KILL", "CAP_SETUID"],
        ambient:     ["CAP_KILL"]}'
    probe_ok
    assert_line CapBnd "$(capmask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID)"
    assert_line CapPrm "$(capmask CAP_CHOWN CAP_KILL CAP_SETUID)"
    assert_line CapEff "$(capmask CAP_CHOWN CAP_KILL CAP_SETUID)"
    assert_line CapInh "$(capmask CAP_KILL CAP_SETUID)"
    assert_line CapAmb "$(capmask CAP_KILL)"
}

test_capabilities_nonroot_ambient() {
    # A non-root process keeps across exec only its ambient capabilities
    # (in permitted and effective); the rest of permitted is dropped.
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {
        bounding:    ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        permitted:   ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        effective:   ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        inheritable: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        ambient:     ["CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
    probe_ok
    assert_line uid 1000
    assert_line CapBnd "$(capmask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_line CapInh "$(capmask CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_line CapAmb "$(capmask CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_line CapPrm "$(capmask CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_line CapEff "$(capmask CAP_KILL CAP_NET_BIND_SERVICE)"
}

test_capabilities_spec_default() {
    # the rootless spec's own sets
    probe_ok
    local want
    want=$(capmask $(jq -r '.process.capabilities.bounding[]' "$BUNDLE/config.json"))
    assert_line CapBnd "$want"
    want=$(capmask $(jq -r '.process.capabilities.effective[]' "$BUNDLE/config.json"))
    assert_line CapEff "$want"
}

test_capabilities_empty() {
    cfg '.process.capabilities = {bounding: [], permitted: [], effective: [], inheritable: [], ambient: []}'
    probe_ok
    assert_line CapBnd 0000000000000000
    assert_line CapPrm 0000000000000000
    assert_line CapEff 0000000000000000
    assert_line CapInh 0000000000000000
    assert_line CapAmb 0000000000000000
}

test_capabilities_full_bounding() {
    # every capability the kernel knows, as root in the user namespace
    local last all
    last=$(cat /proc/sys/kernel/cap_last_cap)
    all=$(for n in "${!CAPNUM[@]}"; do [ "${CAPNUM[$n]}" -le "$last" ] && echo "$n"; done | jq -R . | jq -sc .)
    cfg --argjson a "$all" '.process.capabilities = {bounding: $a, permitted: $a, effective: $a, inheritable: [], ambient: []}'
    probe_ok
    assert_line CapBnd "$(printf '%016x' $(( (1 << (last + 1)) - 1 )))"
    assert_line CapEff "$(printf '%016x' $(( (1 << (last + 1)) - 1 )))"
}

test_no_new_privileges_true() {
    cfg '.process.noNewPrivileges = true'
    probe_ok
    assert_line NoNewPrivs 1
}

test_no_new_privileges_false() {
    cfg '.process.noNewPrivileges = false'
    probe_ok
    assert_line NoNewPrivs 0
}

test_oom_score_adj() {
    cfg '.process.oomScoreAdj = 500'
    probe_ok
    assert_line oom_score_adj 500
}

test_oom_score_adj_unset_inherits() {
    local mine
    mine=$(cat /proc/self/oom_score_adj)
    probe_ok
    assert_line oom_score_adj "$mine"
}

test_hostname() {
    cfg '.hostname = "burrow-host"'
    probe_ok
    assert_line hostname burrow-host
    probe_ok sysctl kernel.hostname
    assert_line sysctl:kernel.hostname ok:burrow-host
}

# runc 1.1 ignores .domainname (runc 1.2 sets it).
test_domainname() {
    cfg '.domainname = "example.org"'
    probe_ok
    assert_line domainname example.org
}

test_sysctl_net_in_new_netns() {
    add_ns network
    cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 0"}'
    probe_ok sysctl net.ipv4.ip_forward sysctl net.ipv4.ping_group_range
    assert_line sysctl:net.ipv4.ip_forward ok:1
    assert_line sysctl:net.ipv4.ping_group_range "ok:0 0"
}

test_sysctl_ipc_in_new_ipcns() {
    cfg '.linux.sysctl = {"kernel.shm_rmid_forced": "1", "kernel.msgmax": "4096"}'
    probe_ok sysctl kernel.shm_rmid_forced sysctl kernel.msgmax
    assert_line sysctl:kernel.shm_rmid_forced ok:1
    assert_line sysctl:kernel.msgmax ok:4096
}

test_sysctl_net_without_netns_fails() {
    # net.* sysctls need a private network namespace
    del_ns network
    cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    probe_run
    [ "$RC" != 0 ] || fail "net.ipv4.ip_forward set without a network namespace"
}

# runc 1.1 has no linux.personality (runc 1.2 does): it ignores it.
test_personality_linux32() {
    cfg '.linux.personality = {domain: "LINUX32"}'
    probe_ok
    assert_line personality 0x8
}

test_personality_linux() {
    cfg '.linux.personality = {domain: "LINUX"}'
    probe_ok
    assert_line personality 0x0
}

# runc 1.1 has no process.scheduler (runc 1.2 does): it ignores it.
test_scheduler_batch_nice() {
    cfg '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
    probe_ok
    assert_line sched_policy SCHED_BATCH
    assert_line nice 5
}

test_scheduler_idle() {
    cfg '.process.scheduler = {policy: "SCHED_IDLE"}'
    probe_ok
    assert_line sched_policy SCHED_IDLE
}

test_scheduler_default_other() {
    probe_ok
    assert_line sched_policy SCHED_OTHER
}

# runc 1.1 has no process.ioPriority (runc 1.2 does): it ignores it.
test_io_priority_be() {
    cfg '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 4}'
    probe_ok
    assert_line ioprio IOPRIO_CLASS_BE:4
}

test_io_priority_idle() {
    cfg '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
    probe_ok
    assert_contains "$(pv ioprio)" IOPRIO_CLASS_IDLE "ioprio"
}

test_no_tty() {
    probe_ok
    assert_line isatty0 0
}

test_signals_reset() {
    # the container starts with nothing blocked or ignored, whatever the caller had
    capture bash -c 'trap "" USR1 HUP; exec "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"'
    assert_ok
    assert_line SigBlk 0000000000000000
    assert_line SigIgn 0000000000000000
}

# HOME comes from the container's /etc/passwd, read by the runtime inside it
# before the program runs: a hostile image's passwd must neither reach a file
# of the host's through a procfs magic link (here the runtime's own stdin, a
# host file: /proc/self/fd/0), nor hold the runtime (a FIFO), nor keep it
# reading (a 4 GiB sparse file). Each gives HOME=/, promptly.
test_home_from_a_hostile_passwd() {
    writable_rootfs
    cfg 'del(.process.env[] | select(startswith("HOME=")))'
    probe_args dump
    local host=$TEST_DIR/host-passwd
    printf 'root:x:0:0::/LEAKED:/bin/sh\n' > "$host"
    rm -f "$TEST_DIR/rootfs/etc/passwd"
    ln -s /proc/self/fd/0 "$TEST_DIR/rootfs/etc/passwd"
    rt run --bundle "$BUNDLE" "$CID" < "$host" > "$TEST_DIR/out.magic" 2>&1
    assert_eq "$(sed -n 's/^env.HOME=//p' "$TEST_DIR/out.magic")" / "HOME through /proc/self/fd/0"
    rm -f "$TEST_DIR/rootfs/etc/passwd"
    mkfifo "$TEST_DIR/rootfs/etc/passwd"
    capture timeout 20 "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line env.HOME / "HOME from a FIFO"
    rm -f "$TEST_DIR/rootfs/etc/passwd"
    truncate -s 4G "$TEST_DIR/rootfs/etc/passwd"
    capture timeout 20 "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line env.HOME / "HOME from an endless passwd"
}

run_tests "$@"
