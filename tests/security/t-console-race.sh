# shellcheck shell=bash
# /dev/console swapped for a symlink during setup (runc's CVE-2025-52565):
# with process.terminal burrow binds the pty onto /dev/console after
# pivot_root, when the pty exists. A container that replaces the mount point
# meanwhile (here a createContainer hook, which runs in the container's mount
# namespace as its root; a volume shared with another container would do the
# same) must not get the bind redirected onto what the link names: a file of
# its image (the pty over /proc/sys/... would let it write there) or a host
# path. burrow made the mount point itself and binds onto that very file by
# its fd: it refuses to go on once the file was replaced.
# Rootless, through tests/rootless/lib.sh (a leak check after each test).
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

RECVTTY=$BURROW_TEST_DIR/recvtty

# swap_hook TARGET: a createContainer hook replacing $ROOTFS/dev/console (the
# container's /dev tmpfs, seen from its mount namespace before pivot_root)
# with a symlink to TARGET.
swap_hook() {
    cat > "$TEST_DIR/swap.sh" <<'SH'
#!/bin/sh
cat > /dev/null
rm -f "$1/dev/console" && ln -s "$2" "$1/dev/console" && echo swapped > "$3"
SH
    chmod +x "$TEST_DIR/swap.sh"
    add_hook createContainer "$(hook_json "$TEST_DIR/swap.sh" swap.sh "$ROOTFS" "$1" "$TEST_DIR/swapped")"
}

# race_run: create with a console socket (recvtty), start when create
# succeeded. Sets CREATE_RC and TTY (what came through the pty).
race_run() {
    [ -x "$RECVTTY" ] || fail "$RECVTTY missing (run tests/rootless/run as root: it builds recvtty.c)"
    local sock=$TEST_DIR/t.sock
    bg t "$RECVTTY" --timeout 20 "$sock" "$TEST_DIR/t.tty"
    wait_for 5 test -S "$sock" || fail "recvtty did not listen on $sock"
    capture rt create --bundle "$BUNDLE" --console-socket "$sock" "$CID"
    CREATE_RC=$RC CREATE_ERR=$ERR
    if [ "$CREATE_RC" = 0 ]; then
        rtc start "$CID"
        assert_ok
        wait_status "$CID" stopped
        rtc delete "$CID"
        assert_ok
    fi
    bg_wait t
    TTY=$(tr -d '\r' < "$TEST_DIR/t.tty" 2>/dev/null)
}

# The outcome either way: the hook did swap; create refused with one line
# naming /dev/console, or the process ran with /dev/console still its pty
# and nothing mounted where the link points.
assert_not_redirected() {
    local target=$1
    [ -s "$TEST_DIR/swapped" ] || fail "the hook did not swap /dev/console"
    if [ "$CREATE_RC" != 0 ]; then
        RC=$CREATE_RC ERR=$CREATE_ERR
        assert_fail_with "/dev/console" "console"
        return
    fi
    OUT=$TTY
    assert_match "$(pv stat:/dev/console)" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 136,[0-9]+$' "/dev/console"
    [ -z "$(mount_line "$target")" ] || fail "the pty was bound onto the link's target: $(mount_line "$target")"
}

test_console_swapped_for_link_to_image_file() {
    cfg '.process.terminal = true'
    swap_hook /etc/hostname
    probe_args dump stat /dev/console read /etc/hostname
    race_run
    assert_not_redirected /etc/hostname
    [ "$CREATE_RC" != 0 ] || assert_match "$(pv read:/etc/hostname)" '^ok:' "/etc/hostname still the image's file"
}

test_console_swapped_for_link_to_host_path() {
    cfg '.process.terminal = true'
    echo untouched > "$TEST_DIR/host-target"
    swap_hook "$TEST_DIR/host-target"
    probe_args dump stat /dev/console
    race_run
    assert_not_redirected "$TEST_DIR/host-target"
    assert_eq "$(cat "$TEST_DIR/host-target")" untouched "the host file the link named"
    grep -q " $TEST_DIR/host-target " /proc/self/mountinfo && fail "a mount appeared on the host path"
    return 0
}

run_tests "$@"
