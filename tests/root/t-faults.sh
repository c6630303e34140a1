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
    trap 'for i in 1 2 3 4 5 6 7 8 9 10; do umount "$STATE_ROOT" 2>/dev/null && break; echo "busy: $(ls -l /proc/[0-9]*/cwd /proc/[0-9]*/fd/* 2>/dev/null | grep "$STATE_ROOT" | head -3)"; sleep 0.5; done' EXIT
}
fill() { dd if=/dev/zero of="$STATE_ROOT/.fill" bs=4k 2>/dev/null; sync; }

test_full_disk_create_fails_cleanly() {
    full_root
    cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }
    cfg '.process.args = ["/probe", "sleep", "60"]'
    rt create --bundle "$BUNDLE" before || fail "create before the disk filled failed"
    fill
    rt create --bundle "$BUNDLE" "$CID" > "$WORK/create.out" 2>&1 && fail "create on a full disk succeeded"
    out=$(cat "$WORK/create.out")
    [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line: $out"
    case $out in "burrow: create $CID: "*"No space left on device"*) ;; *) fail "unclear error: $out" ;; esac
    [ -e "$STATE_ROOT/$CID" ] && fail "create left $STATE_ROOT/$CID: $(ls -A "$STATE_ROOT/$CID")"
    left=$(find "$STATE_ROOT" -name '*.tmp')
    [ -z "$left" ] || fail "temp files left: $left"
    st=$(rt state before) || fail "the earlier container's state is unreadable: $st"
    [ "$(echo "$st" | jq -r .status)" = created ] || fail "the earlier container: $st"
    rt delete --force before || fail "delete on a full disk failed"
    [ -e "$STATE_ROOT/before" ] && fail "delete left $STATE_ROOT/before"
    # With 1, 2, ... pages free, the disk fills at each write of create in
    # turn (cgroup.json, init.pid, state.json, their temp files): create
    # either works whole or fails with one line and leaves nothing.
    local pages size
    size=$(stat -c %s "$STATE_ROOT/.fill")
    for pages in 1 2 3 4 5 6 8; do
        truncate -s $((size - pages * 4096)) "$STATE_ROOT/.fill"
        # (output to a file: a created container keeps a pipe open)
        if rt create --bundle "$BUNDLE" "$CID" > "$WORK/create.out" 2>&1; then
            st=$(rt state "$CID") || fail "created with $pages pages free, but state fails: $st"
            rt delete --force "$CID" || fail "delete with $pages pages free failed"
        else
            out=$(cat "$WORK/create.out")
            [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line with $pages pages free: $out"
            case $out in *"No space left on device"*) ;; *) fail "unclear error with $pages pages free: $out" ;; esac
        fi
        [ -e "$STATE_ROOT/$CID" ] && fail "left $STATE_ROOT/$CID with $pages pages free: $(ls -A "$STATE_ROOT/$CID")"
        left=$(find "$STATE_ROOT" -name '*.tmp')
        [ -z "$left" ] || fail "temp files left with $pages pages free: $left"
        truncate -s "$size" "$STATE_ROOT/.fill" 2>/dev/null
    done
    rm -f "$STATE_ROOT/.fill"
    echo ok
}
