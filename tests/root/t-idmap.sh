# shellcheck shell=bash
# Idmapped bind mounts as root: a file owned by id N on disk shows in the
# container as the id the mount's mapping gives N (by default the container's
# own mapping, so N stays N inside); without idmap it would be nobody.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

# idmap_data OPTIONS_JSON [EXTRA_JQ]: a user namespace mapping 0-65535 to
# 300000, and $WORK/data (f0 owned by 0:0, f1000 by 1000:1001 on disk) bound at /tmp.
idmap_data() {
    mkdir -p "$WORK/data"
    touch "$WORK/data/f0" "$WORK/data/f1000"
    chown 1000:1001 "$WORK/data/f1000"
    cfg --arg s "$WORK/data" --argjson o "$1" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
        | .mounts += [{destination: "/tmp", type: "bind", source: $s, options: $o}]
        | .process.args = ["/probe", "stat", "/tmp/f0", "stat", "/tmp/f1000", "write", "/tmp/new"]'
}

test_idmap_container_mapping() {
    idmap_data '["bind", "idmap"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) || fail "run failed: $out"
    case $out in *'stat:/tmp/f0=ok:file 0644 0:0'*) ;; *) fail "f0 is not 0:0 inside: $out" ;; esac
    case $out in *'stat:/tmp/f1000=ok:file 0644 1000:1001'*) ;; *) fail "f1000 is not 1000:1001 inside: $out" ;; esac
    # A file the container's root makes is root's on disk.
    case $out in *'write:/tmp/new=ok'*) ;; *) fail "root cannot write through the idmapped mount: $out" ;; esac
    [ "$(stat -c %u:%g "$WORK/data/new")" = 0:0 ] || fail "the new file is $(stat -c %u:%g "$WORK/data/new") on disk"
}

test_idmap_mount_mappings() {
    # The mount's own mapping: disk 0 shows as host 301000, container 1000.
    idmap_data '["rbind"]'
    cfg '.mounts[-1].uidMappings = [{containerID: 0, hostID: 301000, size: 1}]
        | .mounts[-1].gidMappings = [{containerID: 0, hostID: 302000, size: 1}]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) || fail "run failed: $out"
    case $out in *'stat:/tmp/f0=ok:file 0644 1000:2000'*) ;; *) fail "f0 is not 1000:2000 inside: $out" ;; esac
    case $out in *'stat:/tmp/f1000=ok:file 0644 65534:65534'*) ;; *) fail "f1000 is mapped: $out" ;; esac
}

test_without_idmap_is_nobody() {
    idmap_data '["bind"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) || fail "run failed: $out"
    case $out in *'stat:/tmp/f0=ok:file 0644 65534:65534'*) ;; *) fail "f0 is not nobody without idmap: $out" ;; esac
}
