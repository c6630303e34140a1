#!/bin/bash
# The rootless classes of t-fds.sh, t-procfs.sh and t-caps.sh again as real
# root (no user namespace), where a mistake costs the host (run as root by
# tests/security/run with $BUNDLE from `burrow spec`, $STATE_ROOT, $CID).

fail() { echo "FAIL: $*"; exit 1; }
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$WORK/c" && mv "$WORK/c" "$BUNDLE/config.json" || fail "jq $*"; }
pv() {  # KEY: the value of the probe's first KEY=... line in $OUT
    local l
    while IFS= read -r l; do
        [ "${l%%=*}" = "$1" ] && { printf '%s\n' "${l#*=}"; return; }
    done <<< "$OUT"
}
sleeper() {
    cfg '.process.args = ["/probe", "sleep", "60"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null || fail "run -d"
}
host_dir() {
    mkdir -p "$WORK/hostdir" && touch "$WORK/hostdir/HOSTFILE"
    exec 7<"$WORK/hostdir" 9<"$WORK/hostdir"
}

test_root_exec_cwd_proc_self_fd() {
    host_dir
    sleeper
    local n
    for n in $(seq 3 20); do
        OUT=$(rt exec --cwd "/proc/self/fd/$n" "$CID" /probe syscall getcwd ls . 2>&1 </dev/null) || continue
        case $(pv syscall:getcwd) in ok:/*) ;; *) fail "exec --cwd /proc/self/fd/$n: outside the container: $OUT" ;; esac
        case $(pv ls:.) in *HOSTFILE*) fail "exec --cwd /proc/self/fd/$n: sees the host's directory" ;; esac
    done
    rt delete --force "$CID"
}

test_root_run_cwd_proc_self_fd() {
    host_dir
    local n
    for n in $(seq 3 20); do
        cfg --arg c "/proc/self/fd/$n" '.process.cwd = $c | .process.args = ["/probe", "syscall", "getcwd", "ls", "."]'
        OUT=$(rt run --bundle "$BUNDLE" "$CID" 2>&1 </dev/null)
        rt delete --force "$CID" >/dev/null 2>&1
        case $(pv syscall:getcwd) in ""|ok:/*) ;; *) fail "process.cwd /proc/self/fd/$n: outside the container: $OUT" ;; esac
    done
}

test_root_only_stdio() {
    host_dir
    OUT=$(rt run --bundle "$BUNDLE" "$CID" 2>&1 </dev/null) || fail "run: $OUT"
    [ "$(pv fds)" = 0,1,2 ] || fail "run: fds $(pv fds)"
    sleeper
    OUT=$(rt exec "$CID" /probe 2>&1 </dev/null) || fail "exec: $OUT"
    [ "$(pv fds)" = 0,1,2 ] || fail "exec: fds $(pv fds)"
    rt delete --force "$CID"
}

test_root_masked_path_dev_null_symlink() {
    local v=$WORK/devvol
    mkdir -p "$v/pts" "$v/shm" "$v/mqueue"
    ln -s /etc/passwd "$v/null"
    cfg --arg v "$v" '.mounts |= map(if .destination == "/dev" then {destination: "/dev", type: "bind", source: $v, options: ["rbind", "nosuid"]} else . end)
        | .linux.maskedPaths += ["/etc/hostname"] | .process.args = ["/probe", "read", "/etc/hostname"]'
    OUT=$(rt run --bundle "$BUNDLE" "$CID" 2>&1 </dev/null) && {
        [ "$(pv read:/etc/hostname)" = ok: ] || fail "/etc/hostname masked by something else than the null device: $(pv read:/etc/hostname)"
        return 0
    }
    case $OUT in *"not the null device"*) ;; *) fail "refused, but not saying why: $OUT" ;; esac
}

test_root_oom_score_adj_through_a_mount() {
    echo untouched > "$WORK/victim"
    cfg --arg s "$WORK/victim" '.mounts += [{destination: "/proc/self/oom_score_adj", type: "bind", source: $s, options: ["bind"]}]
        | .process.oomScoreAdj = 123'
    rt run --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
    [ "$(cat "$WORK/victim")" = untouched ] || fail "oom_score_adj written into the file bound over it: $(cat "$WORK/victim")"
}

test_root_exec_cap_not_inheritable() {
    sleeper
    OUT=$(rt exec --cap CAP_SYS_ADMIN "$CID" /probe 2>&1 </dev/null) || fail "exec: $OUT"
    [ "$(pv CapInh)" = 0000000000000000 ] || fail "CapInh $(pv CapInh) after exec --cap"
    [ "$(pv CapAmb)" = 0000000000000000 ] || fail "CapAmb $(pv CapAmb) after exec --cap"
    rt delete --force "$CID"
}
