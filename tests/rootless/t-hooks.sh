# shellcheck shell=bash
# OCI hooks: when each kind runs, where (namespaces, path resolution), as
# whom, with what state on stdin and environment, timeouts and failures.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# hooks_setup: $HK (host) = /run/hooks (container, a bind) holding hook.sh,
# which records for hook NAME: NAME.json (stdin), NAME.env, NAME.uid,
# NAME.ns.{mnt,user,pid} and appends NAME to `order`.
hooks_setup() {
    HK="$TEST_DIR/hooks"
    mkdir -p "$HK"
    chmod 0777 "$HK"
    cat > "$HK/hook.sh" <<'EOF'
#!/bin/sh
name=$1 dir=$2
cat > "$dir/$name.json"
env > "$dir/$name.env"
id -u > "$dir/$name.uid"
for n in mnt user pid; do readlink /proc/self/ns/$n > "$dir/$name.ns.$n"; done
echo "$name" >> "$dir/order"
EOF
    chmod 0755 "$HK/hook.sh"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$HK\", \"options\": [\"bind\"]}"
}

# add_host_hook KIND: a hook running $HK/hook.sh with paths of the host.
add_host_hook() { add_hook "$1" "$(hook_json "$HK/hook.sh" hook.sh "$1" "$HK")"; }
# add_ct_hook KIND: startContainer resolves its path in the container.
add_ct_hook() { add_hook "$1" "$(hook_json /run/hook.sh hook.sh "$1" /run)"; }

all_hooks() {
    hooks_setup
    add_host_hook prestart
    add_host_hook createRuntime
    add_host_hook createContainer
    add_ct_hook startContainer
    add_host_hook poststart
    add_host_hook poststop
}

# index of NAME in the order file
order_of() { grep -nx "$1" "$HK/order" | cut -d: -f1; }

test_hooks_all_run_in_order() {
    all_hooks
    probe_ok echo ran
    assert_eq "$OUT" ran "stdout"
    [ -f "$HK/order" ] || fail "no hook ran"
    local h
    for h in prestart createRuntime createContainer startContainer poststart poststop; do
        [ "$(grep -cx "$h" "$HK/order")" = 1 ] || fail "hook $h ran $(grep -cx "$h" "$HK/order") times (order: $(paste -sd' ' "$HK/order"))"
    done
    local o
    o=$(paste -sd' ' "$HK/order")
    [ "$(order_of createRuntime)" -lt "$(order_of createContainer)" ] || fail "createRuntime after createContainer: $o"
    [ "$(order_of prestart)" -lt "$(order_of createContainer)" ] || fail "prestart after createContainer: $o"
    [ "$(order_of createContainer)" -lt "$(order_of startContainer)" ] || fail "createContainer after startContainer: $o"
    [ "$(order_of startContainer)" -lt "$(order_of poststop)" ] || fail "startContainer after poststop: $o"
    [ "$(order_of poststart)" -lt "$(order_of poststop)" ] || fail "poststart after poststop: $o"
    [ "$(order_of poststop)" = 6 ] || fail "poststop not last: $o"
}

test_hooks_state_on_stdin() {
    all_hooks
    probe_ok exit 0
    local h s
    for h in prestart createRuntime createContainer startContainer poststart poststop; do
        s=$(cat "$HK/$h.json")
        jq -e . <<< "$s" >/dev/null || fail "$h: stdin is not JSON: $s"
        assert_eq "$(jq -r .id <<< "$s")" "$CID" "$h: state id"
        assert_eq "$(jq -r .bundle <<< "$s")" "$BUNDLE" "$h: state bundle"
        assert_match "$(jq -r .ociVersion <<< "$s")" '^1\.' "$h: state ociVersion"
    done
    for h in prestart createRuntime createContainer startContainer poststart; do
        assert_match "$(jq -r .pid <<< "$(cat "$HK/$h.json")")" '^[1-9][0-9]*$' "$h: state pid"
    done
    # as crun and the runtime-tools validation suite: every hook of create
    # reads "created" (runc 1.1: "creating" for the first three)
    if [ "$RT_KIND" != runc ]; then
        assert_eq "$(jq -r .status "$HK/prestart.json")" created "prestart: status"
        assert_eq "$(jq -r .status "$HK/createRuntime.json")" created "createRuntime: status"
        assert_eq "$(jq -r .status "$HK/createContainer.json")" created "createContainer: status"
    fi
    assert_eq "$(jq -r .status "$HK/startContainer.json")" created "startContainer: status"
    assert_eq "$(jq -r .status "$HK/poststart.json")" running "poststart: status"
    assert_eq "$(jq -r .status "$HK/poststop.json")" stopped "poststop: status"
    # the pid is the container's init, as the host sees it
    assert_eq "$(jq -r .pid "$HK/createRuntime.json")" "$(jq -r .pid "$HK/poststart.json")" "pid createRuntime vs poststart"
}

test_hooks_env_and_args() {
    hooks_setup
    add_hook createRuntime "$(jq -c '.env += ["FOO=bar baz", "EMPTY="]' <<< "$(hook_json "$HK/hook.sh" hook.sh createRuntime "$HK")")"
    probe_ok exit 0
    grep -qx 'FOO=bar baz' "$HK/createRuntime.env" || fail "hook env lacks FOO: $(paste -sd' ' "$HK/createRuntime.env")"
    grep -qx 'EMPTY=' "$HK/createRuntime.env" || fail "hook env lacks EMPTY="
    # only the hook's env: nothing of the caller's
    grep -q '^XDG_RUNTIME_DIR=' "$HK/createRuntime.env" && fail "caller's XDG_RUNTIME_DIR leaked into the hook env"
    grep -q '^STATE_ROOT=' "$HK/createRuntime.env" && fail "caller's STATE_ROOT leaked into the hook env"
    # path is run with args as its whole argv: args[0] is argv[0], empty ones kept
    add_hook createRuntime "$(hook_json /bin/sh sh -c 'printf "%s|" "$0" "$@" > "$1"' zero "$HK/args" "one two" "")"
    probe_ok exit 0
    assert_eq "$(cat "$HK/args")" "zero|$HK/args|one two||" "the hook's argv"
    return 0
}

test_hooks_run_as_user_and_where() {
    all_hooks
    probe_ok dump
    local h
    # runtime-namespace hooks: the caller, in the host's namespaces
    for h in prestart createRuntime poststart poststop; do
        assert_eq "$(cat "$HK/$h.uid")" "$MY_UID" "$h: uid"
        assert_eq "$(cat "$HK/$h.ns.user")" "$(readlink /proc/self/ns/user)" "$h: user namespace"
        assert_eq "$(cat "$HK/$h.ns.mnt")" "$(readlink /proc/self/ns/mnt)" "$h: mount namespace"
    done
    # container-namespace hooks: root in the container's user and mount namespaces
    for h in createContainer startContainer; do
        assert_eq "$(cat "$HK/$h.uid")" 0 "$h: uid"
        assert_eq "$(cat "$HK/$h.ns.user")" "user:[$(pv ns.user)]" "$h: user namespace"
        assert_eq "$(cat "$HK/$h.ns.mnt")" "mnt:[$(pv ns.mnt)]" "$h: mount namespace"
    done
}

test_start_container_path_resolved_in_container() {
    hooks_setup
    # /probe exists only in the container's root
    [ -e /probe ] && skip "/probe exists on the host"
    add_hook startContainer "$(hook_json /probe probe write /run/from-probe)"
    probe_ok exit 0
    [ -f "$HK/from-probe" ] || fail "startContainer hook /probe did not run inside the container"
}

test_create_runtime_path_resolved_on_host() {
    hooks_setup
    # $HK/hook.sh exists on the host; inside the container it is /run/hook.sh
    add_host_hook createRuntime
    add_host_hook createContainer
    probe_ok exit 0
    [ -f "$HK/createRuntime.json" ] || fail "createRuntime did not run"
    [ -f "$HK/createContainer.json" ] || fail "createContainer (path in the runtime namespace) did not run"
}

test_poststop_runs_on_delete() {
    hooks_setup
    add_host_hook poststop
    probe_args exit 0
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc start "$CID"
    assert_ok
    wait_status "$CID" stopped
    [ -f "$HK/poststop.json" ] && fail "poststop ran before delete"
    rtc delete "$CID"
    assert_ok
    [ -f "$HK/poststop.json" ] || fail "poststop did not run on delete"
}

test_poststart_runs_after_start() {
    hooks_setup
    add_host_hook poststart
    probe_args sleep 30
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    [ -f "$HK/poststart.json" ] && fail "poststart ran at create"
    rtc start "$CID"
    assert_ok
    [ -f "$HK/poststart.json" ] || fail "poststart had not run when start returned"
    kill_and_delete "$CID"
}

test_hook_timeout_fails_create() {
    hooks_setup
    add_hook createRuntime "$(jq -c '.timeout = 1' <<< "$(hook_json /bin/sleep sleep 5)")"
    local t0 t1
    t0=$(date +%s%N)
    capture rt create --bundle "$BUNDLE" "$CID"
    t1=$(date +%s%N)
    [ "$RC" != 0 ] || fail "create succeeded although its hook timed out"
    [ $(( (t1 - t0) / 1000000 )) -lt 4000 ] || fail "create waited $(( (t1 - t0) / 1000000 )) ms for a hook with timeout 1"
    rtc state "$CID"
    [ "$RC" != 0 ] || fail "state left after the failed create"
}

test_failing_create_runtime_hook() {
    hooks_setup
    add_hook createRuntime "$(hook_json /bin/false false)"
    probe_args echo must-not-run
    capture rt create --bundle "$BUNDLE" "$CID"
    [ "$RC" != 0 ] || fail "create succeeded although its createRuntime hook failed"
    rtc state "$CID"
    [ "$RC" != 0 ] || fail "state left after the failed create"
}

# run_failing_hook KIND: run with a KIND hook that fails; the run must fail
# and the container's program must not run.
run_failing_hook() {
    hooks_setup
    add_hook "$1" "$(hook_json /bin/false false)"
    probe_run echo must-not-run
    [ "$RC" != 0 ] || fail "run succeeded although its $1 hook failed"
    assert_not_contains "$OUT" must-not-run "stdout"
}

test_failing_prestart_hook_fails_run() {
    run_failing_hook prestart
}

test_failing_start_container_hook_is_told() {
    # after `start` nobody reads the sync socket: the failure goes to the container's stderr
    run_failing_hook startContainer
    burrow_only
    assert_contains "$ERR" "startContainer: hook /bin/false exited with status 1" "stderr"
}

test_failing_create_container_hook() {
    run_failing_hook createContainer
}

# The runtime spec: a failing poststart hook is logged, the lifecycle goes on.
# runc 1.1 instead kills the container and fails start.
test_failing_poststart_hook_only_warns() {
    hooks_setup
    add_hook poststart "$(hook_json /bin/false false)"
    probe_args sleep 30
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc start "$CID"
    assert_ok
    assert_eq "$(ct_status "$CID")" running "status after a failed poststart hook"
    kill_and_delete "$CID"
}

# The runtime spec: a failing poststop hook is logged, delete still succeeds.
test_failing_poststop_hook_only_warns() {
    hooks_setup
    add_hook poststop "$(hook_json /bin/false false)"
    probe_args exit 0
    capture rt create --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc start "$CID"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    rtc state "$CID"
    [ "$RC" != 0 ] || fail "state left after delete"
}

# create SIGKILLed while its createRuntime hook runs (a service manager's
# stop, an OOM kill): the hook and what it started must not run on, and
# delete --force ends them with the rest.
test_create_killed_during_hook() {
    hooks_setup
    printf '#!/bin/sh\nsleep 300 &\necho $! > "$1/sleep.pid"\nwait\n' > "$HK/slow.sh"
    chmod 0755 "$HK/slow.sh"
    add_hook createRuntime "$(hook_json "$HK/slow.sh" slow.sh "$HK")"
    bg create "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$CID"
    wait_for 10 test -s "$HK/sleep.pid" || fail "the hook did not start"
    local spid
    spid=$(cat "$HK/sleep.pid")
    kill -KILL "$BG_PID"
    bg_wait create
    proc_gone "$spid" && note "the hook's child died with create"
    capture rt delete --force "$CID"
    assert_ok
    wait_for 5 proc_gone "$spid" || fail "the hook's child $spid still runs after create was killed and delete --force"
    [ -e "$STATE_ROOT/$CID" ] && fail "delete --force left $STATE_ROOT/$CID"
    return 0
}

run_tests "$@"
