# shellcheck shell=bash
# The caller's session keyring (keyrings(7)) holds the user's keys: Kerberos
# tickets, AFS tokens, fscrypt and ecryptfs keys. A process of the container
# that holds it may read them, and the container's root may ptrace that
# process. create and exec give every container process a session keyring of
# its own (runc's `_ses.ID`), unless the container was made with
# --no-new-keyring; a full key quota, which the container's root (the user's
# own uid to the kernel) can bring about, is an error, never the caller's
# keyring. The attacker (tests/security/attack-keyring.c) plants the user's
# secret in a session keyring around burrow, and looks for it inside.
# docs/security.md: how this test was shown to fail on the vulnerable build.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

_attacker() { static_attacker attack-keyring.c; }

# planted CMD...: CMD in a session keyring holding the user's secret (OUT, ERR, RC).
planted() { capture "$EVIL/attack" host "$@"; }

_safe() {  # WHAT: the attacker ran and did not find the secret
    assert_ok
    assert_not_contains "$OUT" LEAK "$1"
    assert_contains "$OUT" "safe:" "$1"
}

test_run_has_a_keyring_of_its_own() {
    _attacker
    set_args /home/user/attack
    planted "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
    _safe "run"
}

test_exec_has_a_keyring_of_its_own() {
    _attacker
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    planted "$RUNTIME" --root "$STATE_ROOT" exec "$CID" /home/user/attack
    _safe "exec"
    kill_and_delete "$CID"
}

# The ranks of run --join exec into the first one's container.
test_join_ranks_have_a_keyring_of_their_own() {
    burrow_only "run --join"
    _attacker
    bg r1 rt run --join --rootfs "$ROOTFS" -v "$EVIL:/home/user" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/sleep 3
    wait_for 10 _status_is "$CID" running || fail "the first rank's container never ran"
    planted "$RUNTIME" --root "$STATE_ROOT" run --join --rootfs "$ROOTFS" -v "$EVIL:/home/user" \
        -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /home/user/attack
    _safe "the second rank"
    bg_wait r1
    assert_ok
}

# What --no-new-keyring asks for: the caller's keyring stays, for run and for
# exec. Also shows that the attacker finds the secret where it is there.
test_no_new_keyring_keeps_the_callers() {
    burrow_only "the attacker's result"
    _attacker
    set_args /home/user/attack
    planted "$RUNTIME" --root "$STATE_ROOT" run --no-new-keyring --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$OUT" "LEAK: hunter2" "run --no-new-keyring"
    probe_args sleep 60
    rtc run -d --no-new-keyring --bundle "$BUNDLE" "$CID"
    assert_ok
    planted "$RUNTIME" --root "$STATE_ROOT" exec "$CID" /home/user/attack
    assert_ok
    assert_contains "$OUT" "LEAK: hunter2" "exec into a --no-new-keyring container"
    kill_and_delete "$CID"
}

_user_keys() {  # the number of keys the user holds (/proc/key-users)
    awk -v u="$MY_UID:" '$1 == u {print $2; f = 1} END {if (!f) print 0}' /proc/key-users
}
_keys_freed() { [ "$(_user_keys)" -lt 100 ]; }

# A container fills the user's key quota (kernel.keys.maxkeys), then a run and
# an exec come: the run must fail with one line, not start with the caller's
# keyring; the exec joins its container's keyring.
test_full_key_quota_is_an_error() {
    burrow_only "the error's wording"
    _attacker
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    cat > "$TEST_DIR/steps" <<'STEPS'
rt=("$RUNTIME" --root "$STATE_ROOT")
"${rt[@]}" run -d --bundle "$BUNDLE" "$CID-fill" -- /home/user/attack fill /home/user/filled || exit 3
n=0
until [ -s "$EVIL/filled" ]; do n=$((n + 1)); [ $n -lt 500 ] || exit 4; sleep 0.02; done
sleep 0.3 # the keys of earlier tests' containers, freed meanwhile, taken up again
"${rt[@]}" run --bundle "$BUNDLE" "$CID-new" -- /home/user/attack 2>"$TEST_DIR/run.err"
echo "run rc=$?"
"${rt[@]}" exec "$CID" /home/user/attack 2>"$TEST_DIR/exec.err"
echo "exec rc=$?"
STEPS
    planted env RUNTIME="$RUNTIME" STATE_ROOT="$STATE_ROOT" BUNDLE="$BUNDLE" CID="$CID" EVIL="$EVIL" TEST_DIR="$TEST_DIR" \
        bash "$TEST_DIR/steps"
    note "the filler: $(cat "$EVIL/filled" 2>/dev/null)"
    rt delete --force "$CID-fill" >/dev/null 2>&1
    wait_for 15 _keys_freed || fail "the user's keys were not freed: $(_user_keys)"
    assert_ok
    assert_contains "$(cat "$EVIL/filled")" "Disk quota exceeded" "the filler"
    assert_not_contains "$OUT" LEAK "run and exec with the quota full"
    assert_contains "$OUT" "run rc=1" "run with the quota full"
    # exec joins the container's own keyring, which takes no key of the quota
    assert_contains "$OUT" "exec rc=0" "exec with the quota full (it joins the container's keyring)"
    RC=1 ERR=$(cat "$TEST_DIR/run.err")
    assert_fail_with "burrow: run $CID-new: join a new session keyring (the user's key quota, sysctl kernel.keys.maxkeys, is full): Disk quota exceeded"
    kill_and_delete "$CID"
}

# exec joins the keyring create made for the container (as runc's exec does):
# a node's MPI ranks in one container do not take a key of the user's quota
# each. And another container cannot join that keyring by its name.
test_exec_joins_the_containers_keyring() {
    burrow_only "the attacker's result"
    _attacker
    set_args /bin/sh -c '/home/user/attack show > /home/user/init.txt; sleep 60'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_for 10 test -s "$EVIL/init.txt" || fail "the container's process did not say its keyring"
    local init
    init=$(cat "$EVIL/init.txt")
    assert_contains "$init" " _ses.$CID" "the container's keyring"
    rtc exec "$CID" /home/user/attack show
    assert_ok
    assert_eq "$OUT" "$init" "exec's keyring"
    set_args /home/user/attack join "_ses.$CID"
    rtc run --bundle "$BUNDLE" "$CID-2"
    assert_ok
    assert_contains "$OUT" "keyring=" "the other container's join"
    assert_ne "$OUT" "$init" "the keyring another container joined by the first one's name"
    kill_and_delete "$CID"
}

run_tests "$@"
