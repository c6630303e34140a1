#!/bin/bash
# The NOTIFY_SOCKET relay naming another process as the service's main one.
# Under a service manager that waits for readiness (systemd's Type=notify),
# burrow relays what the container sends to its /run/notify/notify.sock,
# adding MAINPID=<the container's pid> to READY=1. systemd takes the first
# MAINPID= of a message, and from root (a system service's burrow) one that
# names any process at all: it would then watch that process and signal it
# when the service stops. The container's own MAINPID= never goes on.
# And the directory of the container's socket, in burrow's state directory,
# is no place for the container's files (a runtime directory filled up, a
# subdirectory burrow cannot enter at delete): bound read-only, as runc does.
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

test_notify_dir_read_only() {
    burrow_only "burrow's relay"
    notify_manager
    set_args /bin/sh -c 'echo x > /run/notify/filler; mkdir /run/notify/d && : > /run/notify/d/f && chmod 000 /run/notify/d
ls -A /run/notify | tr "\n" " "; echo; exec /probe notify READY=1 sleep 30'
    capture env NOTIFY_SOCKET="$NOTIFY_HOST" "$RUNTIME" --root "$STATE_ROOT" run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    bg_wait notify
    assert_contains "$OUT" "READY=1" "the relay still works"
    assert_eq "$(ls -A "$STATE_ROOT/$CID/notify" | tr '\n' ' ')" "notify.sock " "the socket's directory"
    kill_and_delete "$CID"
    [ -e "$STATE_ROOT/$CID" ] && fail "delete left $STATE_ROOT/$CID behind"
    return 0
}

run_tests "$@"
