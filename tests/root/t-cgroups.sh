# shellcheck shell=bash
# cgroups as root on this machine's real v1/hybrid layout, where root's
# memory cgroup is /process_api/ID and every other controller's is /: the
# container's cgroup is below the caller's own in each hierarchy (as runc),
# so limits, pause/resume and delete work in all of them; its
# /sys/fs/cgroup shows its own cgroups only; a device cgroup enforces
# linux.resources.devices.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
skip() { echo "$*"; exit 77; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }
v1_only() {
    [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] || skip "not a cgroup v1 or hybrid host"
}
own() { awk -F: -v c="$1" '$2 == c {print $3}' /proc/self/cgroup; }
cg() { local o; o=$(own "$1"); echo "/sys/fs/cgroup/${2:-$1}${o%/}/$CID"; }
no_cgroup_left() {
    local left
    left=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$CID*" 2>/dev/null)
    [ -z "$left" ] || fail "cgroups left: $left"
}

test_each_controller_at_its_own_path_as_root() {
    v1_only
    cfg '.linux.resources.pids = {limit: 3} | .process.args = ["sleep", "100"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null || fail "run failed"
    local pid cgs
    pid=$(rt state "$CID" | jq .pid)
    cgs=$(cat /proc/"$pid"/cgroup)
    for c in memory pids freezer cpu devices name=systemd; do
        case $cgs in *":$c:$(own "$c" | sed 's|/$||')/$CID"*) ;; *) fail "no $c cgroup of its own: $cgs" ;; esac
    done
    [ "$(cat "$(cg pids)/pids.max")" = 3 ] || fail "pids.max: $(cat "$(cg pids)/pids.max")"
    out=$(rt exec "$CID" sh -c 'sleep 5 & sleep 5 & echo forked both' 2>&1)
    case $out in *"forked both"*) fail "the pids limit did not bite: $out" ;; esac
    rt pause "$CID" || fail "pause failed"
    [ "$(cat "$(cg freezer)/freezer.state")" = FROZEN ] || fail "not frozen"
    rt resume "$CID" || fail "resume failed"
    rt update --pids-limit 7 "$CID" || fail "update failed"
    [ "$(cat "$(cg pids)/pids.max")" = 7 ] || fail "update: pids.max"
    rt delete --force "$CID" || fail "delete failed"
    no_cgroup_left
}

# runc's default config denies every device but its defaults: the host's
# /dev/fuse bound in cannot be opened; a rule allowing it lets it open.
test_devices_deny_all_stops_opening_fuse() {
    v1_only
    [ -c /dev/fuse ] || skip "no /dev/fuse"
    cfg '.mounts += [{destination: "/dev/fuse", type: "bind", source: "/dev/fuse", options: ["bind"]}]
        | .linux.resources.devices = [{allow: false, access: "rwm"}]
        | .process.args = ["sh", "-c", "exec 3</dev/fuse && echo opened"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) && fail "/dev/fuse opened under deny-all: $out"
    case $out in *"Operation not permitted"*) ;; *) fail "not refused by the device cgroup: $out" ;; esac
    cfg '.linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 229, access: "rw"}]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) || fail "allowed, yet: $out"
    [ "$out" = opened ] || fail "output: $out"
    no_cgroup_left
}

# Two containers: from inside one, the other's cgroup is nowhere, and
# /sys/fs/cgroup is a tmpfs with one read-only bind per hierarchy: as many
# mounts as runc makes (10 on this machine; 22 before, the host's whole tree).
test_container_sees_only_its_own_cgroups_as_root() {
    v1_only
    cfg '.process.args = ["sleep", "100"]'
    rt run -d --bundle "$BUNDLE" "$CID-b" </dev/null || fail "run b failed"
    cfg '.process.args = ["sh", "-c", "find /sys/fs/cgroup -maxdepth 2 -type d; grep -c \" /sys/fs/cgroup\" /proc/self/mountinfo; ls /sys/fs/cgroup | wc -l; echo 1 > /sys/fs/cgroup/pids/pids.max || echo refused"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) || fail "run failed: $out"
    case $out in *"$CID-b"*) fail "the sibling's cgroup is visible: $out" ;; esac
    case $out in *process_api*) fail "the host's memory cgroups are visible: $out" ;; esac
    case $out in *refused*) ;; *) fail "the cgroup was writable: $out" ;; esac
    local mounts dirs
    mounts=$(echo "$out" | grep -x '[0-9]*' | head -1)
    dirs=$(echo "$out" | grep -x '[0-9]*' | sed -n 2p)
    [ "$mounts" = $((dirs + 1)) ] || fail "mounts at /sys/fs/cgroup: $mounts for $dirs hierarchies"
    [ "$mounts" -le 11 ] || fail "mounts at /sys/fs/cgroup: $mounts"
    if command -v runc >/dev/null; then # the same bundle under runc: as many mounts
        local r
        r=$(runc --root "$WORK/runc" run "$CID-r" </dev/null 2>&1 | grep -x '[0-9]*' | head -1)
        [ -z "$r" ] || [ "$r" = "$mounts" ] || fail "runc makes $r mounts at /sys/fs/cgroup, burrow $mounts"
        runc --root "$WORK/runc" delete -f "$CID-r" >/dev/null 2>&1
    fi
    rt delete --force "$CID-b" || fail "delete b failed"
    no_cgroup_left
}

# exec --cgroup: a sub-cgroup of the container's, in every hierarchy or one.
test_exec_cgroup_as_root() {
    v1_only
    cfg '.process.args = ["sleep", "100"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null || fail "run failed"
    mkdir "$(cg pids)/sub" "$(cg memory)/sub"
    out=$(rt exec --cgroup pids:sub --cgroup memory:sub "$CID" cat /proc/self/cgroup </dev/null 2>&1) || fail "exec failed: $out"
    # "pids:/sub" from a cgroup namespace of its own, else the whole path (runc's spec has none)
    case $out in *"pids:/sub"*|*"pids:/$CID/sub"*) ;; *) fail "not in the pids sub-cgroup: $out" ;; esac
    [ -z "$(cat "$(cg pids)/sub/cgroup.procs")" ] || fail "the exec'd process left behind"
    out=$(rt exec --cgroup sub "$CID" true </dev/null 2>&1) && fail "a sub-cgroup missing in cpu: accepted"
    case $out in *"no sub-cgroup"*) ;; *) fail "error: $out" ;; esac
    out=$(rt exec --cgroup pids:../.. "$CID" true </dev/null 2>&1) && fail "--cgroup ../..: accepted"
    case $out in *"leaves the container's cgroup"*) ;; *) fail "error: $out" ;; esac
    rt delete --force "$CID" || fail "delete failed"
    no_cgroup_left
}

# net_cls/net_prio: where the host has them, written; here it has not: one line.
test_network_resources_as_root() {
    v1_only
    cfg '.linux.resources.network = {classID: 1048577}'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null 2>&1) && [ -d /sys/fs/cgroup/net_cls ] && return 0
    [ -d /sys/fs/cgroup/net_cls ] && fail "net_cls: $out"
    case $out in "burrow: run $CID: cgroup: this host has no net_cls controller"*) ;; *) fail "error: $out" ;; esac
    no_cgroup_left
}

# The device rules are in place before the child makes its nodes: as root the
# child is born in the cgroup and mknods /dev/null at once, and rules being
# written then (deny all, then each allow) refused it now and then (the bench
# saw 2 of 120 runs fail with "mknod /dev/null: Operation not permitted").
test_devices_rules_before_the_child_makes_nodes() {
    v1_only
    cfg '.process.args = ["/bin/true"]'
    local i failed=0
    for i in $(seq 1 30); do
        rt run --bundle "$BUNDLE" "$CID-$i" </dev/null >"$WORK/out.$i" 2>&1 &
    done
    wait
    for i in $(seq 1 30); do
        grep -q "Operation not permitted" "$WORK/out.$i" && { failed=1; cat "$WORK/out.$i"; }
    done
    [ $failed = 0 ] || fail "a run's mknod was refused by the device rules being written"
    no_cgroup_left
}

# A hybrid host with its cgroup2 unmounted (crun's way on it, as bench/run
# runs every runtime): the mount point is a directory of the tmpfs below, where
# a leftover named like the container, with a plain cgroup.procs file (crun
# leaves such), was taken for the container's cgroup2: its pid written into
# the file, and delete failing on the directory (not empty).
test_unmounted_cgroup2_directory_is_not_a_cgroup() {
    v1_only
    [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] || skip "no cgroup2 at /sys/fs/cgroup/unified"
    export -f rt fail
    unshare -m --propagation private bash -c '
        umount /sys/fs/cgroup/unified || fail "umount the cgroup2"
        d=/sys/fs/cgroup/unified/$CID
        mkdir "$d" && touch "$d/cgroup.procs" || fail "plant $d"
        trap "rm -f $d/cgroup.procs; rmdir $d" EXIT
        rt create --bundle "$BUNDLE" "$CID" || fail "create failed"
        jq -e ".controllers | index(\"\")" "$STATE_ROOT/$CID/cgroup.json" >/dev/null &&
            fail "joined it as the cgroup2: $(cat "$STATE_ROOT/$CID/cgroup.json")"
        [ -s "$d/cgroup.procs" ] && fail "wrote into $d/cgroup.procs: $(cat "$d/cgroup.procs")"
        rt delete --force "$CID" || fail "delete failed"
        [ -e "$STATE_ROOT/$CID" ] && fail "delete left its state"
        exit 0' || exit 1
    no_cgroup_left
    echo ok
}
