#!/bin/bash
# A real systemd user manager for the test user, on a machine whose PID 1 is
# not systemd (this VM, CI containers). Run as root.
#
#   tests/rootless/user-manager.sh run CMD...   start it, run CMD (as root) inside
#                                               the user's delegated cgroup, stop it
#   tests/rootless/user-manager.sh start|stop   the same in two steps (by hand)
#
# What a login would give the user, made by hand: /run/user/UID, the cgroups
# user.slice/user-UID.slice/user@UID.service in the cgroup2 and name=systemd
# hierarchies owned by the user, and `systemd --user` started in there, in a
# private mount namespace whose /run/systemd is a tmpfs holding
# /run/systemd/system (systemd's sign that it was booted with systemd; never
# made on the host). CMD runs in user@UID.service/harness, a cgroup the user
# owns under the manager's, so `systemd-run --user --scope` and burrow's
# systemd cgroup manager can move the user's processes into scopes.
#
# Where PID 1 is systemd, the real user@UID.service is started instead (and
# stopped after, if it was not running).
#
# stop leaves nothing: the manager and everything it started are killed, the
# cgroups and the runtime files it made are removed. A lock serialises
# harness runs for the same user (one manager per user can exist).
set -u
user=${BURROW_TEST_USER:-burrowtest}
uid=$(id -u "$user") || exit 2
gid=$(id -g "$user")
home=$(getent passwd "$user" | cut -d: -f6)
rundir=/run/user/$uid
state=/run/burrow-user-manager.$uid
cg_rel=user.slice/user-$uid.slice/user@$uid.service
hier="/sys/fs/cgroup/unified /sys/fs/cgroup/systemd"
[ -f /sys/fs/cgroup/cgroup.controllers ] && hier=/sys/fs/cgroup
um_bin=/lib/systemd/systemd

die() { echo "user-manager: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root"

# One of these, for the user's CMD, says why it cannot run here.
can_run() {
    booted && return 0
    [ -x "$um_bin" ] || { echo "no $um_bin (package systemd)"; return 1; }
    command -v busctl >/dev/null || { echo "no busctl (package systemd)"; return 1; }
    local h
    for h in $hier; do
        [ -w "$h" ] || { echo "$h is not a writable cgroup hierarchy"; return 1; }
    done
    return 0
}

# Where PID 1 is systemd, the real user@UID.service is the user manager.
booted() { [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; }

start_real() {
    mkdir -p "$state"
    if ! systemctl -q is-active "user@$uid.service"; then
        systemctl start "user@$uid.service" || die "systemctl start user@$uid.service failed"
        touch "$state/started-unit"
    fi
    local h
    for h in $hier; do
        [ -d "$h/$cg_rel" ] || continue
        mkdir -p "$h/$cg_rel/harness" && chown "$uid:$gid" "$h/$cg_rel/harness" && echo "$h/$cg_rel/harness" >> "$state/cgroups"
    done
    echo real > "$state/pid"
}

stop_real() {
    local c
    [ -f "$state/cgroups" ] && tac "$state/cgroups" | while read -r c; do rmdir "$c" 2>/dev/null; done
    [ -e "$state/started-unit" ] && systemctl stop "user@$uid.service"
    rm -rf "$state"
}

start() {
    if booted; then start_real; return; fi
    local why
    why=$(can_run) || die "cannot start a user manager: $why"
    [ -e "$state/pid" ] && die "a user manager for $user is already started ($state); stop it first"
    if pgrep -u "$uid" -x systemd >/dev/null; then die "a systemd of $user already runs (pid $(pgrep -u "$uid" -x systemd | head -1))"; fi
    mkdir -p "$state"
    install -d -m 0700 -o "$uid" -g "$gid" "$rundir"
    ls -A "$rundir" > "$state/rundir.before"
    local h d rel made
    for h in $hier; do
        # Remember which levels we make, to remove exactly those.
        rel=""
        for d in user.slice user-$uid.slice user@$uid.service harness; do
            rel=${rel:+$rel/}$d
            if [ ! -d "$h/$rel" ]; then
                mkdir "$h/$rel" || die "mkdir $h/$rel"
                echo "$h/$rel" >> "$state/cgroups"
            fi
        done
        chown -R "$uid:$gid" "$h/$cg_rel"
    done
    # The manager says READY=1 once basic.target (with the bus socket) is up.
    local notify=$state/notify.sock
    python3 - "$notify" "$state/ready" 9>&- <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
open(sys.argv[2] + ".listening", "w").close()
s.settimeout(60)
try:
    while b"READY=1" not in s.recv(4096).split(b"\n"):
        pass
    open(sys.argv[2], "w").close()
except socket.timeout:
    sys.exit(1)
EOF
    local waiter=$!
    while [ ! -e "$state/ready.listening" ]; do
        kill -0 "$waiter" 2>/dev/null || die "the notify listener failed"
        sleep 0.01
    done
    (
        for h in $hier; do echo "$BASHPID" > "$h/$cg_rel/cgroup.procs" || exit 1; done
        exec unshare -m --propagation slave sh -c '
            mount -t tmpfs -o mode=0755 tmpfs /run/systemd && mkdir /run/systemd/system || exit 1
            exec setpriv --reuid="$1" --regid="$2" --init-groups \
                env -i HOME="$3" USER="$4" LOGNAME="$4" XDG_RUNTIME_DIR="$5" NOTIFY_SOCKET="$6" \
                PATH=/usr/local/bin:/usr/bin:/bin "$7" --user' \
            sh "$uid" "$gid" "$home" "$user" "$rundir" "$notify" "$um_bin"
    ) > "$state/log" 2>&1 < /dev/null 9>&- &
    echo $! > "$state/pid"
    if ! wait "$waiter" || [ ! -S "$rundir/systemd/private" ]; then
        echo "user-manager: the user manager did not become ready; its log:" >&2
        tail -20 "$state/log" >&2
        stop
        exit 2
    fi
}

# wait_gone PID SECS: waits on a pidfd (not our child: stop may be a separate call).
wait_gone() {
    python3 -c '
import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)
sys.exit(0 if select.select([fd], [], [], float(sys.argv[2]))[0] else 1)' "$1" "$2"
}

stop() {
    [ -d "$state" ] || return 0
    if [ "$(cat "$state/pid" 2>/dev/null)" = real ]; then stop_real; return; fi
    local pid h c
    pid=$(cat "$state/pid" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null   # the user manager: exit.target, stops its units
        wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null   # reaped here when it is our child (run)
    fi
    # Whatever is left in the user's tree (a unit that would not stop).
    for h in $hier; do
        [ -d "$h/$cg_rel" ] || continue
        if [ -e "$h/$cg_rel/cgroup.kill" ]; then
            echo 1 > "$h/$cg_rel/cgroup.kill" 2>/dev/null
        else
            find "$h/$cg_rel" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
        fi
    done
    for h in $hier; do
        [ -d "$h/$cg_rel" ] || continue
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            find "$h/$cg_rel" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
            [ -z "$(find "$h/$cg_rel" -mindepth 1 -type d)" ] && break
            sleep 0.1  # processes killed above are still exiting
        done
    done
    if [ -f "$state/cgroups" ]; then
        tac "$state/cgroups" | while read -r c; do rmdir "$c" 2>/dev/null || [ ! -d "$c" ] || echo "user-manager: cannot remove $c" >&2; done
    fi
    # The runtime files the manager made (bus, systemd/, ...), nothing else.
    if [ -f "$state/rundir.before" ]; then
        ls -A "$rundir" 2>/dev/null | grep -vxF -f "$state/rundir.before" | while read -r f; do
            case $f in bus|systemd|dbus-1|pk-debconf-socket|gnupg|pulse) rm -rf "${rundir:?}/$f" ;; esac
        done
    fi
    rm -rf "$state"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    run)
        shift
        [ $# -gt 0 ] || die "run: no command"
        exec 9< "$0"   # the lock: on this script, so that no lock file stays behind
        flock 9
        start
        trap stop EXIT
        trap 'exit 130' INT TERM
        # The command, in the user's own cgroup under the manager's.
        # (as-user keeps it there: BURROW_USER_MANAGER_HARNESS)
        ( for h in $hier; do echo "$BASHPID" > "$h/$cg_rel/harness/cgroup.procs" || exit 2; done
          BURROW_USER_MANAGER_HARNESS=$cg_rel/harness exec "$@" )
        ;;
    why-not) can_run ;;
    *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
