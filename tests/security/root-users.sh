#!/bin/bash
# Between users (run as root by tests/security/run, acting as $USER1 and $USER2
# through $AS_USER): another user cannot read, hijack, signal, join or delete a
# user's containers, and is told why (never "does not exist"); a state
# directory someone else planted where burrow would make it is refused; the
# NOTIFY and slirp4netns sockets and the overlay's upper layer are reachable
# by their owner only, also in a state root others may enter.

u1() { BURROW_TEST_USER=$USER1 "$AS_USER" "$@"; }
u2() { BURROW_TEST_USER=$USER2 "$AS_USER" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
UID1=$(id -u "$USER1")
UID2=$(id -u "$USER2")

# bundle1: a rootless bundle of $USER1's in $WORK/b1 that sleeps.
bundle1() {
    install -d -o "$USER1" "$WORK/b1"
    u1 sh -c "cd '$WORK/b1' && '$RT_USER' spec --rootless" || fail "spec --rootless"
    jq --arg r "$ROOTFS" '.root = {path: $r, readonly: false} | .process.terminal = false
        | .process.args = ["/probe", "sleep", "60"]' "$WORK/b1/config.json" > "$WORK/c" && mv "$WORK/c" "$WORK/b1/config.json"
    chmod 0644 "$WORK/b1/config.json"
}

# cleanup_later ROOT ID: the runner deletes it (as $USER1) whatever happens.
cleanup_later() {
    printf '#!/bin/sh\nBURROW_TEST_USER=%s %s %s --root %s delete --force %s\n' "$USER1" "$AS_USER" "$RT_USER" "$1" "$2" >> "$WORK/cleanup"
    chmod +x "$WORK/cleanup"
}

# refused_to_other WHAT OUT RC: $USER2's command failed and said why.
refused_to_other() {
    [ "$3" != 0 ] || fail "$1 by $USER2 exited 0: $2"
    case $2 in *"does not exist"*) fail "$1 by $USER2 said 'does not exist': $2" ;; esac
    case $2 in *"another user"*|*"belongs to uid $UID1"*|*"ermission denied"*) ;; *) fail "$1 by $USER2 did not say why: $2" ;; esac
    echo "ok: $1 refused: $2"
}

others_cannot_touch() {  # ROOT ID
    local root=$1 id=$2 cmd out rc
    for cmd in "state $id" "kill $id KILL" "kill -a $id KILL" "exec $id /probe" "delete --force $id" "delete $id" \
               "pause $id" "resume $id" "ps $id" "update --pids-limit 5 $id" "start $id"; do
        out=$(u2 "$RT_USER" --root "$root" $cmd 2>&1 </dev/null)
        rc=$?
        refused_to_other "$cmd" "$out" "$rc"
    done
    out=$(u2 "$RT_USER" --root "$root" list 2>&1 </dev/null)
    rc=$?
    case $out in *"$id"*) fail "list by $USER2 shows $id: $out" ;; esac
    [ "$(u1 "$RT_USER" --root "$root" state "$id" | jq -r .status)" = running ] || fail "$id is no longer running"
}

test_other_user_default_root() {
    bundle1
    local root=/run/user/$UID1/burrow-sec.$$
    cleanup_later "$root" c1
    u1 "$RT_USER" --root "$root" run -d --bundle "$WORK/b1" c1 </dev/null || fail "run -d"
    others_cannot_touch "$root" c1
    u1 "$RT_USER" --root "$root" delete --force c1 || fail "delete"
    rmdir "$root"
}

# u2_cannot_connect SOCKET stream|dgram
u2_cannot_connect() {
    u2 python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if sys.argv[2] == "stream" else socket.SOCK_DGRAM)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("refused:", e.strerror); sys.exit(0 if e.errno == 13 else 1)
print("connected"); sys.exit(1)' "$1" "$2" || fail "$USER2 connected to $1 (or it is missing)"
}

# The NOTIFY socket (0777 for the container's users) in a root others may enter.
test_notify_socket_owner_only() {
    bundle1
    local root=$WORK/shared
    install -d -m 1777 "$root"
    install -d -o "$USER1" "$WORK/n"
    cleanup_later "$root" c4
    u1 python3 -c 'import socket,time,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(30)' "$WORK/n/host.sock" &
    local py=$!
    sleep 0.5
    u1 env NOTIFY_SOCKET="$WORK/n/host.sock" "$RT_USER" --root "$root" create --bundle "$WORK/b1" c4 </dev/null || fail "create"
    u1 env NOTIFY_SOCKET="$WORK/n/host.sock" "$RT_USER" --root "$root" start c4 </dev/null >/dev/null 2>&1 &
    local i
    for i in $(seq 50); do [ -S "$root/c4/notify/notify.sock" ] && break; sleep 0.1; done
    [ -S "$root/c4/notify/notify.sock" ] || fail "no notify socket"
    u2_cannot_connect "$root/c4/notify/notify.sock" dgram
    u1 "$RT_USER" --root "$root" delete --force c4 || fail "delete"
    kill "$py" 2>/dev/null
    wait
}

# A root both may enter (sticky, as /tmp): the container's directory is still its owner's.
test_other_user_shared_root() {
    bundle1
    local root=$WORK/shared
    install -d -m 1777 "$root"
    cleanup_later "$root" c2
    u1 "$RT_USER" --root "$root" run -d --network slirp4netns --overlay --bundle "$WORK/b1" c2 </dev/null || fail "run -d"
    others_cannot_touch "$root" c2
    # the sockets and the upper layer, by their names
    [ -S "$root/c2/slirp4netns.sock" ] || fail "no slirp4netns.sock"
    # the modes: the container's directory and the overlay's its owner's alone, the socket not writable by others
    [ "$(stat -c %a "$root/c2")" = 700 ] || fail "$root/c2 has mode $(stat -c %a "$root/c2")"
    [ "$(stat -c %a "$root/c2/overlay")" = 700 ] || fail "$root/c2/overlay has mode $(stat -c %a "$root/c2/overlay")"
    case $(stat -c %A "$root/c2/slirp4netns.sock") in ????????w?) fail "slirp4netns.sock is writable by others" ;; esac
    u2_cannot_connect "$root/c2/slirp4netns.sock" stream
    u1 "$RT_USER" --root "$root" exec c2 sh -c 'echo secret > /tmp/secret' </dev/null || fail "exec"
    u2 ls "$root/c2/overlay/upper/tmp" 2>/dev/null && fail "$USER2 lists the upper layer"
    u2 cat "$root/c2/overlay/upper/tmp/secret" 2>/dev/null && fail "$USER2 reads the upper layer"
    u1 "$RT_USER" --root "$root" delete --force c2 || fail "delete"
}

# $TMPDIR/burrow-UID (no XDG_RUNTIME_DIR), made first by someone else: refused.
test_planted_state_root() {
    bundle1
    local tmp=$WORK/tmp
    install -d -m 1777 "$tmp"
    u2 mkdir -m 0777 "$tmp/burrow-$UID1" || fail "plant"
    cleanup_later "$tmp/burrow-$UID1" c3
    out=$(u1 env -u XDG_RUNTIME_DIR TMPDIR="$tmp" "$RT_USER" run -d --bundle "$WORK/b1" c3 2>&1 </dev/null)
    rc=$?
    [ "$rc" != 0 ] || fail "run -d in a state directory $USER2 made exited 0"
    case $out in *"belongs to uid $UID2"*) ;; *) fail "no word of the owner: $out" ;; esac
    [ -e "$tmp/burrow-$UID1/c3" ] && fail "created c3 in $USER2's directory"
    echo "ok: $out"
}

# Container ids that could name another path are refused.
test_ids_refused() {
    local id out
    for id in "../x" "a/b" ".." "." $'a\nb' $'a\tb' $'\x1b[31m' ""; do
        out=$("$RUNTIME" --root "$STATE_ROOT" state "$id" 2>&1)
        [ $? != 0 ] || fail "state '$id' exited 0"
        case $out in *"invalid container id"*) ;; *) fail "id '$id': $out" ;; esac
    done
}
