#!/bin/bash
# A FUSE server taken over. squashfuse parses the image's bytes, and it and
# fuse-overlayfs answer whatever the container's processes ask of their
# mount: both run as the container's root outside the container. A bug in
# either that a hostile image or container reaches must not let it change
# the host (layers/server_confine.hpp). The attack: a "server" that is the
# attacker's program (a squashfuse or fuse-overlayfs first in PATH) tries to
# write a host directory of the user's, to read a file of the user's outside its
# layers, to make that mount writable again (by
# a remount, and from a user and mount namespace of its own), to connect to a
# unix socket of the user's (the user's systemd and D-Bus are such sockets)
# and, from the daemon it forks as the real servers do, to kill a process of
# the user's; it reports what it did and exits, so the run fails with its words.
# Rootless, through tests/rootless/lib.sh (a leak check after each test).
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# fake_server NAME: $TEST_DIR/fake/NAME, the attacker's program; $ATTACK_DIR
# the host directory it goes for; $ATTACK_SOCK a socket listening there, which
# leaves $ATTACK_DIR.connected behind if anyone connects; $VICTIM_PID a process
# of the user's it tries to kill.
fake_server() {
    command -v python3 >/dev/null || skip "python3 not installed"
    [ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not usable by the test user"
    mkdir -p "$TEST_DIR/fake" "$TEST_DIR/attacked"
    ATTACK_DIR=$TEST_DIR/attacked ATTACK_SOCK=$TEST_DIR/attacked/user.sock
    ATTACK_SECRET=$TEST_DIR/secret
    echo "the-users-secret" > "$ATTACK_SECRET"
    cat > "$TEST_DIR/fake/$1" <<'EOF'
#!/usr/bin/python3
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
d = os.environ["ATTACK_DIR"]
done = []

def check(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

def write(path):
    with open(path, "w") as f:
        f.write("written by the server\n")

def attempt(name, what):
    try:
        what()
        done.append(name + ":DONE")
    except OSError as e:
        done.append(name + ":refused(" + (e.strerror or str(e.errno)) + ")")

MS_REMOUNT, MS_BIND = 32, 4096
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000

def mount_of(path):  # the mount holding path: the one to make writable again
    best = "/"
    for line in open("/proc/self/mountinfo"):
        mp = line.split()[4].encode().decode("unicode_escape")
        if (path == mp or path.startswith(mp.rstrip("/") + "/")) and len(mp) > len(best):
            best = mp
    return best.encode()

def remount():
    check(libc.mount(None, mount_of(d), None, MS_REMOUNT | MS_BIND, None))
    write(d + "/written-after-remount")

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["ATTACK_SOCK"])

def own_upper():  # fuse-overlayfs's upper layer: it must write there
    for i, a in enumerate(sys.argv):
        if a == "-o":
            for o in sys.argv[i + 1].split(","):
                if o.startswith("upperdir="):
                    write(o[len("upperdir="):] + "/from-the-server")
                    return
    raise OSError(0, "no upperdir")

def nested():  # a user and mount namespace of its own, where it is all-powerful
    check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS))
    check(libc.mount(None, mount_of(d), None, MS_REMOUNT | MS_BIND, None))
    write(d + "/written-nested")

def signal():  # from the daemon it forks to serve, as squashfuse and fuse-overlayfs do
    r, w = os.pipe()
    if os.fork() == 0:
        try:
            os.kill(int(os.environ["VICTIM_PID"]), 9)
            os.write(w, b"signal:DONE")
        except OSError as e:
            os.write(w, ("signal:refused(" + e.strerror + ")").encode())
        os._exit(0)
    os.close(w)
    done.append(os.read(r, 200).decode())
    os.wait()

def read_secret():  # a file of the user's outside its layers (~/.ssh's keys, say)
    done.append("secret:" + open(os.environ["ATTACK_SECRET"]).read().strip())

attempt("write", lambda: write(d + "/written"))
attempt("read", read_secret)
attempt("remount", remount)
attempt("connect", connect)
if os.path.basename(sys.argv[0]) == "fuse-overlayfs":
    attempt("upper", own_upper)
signal()
attempt("nested", nested)
print("attack: " + " ".join(done), file=sys.stderr)
sys.exit(1)
EOF
    chmod 0755 "$TEST_DIR/fake/$1"
    bg listener python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(4); s.settimeout(60)
c, _ = s.accept()
open(sys.argv[2], "w").write("connected\n")' "$ATTACK_SOCK" "$ATTACK_DIR.connected"
    wait_for 10 test -S "$ATTACK_SOCK" || fail "the listener did not start"
    LISTENER_PID=$BG_PID
    bg victim sleep 60
    VICTIM_PID=$BG_PID
}

# attack RUNTIME-ARGS...: burrow with the attacker's program first in PATH.
attack() {
    capture env PATH="$TEST_DIR/fake:$PATH" ATTACK_DIR="$ATTACK_DIR" ATTACK_SOCK="$ATTACK_SOCK" VICTIM_PID="$VICTIM_PID" \
        ATTACK_SECRET="$ATTACK_SECRET" "$@"
}

# attacked WHAT [old]: the fake ran (its words in burrow's error), was refused
# all it tried on the host, and the host directory holds nothing of it. old:
# a kernel without Landlock (as valgrind makes it), where the user's file is
# readable to it.
attacked() {
    assert_fail_with "attack:"
    local a tried="write read remount connect signal nested"
    [ "${2:-}" = old ] && tried=${tried/read /}
    for a in $tried; do
        assert_contains "$ERR" "$a:refused" "$1: $a"
    done
    [ "${2:-}" = old ] || assert_not_contains "$ERR" "the-users-secret" "$1: what the server read"
    assert_eq "$(ls -A "$ATTACK_DIR" | grep -v '^user.sock$' | tr '\n' ' ')" "" "$1: files the server made in $ATTACK_DIR"
    [ -e "$ATTACK_DIR.connected" ] && fail "$1: the server connected to the user's socket"
    kill -0 "$VICTIM_PID" 2>/dev/null || fail "$1: the server killed a process of the user's"
    kill "$LISTENER_PID" "$VICTIM_PID" 2>/dev/null
    wait "$LISTENER_PID" "$VICTIM_PID" 2>/dev/null
    return 0
}

test_squashfuse_taken_over() {
    burrow_only "burrow's --image"
    fake_server squashfuse
    printf 'hsqs' > "$TEST_DIR/img.sqfs"  # as far as burrow looks before squashfuse reads it
    set_args /bin/true
    attack "$RUNTIME" --root "$STATE_ROOT" run --image "$TEST_DIR/img.sqfs" "$CID" -- /bin/true
    attacked squashfuse
}

# fuse_bundle: a writable rootfs over the shared one (fuse-overlayfs's upper layer).
fuse_bundle() {
    cfg '.root.readonly = false'
    set_args /bin/true
}

test_fuse_overlayfs_taken_over() {
    burrow_only "burrow's --overlay"
    fake_server fuse-overlayfs
    fuse_bundle
    attack "$RUNTIME" --root "$STATE_ROOT" run --overlay --overlay-driver fuse --bundle "$BUNDLE" "$CID"
    attacked fuse-overlayfs
    assert_contains "$ERR" "upper:DONE" "fuse-overlayfs writes its upper layer"
}

# An --overlay-upper of the user's: the server writes there and beside it (its
# work directory), nowhere else.
test_fuse_overlayfs_taken_over_own_upper() {
    burrow_only "burrow's --overlay"
    fake_server fuse-overlayfs
    fuse_bundle
    mkdir -p "$TEST_DIR/layer/upper"  # the user's: kept when the run fails
    attack "$RUNTIME" --root "$STATE_ROOT" run --overlay --overlay-driver fuse --overlay-upper "$TEST_DIR/layer/upper" \
        --bundle "$BUNDLE" "$CID"
    attacked fuse-overlayfs
    assert_contains "$ERR" "upper:DONE" "fuse-overlayfs writes its upper layer"
    [ -e "$TEST_DIR/layer/upper/from-the-server" ] || fail "the server's file is not in the kept upper layer"
}

# Kernels without mount_setattr (before 5.12): each mount remounted read-only
# (burrow under valgrind, which answers ENOSYS for the new mount API).
test_old_kernel_fuse_overlayfs_taken_over() {
    burrow_only "burrow's --overlay"
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    fake_server fuse-overlayfs
    fuse_bundle
    cfg 'del(.process.rlimits)'
    attack valgrind --tool=none -q --trace-children=no --log-file="$TEST_DIR/valgrind.%p.log" \
        "$RUNTIME" --root "$STATE_ROOT" run --overlay --overlay-driver fuse --bundle "$BUNDLE" "$CID"
    attacked fuse-overlayfs old
}

# The real servers run so confined, and still serve: no_new_privs, a seccomp
# filter, no CAP_SYS_ADMIN, a pid namespace of their own, every mount
# read-only but their layer's.
server_confined() {  # NAME PID WRITABLE-DIR
    local st
    st=$(cat "/proc/$2/status") || fail "no $1 process $2"
    assert_contains "$st" "NoNewPrivs:	1" "$1: no_new_privs"
    assert_contains "$st" "Seccomp:	2" "$1: a seccomp filter"
    assert_eq "$(printf '%s\n' "$st" | awk '/^NSpid:/ {print NF - 1, $NF}')" "2 1" "$1: the first process of a pid namespace of its own (NSpid)"
    local bnd
    bnd=$(printf '%s\n' "$st" | awk '/^CapBnd:/ {print $2}')
    (( (0x$bnd >> 21) & 1 )) && fail "$1: CAP_SYS_ADMIN in its bounding set ($bnd)"
    local m
    for m in $(awk '$6 !~ /^ro(,|$)/ {print $5}' "/proc/$2/mountinfo"); do
        [ -n "$3" ] && case $m in "$3" | "$3"/*) continue ;; esac
        fail "$1: $m is writable in its mount namespace"
    done
}

test_fuse_overlayfs_confined() {
    burrow_only "burrow's --overlay"
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs not installed"
    fuse_bundle
    set_args /bin/sh -c 'echo x > /new && mkdir /d && rm /bin/true && cat /new && sleep 60'
    rtc run -d --overlay --overlay-driver fuse --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_for 5 rt exec "$CID" /bin/cat /new || fail "the container could not write through fuse-overlayfs"
    local pid
    pid=$(rt state "$CID" | jq -r '.annotations["io.github.burrow.overlay.fuse-pid"] // ""' | cut -d: -f1)
    [ -n "$pid" ] || fail "no fuse-overlayfs pid in the state"
    server_confined fuse-overlayfs "$pid" "$STATE_ROOT/$CID/overlay"
    kill_and_delete "$CID"
}

test_squashfuse_confined() {
    burrow_only "burrow's --image"
    command -v squashfuse >/dev/null || skip "squashfuse not installed"
    command -v mksquashfs >/dev/null || skip "mksquashfs not installed"
    mksquashfs "$ROOTFS" "$TEST_DIR/img.sqfs" -all-root -noappend -quiet -no-progress -processors 1 >/dev/null ||
        fail "mksquashfs failed"
    rtc run -d --image "$TEST_DIR/img.sqfs" "$CID" -- /bin/sleep 60
    assert_ok
    local pid
    pid=$(rt state "$CID" | jq -r '.annotations["io.github.burrow.image.fuse-pid"] // ""' | cut -d: -f1)
    [ -n "$pid" ] || pid=$(pgrep -u "$MY_UID" -f "squashfuse $TEST_DIR/img.sqfs" | head -1)
    [ -n "$pid" ] || fail "no squashfuse process for the image"
    server_confined squashfuse "$pid" ""
    rtc exec "$CID" /bin/cat /etc/hostname
    kill_and_delete "$CID"
}

run_tests "$@"
