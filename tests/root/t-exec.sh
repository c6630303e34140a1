# shellcheck shell=bash
# exec as root into a container without a user namespace: burrow enters the
# container's pid namespace for its children itself, so exec's process is
# born there (no fork once more into it), and goes back to its own at once.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }
ns() { local l; l=$(readlink "/proc/$1/ns/$2") || return 1; l=${l#*[}; echo "${l%]}"; }
val() { printf '%s\n' "$1" | sed -n "s/^$2=//p" | head -1; }

test_exec_born_in_the_pid_namespace_as_root() {
    cfg '.process.args = ["sleep", "60"]'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    init=$(rt state "$CID" | jq -r .pid)
    out=$(rt exec "$CID" /probe </dev/null) || fail "exec failed: $out"
    for k in pid mnt net ipc uts; do
        [ "$(val "$out" "ns.$k")" = "$(ns "$init" "$k")" ] || fail "ns.$k: $(val "$out" "ns.$k"), the init's $(ns "$init" "$k")"
    done
    [ "$(val "$out" pid)" != 1 ] || fail "exec's process is pid 1"
    # burrow exec, waiting for its process, has its own pid namespace for
    # children again (a fork of its own would not land in the container's).
    "$RUNTIME" --root "$STATE_ROOT" exec "$CID" sleep 30 </dev/null >/dev/null 2>&1 &
    b=$!
    for _ in $(seq 100); do pgrep -P "$b" sleep >/dev/null && break; sleep 0.05; done
    pgrep -P "$b" sleep >/dev/null || fail "the exec'd sleep is not burrow exec's child"
    [ "$(ns "$b" pid_for_children)" = "$(ns $$ pid)" ] || fail "burrow exec's children would be born in $(ns "$b" pid_for_children), not ours $(ns $$ pid)"
    [ "$(ns "$(pgrep -P "$b" sleep)" pid)" = "$(ns "$init" pid)" ] || fail "the exec'd sleep is not in the container's pid namespace"
    rt delete --force "$CID" || fail "delete failed"
    wait "$b" 2>/dev/null
    return 0
}

# process.oomScoreAdj in exec as root (the child born in the pid namespace,
# non-dumpable from birth, writes it), and burrow exec keeps its own.
test_exec_oom_score_adj_as_root() {
    cfg '.process.args = ["sleep", "60"] | .process.oomScoreAdj = 500'
    rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    out=$(rt exec "$CID" /probe </dev/null 2>&1) || fail "exec failed: $out"
    [ "$(val "$out" oom_score_adj)" = 500 ] || fail "oom_score_adj: $(val "$out" oom_score_adj)"
    "$RUNTIME" --root "$STATE_ROOT" exec "$CID" sleep 30 </dev/null >/dev/null 2>&1 &
    b=$!
    for _ in $(seq 100); do pgrep -P "$b" sleep >/dev/null && break; sleep 0.05; done
    [ "$(cat "/proc/$b/oom_score_adj")" = "$(cat /proc/self/oom_score_adj)" ] || fail "burrow exec's own oom_score_adj: $(cat "/proc/$b/oom_score_adj")"
    rt delete --force "$CID" || fail "delete failed"
    wait "$b" 2>/dev/null
    return 0
}
