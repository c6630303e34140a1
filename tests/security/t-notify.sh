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

# manager: the service manager's datagram socket in the background, printing
# what arrives (newlines as spaces) until READY=1.
manager() {
    command -v python3 >/dev/null || skip "python3 not installed"
    [ -d "$ROOTFS/run/notify" ] || writable_rootfs
    NOTIFY_HOST=$TEST_DIR/manager.sock
    bg manager python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
while True:
    m = s.recv(4096).decode()
    print(m.replace("\n", " "), flush=True)
    if "READY=1" in m.split("\n"):
        break
' "$NOTIFY_HOST"
    wait_for 5 test -S "$NOTIFY_HOST" || fail "the manager's socket did not appear"
}

test_notify_mainpid_of_the_container_dropped() {
    burrow_only "burrow's relay"
    manager
    bg victim sleep 60
    local victim=$BG_PID
    probe_args notify "MAINPID=$victim" notify "$(printf 'MAINPID=%s\nREADY=1\nSTATUS=up' "$victim")" sleep 30
    capture env NOTIFY_SOCKET="$NOTIFY_HOST" "$RUNTIME" --root "$STATE_ROOT" run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    bg_wait manager
    local pid
    pid=$(ct_pid "$CID")
    assert_not_contains "$OUT" "MAINPID=$victim" "what the manager got"
    assert_contains "$OUT" "READY=1 STATUS=up MAINPID=$pid" "what the manager got"
    kill "$victim"
    wait "$victim" 2>/dev/null
    kill_and_delete "$CID"
}

run_tests "$@"
