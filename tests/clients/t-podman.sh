# shellcheck shell=bash
# podman --runtime burrow, rootless: podman runs the OCI runtime as uid 0 of
# its own user namespace, makes the network namespace itself (slirp4netns)
# and passes its own global flags; burrow must do for it what runc and crun do.
# Run by tests/clients/run (as the test user, through the rootless harness).
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

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

# pname: a podman name for this test's container.
pname() { echo "pm-$CID${1:+-$1}"; }

# pm_gone NAME: podman forgets the container (rm -f), quietly.
pm_gone() { pm rm -f "$1" >/dev/null 2>&1; return 0; }

test_podman_exec_and_its_exit_codes() {
    podman_ready
    local n
    n=$(pname)
    capture pm run -d --name "$n" --network none "$IMAGE" sleep 60
    assert_ok
    capture pm exec "$n" sh -c 'echo in exec; exit 5'
    assert_rc 5
    assert_eq "$OUT" "in exec" "exec output"
    # podman's codes: 126 cannot be run, 127 not found (from the runtime's message)
    capture pm exec "$n" /bin
    assert_rc 126
    capture pm exec "$n" /etc/passwd
    assert_rc 126
    capture pm exec "$n" /nonexistent
    assert_rc 127
    capture pm exec "$n" nosuchbin
    assert_rc 127
    capture pm exec --user 1000:1000 "$n" id -u
    assert_ok
    assert_eq "$OUT" 1000 "exec --user"
    capture pm stop -t 0 "$n"
    assert_ok
    capture pm rm "$n"
    assert_ok
}

test_podman_run_exit_codes_126_127() {
    podman_ready
    capture pm run --rm --network none "$IMAGE" /bin
    assert_rc 126
    capture pm run --rm --network none "$IMAGE" /nonexistent
    assert_rc 127
}

test_podman_logs_stop_rm() {
    podman_ready
    local n
    n=$(pname)
    capture pm run -d --name "$n" --network none "$IMAGE" sh -c 'echo first line; trap "echo got term; exit 7" TERM; while :; do sleep 0.1; done'
    assert_ok
    wait_for 10 sh -c "podman logs $n 2>/dev/null | grep -q 'first line'" || fail "podman logs never showed the output"
    capture pm stop -t 10 "$n"
    assert_ok
    capture pm inspect "$n" --format '{{.State.ExitCode}}'
    assert_eq "$OUT" 7 "exit code after stop (the process's TERM trap)"
    capture pm logs "$n"
    assert_contains "$OUT" "got term" "logs"
    capture pm rm "$n"
    assert_ok
}

test_podman_cp_into_tmpcopyup_before_start() {
    podman_ready
    local n
    n=$(pname)
    # --tmpfs over an image directory copies it up (podman's default tmpcopyup):
    # what `podman cp` put there before start is still there.
    capture pm create --name "$n" --network none --tmpfs /root "$IMAGE" sh -c 'cat /root/copied; grep " /root " /proc/mounts'
    assert_ok
    echo "copied before start" > "$TEST_DIR/copied"
    capture pm cp "$TEST_DIR/copied" "$n:/root/copied"
    assert_ok
    capture pm start -a "$n"
    pm_gone "$n"
    assert_ok
    assert_contains "$OUT" "copied before start" "the file in the tmpfs"
    assert_match "$OUT" 'tmpfs /root tmpfs' "a tmpfs at /root"
}

test_podman_cp_out_of_running() {
    podman_ready
    local n
    n=$(pname)
    capture pm run -d --name "$n" --network none "$IMAGE" sh -c 'echo made inside > /tmp/out; sleep 60'
    assert_ok
    wait_for 10 pm exec "$n" test -s /tmp/out || fail "the file was not made"
    capture pm cp "$n:/tmp/out" "$TEST_DIR/out"
    assert_ok
    assert_eq "$(cat "$TEST_DIR/out")" "made inside" "copied out"
    pm rm -f -t 0 "$n" >/dev/null
}

test_podman_user_readonly_capdrop() {
    podman_ready
    capture pm run --rm --network none --user 1000:1000 "$IMAGE" id
    assert_ok
    assert_contains "$OUT" "uid=1000" "id"
    capture pm run --rm --network none --read-only "$IMAGE" sh -c 'touch /x'
    assert_rc 1
    assert_contains "$ERR$OUT" "Read-only file system"
    capture pm run --rm --network none --cap-drop all "$IMAGE" grep CapEff /proc/self/status
    assert_ok
    assert_match "$OUT" 'CapEff:[[:space:]]+0+$' "effective caps after --cap-drop all"
    capture pm run --rm --network none --cap-drop chown "$IMAGE" chown 1:1 /tmp
    [ "$RC" != 0 ] || fail "chown worked without CAP_CHOWN"
}

test_podman_seccomp_profile() {
    podman_ready
    cat > "$TEST_DIR/seccomp.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
JSON
    capture pm run --rm --network none --security-opt seccomp="$TEST_DIR/seccomp.json" "$IMAGE" mkdir /tmp/d
    [ "$RC" != 0 ] || fail "mkdir worked under a profile that denies it"
    assert_contains "$ERR$OUT" "Operation not permitted"
    capture pm run --rm --network none --security-opt seccomp=unconfined "$IMAGE" mkdir /tmp/d
    assert_ok
}

# conmon's --timeout kills its own process group: the container, in a session
# of its own, is then killed by conmon and podman records its end (runc
# gives the same -1 exit code here; before, the container ran on).
test_podman_run_timeout() {
    podman_ready
    local n t0
    n=$(pname)
    t0=$(date +%s)
    capture pm run --name "$n" --network none --timeout 2 "$IMAGE" sleep 30
    [ $(( $(date +%s) - t0 )) -lt 20 ] || fail "run --timeout 2 took $(( $(date +%s) - t0 ))s"
    capture pm inspect "$n" --format '{{.State.Status}}'
    pm_gone "$n"
    assert_eq "$OUT" exited "state after the timeout"
}

test_podman_runtime_flag_invalid_refused() {
    podman_ready
    capture pm --runtime-flag invalidflag run --rm --network none "$IMAGE" echo ran
    [ "$RC" != 0 ] || fail "podman ran the container with --runtime-flag invalidflag"
    assert_not_contains "$OUT" ran "stdout"
    assert_contains "$ERR" invalidflag "stderr"
}

test_podman_pod() {
    podman_ready
    command -v catatonit >/dev/null || [ -x /usr/libexec/podman/catatonit ] || skip "catatonit (the pod's pause process) is not installed"
    local p
    p=$(pname pod)
    capture pm pod create --name "$p" --network none
    assert_ok
    capture pm run -d --pod "$p" --name "$p-a" "$IMAGE" sleep 60
    assert_ok
    capture pm exec "$p-a" sh -c 'hostname; readlink /proc/self/ns/uts'
    assert_ok
    local first=$OUT
    capture pm run --rm --pod "$p" "$IMAGE" sh -c 'hostname; readlink /proc/self/ns/uts'
    assert_ok
    assert_eq "$OUT" "$first" "hostname and uts namespace shared in the pod"
    capture pm pod rm -f -t 0 "$p"
    assert_ok
}

# podman binds an empty /run/secrets, then each secret file into it: the
# secret's mount point is made in the bound directory, as runc and crun make it.
test_podman_secret() {
    podman_ready
    local sec="bt-sec-$CID"
    printf 'the-secret' > "$TEST_DIR/s1"
    capture podman secret create "$sec" "$TEST_DIR/s1"
    assert_ok
    capture pm run --rm --network none --secret "$sec" "$IMAGE" cat "/run/secrets/$sec"
    local out=$OUT rc=$RC err=$ERR
    capture pm run --rm --network none --userns=auto --secret "$sec" "$IMAGE" cat "/run/secrets/$sec"
    local auto_out=$OUT auto_rc=$RC auto_err=$ERR
    podman secret rm "$sec" >/dev/null 2>&1
    [ "$rc" = 0 ] || fail "podman run --secret failed ($rc): $err"
    assert_eq "$out" the-secret "the secret"
    if grep -q 'not enough unused IDs\|cannot find mappings' <<< "$auto_err"; then
        note "--userns=auto: podman has no ids for it here: $auto_err"
    else
        [ "$auto_rc" = 0 ] || fail "podman run --userns=auto --secret failed ($auto_rc): $auto_err"
        assert_eq "$auto_out" the-secret "the secret with --userns=auto"
    fi
}

# A volume over /etc without resolv.conf, hosts or hostname: podman binds its
# own onto them, below the volume's target; their mount points are made there.
test_podman_volume_over_etc() {
    podman_ready
    mkdir -p "$TEST_DIR/etc"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$TEST_DIR/etc/passwd"
    capture pm run --rm -v "$TEST_DIR/etc:/etc" "$IMAGE" sh -c 'cat /etc/resolv.conf; cat /etc/hostname'
    assert_ok
    assert_contains "$OUT" nameserver "/etc/resolv.conf"
    [ -f "$TEST_DIR/etc/resolv.conf" ] || fail "no resolv.conf mount point in the volume"
    assert_eq "$(ls -A "$TEST_DIR/etc" | sort | tr '\n' ' ')" "hostname hosts passwd resolv.conf " "the volume"
}

run_tests "$@"
