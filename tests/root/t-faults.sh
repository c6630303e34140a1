# shellcheck shell=bash
# A full disk under the state root (a small tmpfs): create fails with one
# clear line and leaves nothing (no half-made directory, no half-written
# state.json, no temp file); a container made before the disk filled stays
# readable and deletable.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }

# full_root: $STATE_ROOT on a 1 MiB tmpfs (unmounted on exit), then filled.
full_root() {
    mkdir -p "$STATE_ROOT"
    mount -t tmpfs -o size=1m,mode=0700 burrow-test-full "$STATE_ROOT" || fail "mount tmpfs"
    trap 'umount "$STATE_ROOT"' EXIT
}
fill() { dd if=/dev/zero of="$STATE_ROOT/.fill" bs=4k 2>/dev/null; sync; }

test_full_disk_create_fails_cleanly() {
    full_root
    cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }
    cfg '.process.args = ["/probe", "sleep", "60"]'
    rt create --bundle "$BUNDLE" before || fail "create before the disk filled failed"
    fill
    out=$(rt create --bundle "$BUNDLE" "$CID" 2>&1) && fail "create on a full disk succeeded"
    [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line: $out"
    case $out in "burrow: create $CID: "*"No space left on device"*) ;; *) fail "unclear error: $out" ;; esac
    [ -e "$STATE_ROOT/$CID" ] && fail "create left $STATE_ROOT/$CID: $(ls -A "$STATE_ROOT/$CID")"
    left=$(find "$STATE_ROOT" -name '*.tmp')
    [ -z "$left" ] || fail "temp files left: $left"
    st=$(rt state before) || fail "the earlier container's state is unreadable: $st"
    [ "$(echo "$st" | jq -r .status)" = created ] || fail "the earlier container: $st"
    rt delete --force before || fail "delete on a full disk failed"
    [ -e "$STATE_ROOT/before" ] && fail "delete left $STATE_ROOT/before"
    rm -f "$STATE_ROOT/.fill"
    echo ok
}
