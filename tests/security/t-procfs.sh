#!/bin/bash
# What the runtime writes or binds through procfs and /dev/null:
#   maskedPaths covered through a /dev/null the container replaced with a
#   symlink or another file (CVE-2025-31133): must be the real null device;
#   procfs writes (oom_score_adj, sysctl) redirected by a mount over the file,
#   a tmpfs over /proc/self/attr, or a /proc that is not procfs (a directory or
#   a symlink in the image) (CVE-2019-16884, CVE-2023-27561, CVE-2025-52881):
#   never written anywhere but procfs's own file.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# dev_volume NULL_KIND: /dev bound from a directory the container controls
# (a volume shared with another container), whose "null" is NULL_KIND:
# symlink (to /etc/passwd) or file (holding NOT-NULL).
dev_volume() {
    local v=$TEST_DIR/devvol
    mkdir -p "$v/pts" "$v/shm" "$v/mqueue"
    case $1 in
        symlink) ln -s /etc/passwd "$v/null" ;;
        file) echo NOT-NULL > "$v/null" ;;
    esac
    cfg --arg v "$v" '.mounts |= map(if .destination == "/dev" then {destination: "/dev", type: "bind", source: $v, options: ["rbind", "nosuid"]} else . end)
        | .linux.maskedPaths += ["/etc/hostname"]'
}

# masked_by_null: the last run refused the /dev/null, or /etc/hostname reads as the null device.
masked_by_null() {
    if [ "$RC" != 0 ]; then
        [ "$RT_KIND" = burrow ] && assert_contains "$ERR" "not the null device"
        return 0
    fi
    assert_eq "$(pv read:/etc/hostname)" "ok:" "the masked /etc/hostname"
    assert_match "$(pv stat:/etc/hostname)" "^ok:chr .* 1,3" "the masked /etc/hostname"
}

test_masked_path_dev_null_symlink() {
    dev_volume symlink
    probe_run read /etc/hostname stat /etc/hostname
    masked_by_null
}

test_masked_path_dev_null_regular_file() {
    dev_volume file
    probe_run read /etc/hostname stat /etc/hostname
    masked_by_null
}

test_masked_path_real_dev_null() {
    cfg '.linux.maskedPaths += ["/etc/hostname"]'
    probe_ok read /etc/hostname stat /etc/hostname
    masked_by_null
}

# victim_mount DEST: a host file, bound over procfs's DEST; VICTIM its path.
victim_mount() {
    VICTIM=$TEST_DIR/victim
    echo untouched > "$VICTIM"
    add_mount "$(jq -cn --arg s "$VICTIM" --arg d "$1" '{destination: $d, type: "bind", source: $s, options: ["bind"]}')"
}

test_oom_score_adj_through_a_mount() {
    victim_mount /proc/self/oom_score_adj
    cfg '.process.oomScoreAdj = 123'
    probe_run read /proc/self/oom_score_adj
    assert_eq "$(cat "$VICTIM")" untouched "the file bound over /proc/self/oom_score_adj"
    [ "$RC" = 0 ] && assert_eq "$(pv read:/proc/self/oom_score_adj)" "ok:123\\n" "oom_score_adj"
    [ "$RT_KIND" = burrow ] && assert_fail_with "write /proc/self/oom_score_adj: not procfs's own file"
    return 0
}

test_sysctl_through_a_mount() {
    victim_mount /proc/sys/kernel/domainname
    cfg '.linux.sysctl = {"kernel.domainname": "evil"}'
    probe_run
    assert_eq "$(cat "$VICTIM")" untouched "the file bound over /proc/sys/kernel/domainname"
}

test_sysctl_applied() {
    add_ns network
    cfg '.linux.sysctl = {"net.ipv4.ping_group_range": "0 0"}'
    probe_ok sysctl net.ipv4.ping_group_range
    assert_match "$(pv sysctl:net.ipv4.ping_group_range)" "^ok:0[[:space:]]+0" "ping_group_range"
}

# The image's /proc is not procfs: a directory of fake files, no proc mount.
test_proc_not_procfs() {
    writable_rootfs
    mkdir -p "$TEST_DIR/rootfs/proc/self" "$TEST_DIR/rootfs/proc/sys/kernel"
    echo untouched > "$TEST_DIR/rootfs/proc/self/oom_score_adj"
    echo untouched > "$TEST_DIR/rootfs/proc/sys/kernel/domainname"
    del_mount /proc
    cfg '.process.oomScoreAdj = 123 | .linux.sysctl = {"kernel.domainname": "evil"} | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
    probe_run
    assert_eq "$(cat "$TEST_DIR/rootfs/proc/self/oom_score_adj")" untouched "the image's fake oom_score_adj"
    assert_eq "$(cat "$TEST_DIR/rootfs/proc/sys/kernel/domainname")" untouched "the image's fake domainname"
}

# The image's /proc is a symlink (CVE-2019-19921, CVE-2023-27561): procfs is
# mounted inside the rootfs or refused, and no write lands in a fake file.
test_proc_symlink_in_image() {
    writable_rootfs
    rmdir "$TEST_DIR/rootfs/proc"
    mkdir -p "$TEST_DIR/rootfs/fake/self" "$TEST_DIR/outside"
    echo untouched > "$TEST_DIR/rootfs/fake/self/oom_score_adj"
    ln -s "../../../../../../../../$TEST_DIR/outside" "$TEST_DIR/rootfs/proc"
    cfg '.process.oomScoreAdj = 123'
    probe_run read /proc/self/oom_score_adj
    assert_eq "$(ls -A "$TEST_DIR/outside")" "" "the host directory the image's /proc points to"
    grep -q " $TEST_DIR/outside " /proc/self/mountinfo && fail "procfs mounted on the host"
    [ "$RC" = 0 ] && assert_eq "$(pv read:/proc/self/oom_score_adj)" "ok:123\\n" "oom_score_adj"
    return 0
}

# CVE-2019-16884: a tmpfs over /proc/self/attr would make an AppArmor profile a no-op.
test_apparmor_attr_under_tmpfs() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || skip "AppArmor is not enabled on this host"
    add_mount '{"destination": "/proc/self/attr", "type": "tmpfs", "source": "tmpfs"}'
    cfg '.process.apparmorProfile = "unconfined"'
    probe_run
    [ "$RC" != 0 ] || fail "the profile was written into a tmpfs and the container ran"
}

# The same under valgrind, which answers ENOSYS for openat2, open_tree and
# mount_setattr: the fallbacks (statx mount ids, mount of /proc/self/fd/N)
# defend as well. valgrind keeps fds of its own and lowers RLIMIT_NOFILE.
under_valgrind() {
    burrow_only "the fallbacks are burrow's"
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    rt() { valgrind --tool=none -q --trace-children=no --log-file="$TEST_DIR/valgrind.%p.log" "$RUNTIME" --root "$STATE_ROOT" "$@"; }
    cfg 'del(.process.rlimits)'
}

test_old_kernel_procfs_write_through_a_mount() {
    under_valgrind
    victim_mount /proc/self/oom_score_adj
    cfg '.process.oomScoreAdj = 123'
    probe_run
    assert_eq "$(cat "$VICTIM")" untouched "the file bound over /proc/self/oom_score_adj"
    assert_fail_with "not procfs's own file"
    del_mount /proc/self/oom_score_adj
    probe_ok read /proc/self/oom_score_adj
    assert_line read:/proc/self/oom_score_adj 'ok:123\n'
}

test_old_kernel_masked_path_dev_null() {
    under_valgrind
    cfg '.linux.maskedPaths += ["/etc/hostname"]'
    probe_ok read /etc/hostname stat /etc/hostname
    masked_by_null
    dev_volume symlink
    probe_run read /etc/hostname stat /etc/hostname
    masked_by_null
    assert_rc 1
}

run_tests "$@"
