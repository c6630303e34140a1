# shellcheck shell=bash
# The caller's terminal and process group (CVE-2017-5226, bubblewrap; the
# same class as CVE-2016-9016 and CVE-2016-7545): a container whose stdin is the
# user's terminal, without a pty of its own (process.terminal false), pushes
# a command line into the terminal's input with TIOCSTI, and the user's shell
# runs it on the host when the container ends; a container in the caller's
# process group signals the user's shell and its pipeline with kill(0, ...).
# burrow starts every container process, create's and exec's, in a session
# of its own (setsid): the terminal is no longer its controlling terminal
# (TIOCSTI then needs CAP_SYS_ADMIN in the host's user namespace) and its
# process group is its own. The attacker is tests/security/attack-session.c.
# docs/security.md: how this test was shown to fail on the vulnerable build.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

_attacker() { static_attacker attack-session.c; }

# on_a_terminal SCRIPT: runs the bash SCRIPT in a new session whose
# controlling terminal is a pty (script(1)), as a user's shell runs commands.
on_a_terminal() {
    command -v script >/dev/null || skip "no script(1)"
    printf '%s\n' "$1" > "$TEST_DIR/on-terminal.sh"
    capture env RUNTIME="$RUNTIME" STATE_ROOT="$STATE_ROOT" BUNDLE="$BUNDLE" CID="$CID" EVIL="$EVIL" \
        script -qec "bash $TEST_DIR/on-terminal.sh" /dev/null
}

_tiocsti_works() {  # the attacker's push works on this kernel from the terminal's own session
    [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ] ||
        skip "TIOCSTI is off for everyone on this kernel (dev.tty.legacy_tiocsti = 0)"
}

test_run_cannot_push_input_to_the_callers_terminal() {
    _tiocsti_works
    _attacker
    set_args /home/user/attack tiocsti
    on_a_terminal '"$EVIL/attack" tiocsti | sed "s/^/host /"
"$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" | sed "s/^/container /"'
    assert_ok
    assert_contains "$OUT" "host tiocsti: PUSHED" "the attacker on the host (the attack works here)"
    assert_contains "$OUT" "container tiocsti: " "the attacker in the container"
    assert_not_contains "$OUT" "container tiocsti: PUSHED" "the attacker in the container"
}

test_exec_cannot_push_input_to_the_callers_terminal() {
    _tiocsti_works
    _attacker
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    on_a_terminal '"$RUNTIME" --root "$STATE_ROOT" exec "$CID" /home/user/attack tiocsti | sed "s/^/container /"'
    local out=$OUT
    kill_and_delete "$CID"
    OUT=$out
    assert_contains "$OUT" "container tiocsti: " "the attacker exec'd in the container"
    assert_not_contains "$OUT" "container tiocsti: PUSHED" "the attacker exec'd in the container"
}

# The caller's shell traps SIGUSR1: HIT means the container's signal reached it.
_killpg_script='trap "echo HIT" USR1
"$RUNTIME" --root "$STATE_ROOT" '
test_run_cannot_signal_the_callers_process_group() {
    _attacker
    set_args /home/user/attack killpg
    capture env RUNTIME="$RUNTIME" STATE_ROOT="$STATE_ROOT" BUNDLE="$BUNDLE" CID="$CID" \
        setsid bash -c "$_killpg_script"'run --bundle "$BUNDLE" "$CID"; sleep 0.2; echo end'
    assert_ok
    assert_contains "$OUT" "killpg: sent" "the attacker"
    assert_contains "$OUT" "end"
    assert_not_contains "$OUT" HIT "the caller's shell"
    # the same from a detached container
    capture env RUNTIME="$RUNTIME" STATE_ROOT="$STATE_ROOT" BUNDLE="$BUNDLE" CID="$CID-d" \
        setsid bash -c "$_killpg_script"'run -d --bundle "$BUNDLE" "$CID"; sleep 0.5; echo end'
    assert_not_contains "$OUT" HIT "the caller's shell (run -d)"
    wait_for 10 _status_is "$CID-d" stopped
    rt delete --force "$CID-d" >/dev/null 2>&1
}

test_exec_cannot_signal_the_callers_process_group() {
    _attacker
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    capture env RUNTIME="$RUNTIME" STATE_ROOT="$STATE_ROOT" CID="$CID" \
        setsid bash -c "$_killpg_script"'exec "$CID" /home/user/attack killpg; sleep 0.2; echo end'
    local out=$OUT rc=$RC
    kill_and_delete "$CID"
    OUT=$out RC=$rc
    assert_ok
    assert_contains "$OUT" "killpg: sent" "the attacker"
    assert_contains "$OUT" "end"
    assert_not_contains "$OUT" HIT "the caller's shell"
}

run_tests "$@"
