# shellcheck shell=bash
# Programs burrow runs by name (ps, newuidmap and newgidmap, fuse-overlayfs,
# squashfuse, slirp4netns) found through a relative entry of PATH: "." or an
# empty entry names the directory burrow was started in, which may be a
# volume a container writes. The container plants its programs there; they
# would run on the host as the user, outside any confinement. burrow looks in
# PATH's absolute directories only (as Go's exec.LookPath refuses for runc).
# docs/security.md: how this test was shown to fail on the vulnerable build.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# The volume, with the container's programs in it; burrow is started there.
_planted() {
    VOL=$TEST_DIR/vol
    mkdir -p "$VOL"
    local p
    for p in ps newuidmap newgidmap fuse-overlayfs squashfuse slirp4netns; do
        printf '#!/bin/sh\necho "%s ran on the host" >> "%s/ran"\nexit 1\n' "$p" "$TEST_DIR" > "$VOL/$p"
        chmod 0755 "$VOL/$p"
    done
}

# in_volume ARGS...: the runtime started in the volume, ".", "" in PATH first.
in_volume() {
    capture env -C "$VOL" PATH=".::$PATH" "$RUNTIME" --root "$STATE_ROOT" "$@"
}

_none_ran() {
    [ -e "$TEST_DIR/ran" ] && fail "a program of the volume's ran: $(cat "$TEST_DIR/ran")"
    return 0
}

test_ps_not_from_a_relative_path_entry() {
    _planted
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    in_volume ps "$CID"
    assert_ok
    _none_ran
    kill_and_delete "$CID"
}

test_helpers_not_from_a_relative_path_entry() {
    _planted
    userns_full # newuidmap and newgidmap
    probe_args true
    in_volume run --bundle "$BUNDLE" "$CID"
    assert_ok
    _none_ran
    in_volume run --overlay --overlay-driver fuse --bundle "$BUNDLE" "$CID"
    assert_ok
    _none_ran
    if command -v slirp4netns >/dev/null && [ -c /dev/net/tun ]; then
        in_volume run --network slirp4netns --bundle "$BUNDLE" "$CID"
        assert_ok
        _none_ran
    fi
}

run_tests "$@"
