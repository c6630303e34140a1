# shellcheck shell=bash
# As root burrow could mknod, chown and chmod anywhere: a host /dev bound
# into the container must still come out exactly as it went in.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }

# A scratch stand-in for the host's /dev: nodes with their own owners and
# modes, a ptmx of mode 000.
make_hostdev() {
    HOSTDEV=$WORK/hostdev
    mkdir -m 0755 "$HOSTDEV" "$HOSTDEV/pts" "$HOSTDEV/shm" "$HOSTDEV/mqueue"
    mknod -m 0620 "$HOSTDEV/null" c 1 3 && chown 7:7 "$HOSTDEV/null"
    mknod -m 0600 "$HOSTDEV/tty" c 5 0
    mknod -m 0000 "$HOSTDEV/ptmx" c 5 2
    echo host > "$HOSTDEV/marker"
}
snapshot() {
    (cd "$HOSTDEV" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | sort && stat -c '%n %t:%T' null tty ptmx && cat marker)
}
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

test_host_dev_bound_in_left_alone_as_root() {
    make_hostdev
    local before
    before=$(snapshot)
    cfg --arg d "$HOSTDEV" '.mounts |= map(if .destination == "/dev" then
            {destination: "/dev", type: "bind", source: $d, options: ["rbind"]} else . end)
        | .linux.devices = [{path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0},
                            {path: "/dev/fuse", type: "c", major: 10, minor: 229}]
        | .process.args = ["/probe", "stat", "/dev/null", "stat", "/dev/ptmx"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null) || fail "run failed: $out"
    case $out in *"stat:/dev/ptmx=ok:chr 0000"*) ;; *) fail "ptmx is not the host's node: $out" ;; esac
    cfg '.process.args = ["/probe", "wait-file", "/nonexistent", "30"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    rt exec "$CID" /probe stat /dev/tty </dev/null >/dev/null || fail "exec failed"
    rt delete --force "$CID" || fail "delete failed"
    [ "$(snapshot)" = "$before" ] || fail "the bound-in /dev changed: $(diff <(echo "$before") <(snapshot))"
}
