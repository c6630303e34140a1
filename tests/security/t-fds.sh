#!/bin/bash
# Host fds leaked into the container (CVE-2024-21626): a working directory
# outside the rootfs through /proc/self/fd/N, and any fd but stdio and the
# preserved ones reaching the container's program or burrow's helpers
# (slirp4netns, fuse-overlayfs). The caller leaks directory fds of its own
# (7 and 9, on a host directory holding HOSTFILE) into every runtime call.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# host_dir: a host directory with a marker, held open as fds 7 and 9 by this shell.
host_dir() {
    HOST_DIR=$TEST_DIR/hostdir
    mkdir -p "$HOST_DIR" && touch "$HOST_DIR/HOSTFILE" || fail "cannot make $HOST_DIR"
    exec 7<"$HOST_DIR" 9<"$HOST_DIR"
}

# cwd_inside: the last probe either failed, or ran inside the container
# (getcwd not "(unreachable)...", no HOSTFILE in ".").
cwd_inside() {
    [ "$RC" != 0 ] && return 0
    local c
    c=$(pv syscall:getcwd) || fail "probe did not report getcwd"
    case $c in ok:/*) ;; *) fail "$1: the process started outside the container: getcwd $c" ;; esac
    assert_not_contains "$(pv ls:.)" HOSTFILE "$1: ls ."
}

test_run_cwd_proc_self_fd() {
    host_dir
    local n
    for n in $(seq 3 20); do
        cfg --arg c "/proc/self/fd/$n" '.process.cwd = $c'
        probe_run syscall getcwd ls .
        cwd_inside "process.cwd /proc/self/fd/$n"
        [ "$RC" = 0 ] && rt delete -f "$CID" >/dev/null 2>&1
    done
    return 0
}

test_exec_cwd_proc_self_fd() {
    host_dir
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local n
    for n in $(seq 3 20); do
        rtc exec --cwd "/proc/self/fd/$n" "$CID" /probe syscall getcwd ls .
        cwd_inside "exec --cwd /proc/self/fd/$n"
    done
    # the same through --process
    jq -n '{args: ["/probe", "syscall", "getcwd", "ls", "."], cwd: "/proc/self/fd/7", env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' \
        > "$TEST_DIR/process.json"
    rtc exec --process "$TEST_DIR/process.json" "$CID"
    cwd_inside "exec --process (cwd /proc/self/fd/7)"
    kill_and_delete "$CID"
}

test_run_only_stdio() {
    host_dir
    probe_ok
    assert_line fds 0,1,2
}

test_run_preserved_fds_only() {
    host_dir
    exec 3<"$HOST_DIR/HOSTFILE"
    probe_args
    capture rt run --preserve-fds 1 --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line fds 0,1,2,3
}

test_exec_only_stdio() {
    host_dir
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc exec "$CID" /probe
    assert_ok
    assert_line fds 0,1,2
    rtc exec --preserve-fds 1 "$CID" /probe 3<"$HOST_DIR/HOSTFILE"
    assert_ok
    assert_line fds 0,1,2,3
    kill_and_delete "$CID"
}

# helper_fds_clean NAME...: no process NAME of this test holds the caller's directory.
helper_fds_clean() {
    local p found="" n
    for p in $(for n in "$@"; do pgrep -u "$MY_UID" -x "$n"; done); do
        tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qE "$STATE_ROOT|$TEST_DIR|$(ct_pid "$CID")" || continue
        found=1
        local l
        l=$(ls -l "/proc/$p/fd" 2>/dev/null)
        note "$1 ($p) fds: $(echo "$l" | awk 'NR>1 {print $9 $10 $11}' | paste -sd ' ' -)"
        assert_not_contains "$l" "$HOST_DIR" "$1's fds"
    done
    [ -n "$found" ] || fail "no $* process found for the container"
}

# with_helper HELPER-NAMES -- RUN-OPTIONS...: in the foreground and with exec,
# the container has stdio only and cannot leave through /proc/self/fd/N; the
# helper burrow started holds none of the caller's fds.
with_helper() {
    local names=() n
    while [ "$1" != -- ]; do names+=("$1"); shift; done
    shift
    host_dir
    probe_args
    capture rt run "$@" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line fds 0,1,2
    rtc delete -f "$CID"
    probe_args sleep 60
    rtc run -d "$@" --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc exec "$CID" /probe
    assert_ok
    assert_line fds 0,1,2
    for n in $(seq 3 12); do
        rtc exec --cwd "/proc/self/fd/$n" "$CID" /probe syscall getcwd ls .
        cwd_inside "exec --cwd /proc/self/fd/$n"
    done
    helper_fds_clean "${names[@]}"
    kill_and_delete "$CID"
}

test_slirp4netns_only_stdio() {
    command -v slirp4netns >/dev/null || skip "slirp4netns not installed"
    with_helper slirp4netns -- --network slirp4netns
}

test_overlay_fuse_only_stdio() {
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs not installed"
    with_helper fuse-overlayfs -- --overlay --overlay-driver fuse
}

test_pasta_only_stdio() {
    command -v pasta >/dev/null || skip "pasta not installed"
    with_helper passt.avx2 passt pasta.avx2 pasta -- --network pasta
}

test_image_squashfuse_only_stdio() {
    command -v squashfuse >/dev/null || skip "squashfuse not installed"
    command -v mksquashfs >/dev/null || skip "mksquashfs not installed"
    mksquashfs "$ROOTFS" "$TEST_DIR/img.sqfs" -all-root -noappend -quiet -no-progress -processors 1 >/dev/null ||
        fail "mksquashfs failed"
    with_helper squashfuse -- --image "$TEST_DIR/img.sqfs"
}

run_tests "$@"
