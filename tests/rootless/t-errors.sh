# shellcheck shell=bash
# Errors: each one is exactly one line on stderr starting with "burrow: "
# (burrow's shape: "burrow: <command> <id>: <what>: <why>"), a non-zero exit,
# and nothing left behind (the leak check runs after every test).
# Under other runtimes only the failure (and, where given, their own key
# phrase) is checked; wording checks assert on key phrases, not whole texts.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# not_created: the failed create left no container behind.
not_created() {
    rtc state "${1:-$CID}"
    [ "$RC" != 0 ] || fail "container ${1:-$CID} exists after the failed create"
    rtc list -q
    assert_eq "$OUT" "" "list after the failed create"
}

test_err_malformed_json() {
    printf '{ "ociVersion": "1.0.2", "process": { ' > "$BUNDLE/config.json"
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with config.json
    not_created
    # A number beyond a double (the parser's other error), also with command-line edits.
    printf '{ "ociVersion": "1.0.2", "annotations": { "a": 1e999 } }' > "$BUNDLE/config.json"
    capture rt create --bundle "$BUNDLE" "$CID"
    _burrow_error_shape
    [ "$RT_KIND" != burrow ] || assert_contains "$ERR" "config.json: invalid JSON: number overflow" "the error"
    not_created
    [ "$RT_KIND" = burrow ] || return 0
    capture rt create -e A=1 --bundle "$BUNDLE" "$CID"
    assert_fail_with "config.json: invalid JSON: number overflow"
    not_created
}

test_err_apparmor_without_apparmor() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && skip "AppArmor is enabled here"
    cfg '.process.apparmorProfile = "some-profile"'
    capture rt create --bundle "$BUNDLE" "$CID"
    burrow_only
    assert_fail_with process.apparmorProfile
    not_created
}

test_err_console_socket_without_terminal() {
    # runc: "cannot use console socket if runc will not detach or allocate tty"
    capture rt create --bundle "$BUNDLE" --console-socket "$TEST_DIR/x.sock" "$CID"
    burrow_only
    assert_fail_with console-socket
    not_created
}

test_err_missing_config() {
    rm "$BUNDLE/config.json"
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with config.json config.json
    not_created
}

test_err_message_shape() {
    burrow_only "checks burrow's own message layout"
    cfg '.process.args = []'
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with "burrow: create $CID: "
    [ "$RT_KIND" = burrow ] && assert_contains "$ERR" "process.args"
    not_created
}

# A bundle directory whose name is not UTF-8: JSON (state.json) cannot hold
# it. One line saying so, not the JSON library's own words.
test_err_bundle_path_not_utf8() {
    burrow_only "checks burrow's own wording"
    local b="$TEST_DIR/b"$'\xff'
    mkdir "$b" && cp -a "$BUNDLE/config.json" "$b/" || fail "mkdir"
    capture rt create --bundle "$b" "$CID"
    assert_fail_with "is not UTF-8" "not UTF-8"
    assert_not_contains "$ERR" "json.exception" "the JSON library's text"
    not_created
}

test_err_empty_args() {
    cfg '.process.args = []'
    probe_run
    assert_fail_with process.args "args must not be empty"
    not_created
}

test_err_missing_rootfs() {
    cfg --arg r "$TEST_DIR/no-such-rootfs" '.root.path = $r'
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with "$TEST_DIR/no-such-rootfs" "no-such-rootfs"
    not_created
}

test_err_unknown_namespace_type() {
    cfg '.linux.namespaces += [{type: "bogusns"}]'
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with bogusns bogusns
    not_created
}

test_err_unentitled_mapping() {
    cfg --argjson u "$MY_UID" --argjson bad "$UNENTITLED_ID" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $bad, size: 65536}]'
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with /etc/subuid
    [ "$RT_KIND" = burrow ] && assert_match "$ERR" "($UNENTITLED_ID|$SUBUID_START)" "error names the range"
    not_created
}

# runc 1.1 only warns ("ignoring unknown or unavailable capabilities") and
# runs; burrow's validator rejects an unknown capability name (DESIGN.md).
# (An unknown capability is not an error: skipped with a warning, as runc
# and crun do; t-conformance.sh.)

test_err_bad_rlimit_type() {
    cfg '.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with RLIMIT_BOGUS RLIMIT_BOGUS
    not_created
}

test_err_duplicate_id() {
    probe_args sleep 30
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with "already exists" "exists"
    assert_eq "$(ct_status "$CID")" created "the first container"
    rtc delete "$CID"
    assert_ok
}

test_err_concurrent_create_same_id() {
    probe_args sleep 30
    local i
    for i in 1 2 3; do
        bg "c$i" "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$CID"
    done
    local ok=0 failed=0 errs=""
    for i in 1 2 3; do
        bg_wait "c$i"
        if [ "$RC" = 0 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); errs+="$ERR"$'\n'; fi
    done
    assert_eq "$ok" 1 "creates that succeeded"
    assert_eq "$failed" 2 "creates that failed"
    if [ "$RT_KIND" = burrow ]; then
        assert_eq "$(grep -c 'already exists' <<< "$errs")" 2 "failures saying 'already exists'"
    fi
    assert_eq "$(ct_status "$CID")" created "the container"
    rtc delete "$CID"
    assert_ok
}

test_err_unknown_container() {
    local cmd
    for cmd in state start delete "kill"; do
        capture rt $cmd nosuch-container
        assert_fail_match "nosuch-container.*(does not exist|not found|no such container|unknown container)" "does not exist"
    done
    capture rt kill nosuch-container KILL
    assert_fail_match "(does not exist|not found|no such container|unknown container)" "does not exist"
}

test_err_kill_stopped() {
    probe_args exit 0
    capture rt run --keep --bundle "$BUNDLE" "$CID"
    assert_ok
    capture rt kill "$CID" KILL
    assert_fail_match "(not running|stopped)" "not running"
    rtc delete "$CID"
    assert_ok
}

test_err_start_twice() {
    probe_args sleep 30
    capture rt run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    capture rt start "$CID"
    assert_fail_match "(running|not created|cannot start)"
    kill_and_delete "$CID"
}

test_err_missing_binary() {
    set_args nosuchbin
    probe_run
    # runc: exec: "nosuchbin": executable file not found in $PATH
    assert_fail_with nosuchbin 'executable file not found in $PATH'
    [ "$RT_KIND" = burrow ] && assert_match "$ERR" "(not found|No such file)" "the cause"
    not_created
}

test_err_missing_binary_absolute() {
    set_args /no/such/bin
    probe_run
    assert_fail_with /no/such/bin "/no/such/bin"
    [ "$RT_KIND" = burrow ] && assert_match "$ERR" "(not found|No such file)" "the cause"
    not_created
}

test_err_binary_not_executable() {
    set_args /etc/passwd
    probe_run
    assert_fail_with /etc/passwd "/etc/passwd"
    [ "$RT_KIND" = burrow ] && assert_match "$ERR" "(ermission denied|not executable)" "the cause"
    not_created
}

test_err_bad_mount_option() {
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=notasize"]}'
    probe_run
    assert_fail_with /tmp /tmp
    not_created
}

test_err_bad_mount_type() {
    add_mount '{"destination": "/tmp", "type": "nosuchfs", "source": "none"}'
    probe_run
    assert_fail_with nosuchfs
    not_created
}

test_err_bad_mount_source() {
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/no-such-dir\", \"options\": [\"bind\"]}"
    probe_run
    assert_fail_with "$TEST_DIR/no-such-dir" no-such-dir
    not_created
}

test_err_bad_seccomp_action() {
    cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_BOGUS", syscalls: []}'
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_fail_with SCMP_ACT_BOGUS
    not_created
}

test_err_invalid_container_id() {
    capture rt create --bundle "$BUNDLE" "../escape"
    assert_fail_with "../escape"
    [ ! -e "$(dirname "$STATE_ROOT")/escape" ] || fail "state written outside the state root"
    capture rt create --bundle "$BUNDLE" ""
    [ "$RC" != 0 ] || fail "an empty id was accepted"
}

test_err_unknown_command() {
    capture "$RUNTIME" --root "$STATE_ROOT" no-such-command
    [ "$RC" != 0 ] || fail "unknown command succeeded"
}

test_err_missing_id_argument() {
    capture rt state
    [ "$RC" != 0 ] || fail "state without an id succeeded"
    capture rt create --bundle "$BUNDLE"
    [ "$RC" != 0 ] || fail "create without an id succeeded"
}

test_err_missing_bundle() {
    capture rt create --bundle "$TEST_DIR/no-such-bundle" "$CID"
    assert_fail_with no-such-bundle no-such-bundle
    not_created
}

# corrupt_state HOW: the created container's state.json damaged as a crash or
# a full disk leaves it (truncated / garbage / empty).
corrupt_state() {
    local f="$STATE_ROOT/$CID/state.json"
    case $1 in
        truncated) head -c 30 "$f" > "$f.x" ;;
        garbage) printf '\x00\x01{{{not json' > "$f.x" ;;
        empty) : > "$f.x" ;;
    esac
    mv "$f.x" "$f"
}

# A corrupt state.json (a crash, a full disk): state says so, list shows the
# container with its problem (JSON runc's parsers read), delete refuses and
# delete --force ends its process and removes it all (the leak check: no
# process, cgroup or directory left).
test_err_corrupt_state() {
    burrow_only "burrow's state files"
    local how pid
    for how in truncated garbage empty; do
        probe_args sleep 60
        rtc create --bundle "$BUNDLE" "$CID"
        assert_ok
        pid=$(ct_pid "$CID")
        corrupt_state "$how"
        rtc state "$CID"
        assert_fail_with "corrupt state"
        rtc list
        assert_ok
        assert_match "$OUT" "(^|"$'\n'")$CID +0 +unknown " "list ($how)"
        assert_contains "$ERR" "corrupt state" "list's stderr ($how)"
        rtc list --format json
        assert_ok
        assert_eq "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<< "$OUT")" unknown "list --format json ($how)"
        assert_match "$(jq -r '.[0].created' <<< "$OUT")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "created, a time Go parses"
        assert_contains "$(jq -r '.[0].annotations["io.github.burrow.error"]' <<< "$OUT")" "corrupt state"
        rtc kill "$CID" KILL
        assert_fail_with "corrupt state"
        rtc delete "$CID"
        assert_fail_with "corrupt state"
        proc_gone "$pid" && fail "the container process died on a refused delete"
        rtc delete --force "$CID"
        assert_ok
        wait_for 5 proc_gone "$pid" || fail "delete --force left the container's process $pid ($how)"
        [ -e "$STATE_ROOT/$CID" ] && fail "delete --force left $STATE_ROOT/$CID ($how)"
    done
    return 0
}

# A state directory the caller may not read (another user's root, a mode 000
# directory): every verb says "Permission denied", none "does not exist", and
# delete --force does not claim success.
test_err_permission_is_not_absence() {
    burrow_only "burrow's state files"
    probe_args sleep 60
    rtc create --bundle "$BUNDLE" "$CID"
    assert_ok
    local dir="$STATE_ROOT/$CID" what cmd
    for what in container root; do
        if [ "$what" = container ]; then chmod 000 "$dir"; else chmod 000 "$STATE_ROOT"; fi
        for cmd in "state $CID" "kill $CID KILL" "delete $CID" "delete --force $CID" "ps $CID" \
            "exec $CID /probe echo x" "pause $CID" "resume $CID" "start $CID" "events --stats $CID" \
            "update --pids-limit 10 $CID"; do
            capture rt $cmd
            [ "$RC" != 0 ] || fail "$cmd succeeded on an unreadable $what directory"
            assert_contains "$ERR" "Permission denied" "$cmd ($what)"
            assert_not_contains "$ERR" "does not exist" "$cmd ($what)"
        done
        rtc list
        if [ "$what" = root ]; then
            [ "$RC" != 0 ] || fail "list succeeded on an unreadable state root"
            assert_contains "$ERR" "Permission denied" "list"
        else
            assert_ok
            assert_match "$OUT" "(^|"$'\n'")$CID +0 +unknown " "list"
            assert_contains "$ERR" "Permission denied" "list's stderr"
        fi
        chmod 0700 "$STATE_ROOT"
        chmod 0711 "$dir"
    done
    assert_eq "$(ct_status "$CID")" created "the container after all that"
    kill_and_delete "$CID"
}

# broken BUNDLE-EDIT WORDS...: a fresh bundle edited by the jq filter, created
# (and run, for errors of the child): one line naming WORDS (burrow), a
# non-zero exit, no container.
broken() {
    local edit=$1 word
    shift
    new_bundle
    cfg --arg t "$TEST_DIR" "$edit"
    capture rt run --bundle "$BUNDLE" "$CID"
    _burrow_error_shape
    if [ "$RT_KIND" = burrow ]; then
        for word in "$@"; do assert_contains "$ERR" "$word" "stderr for $edit"; done
    fi
    not_created
}

# The corpus of broken bundles: wrong types, huge values and arrays, a rootfs
# that is missing or a file, args not found, a cwd that is not a directory,
# an architecture or operator seccomp does not know.
test_err_broken_bundles() {
    echo x > "$TEST_DIR/afile"
    broken '.process.args = "/probe"' process.args
    broken '.process.args = [1, 2]' process.args
    broken '.process.user.uid = "0"' process.user.uid
    broken '.process.user.uid = -1' process.user.uid
    broken '.process.user.uid = 99999999999' process.user.uid
    broken '.process.env = "A=1"' process.env
    broken '.process.cwd = 5' process.cwd
    broken '.process.cwd = "relative"' process.cwd
    broken '.process.cwd = "/etc/passwd"' /etc/passwd
    broken '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 10, hard: 5}]' RLIMIT_NOFILE
    broken '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 18446744073709551616, hard: 1}]' rlimits
    broken '.mounts = {}' mounts
    broken '.mounts = [{destination: "relative", type: "tmpfs", source: "tmpfs"}]' relative
    broken '.root = "rootfs"' root
    broken '.root.path = ($t + "/afile")' afile
    broken '.root.path = ($t + "/no-such-rootfs")' no-such-rootfs
    broken '.linux.namespaces = 5' linux.namespaces
    broken '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 4294967296}]' uidMappings
    # (an unknown syscall name or capability is skipped, as runc and crun do:
    # t-security/test_seccomp_unknown_syscall_name_ignored, t-conformance)
    broken '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_BOGUS"]}' SCMP_ARCH_BOGUS
    broken '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["read"], action: "SCMP_ACT_ERRNO", args: [{index: 0, value: 1, op: "SCMP_CMP_BOGUS"}]}]}' SCMP_CMP_BOGUS
    broken '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: "read", action: "SCMP_ACT_ERRNO"}]}' linux.seccomp
    broken '.hostname = 5' hostname
    broken '.process.args = ["/no/such/binary"]' /no/such/binary
    # huge: 300000 arguments (beyond what execve takes), a 20000-deep value
    broken '.process.args = ["/probe"] + [range(300000) | "argument"]' process.args
    new_bundle
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["annotations"] = {"deep": "x"}; s = json.dumps(c); s = s.replace("\"deep\": \"x\"", "\"deep\": " + "[" * 20000 + "]" * 20000); open(sys.argv[1], "w").write(s)' "$BUNDLE/config.json"
    capture rt create --bundle "$BUNDLE" "$CID"
    _burrow_error_shape
    not_created
}

run_tests "$@"
