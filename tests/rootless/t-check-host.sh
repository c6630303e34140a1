# shellcheck shell=bash
# burrow check-host on this machine, as the unprivileged test user: what
# works here says OK, what is missing here on purpose (no systemd user
# manager, no writable cgroup) says WARN with a fix, and the exit status says
# whether a rootless container can run. Fake host files
# (BURROW_TEST_HOST_FILES) show a user without a subordinate range.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHECKS="userns-sysctl userns-max userns-apparmor userns-create subuid subgid newuidmap newgidmap cgroup
systemd-user dev-fuse dev-net-tun overlay-userns fuse-overlayfs slirp4netns pasta seccomp pidfd openat2
mount-api state-root xdg-runtime-dir"

# status NAME: the status check NAME reported in $OUT (JSON).
status() { jq -r --arg n "$1" '.[] | select(.name == $n) | .status' <<< "$OUT"; }

test_check_host_text() {
    burrow_only "burrow's own command"
    rtc check-host
    assert_rc 0
    assert_contains "$OUT" "A rootless container can run here."
    local line n=0
    while IFS= read -r line; do
        case $line in
            "OK "* | "WARN "* | "MISSING "*) n=$((n + 1)) ;;
            "   "*"fix: "*) ;;
            "A rootless container can run here.") ;;
            *) fail "unexpected line: '$line'" ;;
        esac
    done <<< "$OUT"
    assert_eq "$n" "$(echo $CHECKS | wc -w)" "checks"
    assert_eq "$ERR" "" "stderr"
    # What this machine has.
    assert_match "$OUT" "OK +userns-create +created a user namespace and mapped uid $MY_UID to root"
    assert_match "$OUT" "OK +subuid +$MY_USER: $SUBUID_START-"
    assert_match "$OUT" "OK +overlay-userns"
    assert_match "$OUT" "OK +state-root +$STATE_ROOT"
}

test_check_host_json() {
    burrow_only "burrow's own command"
    rtc check-host --format json
    assert_rc 0
    jq -e 'type == "array" and all(.[]; (keys == ["detail", "fix", "name", "status"])
        and (.status | IN("OK", "WARN", "MISSING")) and ([.name, .detail, .fix] | all(type == "string")))' \
        <<< "$OUT" >/dev/null || fail "not an array of {name, status, detail, fix}: $OUT"
    assert_eq "$(jq -r '.[].name' <<< "$OUT" | tr '\n' ' ')" "$(echo $CHECKS) " "check names, in order"
    for n in userns-create subuid subgid newuidmap newgidmap dev-fuse dev-net-tun overlay-userns seccomp \
        pidfd openat2 mount-api state-root; do
        assert_eq "$(status $n)" OK "$n"
    done
    # No systemd user manager runs for the test user here: a warning with its fix.
    if [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ]; then
        assert_eq "$(status systemd-user)" WARN systemd-user
        assert_contains "$(jq -r '.[] | select(.name == "systemd-user") | .fix' <<< "$OUT")" "loginctl enable-linger $MY_USER"
    fi
    # An OK check has no fix; a WARN or MISSING one has one.
    assert_eq "$(jq '[.[] | select((.status == "OK") != (.fix == ""))] | length' <<< "$OUT")" 0 "fix iff not OK"
}

test_check_host_no_subuid_range() {
    burrow_only "burrow's own command"
    mkdir -p "$TEST_DIR/host/etc"
    printf 'someoneelse:100000:65536\n' > "$TEST_DIR/host/etc/subuid"
    : > "$TEST_DIR/host/etc/subgid"
    capture env BURROW_TEST_HOST_FILES="$TEST_DIR/host" "$RUNTIME" --root "$STATE_ROOT" check-host
    # Only the caller's own id can be mapped then, but a container still runs.
    assert_rc 0
    assert_match "$OUT" "MISSING +subuid +no range for $MY_USER in $TEST_DIR/host/etc/subuid"
    assert_contains "$OUT" "fix: sudo usermod --add-subuids 196608-262143 $MY_USER"
    assert_contains "$OUT" "fix: sudo usermod --add-subgids 131072-196607 $MY_USER"
}

test_check_host_cannot_run() {
    burrow_only "burrow's own command"
    mkdir "$TEST_DIR/ro" && chmod 0555 "$TEST_DIR/ro"
    capture "$RUNTIME" --root "$TEST_DIR/ro/state" check-host --format json
    assert_rc 1
    assert_eq "$(status state-root)" MISSING state-root
    capture "$RUNTIME" --root "$TEST_DIR/ro/state" check-host
    assert_rc 1
    assert_contains "$OUT" "A rootless container cannot run here: fix state-root."
    [ -e "$TEST_DIR/ro/state" ] && fail "check-host made the state root"
    chmod 0755 "$TEST_DIR/ro"
}

test_check_host_leaves_nothing() {
    burrow_only "burrow's own command"
    local tmp="$TEST_DIR/tmp"
    mkdir "$tmp"
    capture env TMPDIR="$tmp" "$RUNTIME" --root "$STATE_ROOT" check-host
    assert_rc 0
    assert_eq "$(ls -A "$tmp")" "" "files left in TMPDIR"
    [ -e "$STATE_ROOT" ] && fail "check-host made the state root $STATE_ROOT"
    true
}

test_check_host_usage() {
    burrow_only "burrow's own command"
    rtc check-host --format yaml
    assert_rc 1
    assert_eq "$ERR" 'burrow: check-host: --format: "yaml" is not text or json'
    assert_eq "$OUT" ""
    rtc check-host extra
    assert_rc 1
    assert_contains "$ERR" "usage: burrow check-host"
    rtc check-host --help
    assert_rc 0
    assert_contains "$OUT" "USAGE:
   burrow check-host [command options]"
    assert_contains "$OUT" "--format value, -f value"
}

# The cgroup check asks as create would, with the global --cgroup-manager.
test_check_host_cgroup_manager() {
    burrow_only "burrow's own command"
    rtc --cgroup-manager disabled check-host --format json
    assert_rc 0
    assert_eq "$(status cgroup)" "WARN" "cgroup with --cgroup-manager disabled"
    assert_eq "$(jq -r '.[] | select(.name == "cgroup") | .fix' <<< "$OUT")" \
        "leave out the global option --cgroup-manager disabled" "fix"
    rtc --cgroup-manager bogus check-host
    assert_rc 1
    assert_eq "$ERR" 'burrow: check-host: --cgroup-manager: "bogus" is not cgroupfs, systemd or disabled'
    assert_eq "$OUT" ""
}

run_tests "$@"
