#!/bin/bash
# The NOTIFY_SOCKET relay naming another process as the service's main one.
# Under a service manager that waits for readiness (systemd's Type=notify),
# burrow relays what the container sends to its /run/notify/notify.sock,
# adding MAINPID=<the container's pid> to READY=1. systemd takes the first
# MAINPID= of a message, and from root (a system service's burrow) one that
# names any process at all: it would then watch that process and signal it
# when the service stops. The container's own MAINPID= never goes on.
# Rootless, through tests/rootless/lib.sh (a leak check after each test); the
# manager is a socket of the test's (the relay is the same as root).
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

test_notify_mainpid_of_the_container_dropped() {
    burrow_only "burrow's relay"
    notify_manager
    bg victim sleep 60
    local victim=$BG_PID
    probe_args notify "MAINPID=$victim" notify "$(printf 'MAINPID=%s\nREADY=1\nSTATUS=up' "$victim")" sleep 30
    capture env NOTIFY_SOCKET="$NOTIFY_HOST" "$RUNTIME" --root "$STATE_ROOT" run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    bg_wait notify
    local pid
    pid=$(ct_pid "$CID")
    assert_not_contains "$OUT" "MAINPID=$victim" "what the manager got"
    assert_contains "$OUT" "READY=1 STATUS=up MAINPID=$pid" "what the manager got"
    kill "$victim"
    wait "$victim" 2>/dev/null
    kill_and_delete "$CID"
}

run_tests "$@"
