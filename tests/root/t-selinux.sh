# shellcheck shell=bash
# Where SELinux is enabled (/sys/fs/selinux/enforce exists) burrow cannot
# apply a label: it refuses it in one line, before anything is made. This
# host has no SELinux: a private mount namespace shows burrow an enforce file.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

# with_selinux CMD...: CMD in a mount namespace whose /sys/fs has selinux/enforce
# (and the host's /sys/fs/cgroup).
with_selinux() {
    mkdir -p "$WORK/cg"
    unshare -m --propagation private sh -c '
        mount --rbind /sys/fs/cgroup "$0/cg" && mount -t tmpfs none /sys/fs &&
        mkdir /sys/fs/cgroup /sys/fs/selinux && echo 1 > /sys/fs/selinux/enforce &&
        mount --move "$0/cg" /sys/fs/cgroup || exit 99
        exec "$@"' "$WORK" "$@"
}

test_selinux_labels_refused_where_selinux_is_enabled() {
    local field
    cp "$BUNDLE/config.json" "$WORK/config.orig.json"
    for field in linux.mountLabel process.selinuxLabel; do
        jq --arg f "$field" 'if $f == "linux.mountLabel" then .linux.mountLabel = "system_u:object_r:container_file_t:s0"
            else .process.selinuxLabel = "system_u:system_r:container_t:s0" end' "$WORK/config.orig.json" \
            > "$BUNDLE/config.json" || fail "jq"
        out=$(with_selinux "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" </dev/null 2>&1)
        rc=$?
        [ $rc = 99 ] && fail "could not make the SELinux stand-in"
        [ $rc = 0 ] && fail "$field on an SELinux host was accepted: $out"
        [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line: $out"
        case $out in *"$field: SELinux is enabled on this host"*) ;; *) fail "unexpected error: $out" ;; esac
        [ -e "$STATE_ROOT/$CID" ] && fail "state left behind"
    done
    # exec --process-label, into a container made without a label
    cp "$WORK/config.orig.json" "$BUNDLE/config.json"
    cfg '.process.args = ["/probe", "wait-file", "/nonexistent", "30"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    out=$(with_selinux "$RUNTIME" --root "$STATE_ROOT" exec --process-label system_u:system_r:container_t:s0 "$CID" /probe echo hi </dev/null 2>&1)
    rc=$?
    rt delete --force "$CID" >/dev/null 2>&1
    [ $rc = 0 ] && fail "exec --process-label on an SELinux host was accepted: $out"
    case $out in *"--process-label: SELinux is enabled on this host"*) ;; *) fail "unexpected error: $out" ;; esac
    return 0
}
