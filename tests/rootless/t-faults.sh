# shellcheck shell=bash
# Faults and load: burrow SIGKILLed at each step of create, run and delete
# (held there by a hook that blocks: prestart and createRuntime run after the
# clone, the id maps, the cgroup, the network helper and the FUSE servers;
# createContainer after the mounts; poststart during run; poststop during
# delete), after which `delete --force` must remove every trace (the leak
# check: no process, hooks' included, no mount, cgroup or state; here also no
# helper); many containers at once; one id created concurrently; list and
# state never showing a half-written state.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# block_at KIND: a KIND hook that writes $TEST_DIR/at.KIND and then blocks
# (in a child it waits for, as a real slow hook would) the first time; later
# runs (delete --force's poststop) pass at once.
block_at() {
    cat > "$TEST_DIR/block.sh" <<'EOS'
#!/bin/sh
[ -e "$1.done" ] && exit 0
touch "$1.done"
sleep 300 &
echo $! > "$1"
wait
EOS
    chmod 0755 "$TEST_DIR/block.sh"
    chmod 0777 "$TEST_DIR"
    add_hook "$1" "$(hook_json "$TEST_DIR/block.sh" block.sh "$TEST_DIR/at.$1")"
}

# kill_at KIND CMD...: runs the runtime command CMD in the background, waits
# until its KIND hook blocks, SIGKILLs the runtime.
kill_at() {
    local kind=$1; shift
    bg rt "$RUNTIME" --root "$STATE_ROOT" "$@"
    wait_for 20 test -s "$TEST_DIR/at.$kind" || { bg_wait rt; fail "the $kind hook did not start"; }
    kill -KILL "$BG_PID"
    bg_wait rt
    [ "$RC" = 137 ] || fail "the runtime was not killed (rc $RC)"
}

# all_gone: delete --force removed the container, its helpers and servers.
all_gone() {
    capture rt delete --force "$CID"
    assert_ok
    [ -e "$STATE_ROOT/$CID" ] && fail "delete --force left $STATE_ROOT/$CID: $(ls -A "$STATE_ROOT/$CID")"
    wait_for 5 eval '! fuse_server_left squashfuse fuse-overlayfs' || fail "a FUSE server of this test still runs"
    wait_for 5 eval '! pgrep -u "$MY_UID" -f "(slirp4netns|pasta|passt).*$STATE_ROOT"' ||
        fail "a network helper still runs: $(pgrep -a -u "$MY_UID" -f "(slirp4netns|pasta|passt).*$STATE_ROOT")"
    return 0
}

test_kill_create_at_prestart() {
    block_at prestart
    kill_at prestart create --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_create_at_create_runtime() {
    block_at createRuntime
    kill_at createRuntime create --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_create_after_mounts() {
    # createContainer runs in the container after its mounts, before
    # pivot_root (the host's paths still resolve)
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
    block_at createContainer
    kill_at createContainer create --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_run_at_poststart() {
    probe_args sleep 60
    block_at poststart
    kill_at poststart run --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_delete_at_poststop() {
    probe_args sleep 60
    block_at poststop
    rtc create --bundle "$BUNDLE" "$CID"
    assert_ok
    kill_at poststop delete --force "$CID"
    all_gone
}

test_kill_create_after_slirp4netns() {
    burrow_only "--network"
    command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
    block_at createRuntime
    kill_at createRuntime create --network slirp4netns --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_create_after_pasta() {
    burrow_only "--network"
    command -v pasta >/dev/null || skip "pasta is not installed"
    block_at createRuntime
    kill_at createRuntime create --network pasta --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_create_after_fuse_overlayfs() {
    burrow_only "--overlay"
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
    cfg '.root.readonly = false'
    block_at createRuntime
    kill_at createRuntime create --overlay --overlay-driver fuse --bundle "$BUNDLE" "$CID"
    all_gone
}

test_kill_create_after_squashfuse() {
    burrow_only "--image"
    command -v mksquashfs >/dev/null && command -v squashfuse >/dev/null || skip "squashfs-tools or squashfuse missing"
    mksquashfs "$ROOTFS" "$TEST_DIR/root.sqfs" -all-root -noappend -quiet -no-progress -processors 1 >/dev/null ||
        fail "mksquashfs failed"
    cfg '.root.readonly = false | .root.path = "no-such-rootfs"'
    block_at createRuntime
    kill_at createRuntime create --image "$TEST_DIR/root.sqfs" --bundle "$BUNDLE" "$CID"
    all_gone
}

# 50 containers of one user created, started and deleted at once.
test_fifty_concurrent_containers() {
    probe_args echo hello
    local i n=50 failed=0
    for i in $(seq 1 $n); do
        bg "c$i" "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID-$i"
    done
    for i in $(seq 1 $n); do
        bg_wait "c$i" 2>/dev/null
        if [ "$RC" != 0 ] || [ "$OUT" != hello ]; then
            failed=$((failed + 1))
            note "c$i: rc $RC out '$OUT' err '$ERR'"
        fi
    done
    assert_eq "$failed" 0 "containers that failed"
    assert_eq "$(ls -A "$STATE_ROOT")" "" "state left"
}

# 20 creates of one id at once: exactly one wins, the others say it exists,
# and nothing of the losers is left.
test_twenty_creates_of_one_id() {
    probe_args sleep 60
    local i ok=0 exists=0
    for i in $(seq 1 20); do
        bg "c$i" "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$CID"
    done
    for i in $(seq 1 20); do
        bg_wait "c$i" 2>/dev/null
        if [ "$RC" = 0 ]; then ok=$((ok + 1)); else
            case $ERR in *"already exists"*) exists=$((exists + 1)) ;; *) note "c$i: $ERR" ;; esac
        fi
    done
    assert_eq "$ok" 1 "creates that won"
    [ "$RT_KIND" = burrow ] && assert_eq "$exists" 19 "creates told 'already exists'"
    assert_eq "$(ct_status "$CID")" created "the winner"
    rtc delete --force "$CID"
    assert_ok
}

# list and state while containers come and go: every answer parses, and
# none shows a half-written state (an empty field, a status "unknown").
test_list_and_state_while_churning() {
    probe_args echo x
    local stop="$TEST_DIR/stop" i
    (
        i=0
        while [ ! -e "$stop" ]; do
            i=$((i + 1))
            "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID-$((i % 4))" >/dev/null 2>&1
        done
    ) &
    local churn=$! bad=0 out n=0 end=$(( $(date +%s) + 8 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        out=$(rt list --format json 2>"$TEST_DIR/list.err") || { bad=$((bad + 1)); note "list failed: $(cat "$TEST_DIR/list.err")"; }
        jq -e 'if . == null then true else all(.[]; .status != "unknown" and .bundle != "" and .created != "") end' \
            <<< "$out" >/dev/null || { bad=$((bad + 1)); note "list: $out"; }
        [ -s "$TEST_DIR/list.err" ] && { bad=$((bad + 1)); note "list said: $(cat "$TEST_DIR/list.err")"; }
        for i in 0 1 2 3; do
            out=$(rt state "$CID-$i" 2>"$TEST_DIR/state.err") && { jq -e '.id and .bundle' <<< "$out" >/dev/null || { bad=$((bad + 1)); note "state: $out"; }; }
            grep -q "corrupt" "$TEST_DIR/state.err" && { bad=$((bad + 1)); note "state: $(cat "$TEST_DIR/state.err")"; }
        done
        n=$((n + 1))
    done
    touch "$stop"
    wait "$churn"
    note "$n rounds of list and state"
    assert_eq "$bad" 0 "half-written or failed answers"
}

run_tests "$@"
