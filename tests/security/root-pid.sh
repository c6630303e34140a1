#!/bin/bash
# exec and kill into a container whose process is gone and whose pid another
# process now has (run as root by tests/security/run: the pid is handed to the
# new process through /proc/sys/kernel/ns_last_pid). burrow pins the process
# by a pidfd and compares its start time with the one recorded at create:
# nobody else is signalled or joined.

fail() { echo "FAIL: $*"; exit 1; }
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }

# recycled: runs the container, kills its process behind burrow's back, and
# starts `sleep` processes until one has its pid (VICTIM).
recycled() {
    jq '.process.args = ["/probe", "sleep", "60"]' "$BUNDLE/config.json" > "$WORK/c" && mv "$WORK/c" "$BUNDLE/config.json"
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null || fail "run -d"
    local pid i
    pid=$(rt state "$CID" | jq -r .pid)
    [ "$pid" -gt 1 ] || fail "no pid"
    kill -KILL "$pid"
    for i in $(seq 200); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
    [ -e "/proc/$pid" ] && { echo "the killed process $pid was not reaped in 10 s"; exit 77; }
    VICTIM=""
    for i in $(seq 100); do
        echo $((pid - 1)) > /proc/sys/kernel/ns_last_pid 2>/dev/null || { echo "ns_last_pid not writable"; exit 77; }
        sleep 60 &
        if [ "$!" = "$pid" ]; then VICTIM=$!; break; fi
        kill "$!"
    done
    [ -n "$VICTIM" ] || { echo "could not get pid $pid again in 100 tries"; exit 77; }
    printf '#!/bin/sh\nkill %s\n' "$VICTIM" > "$WORK/cleanup"; chmod +x "$WORK/cleanup"
    echo "pid $pid now belongs to a sleep of ours"
}

alive() { [ -e "/proc/$VICTIM" ] && ! grep -q '^State:.*Z' "/proc/$VICTIM/status"; }

test_kill_recycled_pid() {
    recycled
    out=$(rt kill "$CID" TERM 2>&1) && fail "kill exited 0: $out"
    echo "kill: $out"
    # kill --all of a stopped container exits 0, as runc's (containerd relies on it): what
    # matters is that it signals nobody
    rt kill -a "$CID" KILL >/dev/null 2>&1
    sleep 0.2
    alive || fail "the process that got the container's pid was signalled"
    [ "$(rt state "$CID" | jq -r .status)" = stopped ] || fail "state is not stopped"
    rt delete "$CID" || fail "delete"
    alive || fail "delete signalled the process that got the container's pid"
}

test_exec_recycled_pid() {
    recycled
    local ns
    out=$(rt exec "$CID" /probe 2>&1 </dev/null) && fail "exec exited 0: $out"
    echo "exec: $out"
    alive || fail "the process that got the container's pid is gone"
    rt delete --force "$CID" || fail "delete --force"
    alive || fail "delete --force signalled the process that got the container's pid"
}
