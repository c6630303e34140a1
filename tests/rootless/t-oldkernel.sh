# shellcheck shell=bash
# The fallbacks for kernels without openat2 (5.6), open_tree and
# mount_setattr (5.2, 5.12) or pidfd_open (5.3): burrow runs under valgrind,
# which answers ENOSYS for all of them, so every fallback path is taken (the
# container's own program runs natively: valgrind does not follow the exec).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The runtime under valgrind. valgrind keeps fds for itself and lowers
# RLIMIT_NOFILE, so the bundle asks for no rlimits.
rt() {
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    valgrind --tool=none -q --trace-children=no --log-file="$TEST_DIR/valgrind.%p.log" "$RUNTIME" --root "$STATE_ROOT" "$@"
}
old_kernel_bundle() {
    burrow_only "the fallbacks are burrow's"
    cfg 'del(.process.rlimits)'
}

has_opt() { case ",$(awk '{print $3}' <<< "$1")," in *",$2,"*) return 0 ;; esac; return 1; }

test_old_kernel_mounts_and_paths() {
    old_kernel_bundle
    mkdir -p "$TEST_DIR/data"
    echo hello > "$TEST_DIR/data/file"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"ro\", \"nosuid\"]}"
    cfg '.linux.maskedPaths = ["/proc/keys", "/proc/acpi"] | .linux.readonlyPaths = ["/proc/sys"]'
    probe_ok read /run/file write /run/new write "/ro-$CID" read /proc/keys write /proc/sys/kernel/hostname write /dev/null dump
    assert_line read:/run/file 'ok:hello\n'
    assert_line write:/run/new EROFS
    assert_line "write:/ro-$CID" EROFS
    assert_line read:/proc/keys ok:
    assert_line write:/dev/null ok
    assert_ne "$(pv write:/proc/sys/kernel/hostname)" ok "write to /proc/sys"
    local l
    l=$(mount_line /run) || fail "no mount at /run"
    has_opt "$l" ro && has_opt "$l" nosuid || fail "bind flags not applied: $l"
    l=$(mount_line /proc/sys) || fail "no mount at /proc/sys"
    has_opt "$l" ro || fail "/proc/sys is not read-only: $l"
}

test_old_kernel_symlink_destination_stays_inside() {
    old_kernel_bundle
    local host="$TEST_DIR/host-dir"
    evil_symlink_mount "$host"
    probe_ok write /evil/pwned
    assert_line write:/evil/pwned ok
    assert_eq "$(ls -A "$host")" sentinel "host directory content"
    [ -d "$TEST_DIR/rootfs$host" ] || fail "mount point not created inside the rootfs"
}

test_old_kernel_run_exit_code_and_signal() {
    old_kernel_bundle
    probe_run exit 7
    assert_rc 7
    # (pid 1 ignores its own SIGTERM: a child shell kills itself)
    set_args sh -c 'sh -c "kill -TERM \$\$"; exit $?'
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_rc 143
}
test_old_kernel_kill_and_delete() {
    old_kernel_bundle
    set_args sleep 60
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    capture rt start "$CID"
    assert_ok
    capture rt kill "$CID" KILL
    assert_ok
    wait_status "$CID" stopped || fail "not stopped after kill"
    capture rt delete "$CID"
    assert_ok
}

test_old_kernel_hook_timeout() {
    old_kernel_bundle
    add_hook createRuntime '{"path": "/bin/sleep", "args": ["sleep", "5"], "timeout": 1}'
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_fail_with "timed out"
}

# /dev/console without open_tree: the pty bound through /proc/self/fd onto
# the mount point burrow holds by its fd.
test_old_kernel_console_is_the_pty() {
    old_kernel_bundle
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    command -v script >/dev/null || skip "util-linux script missing"
    cfg '.process.terminal = true'
    set_args /bin/sh -c 'echo "console=$(stat -L -c %t:%T /dev/console) stdin=$(stat -L -c %t:%T /proc/self/fd/0)"'
    local cmd line
    cmd=$(printf '%q ' valgrind --tool=none -q --trace-children=no --log-file="$TEST_DIR/valgrind.%p.log" \
        "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID")
    capture script -qec "$cmd" /dev/null
    assert_ok
    line=$(tr -d '\r' <<< "$OUT" | grep -o 'console=[0-9a-f:]* stdin=[0-9a-f:]*') || fail "no stat line in: $(_show "$OUT")"
    assert_match "$line" '^console=88:[0-9a-f]+ stdin=88:[0-9a-f]+$' "/dev/console and stdin (major 0x88 = 136)"
    assert_eq "${line%% *}" "console=${line##*stdin=}" "device of /dev/console vs stdin"
}

# exec without pidfd_open: the container's namespaces are entered through
# fds of /proc/PID/ns opened before the fork (with a pidfd, one setns of it).
test_old_kernel_exec_joins() {
    old_kernel_bundle
    set_args sleep 60
    capture rt run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_status "$CID" running
    local init
    init=$(ct_pid "$CID")
    # (its log to /dev/null: the process forked into the pid namespace has
    # joined the mount namespace too, where the test's directory is not)
    capture valgrind --tool=none -q --trace-children=no --log-file=/dev/null \
        "$RUNTIME" --root "$STATE_ROOT" exec "$CID" /probe
    assert_ok
    for ns in pid mnt uts ipc user; do
        assert_eq "$(pv ns.$ns)" "$(pid_ns "$init" "$ns")" "ns.$ns"
    done
    assert_ne "$(pv pid)" 1 "pid (the init is 1)"
    kill_and_delete "$CID"
}

run_tests "$@"
