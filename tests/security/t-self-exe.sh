# shellcheck shell=bash
# CVE-2019-5736: a container must never get a handle on burrow's binary that
# it can reopen for writing. burrow lives where a rootless user keeps it (a
# copy in a directory of the user's own, so the container's root, mapped to
# the user, may write it); the image holds a script whose interpreter is
# /proc/self/exe and a program that watches /proc for the runtime.
# docs/security.md: how this test was shown to fail on the vulnerable build.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# The attack's files, bound on /home/user: the static attacker, a FIFO that
# keeps a burrow loaded as interpreter waiting (its --log opens it for an
# error line), and the script.
_evil_setup() {
    EVIL=$TEST_DIR/evil
    mkdir -p "$EVIL" "$TEST_DIR/bin"
    gcc -static -O2 -o "$EVIL/attack" "$REPO_DIR/tests/security/attack-self-exe.c" 2>"$TEST_DIR/gcc.log" ||
        fail "cannot build the attacker: $(cat "$TEST_DIR/gcc.log")"
    mkfifo "$EVIL/fifo"
    printf '#!/proc/self/exe --log=/home/user/fifo\n' > "$EVIL/evil.sh"
    chmod 0755 "$EVIL/evil.sh"
    cp "$RUNTIME" "$TEST_DIR/bin/burrow"
    MYBURROW=$TEST_DIR/bin/burrow
    [ -O "$MYBURROW" ] && [ -w "$MYBURROW" ] || fail "the copy of burrow is not the user's own"
    add_mount "{\"destination\": \"/home/user\", \"type\": \"bind\", \"source\": \"$EVIL\", \"options\": [\"rbind\", \"rw\"]}"
}

_unchanged() {
    cmp -s "$RUNTIME" "$MYBURROW" || fail "burrow's binary was changed from inside the container ($(cat "$EVIL/result" 2>/dev/null))"
    grep -q PWNED "$MYBURROW" && fail "the marker landed in burrow's binary"
    note "attacker: $(cat "$EVIL/result")"
}

# The attacker's container, running (detached) and watching /proc.
_attacker_running() {
    _evil_setup
    set_args /home/user/attack 8 /home/user
    capture "$MYBURROW" --root "$STATE_ROOT" run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_for 10 test -e "$EVIL/ready" || fail "the attacker did not start"
}

# A second container joins the attacker's user and pid namespaces (a pod);
# jq EDIT sets what it runs.
_pod_member_config() {
    local pid
    pid=$(ct_pid "$CID")
    cfg --arg p "$pid" '.linux.namespaces |= map(if .type == "user" or .type == "pid" then .path = "/proc/\($p)/ns/\(.type)" else . end)
                        | del(.linux.uidMappings, .linux.gidMappings) | '"$1"
}

# Stop the attacker once the runtime is done, read its result, check burrow.
_attack_over() {
    sleep 1
    touch "$EVIL/stop"
    wait_for 15 test -e "$EVIL/result" || fail "the attacker gave no result"
    _unchanged
    rt delete --force "$CID-2" >/dev/null 2>&1
    kill_and_delete "$CID"
}

test_exec_script_interpreted_by_proc_self_exe() {
    burrow_only "the runtime is copied to a user-owned directory"
    _attacker_running
    capture timeout 20 "$MYBURROW" --root "$STATE_ROOT" exec "$CID" /home/user/evil.sh
    _attack_over
}

test_run_in_a_shared_pid_namespace() {
    # A pod: the second container joins the first one's user and pid
    # namespaces, and its own process is the script.
    burrow_only "the runtime is copied to a user-owned directory"
    _attacker_running
    _pod_member_config '.process.args = ["/home/user/evil.sh"]'
    capture timeout 20 "$MYBURROW" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID-2"
    _attack_over
}

test_run_in_a_shared_pid_namespace_while_a_hook_runs() {
    # The same, with a createContainer hook that keeps the joining child
    # (still burrow) waiting in the shared pid namespace: the attacker has all
    # the time it needs to find it there.
    burrow_only "the runtime is copied to a user-owned directory"
    _attacker_running
    _pod_member_config '.process.args = ["/bin/true"] | .hooks.createContainer = [{"path": "/bin/sleep", "args": ["sleep", "1"]}]'
    capture timeout 20 "$MYBURROW" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID-2"
    _attack_over
}

run_tests "$@"
