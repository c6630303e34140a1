# shellcheck shell=bash
# process.terminal: the console socket (create --console-socket: the pty
# master goes to the socket by SCM_RIGHTS with the payload "/dev/ptmx", as
# runc's protocol; recvtty.c is the receiving end), the foreground `run`
# attaching the container's pty to its own stdio (raw mode, SIGWINCH sizes,
# the exit code), process.consoleSize, the error without a console socket,
# and stdio untouched with terminal false.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECVTTY=$BURROW_TEST_DIR/recvtty

# tty_listen NAME [RECVTTY OPTIONS...]: recvtty in the background (bg NAME)
# on SOCK=$TEST_DIR/NAME.sock, recording the master's output in
# $TEST_DIR/NAME.tty and the message payload in $TEST_DIR/NAME.name.
tty_listen() {
    local name=$1; shift
    [ -x "$RECVTTY" ] || fail "$RECVTTY missing (run tests/rootless/run as root: it builds recvtty.c)"
    SOCK=$TEST_DIR/$name.sock
    bg "$name" "$RECVTTY" --timeout 20 --name-file "$TEST_DIR/$name.name" "$@" "$SOCK" "$TEST_DIR/$name.tty"
    wait_for 5 test -S "$SOCK" || fail "recvtty did not listen on $SOCK: $(cat "$TEST_DIR/$name.err")"
}

# tty_wait NAME: waits for recvtty (it ends when the container's side of the
# pty is gone) and requires its success; TTY = what came through the master,
# without carriage returns.
tty_wait() {
    bg_wait "$1"
    [ "$RC" = 0 ] || fail "recvtty failed with $RC: $ERR"
    [ -z "$OUT" ] || fail "recvtty printed on stdout: $OUT"
    TTY=$(tr -d '\r' < "$TEST_DIR/$1.tty")
    sed 's/^/  [tty] /' <<< "$TTY" >&2
}

# tty_create_start NAME: create --console-socket $SOCK, start, wait for the
# pty to close (TTY), for the container to stop, delete. The runtime's own
# stdio (files from capture) must stay untouched: the process has the pty.
tty_create_start() {
    capture rt create --bundle "$BUNDLE" --console-socket "$SOCK" "$CID"
    assert_ok
    [ -z "$OUT" ] || fail "create printed on stdout: $OUT"
    local ct_out="$TEST_DIR/out.$_cap_n" ct_err="$TEST_DIR/err.$_cap_n"
    rtc start "$CID"
    assert_ok
    tty_wait "$1"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    [ ! -s "$ct_out" ] || fail "the container wrote to create's stdout instead of the pty: $(cat "$ct_out")"
    [ ! -s "$ct_err" ] || fail "something wrote to create's stderr: $(cat "$ct_err")"
}

# The controlling terminal's device number in /proc/PID/stat (tty_nr) for
# /dev/pts/0: major 136, minor 0.
PTS0_TTY_NR=$(( 136 << 8 ))

# stat_fields STATLINE: "PGRP SESSION TTY_NR TPGID" from a /proc/PID/stat line.
stat_fields() {
    local -a f
    read -r -a f <<< "${1##*) }"
    echo "${f[2]} ${f[3]} ${f[4]} ${f[5]}"
}

# A subreaper around create + start, so the container's exit status can be
# read: python3 -c "$REAP_PY" PIDFILE CMD... runs CMD (which must write the
# container's pid to PIDFILE, e.g. create --pid-file, then start), waits for
# that pid and prints `status=exit:N` or `status=signal:N`; it reaps every
# other orphan it inherits, so nothing is left as a zombie.
REAP_PY='
import ctypes, os, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    print("status=prctl-failed"); sys.exit(1)
pidfile, cmd = sys.argv[1], sys.argv[2:]
rc = subprocess.call(cmd)
if rc != 0:
    print("status=cmd-failed:%d" % rc); sys.exit(1)
pid = int(open(pidfile).read().strip())
deadline = time.time() + 20
status = None
while time.time() < deadline:
    try:
        p, st = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if p == 0:
        time.sleep(0.02); continue
    if p == pid:
        status = st
        break
if status is None:
    print("status=not-reaped (pid %d not our child, or still running)" % pid); sys.exit(1)
while True:
    try:
        if os.waitpid(-1, os.WNOHANG)[0] == 0: break
    except ChildProcessError:
        break
if os.WIFEXITED(status): print("status=exit:%d" % os.WEXITSTATUS(status))
else: print("status=signal:%d" % os.WTERMSIG(status))
'

# ---------------------------------------------------------------- console socket

test_console_socket_probe_sees_pty() {
    cfg '.process.terminal = true'
    probe_args dump read /proc/self/stat
    tty_listen t
    tty_create_start t
    # runc's protocol: the payload is the master's name
    assert_eq "$(cat "$TEST_DIR/t.name")" /dev/ptmx "payload of the console socket message"
    OUT=$TTY
    assert_line isatty0 1
    assert_line ttyname0 /dev/pts/0
    assert_line fd.0 /dev/pts/0
    assert_line fd.1 /dev/pts/0
    assert_line fd.2 /dev/pts/0
    # neither the master nor the console socket reached the process
    assert_line fds 0,1,2
    # a session leader whose controlling terminal is the pty, in its foreground group
    local pid stat f
    pid=$(pv pid) || fail "probe reported no pid"
    assert_line sid "$pid"
    stat=$(pv read:/proc/self/stat) || fail "probe could not read /proc/self/stat"
    stat=${stat#ok:}
    read -r -a f <<< "$(stat_fields "$stat")"
    assert_eq "${f[1]}" "$pid" "session in /proc/self/stat"
    assert_eq "${f[2]}" "$PTS0_TTY_NR" "tty_nr (controlling terminal) in /proc/self/stat"
    assert_eq "${f[3]}" "${f[0]}" "foreground process group (tpgid) vs pgrp"
}

test_console_socket_controlling_terminal_sh() {
    cfg '.process.terminal = true'
    # /dev/tty opens only for a process with a controlling terminal (ENXIO otherwise)
    set_args /bin/sh -c 'tty; echo via-dev-tty > /dev/tty && echo ctty=yes; echo done'
    tty_listen t
    tty_create_start t
    assert_eq "$(head -1 <<< "$TTY")" /dev/pts/0 "tty"
    assert_contains "$TTY" via-dev-tty "output through /dev/tty"
    grep -qx 'ctty=yes' <<< "$TTY" || fail "/dev/tty could not be opened: no controlling terminal"
    grep -qx 'done' <<< "$TTY" || fail "the shell did not finish"
}

test_console_size() {
    cfg '.process.terminal = true | .process.consoleSize = {height: 33, width: 120}'
    set_args /bin/sh -c 'stty size'
    tty_listen t
    tty_create_start t
    assert_eq "$TTY" "33 120" "stty size with consoleSize 33x120"
}

test_console_socket_input_and_exit_code() {
    cfg '.process.terminal = true'
    set_args /bin/sh
    tty_listen t --input $'echo hi-from-input\nexit 7\n'
    capture python3 -c "$REAP_PY" "$TEST_DIR/pid" bash -c \
        '"$1" --root "$2" create --bundle "$3" --console-socket "$4" --pid-file "$5" "$6" && "$1" --root "$2" start "$6"' \
        _ "$RUNTIME" "$STATE_ROOT" "$BUNDLE" "$SOCK" "$TEST_DIR/pid" "$CID"
    local reaped=$OUT
    tty_wait t
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    # the line the shell printed (the echo of the typed command is "echo hi-from-input")
    grep -qx 'hi-from-input' <<< "$TTY" || fail "the shell did not run the input: no line 'hi-from-input' in: $(_show "$TTY")"
    assert_eq "$(pv status "$reaped")" exit:7 "exit status of the container process"
}

test_console_socket_missing() {
    cfg '.process.terminal = true'
    capture rt create --bundle "$BUNDLE" --console-socket "$TEST_DIR/no-such.sock" "$CID"
    assert_fail_with "$TEST_DIR/no-such.sock" "no-such.sock"
    rtc state "$CID"
    [ "$RC" != 0 ] || fail "container exists after the failed create"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left: $STATE_ROOT/$CID"
}

# ---------------------------------------------------------------- /dev/console

# With process.terminal the runtime-spec has the pty bound onto /dev/console
# (runc and crun do: init systems, getty and syslog write there). The probe's
# `stat` gives "chr MODE UID:GID MAJ,MIN": /dev/console must be the same
# device as the process's stdin, /dev/pts/0.
assert_console_is_stdin() {
    local c s
    c=$(pv stat:/dev/console) || fail "probe did not stat /dev/console"
    s=$(pv stat:/dev/pts/0) || fail "probe did not stat /dev/pts/0"
    assert_match "$c" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 136,[0-9]+$' "/dev/console (the pty, major 136)"
    assert_eq "${c##* }" "${s##* }" "device of /dev/console vs stdin's /dev/pts/0"
}

test_console_is_the_pty_with_console_socket() {
    cfg '.process.terminal = true'
    probe_args dump stat /dev/console stat /dev/pts/0 write /dev/console
    tty_listen t
    tty_create_start t
    OUT=$TTY
    assert_line fd.0 /dev/pts/0
    assert_console_is_stdin
    assert_line write:/dev/console ok
    # a mount of its own, not a node or a file in /dev
    assert_match "$(mount_line /dev/console)" '^/dev/console devpts ' "/dev/console mount"
}

# The foreground `run` (burrow holds the master itself) and a shell's view:
# `stat -L` of /dev/console and of its stdin give the same device numbers,
# and what is written to /dev/console comes out of the pty.
test_console_is_the_pty_in_foreground_run() {
    command -v script >/dev/null || skip "util-linux script missing"
    cfg '.process.terminal = true'
    set_args /bin/sh -c 'echo "console=$(stat -L -c %t:%T /dev/console) stdin=$(stat -L -c %t:%T /proc/self/fd/0)"; echo via-console > /dev/console'
    local cmd t
    cmd=$(printf '%q ' "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID")
    capture script -qec "$cmd" /dev/null
    assert_ok
    t=$(tr -d '\r' <<< "$OUT")
    local line
    line=$(grep -o 'console=[0-9a-f:]* stdin=[0-9a-f:]*' <<< "$t") || fail "no stat line in: $(_show "$t")"
    assert_match "$line" '^console=88:[0-9a-f]+ stdin=88:[0-9a-f]+$' "/dev/console and stdin (major 0x88 = 136)"
    assert_eq "${line%% *}" "console=${line##*stdin=}" "device of /dev/console vs stdin"
    grep -qx via-console <<< "$t" || fail "output written to /dev/console did not come out of the pty: $(_show "$t")"
}

# As runc: without a terminal there is no /dev/console at all.
test_no_console_without_terminal() {
    probe_ok stat /dev/console ls /dev
    assert_line stat:/dev/console ENOENT
    assert_not_contains "$(pv ls:/dev)" console "/dev"
}

# exec --tty gets a pty of its own; /dev/console stays the container's.
test_exec_tty_leaves_console_alone() {
    command -v script >/dev/null || skip "util-linux script missing"
    cfg '.process.terminal = true'
    probe_args stat /dev/console sleep 30
    tty_listen t
    capture rt create --bundle "$BUNDLE" --console-socket "$SOCK" "$CID"
    assert_ok
    rtc start "$CID"
    assert_ok
    local cmd t
    cmd=$(printf '%q ' "$RUNTIME" --root "$STATE_ROOT" exec --tty "$CID" /probe echo first dump stat /dev/console stat /dev/pts/1)
    capture script -qec "$cmd" /dev/null
    assert_ok
    t=$(tr -d '\r' <<< "$OUT")
    OUT=$t
    assert_line fd.0 /dev/pts/1
    assert_match "$(pv stat:/dev/console)" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 136,0$' "/dev/console in exec (the container's pty)"
    rtc kill "$CID" KILL
    tty_wait t
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
}

# An image whose /dev/console is a symlink (no /dev tmpfs: the image's own
# /dev is used) to a host path and to a file of the image: the pty is bound
# onto a file burrow makes in place of the link, never where the link points.
test_console_symlink_in_image_not_followed() {
    writable_rootfs
    cfg '.process.terminal = true | .mounts |= map(select(.destination != "/dev"))'
    local host=$TEST_DIR/host-target
    echo untouched > "$host"
    echo image-file > "$TEST_DIR/rootfs/etc/console-target"
    local target i=0
    for target in "$host" /etc/console-target; do
        i=$((i + 1))
        rm -f "$TEST_DIR/rootfs/dev/console"
        ln -s "$target" "$TEST_DIR/rootfs/dev/console"
        probe_args dump stat /dev/console stat /dev/pts/0 read /etc/console-target
        tty_listen "t$i"
        tty_create_start "t$i"
        OUT=$TTY
        assert_console_is_stdin
        [ -z "$(mount_line /etc/console-target)" ] || fail "something was mounted on the link's target: $(mount_line /etc/console-target)"
        [ -z "$(mount_line "$host")" ] || fail "something was mounted on $host"
        assert_line read:/etc/console-target 'ok:image-file\n'
        assert_eq "$(cat "$host")" untouched "the host file the link named"
        assert_eq "$(cat "$TEST_DIR/rootfs/etc/console-target")" image-file "the image file the link named"
    done
}

# ---------------------------------------------------------------- errors

test_terminal_needs_console_socket() {
    cfg '.process.terminal = true'
    local mode
    for mode in create run; do
        if [ "$mode" = create ]; then
            capture rt create --bundle "$BUNDLE" "$CID"
        else
            capture rt run --detach --bundle "$BUNDLE" "$CID"
        fi
        # runc 1.1: "cannot allocate tty if runc will detach without setting console socket"
        assert_fail_match 'process\.terminal' 'console[ -]socket'
        if [ "$RT_KIND" = burrow ]; then
            assert_rc 1
            assert_eq "$ERR" "burrow: $mode $CID: config.json: process.terminal: needs --console-socket to receive the pty" "$mode error"
        fi
        [ -z "$OUT" ] || fail "$mode printed on stdout: $OUT"
        rtc state "$CID"
        [ "$RC" != 0 ] || fail "container exists after the failed $mode"
        [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left after the failed $mode: $STATE_ROOT/$CID"
        rtc list -q
        assert_eq "$OUT" "" "list after the failed $mode"
    done
}

# ---------------------------------------------------------------- run in the foreground

test_run_terminal_foreground() {
    command -v script >/dev/null || skip "util-linux script missing"
    cfg '.process.terminal = true'
    set_args /bin/sh -c 'tty; echo fg-out; exit 5'
    local cmd
    cmd=$(printf '%q ' "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID")
    # script gives the runtime a terminal on stdin/stdout/stderr
    capture script -qec "$cmd" /dev/null
    assert_rc 5
    local t
    t=$(tr -d '\r' <<< "$OUT")
    # (runc 1.1 echoes a stray NUL, "^@", before it: hence no ^ anchor)
    grep -q '/dev/pts/0$' <<< "$t" || fail "the process did not get its own pty (/dev/pts/0): $(_show "$t")"
    grep -qx fg-out <<< "$t" || fail "the process's output did not come back: $(_show "$t")"
    rtc state "$CID"
    [ "$RC" != 0 ] || fail "state still known after run returned"
}

# Foreground run on a terminal whose size is 40x100: the container's pty
# starts with it, follows a resize (SIGWINCH) to 50x132, gets our input, and
# our terminal is raw while the container owns it, restored afterwards.
# runc 1.1 sets the first size only after releasing the process, so its
# `stty size` may still see 0x0 and fail the initial-size check.
WINCH_PY='
import fcntl, os, select, struct, subprocess, sys, termios, time
m, s = os.openpty()
def size(fd, rows, cols): fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
size(s, 40, 100)
before = termios.tcgetattr(s)
def pre():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen(sys.argv[1:], stdin=s, stdout=s, stderr=s, preexec_fn=pre, close_fds=True)
out = b""
def pump(secs):
    global out
    end = time.time() + secs
    while True:
        left = end - time.time()
        if left <= 0: return
        r, _, _ = select.select([m], [], [], left)
        if not r: return
        try: d = os.read(m, 4096)
        except OSError: return
        if not d: return
        out += d
def until(marker, secs):
    end = time.time() + secs
    while marker not in out and time.time() < end: pump(0.1)
    return marker in out
ok_ready = until(b"ready", 15)
lflag = termios.tcgetattr(s)[3]
raw = int(not (lflag & termios.ICANON) and not (lflag & termios.ECHO))
resized = 0
if ok_ready:
    size(m, 50, 132)
    end = time.time() + 10
    while time.time() < end:
        os.write(m, b"\r")
        pump(0.2)
        if b"50 132" in out: resized = 1; break
os.write(m, b"q\r")
try: rc = p.wait(timeout=15)
except subprocess.TimeoutExpired:
    p.kill(); rc = p.wait()
pump(0.3)
after = termios.tcgetattr(s)
print("ready=%d" % int(ok_ready))
print("raw=%d" % raw)
print("resized=%d" % resized)
print("rc=%d" % rc)
print("restored=%d" % int(after[:4] == before[:4]))
for line in out.replace(b"\r", b"").decode(errors="replace").split("\n"):
    print("tty|" + line)
'

test_run_terminal_winsize_raw_input() {
    cfg '.process.terminal = true'
    set_args /bin/sh -c 'stty size; echo ready; while read x; do [ "$x" = q ] && exit 3; stty size; done; exit 9'
    capture python3 -c "$WINCH_PY" "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line ready 1
    local first
    first=$(grep -m1 -E '^tty\|[0-9]+ [0-9]+$' <<< "$OUT")
    assert_eq "${first#tty|}" "40 100" "initial size of the container's pty (the runtime's terminal)"
    assert_line raw 1
    assert_line resized 1
    assert_line rc 3
    assert_line restored 1
}

# ---------------------------------------------------------------- terminal false

# runc 1.1's foreground `run` puts pipes of its own between the caller's stdio
# and the process (and copies), so it fails the fd.N checks here; burrow hands
# the caller's stdin/stdout/stderr to the process as they are.
test_no_terminal_stdio_untouched() {
    probe_args dump
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line isatty0 0
    assert_line ttyname0 ""
    assert_line fd.0 /dev/null
    assert_line fd.1 "$TEST_DIR/out.$_cap_n"
    assert_line fd.2 "$TEST_DIR/err.$_cap_n"
    assert_line fds 0,1,2
    local stat f
    probe_run read /proc/self/stat
    assert_ok
    stat=$(pv read:/proc/self/stat) || fail "probe could not read /proc/self/stat"
    read -r -a f <<< "$(stat_fields "${stat#ok:}")"
    assert_eq "${f[2]}" 0 "tty_nr (no controlling terminal)"
}

# (runc 1.1: a pipe of its own, see above)
test_no_terminal_pipe_passthrough() {
    # a pipe on stdin reaches the process as is: the same pipe, not a copy
    set_args /bin/sh -c 'cat; /probe dump'
    local o="$TEST_DIR/pipe.out" e="$TEST_DIR/pipe.err"
    printf 'through-the-pipe\n' | {
        readlink /proc/self/fd/0 > "$TEST_DIR/pipe.ino"
        rt run --bundle "$BUNDLE" "$CID" >"$o" 2>"$e"
        echo $? > "$TEST_DIR/pipe.rc"
    }
    RC=$(cat "$TEST_DIR/pipe.rc")
    OUT=$(cat "$o")
    ERR=$(cat "$e")
    { printf '%s\n' "\$ printf 'through-the-pipe\\n' | rt run --bundle $BUNDLE $CID"; sed 's/^/  out| /' "$o"; sed 's/^/  err| /' "$e"; echo "  rc=$RC"; } >&2
    assert_ok
    assert_eq "$(head -1 <<< "$OUT")" through-the-pipe "stdin through a pipe"
    assert_match "$(cat "$TEST_DIR/pipe.ino")" '^pipe:\[[0-9]+\]$' "the caller's stdin"
    assert_line fd.0 "$(cat "$TEST_DIR/pipe.ino")"
    assert_line isatty0 0
}

run_tests "$@"
