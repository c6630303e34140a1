# shellcheck shell=bash
# Networking without privilege (netless/): --network none|loopback|slirp4netns|pasta
# and --publish, as flags and as annotations. Only loopback addresses and the
# helper's gateway (10.0.2.2, which reaches the host's loopback when allowed)
# are ever targeted. After every test the leak check finds no helper left.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BB="$ROOTFS/bin/busybox" # static: its httpd also runs on the host

# free_port: a TCP port on 127.0.0.1 that nothing holds now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

need_helper() {
    burrow_only "--network"
    command -v "$1" >/dev/null || skip "$1 is not installed"
}

# serve_in_container: the container's busybox httpd on port 80 serves /tmp/f
# holding TOKEN (a tmpfs: the shared rootfs is read-only).
serve_in_container() {
    TOKEN="token-$RANDOM$RANDOM"
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]}'
    set_args sh -c "echo $TOKEN > /tmp/f && exec httpd -f -p 80 -h /tmp"
}

# fetch URL: the body, from the host (waits for the server to listen, 10 s at most).
# (python3: the static busybox's wget crashes on the host)
_fetch() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode(), end="")' "$1"; }
_fetch_has_token() { _fetch "$1" 2>/dev/null | grep -qx "$TOKEN"; }
fetch_ok() { wait_for 10 _fetch_has_token "$1" || fail "no $TOKEN from $1"; }

# helper_pid ID: the helper burrow recorded for the container.
helper_pid() { cut -d' ' -f1 "$STATE_ROOT/$1/network.pid"; }

# host_server: a busybox httpd of the test on 127.0.0.1:$HOST_PORT serving TOKEN at /f.
host_server() {
    TOKEN="host-$RANDOM$RANDOM"
    mkdir -p www && echo "$TOKEN" > www/f
    HOST_PORT=$(free_port)
    bg hostd "$BB" httpd -f -p "127.0.0.1:$HOST_PORT" -h "$TEST_DIR/www"
    HOSTD=$BG_PID
    wait_for 10 _fetch_has_token "http://127.0.0.1:$HOST_PORT/f" || fail "the test's own server did not come up"
}
stop_host_server() { kill "$HOSTD" 2>/dev/null; wait "$HOSTD" 2>/dev/null; }

publish_and_fetch() { # MODE
    need_helper "$2"
    serve_in_container
    local port; port=$(free_port)
    rtc run -b "$BUNDLE" -d --network "$1" --publish "127.0.0.1:$port:80" "$CID"
    assert_ok
    fetch_ok "http://127.0.0.1:$port/f"
    # state shows the mode and the ports, as the annotations say them
    rtc state "$CID"
    assert_eq "$(jq -r '.annotations["io.github.burrow.network"]' <<< "$OUT")" "$1" "network annotation"
    assert_eq "$(jq -r '.annotations["io.github.burrow.publish"]' <<< "$OUT")" "127.0.0.1:$port:80/tcp" "publish annotation"
    local h; h=$(helper_pid "$CID")
    kill_and_delete "$CID"
    proc_gone "$h" || fail "$2 ($h) still runs after delete"
}

test_slirp4netns_publish() { publish_and_fetch slirp4netns slirp4netns; }
test_pasta_publish() { publish_and_fetch pasta pasta; }

# get_from_gateway: the container asks the gateway for /f on the test's port
# with nc (the static busybox's wget crashes) and reads until the token:
# Debian 12's pasta does not pass the server's half-close on, so nc would
# wait for ever. `kill -1` reaches the container's own pid namespace only
# (nc and printf: not init, not the caller).
get_from_gateway() {
    set_args sh -c "printf 'GET /f HTTP/1.0\\r\\n\\r\\n' | nc 10.0.2.2 $HOST_PORT |
        { while read -r line; do echo \"\$line\"; [ \"\$line\" = $TOKEN ] && break; done; kill -KILL -1; true; }"
}

to_host() { # MODE HELPER
    need_helper "$2"
    host_server
    get_from_gateway
    rtc run -b "$BUNDLE" --network "$1:allow_host_loopback=true" "$CID"
    stop_host_server
    assert_ok
    assert_contains "$OUT" "$TOKEN" "what the container fetched from the host's loopback"
}

test_slirp4netns_reaches_host_loopback_when_allowed() { to_host slirp4netns slirp4netns; }
test_pasta_reaches_host_loopback_when_allowed() { to_host pasta pasta; }

test_slirp4netns_host_loopback_closed_by_default() {
    need_helper slirp4netns
    host_server
    get_from_gateway
    rtc run -b "$BUNDLE" --network slirp4netns "$CID"
    stop_host_server
    assert_not_contains "$OUT" "$TOKEN" "what the container got from 10.0.2.2 without allow_host_loopback"
    assert_contains "$ERR" "nc: can't connect" "nc's complaint"
}

test_network_annotations() {
    need_helper slirp4netns
    serve_in_container
    local port; port=$(free_port)
    cfg --arg p "127.0.0.1:$port:80" '.annotations["io.github.burrow.network"] = "slirp4netns"
        | .annotations["io.github.burrow.publish"] = $p'
    rtc run -b "$BUNDLE" -d "$CID"
    assert_ok
    fetch_ok "http://127.0.0.1:$port/f"
    kill_and_delete "$CID"
}

test_network_loopback_and_none() {
    burrow_only "--network"
    set_args sh -c 'ip -o link; readlink /proc/self/ns/net'
    rtc run -b "$BUNDLE" --network loopback "$CID"
    assert_ok
    assert_match "$OUT" 'lo: <LOOPBACK,UP' "lo with --network loopback"
    [ "$(grep -c ': <' <<< "$OUT")" = 1 ] || fail "more than lo: $OUT"
    assert_ne "$(tail -1 <<< "$OUT")" "$(readlink /proc/self/ns/net)" "network namespace (the spec has none: --network makes one)"
    rtc run -b "$BUNDLE" --network none "$CID"
    assert_ok
    assert_not_contains "$OUT" "UP" "lo with --network none"
}

test_delete_ends_helper_and_socket() {
    need_helper slirp4netns
    set_args sleep 60
    rtc create --bundle "$BUNDLE" --network slirp4netns "$CID"
    assert_ok
    local h; h=$(helper_pid "$CID")
    [ -S "$STATE_ROOT/$CID/slirp4netns.sock" ] || fail "no API socket in the state directory"
    proc_gone "$h" && fail "slirp4netns is not running after create"
    rtc delete "$CID"
    assert_ok
    proc_gone "$h" || fail "slirp4netns ($h) still runs after delete"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}

test_killed_container_ends_slirp4netns() {
    need_helper slirp4netns
    set_args sleep 60
    rtc run -b "$BUNDLE" -d --network slirp4netns "$CID"
    assert_ok
    local h; h=$(helper_pid "$CID")
    rt kill "$CID" KILL
    # Its exit fd is a pidfd of the container's process: it ends once that is reaped.
    wait_for 20 proc_gone "$h" || fail "slirp4netns ($h) outlived its container"
    rtc delete "$CID"
    assert_ok
}

# A create that fails after the helper started (the program is missing, found
# only after the network step) ends the helper: the leak check finds none.
failed_create_ends_helper() { # MODE HELPER
    need_helper "$2"
    set_args nosuchbin
    rtc run -b "$BUNDLE" --network "$1" --publish "127.0.0.1:$(free_port):80" "$CID"
    assert_fail_with 'exec: "nosuchbin": executable file not found in $PATH'
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}
test_slirp4netns_ended_by_failed_create() { failed_create_ends_helper slirp4netns slirp4netns; }
test_pasta_ended_by_failed_create() { failed_create_ends_helper pasta pasta; }

port_taken() { # MODE HELPER
    need_helper "$2"
    host_server
    set_args true
    rtc run -b "$BUNDLE" --network "$1" --publish "127.0.0.1:$HOST_PORT:80" "$CID"
    stop_host_server
    assert_fail_with "publish 127.0.0.1:$HOST_PORT:80/tcp: host port $HOST_PORT is already in use"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}
test_slirp4netns_port_taken() { port_taken slirp4netns slirp4netns; }
test_pasta_port_taken() { port_taken pasta pasta; }

test_missing_helper_names_the_package() {
    burrow_only "--network"
    mkdir empty-path
    set_args true
    capture env PATH="$TEST_DIR/empty-path" "$RUNTIME" --root "$STATE_ROOT" run -b "$BUNDLE" --network slirp4netns "$CID"
    assert_fail_with "slirp4netns not found in PATH: install the slirp4netns package"
    capture env PATH="$TEST_DIR/empty-path" "$RUNTIME" --root "$STATE_ROOT" run -b "$BUNDLE" --network pasta "$CID"
    assert_fail_with "pasta not found in PATH: install the passt package"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}

test_bad_network_options() {
    burrow_only "--network"
    set_args true
    rtc run -b "$BUNDLE" --network bridge "$CID"
    assert_fail_with '--network: "bridge" is not a network mode'
    rtc run -b "$BUNDLE" --network slirp4netns --publish 80 "$CID"
    assert_fail_with "--publish: \"80\": expected [HOSTIP:]HOSTPORT:CONTAINERPORT"
    rtc run -b "$BUNDLE" --publish 127.0.0.1:8080:80 "$CID"
    assert_fail_with "--publish needs --network slirp4netns or pasta"
    cfg '.annotations["io.github.burrow.network"] = "slirp4netns:mtu=9000"'
    rtc run -b "$BUNDLE" "$CID"
    assert_fail_with 'config.json: annotations.io.github.burrow.network: "mtu" is not an option of slirp4netns'
    cfg 'del(.annotations)'
    add_ns network /proc/self/ns/net
    rtc run -b "$BUNDLE" --network loopback "$CID"
    assert_fail_with "but --network loopback makes a network namespace"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}

# The helper's tap is persistent (made by the container's process before the
# helper attaches): the device goes with the container's network namespace,
# not with the helper, whose exit would otherwise wait for the kernel to
# unregister it (15-20 ms that `run` waited for). The helper killed, the
# interface stays.
tap_outlives_helper() { # MODE HELPER
    need_helper "$2"
    set_args sleep 60
    rtc run -b "$BUNDLE" -d --network "$1" "$CID"
    assert_ok
    local h tap
    h=$(helper_pid "$CID")
    rtc exec "$CID" cat /proc/net/dev
    assert_ok
    tap=$(sed -n 's/^ *\([^ :]*\):.*/\1/p' <<< "$OUT" | grep -vx lo | head -n1)
    [ -n "$tap" ] || fail "no interface but lo in the container: $OUT"
    kill -KILL "$h"
    wait_for 10 proc_gone "$h" || fail "$2 ($h) did not end"
    rtc exec "$CID" cat /proc/net/dev
    assert_ok
    assert_contains "$OUT" " $tap:" "the helper's interface after the helper's end"
    kill_and_delete "$CID"
}
test_slirp4netns_tap_outlives_helper() { tap_outlives_helper slirp4netns slirp4netns; }
test_pasta_tap_outlives_helper() { tap_outlives_helper pasta pasta; }

# When `run` returns, the helper (matched by the state paths on its command
# line) is gone, as are its socket, netns link and the state directory.
helper_gone_after_run() { # MODE HELPER
    need_helper "$2"
    set_args true
    rtc run -b "$BUNDLE" --network "$1" "$CID"
    assert_ok
    local left
    left=$(pgrep -u "$(id -u)" -f -- "$STATE_ROOT/$CID/" || true)
    [ -z "$left" ] || fail "$2 still runs after run returned: $(ps -o pid,stat,args -p "$left" | tail -n +2)"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left: $(ls -A "$STATE_ROOT/$CID")"
}
test_slirp4netns_gone_after_run() { helper_gone_after_run slirp4netns slirp4netns; }
test_pasta_gone_after_run() { helper_gone_after_run pasta pasta; }

# The helper comes up while the container's process makes its rootfs, but
# hooks still see the network configured: a createRuntime hook finds the
# helper's default route in the container's namespace.
hooks_see_the_network() { # MODE HELPER
    need_helper "$2"
    printf '%s\n' '#!/bin/sh' 'pid=$(jq -r .pid)' \
        'if awk '\''$2 == "00000000" { ok = 1 } END { exit !ok }'\'' "/proc/$pid/net/route"; then echo route > "$1"; else cat "/proc/$pid/net/route" > "$1"; fi' > hook.sh
    chmod +x hook.sh
    add_hook createRuntime "$(hook_json "$TEST_DIR/hook.sh" hook.sh "$TEST_DIR/seen")"
    set_args true
    rtc run -b "$BUNDLE" --network "$1" "$CID"
    assert_ok
    assert_eq "$(cat seen)" route "what the createRuntime hook saw"
}
test_slirp4netns_configured_for_hooks() { hooks_see_the_network slirp4netns slirp4netns; }
test_pasta_configured_for_hooks() { hooks_see_the_network pasta pasta; }

# A helper that fails while the container's process goes on with its set-up
# (here after a moment, as a real one does) fails the create with its words
# and leaves nothing: no process, no state directory.
failing_helper() { # HELPER
    burrow_only "--network"
    command -v "$1" >/dev/null || skip "$1 is not installed"
    mkdir fake-bin
    printf '#!/bin/sh\nsleep 0.2\necho "cannot configure the namespace" >&2\nexit 1\n' > "fake-bin/$1"
    chmod +x "fake-bin/$1"
    set_args true
    capture env PATH="$TEST_DIR/fake-bin:$PATH" "$RUNTIME" --root "$STATE_ROOT" run -b "$BUNDLE" --network "$1" "$CID"
    assert_fail_with "$1 cannot configure the namespace"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}
test_failing_slirp4netns_leaves_nothing() { failing_helper slirp4netns; }
test_failing_pasta_leaves_nothing() { failing_helper pasta; }

# A create that fails while the helper is still coming up (a mount the kernel
# refuses, made while the helper starts beside) ends the helper: it is killed
# (slirp4netns) or its launcher let finish and the daemon ended (pasta).
failed_while_helper_starts() { # MODE HELPER
    need_helper "$2"
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=nonsense"]}'
    set_args true
    rtc run -b "$BUNDLE" --network "$1" "$CID"
    assert_fail_with "mount tmpfs on /tmp"
    local left
    left=$(pgrep -u "$(id -u)" -f -- "$STATE_ROOT/$CID/" || true)
    [ -z "$left" ] || fail "$2 still runs after the failed run: $(ps -o pid,stat,args -p "$left" | tail -n +2)"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}
test_slirp4netns_ended_by_create_failing_while_it_starts() { failed_while_helper_starts slirp4netns slirp4netns; }
test_pasta_ended_by_create_failing_while_it_starts() { failed_while_helper_starts pasta pasta; }

run_tests "$@"
