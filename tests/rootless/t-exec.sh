# shellcheck shell=bash
# exec: a new process in a running container, with runc's options.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# start_sleeper: a running container whose init sleeps.
start_sleeper() {
    probe_args sleep 60
    capture rt run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_status "$CID" running
}

test_exec_joins_the_container() {
    cfg '.process.env += ["FROM_CONFIG=yes"] | .hostname = "exec-host"'
    start_sleeper
    local init
    init=$(ct_pid "$CID")
    capture rt exec "$CID" /probe
    assert_ok
    for ns in pid mnt uts ipc user; do
        assert_eq "$(pv ns.$ns)" "$(pid_ns "$init" "$ns")" "ns.$ns"
    done
    assert_ne "$(pv pid)" 1 "pid (the init is 1)"
    assert_eq "$(pv hostname)" exec-host "hostname"
    assert_eq "$(pv env.FROM_CONFIG)" yes "env from the container's config"
    assert_eq "$(pv uid)" 0 "uid"
    assert_eq "$(pv NoNewPrivs)" 1 "no_new_privs from the config"
    kill_and_delete "$CID"
}

test_exec_options() {
    userns_full
    start_sleeper
    capture rt exec --env FROM_EXEC=1 --env PATH=/bin --cwd /tmp --user 1000:1000 --additional-gids 5 "$CID" /probe
    assert_ok
    assert_eq "$(pv env.FROM_EXEC)" 1 "--env"
    assert_eq "$(pv env.PATH)" /bin "--env replaces"
    assert_eq "$(pv cwd)" /tmp "--cwd"
    assert_eq "$(pv uid)" 1000 "--user uid"
    assert_eq "$(pv gid)" 1000 "--user gid"
    assert_contains "$(pv groups)" 5 "--additional-gids"
    kill_and_delete "$CID"
}

test_exec_exit_code_and_signal() {
    start_sleeper
    capture rt exec "$CID" /probe exit 7
    assert_rc 7
    capture rt exec "$CID" sh -c 'kill -KILL $$'
    assert_rc 137
    kill_and_delete "$CID"
}

test_exec_process_file() {
    start_sleeper
    cat > "$TEST_DIR/process.json" <<'JSON'
{"args": ["/probe"], "cwd": "/dev", "env": ["ONLY=this"], "user": {"uid": 0, "gid": 0}}
JSON
    capture rt exec --process "$TEST_DIR/process.json" "$CID"
    assert_ok
    assert_eq "$(pv cwd)" /dev "cwd"
    assert_eq "$(pv env.ONLY)" this "env"
    pv env.FROM_CONFIG >/dev/null && fail "the config's env leaked into a --process process"
    kill_and_delete "$CID"
}

test_exec_detach_pid_file() {
    start_sleeper
    capture rt exec --detach --pid-file "$TEST_DIR/exec.pid" "$CID" sleep 30
    assert_ok
    local p
    p=$(cat "$TEST_DIR/exec.pid") || fail "no pid file"
    [ -d "/proc/$p" ] || fail "the exec'd process $p is not running"
    assert_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink "/proc/$(ct_pid "$CID")/ns/pid")" "its pid namespace"
    kill_and_delete "$CID"
}

test_exec_applies_the_containers_seccomp() {
    cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                           "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95}]}'
    start_sleeper
    capture rt exec "$CID" /probe syscall mkdir /tmp/x
    assert_ok
    assert_line syscall:mkdir EOPNOTSUPP
    kill_and_delete "$CID"
}

# create keeps the compiled filter (seccomp.bpf in the state directory) and
# exec loads it, as crun does: no libseccomp compile per exec, and the filter
# is the container's from create even when the bundle's config.json changed
# since (runc and crun, too, use the config the container was made with). A
# file that is not one is compiled from the config again.
test_exec_seccomp_is_the_containers_from_create() {
    burrow_only "the state directory's files are burrow's"
    local prof='{"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95}]}'
    cfg ".linux.seccomp = $prof"
    start_sleeper
    local f=$STATE_ROOT/$CID/seccomp.bpf
    [ -s "$f" ] || fail "create kept no seccomp.bpf"
    cfg 'del(.linux.seccomp)'
    capture rt exec "$CID" /probe syscall mkdir /tmp/x
    assert_ok
    assert_line syscall:mkdir EOPNOTSUPP
    cfg ".linux.seccomp = $prof"
    truncate -s 20 "$f"
    capture rt exec "$CID" /probe syscall mkdir /tmp/y
    assert_ok
    assert_line syscall:mkdir EOPNOTSUPP
    kill_and_delete "$CID"
}

test_exec_cap() {
    cfg '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
    start_sleeper
    capture rt exec --cap CAP_CHOWN "$CID" /probe
    assert_ok
    # CAP_KILL (5) and CAP_CHOWN (0)
    assert_eq "$(pv CapEff)" 0000000000000021 "effective set"
    assert_eq "$(pv CapPrm)" 0000000000000021 "permitted set"
    assert_eq "$(pv CapBnd)" 0000000000000021 "bounding set"
    # as runc: not inheritable or ambient (they would survive an execve inside)
    assert_eq "$(pv CapInh)" 0000000000000000 "inheritable set"
    assert_eq "$(pv CapAmb)" 0000000000000000 "ambient set"
    kill_and_delete "$CID"
}

test_exec_errors() {
    start_sleeper
    capture rt exec "$CID" nosuchbin
    assert_fail_with nosuchbin
    capture rt exec nosuch-container true
    assert_fail_with "does not exist"
    capture rt exec "$CID"
    assert_fail_with "command"
    kill_and_delete "$CID"
    probe_args exit 0
    capture rt run --keep --bundle "$BUNDLE" "$CID"
    capture rt exec "$CID" true
    assert_fail_with stopped
    rtc delete "$CID"
}

test_ps_lists_the_containers_processes() {
    start_sleeper
    capture rt exec --detach --pid-file "$TEST_DIR/exec.pid" "$CID" sleep 30
    assert_ok
    local init extra
    init=$(ct_pid "$CID")
    extra=$(cat "$TEST_DIR/exec.pid")
    capture rt ps --format json "$CID"
    assert_ok
    assert_eq "$(jq -c 'sort' <<< "$OUT")" "$(jq -nc --argjson a "$init" --argjson b "$extra" '[$a, $b] | sort')" "ps --format json"
    capture rt ps "$CID"
    assert_ok
    assert_match "$(head -1 <<< "$OUT")" 'PID' "header"
    assert_eq "$(tail -n +2 <<< "$OUT" | wc -l)" 2 "process lines"
    capture rt ps "$CID" -o pid,comm
    assert_ok
    assert_contains "$OUT" "$extra" "ps options passed to ps(1)"
    capture rt kill --all "$CID" KILL
    assert_ok
    wait_status "$CID" stopped
    proc_gone "$extra" || fail "kill --all left the exec'd process $extra"
    rtc delete "$CID"
}

# A container with a time namespace: exec's process is in it, with its
# offsets (joining one needs a process of its own: setns refuses one that
# shares its memory with burrow, so exec copies burrow's there).
test_exec_joins_the_time_namespace() {
    [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
    add_ns time
    cfg '.linux.timeOffsets = {boottime: {secs: 172800, nanosecs: 0}}'
    start_sleeper
    local init host_boot
    init=$(ct_pid "$CID")
    read -r host_boot _ < /proc/uptime
    capture rt exec "$CID" /probe
    assert_ok
    for ns in time pid mnt user; do
        assert_eq "$(pv ns.$ns)" "$(pid_ns "$init" "$ns")" "ns.$ns"
    done
    local d=$(( $(pv boottime | cut -d. -f1) - ${host_boot%.*} ))
    [ "$d" -ge 172790 ] && [ "$d" -le 172860 ] || fail "boottime offset in exec: $(pv boottime), host $host_boot"
    kill_and_delete "$CID"
}

# process.oomScoreAdj: exec's process gets it, and the burrow that waits for
# it keeps its own (the kernel gives a process's oom_score_adj to every
# process sharing its memory, so exec does not share burrow's then).
test_exec_oom_score_adj_is_not_burrows() {
    cfg '.process.oomScoreAdj = 500'
    start_sleeper
    local mine burrow
    mine=$(cat /proc/self/oom_score_adj)
    capture rt exec "$CID" /probe
    assert_ok
    assert_eq "$(pv oom_score_adj)" 500 "the exec'd process's oom_score_adj"
    "$RUNTIME" --root "$STATE_ROOT" exec "$CID" sleep 30 </dev/null >/dev/null 2>&1 &
    burrow=$!
    wait_for 10 pgrep -P "$burrow" sleep || fail "the exec'd sleep did not start"
    assert_eq "$(cat "/proc/$burrow/oom_score_adj")" "$mine" "burrow exec's own oom_score_adj"
    kill_and_delete "$CID"
    wait "$burrow" 2>/dev/null
}

# exec takes a namespace the config has the container make as not ours
# without reading ours; if that is wrong (here the config was edited after
# create: the container shares our network and cgroup namespaces, which a
# rootless user may not enter again), the one setns is refused and the child
# compares kind by kind: exec still runs, in the namespaces the container has.
test_exec_config_namespace_that_is_ours() {
    del_ns network
    del_ns cgroup
    start_sleeper
    local init
    init=$(ct_pid "$CID")
    add_ns network
    add_ns cgroup
    capture rt exec "$CID" /probe
    assert_ok
    for ns in net cgroup pid mnt uts ipc user; do
        assert_eq "$(pv ns.$ns)" "$(pid_ns "$init" "$ns")" "ns.$ns"
    done
    assert_eq "$(pv ns.net)" "$(pid_ns $$ net)" "ns.net is ours"
    kill_and_delete "$CID"
}

run_tests "$@"
