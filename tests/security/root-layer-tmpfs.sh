#!/bin/bash
# A container filling the tmpfs that holds burrow's state directory. Where
# the state root is a tmpfs (a user's /run/user/UID, root's /run), the
# container's own overlay layer was a directory in it, so a container that
# wrote its root full filled the tmpfs every program of the user's session
# shares: its sockets, its services' files, the other containers' state.
# The attack (run as root by tests/security/run, acting as $USER1 through
# $AS_USER): on a 16 MiB tmpfs state root, an --overlay container writes
# 40 MiB to its root, with each driver, and stays. Meanwhile another
# container must still be created there and the user's own file written;
# afterwards nothing is left.

u1() { BURROW_TEST_USER=$USER1 "$AS_USER" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

# tmpfs_root: $WORK/rt, a 16 MiB tmpfs of $USER1's (unmounted on exit), and
# a rootless bundle of $USER1's in $WORK/b1 that fills its root, then sleeps.
tmpfs_root() {
    RT=$WORK/rt
    mkdir -p "$RT"
    mount -t tmpfs -o size=16m,mode=0700 burrow-test-layer "$RT" || fail "mount tmpfs"
    chown "$USER1" "$RT"
    trap 'u1 "$RT_USER" --root "$RT/state" delete --force fill >/dev/null 2>&1
          u1 "$RT_USER" --root "$RT/state" delete --force other >/dev/null 2>&1
          for i in 1 2 3 4 5 6 7 8 9 10; do umount "$RT" 2>/dev/null && break; sleep 0.5; done' EXIT
    install -d -o "$USER1" "$WORK/b1"
    u1 sh -c "cd '$WORK/b1' && '$RT_USER' spec --rootless" || fail "spec --rootless"
    jq --arg r "$ROOTFS" '.root = {path: $r, readonly: false} | .process.terminal = false
        | .process.args = ["/bin/sh", "-c", "dd if=/dev/zero of=/big bs=1M count=40 2>/dev/null; touch /done; sleep 60"]' \
        "$WORK/b1/config.json" > "$WORK/c" && mv "$WORK/c" "$WORK/b1/config.json"
    chmod 0644 "$WORK/b1/config.json"
}

used_kib() { df -k --output=used "$RT" | tail -1 | tr -d ' '; }

fill_with() {
    local drv=$1 i out
    tmpfs_root
    u1 "$RT_USER" --root "$RT/state" run -d --overlay --overlay-driver "$drv" --bundle "$WORK/b1" fill \
        </dev/null >/dev/null 2>"$WORK/err" || fail "run --overlay-driver $drv: $(cat "$WORK/err")"
    for i in $(seq 100); do
        u1 "$RT_USER" --root "$RT/state" exec fill test -e /done 2>/dev/null && break
        sleep 0.2
    done
    u1 "$RT_USER" --root "$RT/state" exec fill test -e /done || fail "the container did not finish writing"
    out=$(u1 "$RT_USER" --root "$RT/state" exec fill sh -c 'du -sk /big | cut -f1')
    [ "${out:-0}" -ge 8192 ] || fail "the container wrote only ${out:-0} KiB (not a test of filling)"
    echo "the container wrote $out KiB; the state root's tmpfs holds $(used_kib) KiB"
    [ "$(used_kib)" -lt 2048 ] || fail "the container's writes filled the state root's tmpfs: $(used_kib) KiB used"
    u1 "$RT_USER" --root "$RT/state" create --bundle "$WORK/b1" other </dev/null >/dev/null 2>"$WORK/err" ||
        fail "another container's create failed: $(cat "$WORK/err")"
    u1 dd if=/dev/zero of="$RT/mine" bs=1M count=1 2>/dev/null || fail "the user's own file could not be written"
    u1 rm -f "$RT/mine"
    u1 "$RT_USER" --root "$RT/state" delete --force fill || fail "delete fill"
    u1 "$RT_USER" --root "$RT/state" delete --force other || fail "delete other"
    out=$(ls -A "$RT/state")
    [ -z "$out" ] || fail "left in the state root: $out"
    [ "$(used_kib)" -lt 64 ] || fail "the state root's tmpfs still holds $(used_kib) KiB"
    pgrep -u "$USER1" -x fuse-overlayfs >/dev/null && sleep 1
    pgrep -u "$USER1" -f "fuse-overlayfs.*$RT" >/dev/null && fail "a fuse-overlayfs of the test still runs"
    echo ok
}

test_kernel_layer_fills_only_itself() { fill_with kernel; }
test_fuse_layer_fills_only_itself() { fill_with fuse; }
