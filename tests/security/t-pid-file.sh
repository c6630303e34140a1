# shellcheck shell=bash
# --pid-file in a directory the container shares (a volume, as a pod's
# containers share one): burrow writes the pid through a file of its own
# naming beside it and renames that into place. The container plants a
# symlink where that file would be (the pid file's name and ".tmp", or any
# name), pointing at a file of the user's outside the volume: burrow must
# create its file without following a link, and the rename must replace what
# is at the pid file's path, never write through it.
# docs/security.md: how this test was shown to fail on the vulnerable build.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# A volume bound rw on /home/user, and a file of the user's outside it.
_volume() {
    VOL=$TEST_DIR/vol
    VICTIM=$TEST_DIR/victim
    mkdir -p "$VOL"
    echo "the user's own file" > "$VICTIM"
    add_mount "{\"destination\": \"/home/user\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"rbind\", \"rw\"]}"
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
}

_victim_intact() {
    assert_eq "$(cat "$VICTIM")" "the user's own file" "the file outside the volume"
    [ -L "$VOL/$1" ] && fail "the pid file is still the container's link"
    [ -f "$VOL/$1" ] || fail "no pid file: $(ls -la "$VOL")"
    assert_match "$(cat "$VOL/$1")" '^[0-9]+$' "the pid file"
}

test_exec_pid_file_beside_a_planted_link() {
    _volume
    # The container's root plants the links (its root is the user: the links are the user's).
    rtc exec "$CID" /bin/sh -c "ln -s ../victim /home/user/e.pid.tmp && ln -s ../victim /home/user/e.pid"
    assert_ok
    rtc exec -d --pid-file "$VOL/e.pid" "$CID" /bin/sleep 1
    assert_ok
    _victim_intact e.pid
    kill_and_delete "$CID"
}

# A second container sharing the volume, made with its pid file there.
test_create_pid_file_beside_a_planted_link() {
    _volume
    rtc exec "$CID" /bin/sh -c "ln -s '$VICTIM' /home/user/c2.pid.tmp"
    assert_ok
    rtc create --pid-file "$VOL/c2.pid" --bundle "$BUNDLE" "$CID-2"
    assert_ok
    _victim_intact c2.pid
    rt delete --force "$CID-2" >/dev/null 2>&1
    kill_and_delete "$CID"
}

run_tests "$@"
