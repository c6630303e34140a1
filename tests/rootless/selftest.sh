# shellcheck shell=bash
# The harness's own tests: `tests/rootless/run -s` runs this file and checks
# that every test_ok_* passes, every test_fail_* fails with the reason its
# name describes, and every test_skip_* is skipped. Not a t-*.sh file, so a
# normal run ignores it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_ok_probe_runs() {
    probe_ok
    assert_line pid 1
    assert_line arg.0 /probe
}

test_ok_clean_detached_container() {
    probe_args sleep 30
    capture rt run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    kill_and_delete "$CID"
}

test_fail_assertion() {
    assert_eq 1 2 "deliberate"
}

test_fail_in_command_substitution() {
    # fail inside $(...) only ends the subshell, but the reason file still fails the test
    local x
    x=$(fail "deliberate, from a subshell")
    return 0
}

test_fail_leak_state_dir() {
    probe_args sleep 30
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    # not deleted: the leak check must report the state and clean up
}

test_fail_leak_process() {
    # a container process whose state the runtime forgot
    probe_args sleep 30
    capture rt run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rm -rf "${STATE_ROOT:?}/$CID"
}

test_fail_leak_hook_child() {
    # a hook leaving a process behind (hooks carry the harness tag in their env)
    add_hook createRuntime "$(hook_json /bin/sh sh -c 'sleep 30 >/dev/null 2>&1 </dev/null & exit 0')"
    probe_ok exit 0
}

test_fail_rootfs_touched() {
    # something created (and removed) in the shared rootfs: its directory changed
    touch "$ROOTFS/selftest-$CID" && rm -f "$ROOTFS/selftest-$CID"
}

test_fail_timeout() {
    sleep 30
}

test_fail_unexpected_exit() {
    exit 3
}

test_skip_burrow_only() {
    [ "$RT_KIND" = burrow ] && skip "selftest under burrow"
    burrow_only "selftest"
    fail "burrow_only did not skip"
}

test_ok_json_array() {
    assert_eq "$(json_array a "b c" -c "" '"q"')" '["a","b c","-c","","\"q\""]' "json_array"
}

test_ok_capmask() {
    assert_eq "$(capmask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)" 0000000000000421 "capmask"
}

run_tests "$@"
