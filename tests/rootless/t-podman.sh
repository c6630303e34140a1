# shellcheck shell=bash
# podman --runtime burrow, rootless: podman runs the OCI runtime as uid 0 of
# its own user namespace, makes the network namespace itself (slirp4netns)
# and passes its own global flags; burrow must do for it what runc and crun do.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE=localhost/burrow-test-busybox:latest

pm() {
    timeout 60 podman --runtime "$RUNTIME" --cgroup-manager cgroupfs --events-backend file "$@"
}

podman_ready() {
    command -v podman >/dev/null || skip "podman is not installed"
    burrow_only "podman drives burrow here"
    # Rootless podman keeps a pause process holding its user namespace for
    # good: start it untagged, so it is podman's, not a leak of the test.
    env -u BURROW_TEST_TAG timeout 60 podman unshare true >/dev/null 2>&1 ||
        fail "podman unshare (its rootless user namespace) failed"
    # The shared busybox rootfs as an image, imported once for all tests.
    if ! podman image exists "$IMAGE" 2>/dev/null; then
        tar -C "$ROOTFS" --exclude=./probe -c . | podman import -q - "$IMAGE" >/dev/null ||
            fail "podman import of the rootfs failed"
    fi
}

test_podman_run_exit_code() {
    podman_ready
    capture pm run --rm --network none "$IMAGE" sh -c 'echo hello; cat /proc/self/uid_map; exit 42'
    assert_rc 42
    assert_contains "$OUT" hello
    # podman maps the caller to 0 and the subordinate range after it
    grep -Eq '^ +0 +'"$MY_UID"' +1$' <<< "$OUT" || fail "uid_map does not map 0 to $MY_UID: $OUT"
}

test_podman_network_slirp4netns() {
    podman_ready
    capture pm run --rm "$IMAGE" sh -c 'ip -o addr show; cat /proc/sys/net/ipv4/ping_group_range'
    assert_ok
    assert_match "$OUT" 'inet 10\.0\.2\.[0-9]+/' "an address from slirp4netns"
}

test_podman_detached_lifecycle() {
    podman_ready
    local name="pd-$CID"
    capture pm run -d --name "$name" "$IMAGE" sleep 60
    assert_ok
    capture pm ps --filter "name=$name" --format '{{.Status}}'
    assert_match "$OUT" '^Up' "status"
    capture pm kill "$name"
    assert_ok
    capture pm wait "$name"
    assert_eq "$OUT" 137 "exit code after podman kill"
    capture pm rm "$name"
    assert_ok
    capture pm ps -a --filter "name=$name" --format '{{.Names}}'
    assert_eq "$OUT" "" "container left after rm"
}

test_podman_tty() {
    podman_ready
    command -v script >/dev/null || skip "script (bsdutils) is not installed"
    capture script -qec "podman --runtime $RUNTIME --cgroup-manager cgroupfs --events-backend file run --rm -t --network none $IMAGE sh -c 'tty; exit 3'" /dev/null
    assert_rc 3
    assert_contains "$OUT" /dev/pts/0
}

run_tests "$@"
