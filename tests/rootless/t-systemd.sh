#!/bin/bash
# The systemd cgroup manager (--systemd-cgroup, --cgroup-manager systemd)
# against a real systemd user manager, and burrow as a user service.
# needs: user-manager
# (tests/rootless/run starts one for the test user around this file with
# user-manager.sh, and runs it from a cgroup the user owns under user@UID.service.)
. "$(dirname "$0")/lib.sh"

# need_manager: skips when no user manager could be started here (the reason
# comes from user-manager.sh), or the runtime has no systemd support.
need_manager() {
    [ -z "${BURROW_NO_USER_MANAGER:-}" ] || skip "no systemd user manager here: $BURROW_NO_USER_MANAGER"
    [ -S "$XDG_RUNTIME_DIR/systemd/private" ] || skip "no systemd user manager runs for $MY_USER (run this file through tests/rootless/run)"
    if [ "$RT_KIND" = burrow ] && [ "$("$RUNTIME" features | jq -r .linux.cgroup.systemdUser)" != true ]; then
        fail "burrow features says systemdUser false: burrow-systemd was not built next to $RUNTIME"
    fi
}

# sdprop UNIT PROPERTY: one property of a unit, as systemctl shows it.
sdprop() { systemctl --user show "$1" -p "$2" --value 2>/dev/null; }

scope() { echo "burrow-$CID.scope"; }

# The scope is gone: not loaded any more, and its cgroup removed.
assert_scope_gone() {
    local st
    st=$(sdprop "$1" LoadState)
    [ "$st" = not-found ] || [ "$(sdprop "$1" ActiveState)" = inactive ] || fail "scope $1 still there: LoadState=$st ActiveState=$(sdprop "$1" ActiveState)"
    [ -z "$(find /sys/fs/cgroup -name "$1" -type d 2>/dev/null)" ] || fail "the cgroup of $1 is left: $(find /sys/fs/cgroup -name "$1" -type d)"
}

# own cgroup2 path of a process
cg2() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

test_scope_made_and_removed() {
    need_manager
    probe_args echo ready sleep 60
    rtc --systemd-cgroup run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    local pid
    pid=$(ct_pid "$CID")
    assert_eq "$(sdprop "$(scope)" ActiveState)" active "the scope's state"
    assert_eq "$(sdprop "$(scope)" Delegate)" yes "Delegate"
    assert_eq "$(sdprop "$(scope)" Slice)" user.slice "the slice"
    local cg
    cg=$(sdprop "$(scope)" ControlGroup)
    assert_eq "$(cg2 "$pid")" "$cg" "the container's cgroup"
    assert_match "$cg" "/user@$MY_UID.service/user.slice/$(scope)\$" "the scope's cgroup"
    if [ "$RT_KIND" = burrow ]; then
        rtc state "$CID"
        assert_eq "$(jq -r '.annotations["io.github.burrow.cgroup.manager"]' <<< "$OUT")" systemd "state's manager"
        assert_eq "$(jq -r '.annotations["io.github.burrow.cgroup.path"]' <<< "$OUT")" "$cg" "state's cgroup path"
    fi
    kill_and_delete "$CID"
    assert_scope_gone "$(scope)"
}

test_cgroups_path_slice_prefix_name() {
    need_manager
    cfg '.linux.cgroupsPath = "app.slice:bt:'"$CID"'"'
    probe_args sleep 60
    rtc --cgroup-manager systemd run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(sdprop "bt-$CID.scope" ActiveState)" active "the scope bt-ID.scope"
    assert_eq "$(sdprop "bt-$CID.scope" Slice)" app.slice "the slice"
    kill_and_delete "$CID"
    assert_scope_gone "bt-$CID.scope"
}

test_resources_are_unit_properties() {
    need_manager
    cfg '.linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432},
                             "pids": {"limit": 40},
                             "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
                             "blockIO": {"weight": 500}}'
    probe_args sleep 60
    rtc --systemd-cgroup run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    local s
    s=$(scope)
    assert_eq "$(sdprop "$s" MemoryMax)" 67108864 MemoryMax
    assert_eq "$(sdprop "$s" MemoryLow)" 33554432 MemoryLow
    assert_eq "$(sdprop "$s" TasksMax)" 40 TasksMax
    assert_eq "$(sdprop "$s" CPUQuotaPerSecUSec)" 500ms CPUQuotaPerSecUSec
    assert_eq "$(sdprop "$s" CPUQuotaPeriodUSec)" 100ms CPUQuotaPeriodUSec
    assert_eq "$(sdprop "$s" AllowedCPUs)" 0 AllowedCPUs
    # runc's conversions: shares 512 -> weight 1 + (512-2)*9999/262142 = 20; blkio 500 -> io 1 + (500-10)*9999/990 = 4950
    assert_eq "$(sdprop "$s" CPUWeight)" 20 CPUWeight
    assert_eq "$(sdprop "$s" IOWeight)" 4950 IOWeight
    kill_and_delete "$CID"
    assert_scope_gone "$s"
}

test_update_sets_unit_properties() {
    need_manager
    burrow_only "update's systemd path"
    rt update --help >/dev/null 2>&1 || skip "this burrow has no update command yet"
    probe_args sleep 60
    rtc --systemd-cgroup run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc --systemd-cgroup update --pids-limit 30 --memory 100000000 "$CID"
    assert_ok
    assert_eq "$(sdprop "$(scope)" TasksMax)" 30 TasksMax
    assert_eq "$(sdprop "$(scope)" MemoryMax)" 100000000 MemoryMax
    kill_and_delete "$CID"
    assert_scope_gone "$(scope)"
}

# The scope's cgroup2 directory freezes (cgroup.freeze works without controllers).
test_pause_resume_scope() {
    need_manager
    probe_args sleep 60
    rtc --systemd-cgroup run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc pause "$CID"
    assert_ok
    assert_eq "$(ct_status "$CID")" paused "status after pause"
    local st
    st=$(awk '{print $3}' "/proc/$(ct_pid "$CID")/stat")
    note "process state while paused: $st"
    rtc resume "$CID"
    assert_ok
    assert_eq "$(ct_status "$CID")" running "status after resume"
    kill_and_delete "$CID"
    assert_scope_gone "$(scope)"
}

test_exec_joins_the_scope() {
    need_manager
    probe_args sleep 60
    rtc --systemd-cgroup run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc exec "$CID" /bin/cat /proc/self/cgroup
    assert_ok
    assert_contains "$OUT" "$(scope)" "exec's cgroup"
    kill_and_delete "$CID"
    assert_scope_gone "$(scope)"
}

test_delete_after_container_sigkilled() {
    need_manager
    probe_args sleep 60
    rtc --systemd-cgroup run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    kill -KILL "$(ct_pid "$CID")"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    assert_scope_gone "$(scope)"
}

# burrow run SIGKILLed with its container still running: delete --force
# kills the container and removes the scope.
test_delete_force_after_run_sigkilled() {
    need_manager
    probe_args echo ready sleep 60
    bg r "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r.out" || fail "container did not start"
    kill -KILL "$BG_PID"
    bg_wait r
    assert_rc 137
    assert_eq "$(ct_status "$CID")" running "the container outlives its run"
    rtc delete --force "$CID"
    assert_ok
    assert_scope_gone "$(scope)"
}

# The helper of a foreground run (burrow-systemd, a child of the run): its pid, "" if none.
run_helper() { pgrep -P "$1" -x burrow-systemd | head -1; }
# gone_or_zombie PID: the process has exited (PID 1 here reaps orphans slowly).
gone_or_zombie() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
no_helper_left() {
    local p
    for p in $(pgrep -u "$MY_UID" -x burrow-systemd); do gone_or_zombie "$p" || return 1; done
}

# One helper per foreground run, kept from the scope's start to its stop (one
# program load and one connection, not two): it waits beside the container,
# in a session of its own, so a signal to the run's process group (^C at a
# terminal) reaches the container through the run, not the helper, which
# then stops the scope; after the run no helper is left, and no scope.
# (A run under a second keeps the connection as well: the other tests.)
test_run_keeps_one_helper_until_the_stop() {
    need_manager
    burrow_only "burrow-systemd"
    set_args /bin/sh -c "trap 'exit 42' INT; echo ready; sleep 60 & wait"
    bg r setsid "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r.out" || fail "container did not start"
    local h
    h=$(run_helper "$BG_PID")
    [ -n "$h" ] || fail "no burrow-systemd beside the running container (the run's children: $(pgrep -P "$BG_PID" -l | tr '\n' ' '))"
    assert_ne "$(ps -o sid= -p "$h" | tr -d ' ')" "$(ps -o sid= -p "$BG_PID" | tr -d ' ')" "the helper's session"
    assert_eq "$(sdprop "$(scope)" ActiveState)" active "the scope's state"
    sleep 1.2 # past the second the helper keeps an idle connection: it connects again for the stop
    kill -INT -- -"$BG_PID"
    bg_wait r
    assert_rc 42
    assert_eq "$ERR" "" "the run's stderr"
    wait_for 5 gone_or_zombie "$h" || fail "the helper $h outlived its run"
    no_helper_left || fail "a burrow-systemd is left: $(pgrep -u "$MY_UID" -x burrow-systemd -a)"
    assert_scope_gone "$(scope)"
}

# The kept helper ends with its run when the run is SIGKILLed (the container
# stays, for delete --force); and one killed while the container runs is
# replaced for the stop.
test_run_helper_ends_with_its_run() {
    need_manager
    burrow_only "burrow-systemd"
    probe_args echo ready sleep 60
    bg r "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r.out" || fail "container did not start"
    local h
    h=$(run_helper "$BG_PID")
    [ -n "$h" ] || fail "no burrow-systemd beside the running container"
    kill -KILL "$BG_PID"
    bg_wait r
    assert_rc 137
    wait_for 5 gone_or_zombie "$h" || fail "the helper $h outlived the killed run"
    rtc delete --force "$CID"
    assert_ok
    assert_scope_gone "$(scope)"

    probe_args echo ready sleep 60
    bg r2 "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r2.out" || fail "container did not start"
    h=$(run_helper "$BG_PID")
    [ -n "$h" ] || fail "no burrow-systemd beside the running container"
    kill -KILL "$h"
    rt kill "$CID" KILL
    bg_wait r2
    assert_rc 137
    assert_eq "$ERR" "" "the run's stderr"
    no_helper_left || fail "a burrow-systemd is left: $(pgrep -u "$MY_UID" -x burrow-systemd -a)"
    assert_scope_gone "$(scope)"
}

test_no_user_manager_is_one_clear_error() {
    burrow_only "the wording"
    capture env XDG_RUNTIME_DIR="$TEST_DIR" DBUS_SESSION_BUS_ADDRESS= "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    assert_fail_with "no systemd user manager runs for this user"
}

# ---------------------------------------------------------------- services

# A unit in the user manager's runtime unit directory; the test removes it.
# svc_unit NAME EXTRA-[Service]-LINES...
svc_unit() {
    SVC=$1; shift
    SVC_FILE=$XDG_RUNTIME_DIR/systemd/user/$SVC.service
    mkdir -p "${SVC_FILE%/*}"
    {
        echo "[Unit]"
        echo "Description=burrow test container $CID"
        echo "[Service]"
        echo "Type=notify"
        echo "NotifyAccess=all"
        echo "Delegate=yes"
        echo "Environment=BURROW_TEST_TAG=$BURROW_TEST_TAG"
        echo "ExecStart=$RUNTIME --root $STATE_ROOT --systemd-cgroup run --bundle $BUNDLE $CID"
        printf '%s\n' "$@"
    } > "$SVC_FILE"
    systemctl --user daemon-reload || fail "daemon-reload"
}

svc_cleanup() {
    systemctl --user stop "$SVC" 2>/dev/null
    systemctl --user reset-failed "$SVC" 2>/dev/null
    rm -f "$SVC_FILE"
    systemctl --user daemon-reload
}

test_notify_service_active_and_stops() {
    need_manager
    burrow_only "runc's relay and cgroup placement differ"
    writable_rootfs   # /run/notify is made in the rootfs
    # sh as the container's init traps SIGTERM (else pid 1 ignores it).
    set_args /bin/sh -c 'trap "exit 0" TERM; /probe notify READY=1 >/dev/null; sleep 60 & wait'
    cfg '.linux.resources = {"pids": {"limit": 50}}'
    svc_unit "bt-$CID" "TimeoutStopSec=20"
    trap svc_cleanup EXIT
    capture timeout 20 systemctl --user start "$SVC"
    assert_ok   # start returns once READY=1 arrived (Type=notify)
    assert_eq "$(sdprop "$SVC.service" ActiveState)" active "the service"
    local pid svc_cg
    pid=$(ct_pid "$CID")
    assert_eq "$(sdprop "$SVC.service" MainPID)" "$pid" "MainPID is the container's process"
    svc_cg=$(sdprop "$SVC.service" ControlGroup)
    assert_eq "$(cg2 "$pid")" "$svc_cg/burrow-$CID" "the container's cgroup (inside the service's)"
    assert_eq "$(sdprop "$SVC.service" TasksMax)" 50 "linux.resources as the service's TasksMax"
    capture timeout 20 systemctl --user stop "$SVC"
    assert_ok
    assert_eq "$(sdprop "$SVC.service" ActiveState)" inactive "the stopped service"
    assert_eq "$(sdprop "$SVC.service" Result)" success "the service's result"
    proc_gone "$pid" || fail "the container process outlived the service"
    [ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$STATE_ROOT")"
    [ -z "$(find /sys/fs/cgroup -name "burrow-$CID" -type d 2>/dev/null)" ] || fail "the container's cgroup is left"
}

# The unit of docs/services.md: ExecStopPost deletes what a SIGKILLed run left, so
# even the last stop of a container that ignores SIGTERM leaves nothing.
test_service_unit_of_readme_leaves_nothing() {
    need_manager
    burrow_only
    writable_rootfs
    probe_args notify READY=1 sleep 60
    svc_unit "bt-$CID" "TimeoutStopSec=1" "ExecStopPost=$RUNTIME --root $STATE_ROOT delete --force $CID"
    trap svc_cleanup EXIT
    capture timeout 20 systemctl --user start "$SVC"
    assert_ok
    local pid
    pid=$(ct_pid "$CID")
    capture timeout 20 systemctl --user stop "$SVC"
    assert_ok
    proc_gone "$pid" || fail "the container outlived the stop"
    [ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$STATE_ROOT")"
}

# The container's init ignores SIGTERM (pid 1 without a handler), so systemd
# SIGKILLs everything after TimeoutStopSec, burrow run included; the next
# start must work and leave nothing.
test_service_killed_after_timeout_restarts() {
    need_manager
    burrow_only "runc fails the next start on the record it leaves"
    writable_rootfs
    probe_args notify READY=1 sleep 60
    svc_unit "bt-$CID" "TimeoutStopSec=1"
    trap svc_cleanup EXIT
    capture timeout 20 systemctl --user start "$SVC"
    assert_ok
    local pid1
    pid1=$(ct_pid "$CID")
    capture timeout 20 systemctl --user stop "$SVC"
    assert_ok
    proc_gone "$pid1" || fail "the container outlived the SIGKILL"
    note "after the kill: state $(ls -A "$STATE_ROOT" 2>/dev/null | tr '\n' ' ')"
    capture timeout 20 systemctl --user start "$SVC"
    assert_ok
    assert_eq "$(sdprop "$SVC.service" ActiveState)" active "the service, started again"
    local pid2
    pid2=$(ct_pid "$CID")
    assert_ne "$pid2" "$pid1" "the new container's pid"
    capture timeout 20 systemctl --user stop "$SVC"
    assert_ok
    systemctl --user reset-failed "$SVC" 2>/dev/null
    # what a killed run leaves is removed by the next run; delete removes the last one
    rt delete "$CID" >/dev/null 2>&1
    [ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$STATE_ROOT")"
}

# Only a killed foreground run's record is stale: one that run --detach (or
# create, or run --keep) left is the user's, and run of its id still fails.
test_stopped_detached_record_is_kept() {
    probe_args exit 0
    rtc run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_status "$CID" stopped
    rtc run --bundle "$BUNDLE" "$CID"
    assert_fail_with "already exists" "exists"
    assert_eq "$(ct_status "$CID")" stopped "the kept record"
    rtc delete "$CID"
    assert_ok
}

# A foreground run killed with its container: the next run of the id works.
test_killed_run_record_removed_by_next_run() {
    burrow_only "runc fails on the record"
    probe_args echo ready sleep 60
    bg r "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r.out" || fail "container did not start"
    local pid
    pid=$(ct_pid "$CID")
    kill -KILL "$BG_PID" "$pid"
    bg_wait r
    wait_status "$CID" stopped
    probe_args echo again
    probe_ok
    assert_eq "$OUT" again "the second run's output"
    [ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$STATE_ROOT")"
}

# ---------------------------------------------------------------- signals

# burrow run passes SIGTERM, SIGINT and SIGHUP on and exits with the
# container's status (needs no user manager).
test_run_forwards_term_int_hup() {
    local sig n=0
    for sig in TERM INT HUP; do
        n=$((n + 1))
        set_args /bin/sh -c "trap 'echo got-$sig; exit $((40 + n))' $sig; echo ready; sleep 60 & wait"
        bg "r$n" "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
        wait_for 10 grep -q ready "$TEST_DIR/r$n.out" || fail "container did not start"
        kill -"$sig" "$BG_PID"
        bg_wait "r$n"
        assert_rc $((40 + n))
        assert_contains "$OUT" "got-$sig" "the container's output"
    done
}

test_run_killed_container_exit_status() {
    # the container's init dies of a signal it does not catch: 128+N
    del_ns pid
    del_mount /proc   # a new proc needs a pid namespace of its own
    probe_args echo ready sleep 60
    bg r "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r.out" || fail "container did not start"
    kill -TERM "$BG_PID"
    bg_wait r
    assert_rc 143
}

test_features_systemd() {
    burrow_only
    rtc features
    assert_ok
    if [ -x "$(dirname "$RUNTIME")/burrow-systemd" ]; then
        assert_eq "$(jq -r .linux.cgroup.systemd <<< "$OUT")" true "cgroup.systemd"
        assert_eq "$(jq -r .linux.cgroup.systemdUser <<< "$OUT")" true "cgroup.systemdUser"
    else
        assert_eq "$(jq -r .linux.cgroup.systemdUser <<< "$OUT")" false "cgroup.systemdUser without burrow-systemd"
    fi
}

# create SIGKILLed after the scope was made (held in its createRuntime hook):
# delete --force removes the scope, the hook and the rest (t-faults.sh has
# the other steps).
test_scope_gone_after_create_killed() {
    need_manager
    printf '#!/bin/sh\nsleep 300 &\necho $! > "$1"\nwait\n' > "$TEST_DIR/block.sh"
    chmod 0755 "$TEST_DIR/block.sh"
    add_hook createRuntime "$(hook_json "$TEST_DIR/block.sh" block.sh "$TEST_DIR/at")"
    bg create "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$CID"
    wait_for 20 test -s "$TEST_DIR/at" || { bg_wait create; fail "the hook did not start"; }
    assert_eq "$(sdprop "$(scope)" ActiveState)" active "the scope while create waits"
    kill -KILL "$BG_PID"
    bg_wait create
    rtc --systemd-cgroup delete --force "$CID"
    assert_ok
    [ -e "$STATE_ROOT/$CID" ] && fail "delete --force left $STATE_ROOT/$CID"
    wait_for 5 eval 'proc_gone "$(cat "$TEST_DIR/at")"' || fail "the hook's child still runs"
    assert_scope_gone "$(scope)"
}

# The helper a run keeps for the scope's stop lives beside the container:
# a container in our own pid namespace (none of its own) running as our uid
# finds it in /proc. Its /proc/PID/exe (the helper's binary, writable where
# burrow lives in ~/bin) must stay closed to it: it is, because the container
# is in a user namespace of its own and holds no CAP_SYS_PTRACE over ours
# (the kernel's ptrace access check), whatever the helper's dumpability.
test_kept_helper_closed_to_a_container_in_our_pid_namespace() {
    need_manager
    burrow_only "burrow-systemd"
    del_ns pid
    del_mount /proc # a new proc needs a pid namespace of its own: the host's, bound
    add_mount '{"destination":"/proc","type":"bind","source":"/proc","options":["rbind"]}'
    set_args /bin/sh -c 'echo ready; sleep 2; for p in /proc/[0-9]*; do
        [ "$(cat $p/comm 2>/dev/null)" = burrow-systemd ] || continue
        echo "found $p"; cat $p/exe > /dev/null 2>&1 && echo "EXE-READABLE $p"; done; echo done'
    bg r "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_for 10 grep -q ready "$TEST_DIR/r.out" || fail "container did not start: $(cat "$TEST_DIR/r.err" 2>/dev/null)"
    local h
    h=$(run_helper "$BG_PID")
    [ -n "$h" ] || fail "no burrow-systemd beside the running container"
    bg_wait r
    assert_ok
    assert_contains "$OUT" "found /proc/$h" "the container's view of the helper"
    assert_not_contains "$OUT" "EXE-READABLE" "the helper's /proc/PID/exe, read from the container"
}

run_tests "$@"
