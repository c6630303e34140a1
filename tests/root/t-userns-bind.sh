# shellcheck shell=bash
# As root with a user namespace the container's process turns into a mapped
# id before it mounts: a bind source only the real root can reach must have
# been opened before that (as runc does), and still be bound read-only.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

# userns_bind OPTIONS_JSON: maps 0 to 200000 and binds $WORK/priv/m (under a
# 0700 directory of root's) at /tmp.
userns_bind() {
    mkdir -p "$WORK/priv/m"
    echo secret > "$WORK/priv/m/f"
    chmod 0755 "$WORK/priv/m" && chmod 0644 "$WORK/priv/m/f" && chmod 0700 "$WORK/priv"
    cfg --arg s "$WORK/priv/m" --argjson o "$1" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
        | .mounts += [{destination: "/tmp", type: "bind", source: $s, options: $o}]'
}

test_userns_bind_source_only_root_can_reach() {
    userns_bind '["bind", "ro"]'
    cfg '.process.args = ["/probe", "read", "/tmp/f", "write", "/tmp/g"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" 2>&1) || fail "run failed: $out"
    case $out in *'read:/tmp/f=ok:secret'*) ;; *) fail "the bound file was not read: $out" ;; esac
    case $out in *'write:/tmp/g=EROFS'*) ;; *) fail "the bind is not read-only: $out" ;; esac
}

test_userns_rbind_source_only_root_can_reach() {
    userns_bind '["rbind"]'
    cfg '.process.args = ["/probe", "read", "/tmp/f"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" 2>&1) || fail "run failed: $out"
    case $out in *'read:/tmp/f=ok:secret'*) ;; *) fail "the bound file was not read: $out" ;; esac
}

test_userns_bind_missing_source_is_one_line() {
    userns_bind '["bind"]'
    cfg --arg s "$WORK/nosuch" '.mounts[-1].source = $s'
    out=$(rt run --bundle "$BUNDLE" "$CID" 2>&1) && fail "run with a missing bind source succeeded"
    [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line: $out"
    case $out in *"nosuch"*"No such file"*) ;; *) fail "unexpected error: $out" ;; esac
    [ -e "$STATE_ROOT/$CID" ] && fail "state left behind"
    return 0
}
