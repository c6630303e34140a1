#!/bin/bash
# burrow unit: the user service of README's "A container as a user service",
# printed, and installed into a real systemd user manager: enabled, started,
# ready, its container killed and restarted by Restart=, stopped, disabled and
# removed, with nothing left (unit file, wants link, state, process, cgroup).
# needs: user-manager
# (tests/rootless/run starts one for the test user around this file.)
. "$(dirname "$0")/lib.sh"

need_manager() {
    [ -z "${BURROW_NO_USER_MANAGER:-}" ] || skip "no systemd user manager here: $BURROW_NO_USER_MANAGER"
    [ -S "$XDG_RUNTIME_DIR/systemd/private" ] || skip "no systemd user manager runs for $MY_USER (run this file through tests/rootless/run)"
    if [ "$(rt features | jq -r .linux.cgroup.systemdUser)" != true ]; then
        fail "burrow features says systemdUser false: burrow-systemd was not built next to $RUNTIME"
    fi
}

sdprop() { systemctl --user show "$1" -p "$2" --value 2>/dev/null; }
cg2() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

UNIT_DIR=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user

# The service of this test: stopped, disabled, its file removed (the trap of
# each service test, so that a failed test leaves nothing either).
unit_cleanup() {
    systemctl --user stop "$CID.service" 2>/dev/null
    systemctl --user disable "$CID.service" 2>/dev/null
    systemctl --user reset-failed "$CID.service" 2>/dev/null
    rm -f "$UNIT_DIR/$CID.service" "$UNIT_DIR/default.target.wants/$CID.service"
    systemctl --user daemon-reload 2>/dev/null
    systemctl --user unset-environment BURROW_TEST_TAG 2>/dev/null
}

# Whatever is named after the container under the user's unit directory.
unit_files_left() { find "${XDG_CONFIG_HOME:-$HOME/.config}/systemd" -name "$CID*" 2>/dev/null; }

test_unit_prints_the_readme_service() {
    burrow_only
    rtc unit --bundle "$BUNDLE" "$CID"
    assert_ok
    local b
    b=$(realpath "$BUNDLE")
    assert_contains "$OUT" "[Unit]
Description=$CID, in a burrow container"
    assert_contains "$OUT" "Type=notify
NotifyAccess=all"
    assert_not_contains "$OUT" "Delegate=" "without --systemd-cgroup"
    assert_contains "$OUT" "ExecStart=$RUNTIME --root $STATE_ROOT run --bundle $b $CID
" "ExecStart"
    assert_contains "$OUT" "ExecStopPost=$RUNTIME --root $STATE_ROOT delete --force $CID
" "ExecStopPost"
    assert_contains "$OUT" "Restart=on-failure"
    assert_contains "$OUT" "[Install]
WantedBy=default.target"
    # nothing installed by printing
    [ -z "$(unit_files_left)" ] || fail "printing wrote $(unit_files_left)"

    # --systemd-cgroup, as a unit option or the global one; --exec; --restart
    rtc unit --systemd-cgroup --exec --restart always --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$OUT" "Delegate=yes"
    assert_contains "$OUT" "Type=exec"
    assert_not_contains "$OUT" "NotifyAccess"
    assert_contains "$OUT" "Restart=always"
    assert_contains "$OUT" "ExecStart=$RUNTIME --root $STATE_ROOT --systemd-cgroup run --bundle $b $CID"
    rtc --systemd-cgroup unit --bundle "$BUNDLE" "$CID"
    assert_contains "$OUT" "ExecStopPost=$RUNTIME --root $STATE_ROOT --systemd-cgroup delete --force $CID"
}

# burrow found through PATH, the bundle relative to the current directory,
# run's options passed on (relative paths made absolute), words quoted.
test_unit_paths_and_run_options() {
    burrow_only
    mkdir -p "$TEST_DIR/bin" "$TEST_DIR/up per"
    ln -s "$RUNTIME" "$TEST_DIR/bin/burrow"
    local b
    b=$(realpath "$BUNDLE")
    capture env PATH="$TEST_DIR/bin:$PATH" sh -c 'cd "$1" && exec burrow --root "$2" unit --bundle . \
        --network loopback --overlay --overlay-upper "up per" --pid-file p%1.pid -p 8080:80 -p 8081:81 "$3"' \
        sh "$BUNDLE" "$STATE_ROOT" "$CID"
    assert_ok
    assert_contains "$OUT" "ExecStart=$TEST_DIR/bin/burrow --root $STATE_ROOT run --bundle $b --pid-file $b/p%%1.pid --overlay --overlay-upper \"$b/up per\" --network loopback --publish 8080:80 --publish 8081:81 $CID
" "ExecStart"
    # what a service cannot use
    rtc unit --detach --bundle "$BUNDLE" "$CID"
    assert_fail_with "unit $CID: --detach cannot be used in a service"
    rtc unit --keep --bundle "$BUNDLE" "$CID"
    assert_fail_with "--keep cannot be used in a service"
    rtc unit --restart sometimes --bundle "$BUNDLE" "$CID"
    assert_fail_with "--restart: \"sometimes\" is not on-failure, always or no"
    rtc unit --notify --exec --bundle "$BUNDLE" "$CID"
    assert_fail_with "--notify and --exec cannot be used together"
    rtc unit --bundle "$TEST_DIR" "$CID"
    assert_fail_with "config.json"
    rtc unit --bundle "$BUNDLE" "a+b"
    assert_fail_with "'+'"
    [ -z "$(unit_files_left)" ] || fail "errors wrote $(unit_files_left)"
}

# --install without a user manager: one clear error, and the unit directory as
# it was (no file, no directory made for it).
test_unit_install_without_manager_leaves_nothing() {
    burrow_only
    local cfg="$TEST_DIR/config"
    capture env XDG_CONFIG_HOME="$cfg" XDG_RUNTIME_DIR="$TEST_DIR/nort" DBUS_SESSION_BUS_ADDRESS= \
        "$RUNTIME" --root "$STATE_ROOT" unit --install --bundle "$BUNDLE" "$CID"
    assert_fail_with "systemctl --user daemon-reload"
    [ ! -e "$cfg" ] || fail "left behind: $(find "$cfg")"
}

# The whole life of an installed service, as the README tells it.
test_unit_install_start_kill_restart_remove() {
    need_manager
    burrow_only
    writable_rootfs   # /run/notify is made in the rootfs
    # sh as the container's init traps SIGTERM (else pid 1 ignores it).
    set_args /bin/sh -c 'trap "exit 0" TERM; /probe notify READY=1 >/dev/null; sleep 60 & wait'
    trap unit_cleanup EXIT
    # the service's burrow gets the test's tag, for the leak check
    systemctl --user set-environment BURROW_TEST_TAG="$BURROW_TEST_TAG" || fail "set-environment"
    [ -z "$(unit_files_left)" ] || fail "a unit of $CID exists already"

    rtc --systemd-cgroup unit --bundle "$BUNDLE" --enable "$CID"
    assert_ok
    assert_eq "$OUT" "$UNIT_DIR/$CID.service" "the path printed"
    [ -f "$UNIT_DIR/$CID.service" ] || fail "no $UNIT_DIR/$CID.service"
    assert_eq "$(systemctl --user is-enabled "$CID.service")" enabled "is-enabled"
    [ -L "$UNIT_DIR/default.target.wants/$CID.service" ] || fail "no wants link"
    assert_eq "$(sdprop "$CID.service" LoadState)" loaded "LoadState (daemon-reload was run)"
    assert_eq "$(sdprop "$CID.service" Restart)" on-failure "Restart"

    # start returns once READY=1 arrived
    capture timeout 20 systemctl --user start "$CID.service"
    assert_ok
    assert_eq "$(sdprop "$CID.service" ActiveState)" active "the service"
    local pid1 svc_cg
    pid1=$(ct_pid "$CID")
    assert_eq "$(sdprop "$CID.service" MainPID)" "$pid1" "MainPID is the container's process"
    svc_cg=$(sdprop "$CID.service" ControlGroup)
    assert_eq "$(cg2 "$pid1")" "$svc_cg/burrow-$CID" "the container's cgroup (inside the service's)"

    # the container killed: Restart=on-failure starts it again
    kill -KILL "$pid1"
    wait_for 20 sh -c '[ "$(systemctl --user show "$1" -p NRestarts --value)" -ge 1 ] &&
        [ "$(systemctl --user show "$1" -p ActiveState --value)" = active ]' sh "$CID.service" ||
        fail "not restarted: $(systemctl --user status "$CID.service" 2>&1 | tail -8)"
    proc_gone "$pid1" || fail "the killed container is still there"
    local pid2
    wait_for 10 sh -c '[ "$(systemctl --user show "$1" -p MainPID --value)" != 0 ]' sh "$CID.service"
    pid2=$(ct_pid "$CID")
    assert_ne "$pid2" "$pid1" "the restarted container's pid"
    assert_eq "$(sdprop "$CID.service" MainPID)" "$pid2" "MainPID after the restart"

    # stop: nothing of the container left
    capture timeout 20 systemctl --user stop "$CID.service"
    assert_ok
    assert_eq "$(sdprop "$CID.service" ActiveState)" inactive "the stopped service"
    proc_gone "$pid2" || fail "the container outlived the service"
    [ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$STATE_ROOT")"
    [ -z "$(find /sys/fs/cgroup -name "burrow-$CID" -type d 2>/dev/null)" ] || fail "the container's cgroup is left"

    # disable and remove, as burrow-unit(1) says
    capture systemctl --user disable "$CID.service"
    assert_ok
    rm "$UNIT_DIR/$CID.service"
    capture systemctl --user daemon-reload
    assert_ok
    assert_eq "$(sdprop "$CID.service" LoadState)" not-found "the removed unit"
    [ -z "$(unit_files_left)" ] || fail "left behind: $(unit_files_left)"
}

# --install over an older unit replaces it; Type=exec runs a program that
# never notifies.
test_unit_exec_type_and_reinstall() {
    need_manager
    burrow_only
    probe_args sleep 60
    trap unit_cleanup EXIT
    systemctl --user set-environment BURROW_TEST_TAG="$BURROW_TEST_TAG" || fail "set-environment"
    rtc unit --install --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(sdprop "$CID.service" Type)" notify "Type, first install"
    rtc --systemd-cgroup unit --install --exec --restart no --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(sdprop "$CID.service" Type)" exec "Type, after the second install"
    assert_eq "$(sdprop "$CID.service" Restart)" no "Restart"
    assert_eq "$(systemctl --user is-enabled "$CID.service")" disabled "is-enabled without --enable"
    capture timeout 20 systemctl --user start "$CID.service"
    assert_ok
    wait_for 10 _status_is "$CID" running || fail "the container does not run"
    local pid
    pid=$(ct_pid "$CID")
    # Restart=no: a killed container ends the service
    kill -KILL "$pid"
    wait_for 20 sh -c '[ "$(systemctl --user show "$1" -p ActiveState --value)" != active ]' sh "$CID.service" ||
        fail "the service outlived its container"
    assert_eq "$(sdprop "$CID.service" NRestarts)" 0 "NRestarts with Restart=no"
    wait_for 10 sh -c '[ -z "$(ls -A "$1" 2>/dev/null)" ]' sh "$STATE_ROOT" || fail "state left: $(ls -A "$STATE_ROOT")"
}

run_tests "$@"
