# shellcheck shell=bash
# Helpers for the rootless integration tests. Sourced by every t-*.sh file,
# which defines test_* functions and ends with `run_tests "$@"`.
#
#   tests/rootless/run [ERE...]                    as root: the whole thing (see run)
#   tests/rootless/as-user bash tests/rootless/t-process.sh [ERE...]
#                                                  one file, as the test user, host already prepared
#
# Each test runs in its own bash process (under `timeout`, in $TEST_DIR) with
# a fresh bundle $BUNDLE (config.json from `$RUNTIME spec --rootless`, edited:
# root.path = the shared busybox rootfs, read-only, terminal false, args
# ["/probe"]), a fresh state root $STATE_ROOT and a container id $CID. After
# it the driver runs leak_check: no state directory, no process, no mount, no
# cgroup left, nothing changed in the shared rootfs (it reports, and cleans up
# what it can).
# Result lines (parsed by run): `ok NAME`, `FAIL NAME: reason`, `skip NAME: reason`.
#
# Writing a test:
#   test_something() {
#       cfg '.process.cwd = "/tmp"'          # jq edit of $BUNDLE/config.json
#       probe_ok read /etc/hostname dump     # run /probe with these args; OUT ERR RC
#       assert_line cwd /tmp                 # the probe said cwd=/tmp
#   }
# Running: rt ARGS (runtime with --root), capture CMD (OUT/ERR/RC, stdio in
#   files), rtc ARGS (= capture rt), probe_run/probe_ok [ARGS], bg NAME CMD /
#   bg_wait NAME, wait_for SECS CMD, wait_status ID STATUS, ct_status, ct_pid,
#   kill_and_delete ID, proc_gone PID, fuse_server_left NAME...
# Probe output: pv KEY, pvs KEY, mount_line DEST.
# Config: cfg, set_args, probe_args, new_bundle, userns_full, add_mount,
#   del_mount, add_ns, del_ns, writable_rootfs, hook_json, add_hook, capmask,
#   json_array, host_ns, pid_ns.
# Assertions: assert_eq, assert_ne, assert_contains, assert_not_contains,
#   assert_match, assert_le, assert_line, assert_rc, assert_ok,
#   assert_fail_with PART [OTHER_RUNTIME_PART], assert_fail_match ERE [..];
#   fail MSG, skip MSG, burrow_only [WHY], note MSG.
#
# Environment:
#   RUNTIME            runtime binary (default: <repo>/build/burrow; RUNTIME=runc to validate the harness)
#   RT_KIND            burrow|runc|crun|other (default: from the binary's name)
#   BURROW_TEST_DIR    test area with rootfs/ (default /var/tmp/burrow-tests)
#   TEST_TIMEOUT       seconds per test (default 60)
#   KEEP=1             keep the per-test directories of failed tests
#   VERBOSE=1          print every test's log, and timings
#   FAIL_LOG_LINES     lines of a failed test's log to show (default 60)

if [ "${EUID:-$(id -u)}" = 0 ] || [ "$(id -u)" = 0 ]; then
    echo "lib.sh: REFUSING TO RUN ROOTLESS TESTS AS ROOT: a rootless test that passes as root proves nothing." >&2
    echo "lib.sh: run tests/rootless/run as root (it switches to the test user), or use tests/rootless/as-user." >&2
    exit 2
fi

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$TESTS_DIR/../.." && pwd)
BURROW_TEST_DIR=${BURROW_TEST_DIR:-/var/tmp/burrow-tests}
ROOTFS=${ROOTFS:-$BURROW_TEST_DIR/rootfs}
TEST_TIMEOUT=${TEST_TIMEOUT:-60}

RUNTIME=${RUNTIME:-$REPO_DIR/build/burrow}
case $RUNTIME in
    */*) ;;
    *) RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME") ;;
esac
if [ -z "${RT_KIND:-}" ]; then
    case ${RUNTIME##*/} in
        burrow*) RT_KIND=burrow ;;
        runc*) RT_KIND=runc ;;
        crun*) RT_KIND=crun ;;
        *) RT_KIND=other ;;
    esac
fi
export RUNTIME RT_KIND ROOTFS BURROW_TEST_DIR

MY_UID=$(id -u)
MY_GID=$(id -g)
MY_USER=$(id -un)
# The subordinate ranges really granted to this user (first line of each file).
read -r SUBUID_START SUBUID_COUNT <<< "$(awk -F: -v u="$MY_USER" -v i="$MY_UID" '$1==u||$1==i {print $2, $3; exit}' /etc/subuid 2>/dev/null)"
read -r SUBGID_START SUBGID_COUNT <<< "$(awk -F: -v u="$MY_USER" -v i="$MY_UID" '$1==u||$1==i {print $2, $3; exit}' /etc/subgid 2>/dev/null)"
SUBUID_START=${SUBUID_START:-0} SUBUID_COUNT=${SUBUID_COUNT:-0}
SUBGID_START=${SUBGID_START:-0} SUBGID_COUNT=${SUBGID_COUNT:-0}
# A host id range nobody granted us: just past our range.
UNENTITLED_ID=$((SUBUID_START + SUBUID_COUNT + 100000))

# Tag on every process the harness starts (and in every container's env and
# hook env), so the leak check can tell our processes from foreign ones.
export BURROW_TEST_TAG=${BURROW_TEST_TAG:-bt$$-$(date +%s)}
# An image's shared mount (burrow-image) ends with its last container, not 30
# s later, so that the leak check after each test sees nothing of it.
export BURROW_IMAGE_IDLE=${BURROW_IMAGE_IDLE:-0}

# ---------------------------------------------------------------- reporting

# fail MESSAGE: ends the test. Inside $(...) it only ends that subshell, but
# the recorded reason still fails the test.
fail() {
    printf '%s\n' "$*" >> "$TEST_DIR/reason"
    echo "FAILED: $*" >&2
    exit 1
}

# skip REASON
skip() {
    printf '%s\n' "$*" > "$TEST_DIR/skip"
    exit 77
}

# burrow_only [WHY]: skips the test unless the runtime is burrow (checks of burrow's own wording).
burrow_only() {
    [ "$RT_KIND" = burrow ] || skip "burrow only${1:+: $1}"
}

# note TEXT: a line in the test log (shown on failure).
note() { echo "# $*" >&2; }

# ---------------------------------------------------------------- running things

# rt ARGS...: the runtime with this test's state root.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }

_cap_n=0
# capture CMD...: runs CMD with stdin </dev/null and stdout/stderr to files
# (never pipes: a container inheriting a pipe would keep $(...) waiting);
# sets OUT, ERR, RC. The command and its output go to the test log.
capture() {
    _cap_n=$((_cap_n + 1))
    local o="$TEST_DIR/out.$_cap_n" e="$TEST_DIR/err.$_cap_n"
    "$@" </dev/null >"$o" 2>"$e"
    RC=$?
    OUT=$(cat "$o")
    ERR=$(cat "$e")
    {
        echo "\$ $*"
        [ -n "$OUT" ] && [ "${#OUT}" -lt 6000 ] && sed 's/^/  out| /' "$o"
        [ -n "$OUT" ] && [ "${#OUT}" -ge 6000 ] && echo "  out| (${#OUT} bytes, in $o)"
        [ -n "$ERR" ] && sed 's/^/  err| /' "$e"
        echo "  rc=$RC"
    } >&2
    return 0
}

# rtc ARGS...: capture rt ARGS...
rtc() { capture rt "$@"; }

# cfg [JQ OPTIONS] FILTER: edits $BUNDLE/config.json in place.
cfg() {
    local f="$BUNDLE/config.json"
    jq "$@" < "$f" > "$f.tmp" || { rm -f "$f.tmp"; fail "cfg: jq failed: $*"; }
    mv "$f.tmp" "$f"
}

# set_args ARG...: process.args
set_args() { cfg --argjson a "$(json_array "$@")" '.process.args = $a'; }

# json_array STRING...: a JSON array of the strings (any bytes but NUL).
json_array() {
    [ $# = 0 ] && { echo '[]'; return; }
    local i=0 a named=()
    for a in "$@"; do named+=(--arg "$i" "$a"); i=$((i + 1)); done
    jq -nc "${named[@]}" '$ARGS.named | to_entries | sort_by(.key | tonumber) | map(.value)'
}

# probe_args ARG...: process.args = ["/probe", ARG...]
probe_args() { set_args /probe "$@"; }

# probe_run [PROBE ARGS...]: (sets the probe's args if given, then) runs the
# container in the foreground: OUT, ERR, RC.
probe_run() {
    [ $# -gt 0 ] && probe_args "$@"
    capture rt run --bundle "$BUNDLE" "$CID"
}

# probe_ok [PROBE ARGS...]: probe_run and require exit 0.
probe_ok() {
    probe_run "$@"
    [ "$RC" = 0 ] || fail "run failed with $RC: $(printf '%s' "$ERR" | tail -2 | tr '\n' ' ')"
}

# pv KEY [TEXT]: the value of the first KEY=... line of TEXT (default $OUT).
pv() {
    local key=$1 line
    while IFS= read -r line; do
        if [ "${line%%=*}" = "$key" ]; then printf '%s\n' "${line#*=}"; return 0; fi
    done <<< "${2-$OUT}"
    return 1
}

# pvs KEY [TEXT]: every value of KEY=... lines.
pvs() {
    local key=$1 line
    while IFS= read -r line; do
        [ "${line%%=*}" = "$key" ] && printf '%s\n' "${line#*=}"
    done <<< "${2-$OUT}"
    return 0
}

# mount_line DEST: the probe's `mount=` line for mount point DEST (last one wins: on top).
mount_line() {
    local l found=""
    while IFS= read -r l; do
        case $l in "$1 "*) found=$l ;; esac
    done <<< "$(pvs mount)"
    printf '%s\n' "$found"
    [ -n "$found" ]
}

# bg NAME CMD...: runs CMD in the background, output to $TEST_DIR/NAME.out/.err;
# BG_PID is its pid. Use bg_wait NAME to collect (sets RC, OUT, ERR).
declare -A _bg_pids
bg() {
    local name=$1; shift
    echo "\$ $* &  [$name]" >&2
    "$@" </dev/null >"$TEST_DIR/$name.out" 2>"$TEST_DIR/$name.err" &
    BG_PID=$!
    _bg_pids[$name]=$BG_PID
}
bg_wait() {
    local name=$1
    wait "${_bg_pids[$name]}"
    RC=$?
    OUT=$(cat "$TEST_DIR/$name.out")
    ERR=$(cat "$TEST_DIR/$name.err")
    { echo "[$name] rc=$RC"; sed "s/^/  [$name] out| /" "$TEST_DIR/$name.out"; sed "s/^/  [$name] err| /" "$TEST_DIR/$name.err"; } >&2
}

# wait_for SECONDS CMD...: polls CMD (every 20 ms) until it succeeds; 1 on timeout.
wait_for() {
    local secs=$1; shift
    local end=$(( $(date +%s%N) + secs * 1000000000 ))
    while ! "$@" >/dev/null 2>&1; do
        [ "$(date +%s%N)" -lt "$end" ] || return 1
        sleep 0.02
    done
    return 0
}

# ct_status ID: prints the container's status ("" if unknown).
ct_status() { rt state "$1" 2>/dev/null | jq -r .status 2>/dev/null; }
_status_is() { [ "$(ct_status "$1")" = "$2" ]; }
# wait_status ID STATUS [SECONDS]
wait_status() {
    wait_for "${3:-10}" _status_is "$1" "$2" || fail "container $1 did not reach status $2 (now: $(ct_status "$1"))"
}
# ct_pid ID
ct_pid() { rt state "$1" 2>/dev/null | jq -r .pid; }

# proc_gone PID: the process no longer exists (or is a zombie waiting for its reaper).
proc_gone() {
    local st
    [ -e "/proc/$1" ] || return 0
    read -r st < "/proc/$1/stat" 2>/dev/null || return 0
    st=${st##*) }
    case $st in Z*|X*) return 0 ;; esac
    return 1
}

# kill_and_delete ID: the plain way to end a container in a test.
kill_and_delete() {
    rt kill "$1" KILL >/dev/null 2>&1
    wait_for 10 _status_is "$1" stopped
    rtc delete "$1"
    [ "$RC" = 0 ] || fail "delete $1 failed: $ERR"
}

# ---------------------------------------------------------------- assertions

_show() { local s=$1; [ "${#s}" -gt 400 ] && s="${s:0:400}..."; printf '%s' "$s"; }

assert_eq() {  # ACTUAL EXPECTED [WHAT]
    [ "$1" = "$2" ] || fail "${3:-value}: expected '$(_show "$2")', got '$(_show "$1")'"
}
assert_ne() {  # ACTUAL UNEXPECTED [WHAT]
    [ "$1" != "$2" ] || fail "${3:-value}: expected something other than '$(_show "$2")'"
}
assert_contains() {  # HAYSTACK NEEDLE [WHAT]
    case $1 in *"$2"*) ;; *) fail "${3:-output} does not contain '$2': '$(_show "$1")'" ;; esac
}
assert_not_contains() {  # HAYSTACK NEEDLE [WHAT]
    case $1 in *"$2"*) fail "${3:-output} contains '$2': '$(_show "$1")'" ;; esac
}
assert_match() {  # HAYSTACK ERE [WHAT]
    [[ $1 =~ $2 ]] || fail "${3:-output} does not match /$2/: '$(_show "$1")'"
}
assert_le() {  # A B [WHAT]: integer A <= B
    [ "$1" -le "$2" ] 2>/dev/null || fail "${3:-value}: expected $1 <= $2"
}
# assert_line KEY EXPECTED: the probe reported KEY=EXPECTED
assert_line() {
    local v
    v=$(pv "$1") || fail "probe did not report $1"
    [ "$v" = "$2" ] || fail "$1: expected '$(_show "$2")', got '$(_show "$v")'"
}
# assert_rc EXPECTED: exit code of the last capture/probe_run
assert_rc() {
    [ "$RC" = "$1" ] || fail "exit code: expected $1, got $RC; stderr: $(_show "$ERR")"
}
assert_ok() { assert_rc 0; }

# _burrow_error_shape: stderr is exactly one line starting with "burrow: ".
_burrow_error_shape() {
    [ "$RC" != 0 ] || fail "expected failure, got exit 0; stdout: $(_show "$OUT")"
    [ -n "$ERR" ] || fail "failure (exit $RC) with nothing on stderr"
    if [ "$RT_KIND" = burrow ]; then
        local n
        n=$(printf '%s\n' "$ERR" | wc -l)
        [ "$n" = 1 ] || fail "error must be exactly one line on stderr, got $n: $(_show "$ERR")"
        case $ERR in "burrow: "*) ;; *) fail "error must start with 'burrow: ': $(_show "$ERR")" ;; esac
    fi
}
# assert_fail_with PART [OTHER_PART]: the last command failed (non-zero) and
# its stderr contains PART. Under burrow the error is also exactly one line
# starting with "burrow: ". Under other runtimes OTHER_PART (if given) is
# checked instead of PART; with no OTHER_PART only the failure is checked.
assert_fail_with() {
    _burrow_error_shape
    if [ "$RT_KIND" = burrow ]; then
        assert_contains "$ERR" "$1" "stderr"
    elif [ -n "${2:-}" ]; then
        assert_contains "$ERR" "$2" "stderr"
    fi
}
# assert_fail_match ERE [OTHER_ERE]: as assert_fail_with, with extended regexes.
assert_fail_match() {
    _burrow_error_shape
    if [ "$RT_KIND" = burrow ]; then
        assert_match "$ERR" "$1" "stderr"
    elif [ -n "${2:-}" ]; then
        assert_match "$ERR" "$2" "stderr"
    fi
}

# ---------------------------------------------------------------- config helpers

# userns_full: maps container 0 to the caller and 1..65536 to the subordinate range.
userns_full() {
    cfg --argjson u "$MY_UID" --argjson g "$MY_GID" \
        --argjson us "$SUBUID_START" --argjson uc "$SUBUID_COUNT" \
        --argjson gs "$SUBGID_START" --argjson gc "$SUBGID_COUNT" \
        '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $us, size: $uc}]
         | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $gs, size: $gc}]'
}

# layer_on_disk: for a test that reads a container's own overlay layer from
# the host. Where the state root is a tmpfs (a /run/user/UID of logind's)
# that layer is a tmpfs of the container's own, seen only from inside it
# (docs/rootless.md); the test's containers then keep their state in
# $TEST_DIR, on disk, where the layer is a directory of the state directory.
layer_on_disk() {
    local d=$STATE_ROOT
    while [ ! -e "$d" ]; do d=${d%/*}; done # (made at the first create)
    [ "$(stat -f -c %T "${d:-/}")" = tmpfs ] || return 0
    STATE_ROOT=$TEST_DIR/state
    mkdir -p "$STATE_ROOT"
}

# add_mount JSON
add_mount() { cfg --argjson m "$1" '.mounts += [$m]'; }

# static_attacker C-FILE [ro]: tests/security/C-FILE built static as
# $EVIL/attack, $EVIL bound on /home/user (a directory the test rootfs has:
# a bind's mount point would be made in the shared rootfs), rw unless ro.
static_attacker() {
    EVIL=$TEST_DIR/evil
    mkdir -p "$EVIL"
    gcc -static -O2 -o "$EVIL/attack" "$REPO_DIR/tests/security/$1" 2>"$TEST_DIR/gcc.log" ||
        fail "cannot build the attacker: $(cat "$TEST_DIR/gcc.log")"
    add_mount "$(jq -cn --arg s "$EVIL" --arg o "${2:-rw}" '{destination: "/home/user", type: "bind", source: $s, options: ["rbind", $o]}')"
}

# split_nested: OUTER and NESTED, the probe's lines ($OUT) before and from
# its "echo nested" (an attack repeated from a namespace of its own), and
# requires that the attack's own user namespace was made.
split_nested() {
    OUTER=$(sed '/^nested$/,$d' <<< "$OUT")
    NESTED=$(sed -n '/^nested$/,$p' <<< "$OUT")
    assert_eq "$(pv syscall:unshare "$NESTED")" ok:0 "the attack's own user namespace"
}
# del_mount DEST
del_mount() { cfg --arg d "$1" '.mounts |= map(select(.destination != $d))'; }

# add_ns TYPE [PATH]: adds (or replaces) a namespace entry.
add_ns() {
    if [ -n "${2:-}" ]; then
        cfg --arg t "$1" --arg p "$2" '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t, path: $p}])'
    else
        cfg --arg t "$1" '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t}])'
    fi
}
del_ns() { cfg --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'; }

# new_bundle [DIR]: a fresh bundle (default: a new directory in $TEST_DIR)
# with the harness's config.json (from `$RUNTIME spec --rootless`, root.path
# the shared rootfs, read-only, terminal false, args /probe); BUNDLE points
# to it afterwards, so cfg & co. edit it. Every test starts with one.
new_bundle() {
    local d=${1:-}
    if [ -z "$d" ]; then d=$(mktemp -d "$TEST_DIR/bundle.XXXXXX") || fail "mktemp"; fi
    mkdir -p "$d" && cp "$BURROW_TEMPLATE" "$d/config.json" || fail "new_bundle: cannot create $d"
    BUNDLE=$d
}

# writable_rootfs: a private writable copy of the rootfs for this test.
writable_rootfs() {
    cp -a "$ROOTFS" "$TEST_DIR/rootfs" || fail "cannot copy rootfs"
    cfg --arg r "$TEST_DIR/rootfs" '.root.path = $r | .root.readonly = false'
}

# notify_manager: a service manager's NOTIFY_SOCKET ($NOTIFY_HOST, a datagram
# socket) in the background (bg name "notify"), printing what arrives,
# newlines as spaces, until READY=1. burrow's relay binds on /run/notify:
# setup-host.sh makes that mount point in the shared rootfs; without it (an
# older test area) the test gets a rootfs copy of its own, as creating it
# would change the rootfs other tests share.
notify_manager() {
    command -v python3 >/dev/null || skip "python3 not installed"
    [ -d "$ROOTFS/run/notify" ] || writable_rootfs
    NOTIFY_HOST=$TEST_DIR/manager-notify.sock
    bg notify python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
while True:
    m = s.recv(4096).decode()
    print(m.replace("\n", " "), flush=True)
    if "READY=1" in m.split("\n"):
        break
' "$NOTIFY_HOST"
    wait_for 5 test -S "$NOTIFY_HOST" || fail "the manager's socket did not appear: $(cat "$TEST_DIR/notify.err")"
}

# evil_symlink_mount HOSTDIR: a copy of the rootfs whose /evil is a symlink
# climbing out of it to HOSTDIR (made, with a sentinel file), and a tmpfs
# mounted at /evil: the mount must land inside the rootfs.
evil_symlink_mount() {
    writable_rootfs
    mkdir -p "$1"
    echo sentinel > "$1/sentinel"
    ln -s "/tmp/../../../../../../$1" "$TEST_DIR/rootfs/evil"
    add_mount '{"destination": "/evil", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
}

# host_ns NAME: the inode of the harness's namespace NAME.
host_ns() { local l; l=$(readlink "/proc/self/ns/$1"); l=${l#*[}; echo "${l%]}"; }
# pid_ns PID NAME: the inode of a process's namespace.
pid_ns() { local l; l=$(readlink "/proc/$1/ns/$2") || return 1; l=${l#*[}; echo "${l%]}"; }

# capmask CAP_NAME...: the 16-hex-digit mask /proc/self/status shows.
declare -A CAPNUM=(
    [CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3 [CAP_FSETID]=4
    [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8 [CAP_LINUX_IMMUTABLE]=9
    [CAP_NET_BIND_SERVICE]=10 [CAP_NET_BROADCAST]=11 [CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13
    [CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15 [CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18
    [CAP_SYS_PTRACE]=19 [CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22 [CAP_SYS_NICE]=23
    [CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25 [CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27 [CAP_LEASE]=28
    [CAP_AUDIT_WRITE]=29 [CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31 [CAP_MAC_OVERRIDE]=32
    [CAP_MAC_ADMIN]=33 [CAP_SYSLOG]=34 [CAP_WAKE_ALARM]=35 [CAP_BLOCK_SUSPEND]=36
    [CAP_AUDIT_READ]=37 [CAP_PERFMON]=38 [CAP_BPF]=39 [CAP_CHECKPOINT_RESTORE]=40
)
capmask() {
    local m=0 c
    for c in "$@"; do m=$(( m | (1 << ${CAPNUM[$c]}) )); done
    printf '%016x\n' "$m"
}

# hook_json PATH [ARG...]: a hook object; its env carries PATH and the harness tag.
hook_json() {
    local path=$1; shift
    jq -cn --arg p "$path" --arg tag "BURROW_TEST_TAG=$BURROW_TEST_TAG" --argjson a "$(json_array "$@")" \
        '{path: $p, args: $a, env: ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", $tag]}'
}
# add_hook KIND JSON
add_hook() { cfg --arg k "$1" --argjson h "$2" '.hooks[$k] += [$h]'; }

# fuse_server_left NAME...: a FUSE server of that name that burrow started
# for this test (serving a /dev/fd/N, under its state root or test dir) still runs.
fuse_server_left() {
    local n p c
    for n in "$@"; do
        for p in $(pgrep -u "$MY_UID" -x "$n"); do
            c=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
            case $c in *" /dev/fd/"*) ;; *) continue ;; esac
            case $c in *"$STATE_ROOT"*|*"$TEST_DIR"*) return 0 ;; esac
        done
    done
    return 1
}

# ---------------------------------------------------------------- leak check

# Runs in the driver after every test. Prints one line per problem; returns 1
# if anything was left behind, after cleaning it up (so one test's leak does
# not fail the next one).
leak_check() {
    local problems=() d

    # 0. an image's shared mount (burrow-image) notices its last container
    #    within a second or two (it polls): give it that, as the runtime would
    local i
    for i in $(seq 1 40); do
        [ -e "$STATE_ROOT/@images" ] || break
        sleep 0.1
    done

    # 1. no state directory under the state root
    if [ -d "$STATE_ROOT" ]; then
        [ -r "$STATE_ROOT" ] && [ -x "$STATE_ROOT" ] || { problems+=("state root left unreadable"); chmod u+rwx "$STATE_ROOT"; }
        for d in "$STATE_ROOT"/* "$STATE_ROOT"/.[!.]*; do
            [ -e "$d" ] || [ -L "$d" ] || continue
            if [ ! -d "$d" ] || [ -L "$d" ]; then
                # a temp file, a lock: nothing may stay beside the containers either
                problems+=("state file left: $d")
                rm -f "$d"
                continue
            fi
            problems+=("state directory left: $d")
            chmod u+rwx "$d" 2>/dev/null # a test that made it unreadable
            "$RUNTIME" --root "$STATE_ROOT" delete --force "${d##*/}" >/dev/null 2>&1
            [ -d "$d" ] && rm -rf "$d" 2>/dev/null
        done
    fi

    # 2. no process of ours left (tagged, or untaggable: zombie / unreadable environ)
    local own=" $$ $BASHPID " p=$$ stat my_sid
    read -r stat < "/proc/$$/stat"
    stat=${stat##*) }
    set -- $stat
    my_sid=$4
    while [ "$p" -gt 1 ] 2>/dev/null; do
        read -r stat < "/proc/$p/stat" 2>/dev/null || break
        stat=${stat##*) }
        set -- $stat
        p=$2
        own+="$p "
    done
    # Live processes get a second to finish dying; zombies a few seconds for
    # their parent to reap them; a zombie orphan waits for PID 1, which reaps
    # slowly here and is not the runtime's doing: noted, not counted.
    local t0 now leaked zombies orphans pid ppid st comm env_ok e
    t0=$(date +%s%N)
    while :; do
        leaked=() zombies=() orphans=()
        while read -r pid ppid st comm; do
            [ -n "$pid" ] || continue
            case $own in *" $pid "*) continue ;; esac
            [ "$ppid" = $$ ] || [ "$ppid" = "$BASHPID" ] && continue
            local -a envv=()
            mapfile -d '' envv 2>/dev/null < "/proc/$pid/environ"
            env_ok=foreign
            if [ "${#envv[@]}" = 0 ]; then
                env_ok=unknown
            else
                for e in "${envv[@]}"; do
                    case $e in
                        "BURROW_TEST_TAG=$BURROW_TEST_TAG") env_ok=ours; break ;;
                        BURROW_TEST_TAG=*) env_ok=other; break ;;
                    esac
                done
            fi
            case $env_ok in foreign|other) continue ;; esac
            if [ "$env_ok" = unknown ]; then
                # Unreadable environ (zombie, non-dumpable runtime helper): ours only
                # if it started during this test and either names this test's
                # paths in its command line or is still in our session. Never
                # guess further: other people's processes of this user are not ours
                # to report or kill.
                read -r stat 2>/dev/null < "/proc/$pid/stat" || continue
                stat=${stat##*) }
                set -- $stat
                [ "${20:-0}" -ge "${TEST_START_TICKS:-0}" ] || continue
                local psid=$4 cmdl
                local -a cmdv=()
                mapfile -d '' cmdv 2>/dev/null < "/proc/$pid/cmdline"
                cmdl=" ${cmdv[*]} "
                case $cmdl in
                    *"$STATE_ROOT"*|*"$TEST_DIR"*) ;;
                    *) [ "$psid" = "$my_sid" ] || continue ;;
                esac
            fi
            case $st in
                Z*) if [ "$ppid" = 1 ]; then orphans+=("$pid($comm)"); else zombies+=("$pid(ppid $ppid, $comm)"); fi ;;
                *) leaked+=("$pid") ;;
            esac
        done < <(ps -u "$MY_UID" -o pid=,ppid=,stat=,comm= 2>/dev/null)
        if [ "${#leaked[@]}" = 0 ] && [ "${#zombies[@]}" = 0 ]; then break; fi
        now=$(date +%s%N)
        if { [ "${#leaked[@]}" -gt 0 ] && [ $(( now - t0 )) -ge 1000000000 ]; } || [ $(( now - t0 )) -ge 5000000000 ]; then
            local desc
            for pid in "${leaked[@]}"; do
                desc=$(ps -o pid=,ppid=,stat=,args= -p "$pid" 2>/dev/null | head -c 200)
                [ -n "$desc" ] || continue   # gone meanwhile
                problems+=("process left: $desc")
                kill -KILL "$pid" 2>/dev/null
            done
            for e in "${zombies[@]}"; do problems+=("zombie left: $e"); done
            break
        fi
        sleep 0.05
    done

    [ "${#orphans[@]}" -gt 0 ] && echo "    note: orphan zombies waiting for PID 1: ${orphans[*]}"

    # 3. no mount left in our mount namespace under the test's paths
    local m
    while read -r _ _ _ _ m _; do
        case $m in
            "$TEST_DIR"*|"$STATE_ROOT"*|"$ROOTFS"*) problems+=("mount left: $m") ;;
        esac
    done < /proc/self/mountinfo

    # 4. the shared read-only rootfs untouched (no mount point or file created in it)
    if [ -f "$TEST_DIR/.stamp" ]; then
        while IFS= read -r m; do
            [ -n "$m" ] && problems+=("shared rootfs modified: $m")
        done < <(find "$ROOTFS" -xdev -cnewer "$TEST_DIR/.stamp" 2>/dev/null | head -5)
    fi

    # 5. no cgroup left named after the container (in the user's delegated
    # cgroups too); what is left is emptied and removed, deepest first
    if [ -n "$CID" ]; then
        while IFS= read -r m; do
            [ -n "$m" ] || continue
            problems+=("cgroup left: $m")
            [ -w "$m/cgroup.procs" ] || continue
            [ -f "$m/freezer.state" ] && echo THAWED > "$m/freezer.state" 2>/dev/null
            [ -f "$m/cgroup.freeze" ] && echo 0 > "$m/cgroup.freeze" 2>/dev/null
            # (relative to each directory: a container may nest its cgroups
            # deeper than a path can name)
            find "$m" -name cgroup.procs -execdir cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
            find "$m" -depth -type d -delete 2>/dev/null || { sleep 0.5; find "$m" -depth -type d -delete 2>/dev/null; }
        done < <(find /sys/fs/cgroup -maxdepth 7 -type d -name "*$CID*" -prune 2>/dev/null)
    fi

    [ "${#problems[@]}" = 0 ] && return 0
    printf '%s\n' "${problems[@]}"
    return 1
}

# ---------------------------------------------------------------- driver

_make_template() {
    local d="$RUN_DIR/template"
    mkdir -p "$d"
    if ! (cd "$d" && "$RUNTIME" spec --rootless) > "$d/spec.log" 2>&1; then
        echo "FAIL ${FILE_NAME}: '$RUNTIME spec --rootless' failed: $(cat "$d/spec.log")"
        return 1
    fi
    jq --arg r "$ROOTFS" --arg tag "BURROW_TEST_TAG=$BURROW_TEST_TAG" '
        .root.path = $r | .root.readonly = true | .process.terminal = false
        | .process.args = ["/probe"] | .process.env += [$tag]' "$d/config.json" > "$d/template.json" || return 1
    export BURROW_TEMPLATE="$d/template.json"
}

# run_tests [ERE...]: the driver (or, with BURROW_RUN_ONE set, one test body).
run_tests() {
    if [ -n "${BURROW_RUN_ONE:-}" ]; then
        cd "$TEST_DIR" || exit 1
        # A test defined below the file's run_tests line is not defined yet:
        # a failure, not a pass of nothing.
        declare -F "$BURROW_RUN_ONE" >/dev/null ||
            { echo "$BURROW_RUN_ONE is not defined when run_tests runs (defined after the run_tests line?)"; exit 1; }
        "$BURROW_RUN_ONE"
        exit 0
    fi

    local file=${BASH_SOURCE[1]}
    FILE_NAME=$(basename "$file" .sh)
    [ -x "$RUNTIME" ] || { echo "FAIL $FILE_NAME: runtime $RUNTIME not found or not executable"; return 1; }
    [ -x "$ROOTFS/probe" ] || { echo "FAIL $FILE_NAME: $ROOTFS/probe missing (run tests/rootless/run as root)"; return 1; }
    [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] || { echo "FAIL $FILE_NAME: XDG_RUNTIME_DIR not set or missing"; return 1; }

    local tests=() t pat
    for t in $(grep -oE '^test_[A-Za-z0-9_]+ *\(\)' "$file" | tr -d ' ()'); do
        if [ $# -gt 0 ]; then
            local hit=""
            for pat in "$@"; do [[ "$FILE_NAME/$t" =~ $pat ]] && hit=1; done
            [ -n "$hit" ] || continue
        fi
        tests+=("$t")
    done
    [ "${#tests[@]}" -gt 0 ] || return 0

    RUN_DIR=$(mktemp -d "$BURROW_TEST_DIR/run.XXXXXX")
    local STATE_BASE="$XDG_RUNTIME_DIR/burrow-tests.${RUN_DIR##*.}"
    export RUN_DIR
    echo "$BURROW_TEST_TAG" > "$RUN_DIR/.tag"
    _make_template || { rm -rf "$RUN_DIR"; return 1; }

    CLK_TCK=$(getconf CLK_TCK)
    local n=0 status=0 rc reason name start end leaks
    for t in "${tests[@]}"; do
        n=$((n + 1))
        name="$FILE_NAME/$t"
        export TEST_DIR="$RUN_DIR/$n-$t"
        export STATE_ROOT="$STATE_BASE/$n"
        export CID="bt$n-${RUN_DIR##*.}"
        mkdir -p "$TEST_DIR"
        touch "$TEST_DIR/.stamp"
        new_bundle "$TEST_DIR/bundle"
        export BUNDLE
        start=$(date +%s%N)
        read -r TEST_START_TICKS _ < /proc/uptime
        TEST_START_TICKS=$(( ${TEST_START_TICKS%.*} * CLK_TCK + 10#${TEST_START_TICKS#*.} * CLK_TCK / 100 ))
        BURROW_RUN_ONE=$t timeout -k 5 "$TEST_TIMEOUT" bash "$file" > "$TEST_DIR/log" 2>&1
        rc=$?
        end=$(date +%s%N)
        leaks=$(leak_check)
        local lrc=$?
        reason=""
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            reason="timed out after ${TEST_TIMEOUT}s"
        elif [ -s "$TEST_DIR/reason" ]; then
            reason=$(head -1 "$TEST_DIR/reason")
        elif [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
            reason="exited $rc"
        fi
        local after=""
        if [ "$lrc" != 0 ]; then
            if [ -n "$reason" ]; then
                # the test stopped before its own cleanup: the leak is a consequence
                after=$(printf '%s\n' "$leaks" | grep -v '^ *note:' | sed 's/^/    after the failure, cleaned up: /')
            else
                reason="leak: $(printf '%s' "$leaks" | grep -v '^ *note:' | paste -sd ';' -)"
            fi
        fi
        local took=""
        [ -n "${VERBOSE:-}" ] && took=" ($(( (end - start) / 1000000 )) ms)"
        if [ -n "$reason" ]; then
            status=1
            echo "FAIL $name: $reason"
            tail -n "${FAIL_LOG_LINES:-60}" "$TEST_DIR/log" | sed 's/^/    /'
            [ -n "$after" ] && printf '%s\n' "$after"
            printf '%s\n' "$leaks" | grep '^ *note:' | sed 's/^ */    /'
        elif [ "$rc" = 77 ]; then
            echo "skip $name: $(cat "$TEST_DIR/skip" 2>/dev/null)"
        else
            echo "ok $name$took"
            [ -n "${VERBOSE:-}" ] && sed 's/^/    /' "$TEST_DIR/log"
        fi
        rm -rf "$STATE_ROOT"
        if [ -z "$reason" ] || [ -z "${KEEP:-}" ]; then
            chmod -R u+rwX "$TEST_DIR" 2>/dev/null
            rm -rf "$TEST_DIR"
        else
            echo "    (kept $TEST_DIR)"
        fi
    done
    rmdir "$STATE_BASE" 2>/dev/null
    [ -n "${KEEP:-}" ] && [ "$status" != 0 ] || rm -rf "$RUN_DIR"
    return "$status"
}
