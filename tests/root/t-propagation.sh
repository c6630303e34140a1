# shellcheck shell=bash
# rshared volumes (Kubernetes' Bidirectional mount propagation): with
# rootfsPropagation rshared the container's bind of a shared host mount is a
# peer of it, as with runc (the host's peer group, not a slave of it), so
# mounts travel both ways. Only the mount holding the rootfs is made private.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

# shared_dir: $WORK/shared as a shared mount of its own (unmounted on exit).
shared_dir() {
    H=$WORK/shared
    mkdir -p "$H"
    mount --bind "$H" "$H" && mount --make-shared "$H" || fail "cannot make $H a shared mount"
    trap 'umount -R "$H" 2>/dev/null' EXIT
    mkdir -p "$H/fromhost" "$H/fromct"
}

test_rshared_volume_carries_mounts_both_ways() {
    shared_dir
    cfg --arg s "$H" '.linux.rootfsPropagation = "rshared"
        | .mounts += [{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rshared"]}]
        | .process.args = ["/probe", "wait-file", "/nonexistent", "30"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    mount -t tmpfs -o size=1m fromhost "$H/fromhost" || fail "host mount failed"
    out=$(rt exec "$CID" /probe dump </dev/null) || fail "exec dump failed"
    case $out in *"mount=/vol/fromhost tmpfs"*) ;; *) fail "the host's mount is not in the container: $out" ;; esac
    vol=$(printf '%s\n' "$out" | grep '^mount=/vol ')
    peer=$(grep " $H $H " /proc/self/mountinfo | grep -o 'shared:[0-9]*' | head -1)
    case $vol in *"prop=$peer"|*"prop=$peer,"*) ;; *) fail "/vol is not a peer of the host's $peer: $vol" ;; esac
    out=$(rt exec --cap CAP_SYS_ADMIN "$CID" /probe syscall mount fromct /vol/fromct tmpfs </dev/null)
    case $out in *"=ok"*) ;; *) fail "mount in the container failed: $out" ;; esac
    grep -q " $H/fromct " /proc/self/mountinfo || fail "the container's mount did not reach the host"
    rt delete --force "$CID" || fail "delete failed"
    # The rootfs's own mounts stayed in the container.
    grep -q " $ROOTFS" /proc/self/mountinfo && fail "a mount of the rootfs reached the host"
    return 0
}

# The default (rslave): host mounts arrive, the container's do not leave.
test_rslave_default_is_one_way() {
    shared_dir
    cfg --arg s "$H" '.mounts += [{destination: "/vol", type: "bind", source: $s, options: ["rbind"]}]
        | .process.args = ["/probe", "wait-file", "/nonexistent", "30"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    mount -t tmpfs -o size=1m fromhost "$H/fromhost" || fail "host mount failed"
    out=$(rt exec "$CID" /probe dump </dev/null) || fail "exec dump failed"
    case $out in *"mount=/vol/fromhost tmpfs"*) ;; *) fail "the host's mount is not in the container: $out" ;; esac
    out=$(rt exec --cap CAP_SYS_ADMIN "$CID" /probe syscall mount fromct /vol/fromct tmpfs </dev/null)
    case $out in *"=ok"*) ;; *) fail "mount in the container failed: $out" ;; esac
    grep -q " $H/fromct " /proc/self/mountinfo && fail "the container's mount reached the host"
    rt delete --force "$CID" || fail "delete failed"
    return 0
}

# no_pivot with a shared root: the rootfs moved onto "/" must not show up on the host.
test_rshared_no_pivot_stays_inside() {
    shared_dir
    cfg --arg s "$H" '.linux.rootfsPropagation = "rshared"
        | .mounts += [{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rshared"]}]
        | .process.args = ["/probe", "echo", "hi"]'
    before=$(wc -l < /proc/self/mountinfo)
    out=$(rt run --no-pivot --bundle "$BUNDLE" "$CID" </dev/null 2>&1) || fail "run --no-pivot failed: $out"
    case $out in *hi*) ;; *) fail "unexpected output: $out" ;; esac
    after=$(wc -l < /proc/self/mountinfo)
    [ "$after" = "$before" ] || fail "mounts changed on the host: $before -> $after"
}
