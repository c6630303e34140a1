# shellcheck shell=bash
# Namespaces (new, absent, joined by path, time offsets) and id mappings.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# assert_new_ns NAME: the probe's namespace NAME differs from the harness's.
assert_new_ns() { assert_ne "$(pv "ns.$1")" "$(host_ns "$1")" "ns.$1 (must be new)"; }
assert_host_ns() { assert_eq "$(pv "ns.$1")" "$(host_ns "$1")" "ns.$1 (must be the host's)"; }

test_user_ns() {
    probe_ok
    assert_new_ns user
    assert_line uid_map "0 $MY_UID 1"
}

test_pid_ns() {
    probe_ok
    assert_new_ns pid
    assert_line pid 1
    assert_line ppid 0
}

test_mount_ns() {
    probe_ok
    assert_new_ns mnt
}

test_ipc_ns() {
    probe_ok
    assert_new_ns ipc
}

test_uts_ns() {
    cfg '.hostname = "in-uts"'
    probe_ok
    assert_new_ns uts
    assert_line hostname in-uts
    assert_eq "$(hostname)" "$(uname -n)" "host hostname unchanged"
}

test_network_ns_only_lo_up() {
    add_ns network
    probe_ok
    assert_new_ns net
    assert_line netifs lo
    assert_line netif.lo UP
}

test_no_network_ns_is_host() {
    del_ns network
    probe_ok
    assert_host_ns net
}

test_cgroup_ns() {
    add_ns cgroup
    probe_ok
    assert_new_ns cgroup
}

test_no_cgroup_ns_is_host() {
    del_ns cgroup
    probe_ok
    assert_host_ns cgroup
}

# runc 1.1 does not know the time namespace (runc 1.2 does).
test_time_ns_offsets() {
    [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
    add_ns time
    cfg '.linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 0}, boottime: {secs: 172800, nanosecs: 0}}'
    local host_boot
    read -r host_boot _ < /proc/uptime   # CLOCK_BOOTTIME
    probe_ok
    assert_new_ns time
    local c_mono c_boot c_up
    c_mono=$(pv monotonic) c_boot=$(pv boottime) c_up=$(pv uptime)
    # The offsets dwarf the few seconds of the test: compare whole days.
    local d_boot=$(( ${c_boot%.*} - ${host_boot%.*} ))
    [ "$d_boot" -ge 172790 ] && [ "$d_boot" -le 172860 ] || fail "boottime offset: container $c_boot, host $host_boot"
    local d_up=$(( ${c_up%.*} - ${host_boot%.*} ))
    [ "$d_up" -ge 172790 ] && [ "$d_up" -le 172860 ] || fail "/proc/uptime offset: container $c_up, host $host_boot"
    # monotonic and boottime differ by the host's suspend time (none here) plus the offsets
    local d_mono=$(( ${c_boot%.*} - ${c_mono%.*} ))
    [ "$d_mono" -ge 86390 ] && [ "$d_mono" -le 86410 ] || fail "monotonic offset: container monotonic $c_mono, boottime $c_boot"
}

# runc 1.1 ignores timeOffsets (no time namespace support at all).
test_time_offsets_without_time_ns_fail() {
    [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
    del_ns time
    cfg '.linux.timeOffsets = {monotonic: {secs: 10, nanosecs: 0}}'
    probe_run
    [ "$RC" != 0 ] || fail "timeOffsets accepted without a time namespace"
}

# create_first: container "$CID-a" from this bundle, created and sleeping, its
# namespaces there to join; FIRST_PID is its pid. Makes "$TEST_DIR/b" for B's bundle.
create_first() {
    probe_args sleep 30
    capture rt create --bundle "$BUNDLE" "$CID-a"
    assert_ok
    FIRST_PID=$(ct_pid "$CID-a")
    mkdir -p "$TEST_DIR/b"
}

test_join_namespaces_by_path() {
    # A: a first container, created (its namespaces exist) and sleeping
    add_ns network
    cfg '.hostname = "first"'
    create_first
    local apid=$FIRST_PID
    # B: joins A's user, uts and network namespaces (joining a namespace owned
    # by another user namespace needs to be in that user namespace). B keeps
    # A's id mappings: runc insists on them even when joining a user namespace
    # (the spec allows them; burrow must accept them).
    jq --arg p "/proc/$apid/ns" '
        .linux.namespaces = [.linux.namespaces[] | select(.type != "user" and .type != "uts" and .type != "network")]
            + [{type: "user", path: ($p + "/user")}, {type: "uts", path: ($p + "/uts")}, {type: "network", path: ($p + "/net")}]
        | del(.hostname)
        | .process.args = ["/probe"]' "$BUNDLE/config.json" > "$TEST_DIR/b/config.json"
    capture rt run --bundle "$TEST_DIR/b" "$CID-b"
    assert_ok
    assert_line ns.user "$(pid_ns "$apid" user)"
    assert_line ns.uts "$(pid_ns "$apid" uts)"
    assert_line ns.net "$(pid_ns "$apid" net)"
    assert_ne "$(pv ns.pid)" "$(pid_ns "$apid" pid)" "ns.pid (not joined: must be new)"
    assert_line hostname first
    assert_line uid_map "0 $MY_UID 1"
    rtc delete --force "$CID-a"
    assert_ok
}

# The runtime spec neither requires nor forbids id mappings when the user
# namespace is joined: runc 1.1 insists on them (test above), crun accepts
# their absence; burrow must accept both.
test_join_user_namespace_without_mappings() {
    create_first
    local apid=$FIRST_PID
    jq --arg p "/proc/$apid/ns/user" '
        .linux.namespaces = [.linux.namespaces[] | select(.type != "user")] + [{type: "user", path: $p}]
        | del(.linux.uidMappings) | del(.linux.gidMappings) | .process.args = ["/probe"]' \
        "$BUNDLE/config.json" > "$TEST_DIR/b/config.json"
    capture rt run --bundle "$TEST_DIR/b" "$CID-b"
    assert_ok
    assert_line ns.user "$(pid_ns "$apid" user)"
    assert_line uid 0
    rtc delete --force "$CID-a"
    assert_ok
}

test_join_missing_namespace_path_fails() {
    add_ns uts /proc/999999999/ns/uts
    probe_run
    [ "$RC" != 0 ] || fail "joining a namespace at a missing path succeeded"
}

# ---------------------------------------------------------------- id maps

test_idmap_single_own_id() {
    # one id, our own: written directly (no newuidmap), setgroups denied
    probe_ok
    assert_line uid_map "0 $MY_UID 1"
    assert_line gid_map "0 $MY_GID 1"
    assert_line setgroups deny
    assert_line uid 0
}

test_idmap_subordinate_range() {
    userns_full
    probe_ok
    assert_line uid_map "0 $MY_UID 1;1 $SUBUID_START $SUBUID_COUNT"
    assert_line gid_map "0 $MY_GID 1;1 $SUBGID_START $SUBGID_COUNT"
    assert_line setgroups allow
}

test_idmap_user_in_range() {
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000}'
    probe_ok stat /probe dump
    assert_line uid 1000
    assert_line gid 1000
    # the caller's files are root's inside
    assert_match "$(pv stat:/probe)" '^ok:file 0755 0:0$' "/probe owner"
}

test_idmap_part_of_range() {
    cfg --argjson u "$MY_UID" --argjson g "$MY_GID" --argjson us "$((SUBUID_START + 1000))" --argjson gs "$((SUBGID_START + 1000))" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1000, hostID: $us, size: 100}]
        | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1000, hostID: $gs, size: 100}]'
    probe_ok
    assert_line uid_map "0 $MY_UID 1;1000 $((SUBUID_START + 1000)) 100"
    assert_line gid_map "0 $MY_GID 1;1000 $((SUBGID_START + 1000)) 100"
}

# runc 1.1 fails this: it fchown()s the stdio it passes to the container's
# root (host $SUBUID_START), which an unprivileged caller may not do.
test_idmap_root_from_subordinate_range() {
    # container root need not be the caller
    cfg --argjson us "$SUBUID_START" --argjson gs "$SUBGID_START" '
        .linux.uidMappings = [{containerID: 0, hostID: $us, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: $gs, size: 65536}]'
    probe_ok
    assert_line uid 0
    assert_line uid_map "0 $SUBUID_START 65536"
}

test_idmap_unentitled_uid() {
    cfg --argjson u "$MY_UID" --argjson bad "$UNENTITLED_ID" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $bad, size: 1000}]'
    probe_run
    [ "$RC" != 0 ] || fail "an unentitled uid mapping (host $UNENTITLED_ID) was accepted"
    [ -z "$OUT" ] || fail "the process ran: $OUT"
    # burrow: a clear error naming the file and the range
    assert_fail_with /etc/subuid
    [ "$RT_KIND" = burrow ] && assert_match "$ERR" "($UNENTITLED_ID|$SUBUID_START)" "error names the range"
    rtc state "$CID"
    [ "$RC" != 0 ] || fail "container state left after the failure"
}

test_idmap_unentitled_gid() {
    cfg --argjson g "$MY_GID" --argjson bad "$UNENTITLED_ID" '
        .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $bad, size: 1000}]'
    probe_run
    [ "$RC" != 0 ] || fail "an unentitled gid mapping was accepted"
    assert_fail_with /etc/subgid
}

test_idmap_other_single_id_unentitled() {
    # one id, but not ours and not in our range
    cfg --argjson bad "$UNENTITLED_ID" '.linux.uidMappings = [{containerID: 0, hostID: $bad, size: 1}]'
    probe_run
    [ "$RC" != 0 ] || fail "mapping root to host $UNENTITLED_ID was accepted"
    assert_fail_with /etc/subuid
}

run_tests "$@"
