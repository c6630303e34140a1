# shellcheck shell=bash
# containerd as root: `ctr run --runc-binary burrow` through containerd's own
# runc shim (io.containerd.runc.v2), which drives burrow as it drives runc:
# create/start/state/exec/kill/delete with --log JSON, --pid-file,
# --detach. containerd runs from a temporary directory for these tests only
# and everything it made is removed afterwards.
# Sourced by tests/clients/run, which calls containerd_up, each test_*,
# then containerd_down.
CT_NS=burrowtest

ctr_() { timeout 30 ctr --address "$CT_DIR/containerd.sock" --namespace "$CT_NS" "$@"; }
fail() { echo "$*"; exit 1; }

containerd_up() {
    CT_DIR=$(mktemp -d /tmp/burrow-containerd.XXXXXX)
    export CT_DIR
    # The shims put their sockets under /run/containerd/s whatever the config
    # says: remember whether that directory was there, to leave it as found.
    [ -d /run/containerd ] && : > "$CT_DIR/had-run-containerd"
    mkdir -p "$CT_DIR/root" "$CT_DIR/state" "$CT_DIR/fifo" "$CT_DIR/runc"
    cat > "$CT_DIR/config.toml" <<TOML
version = 2
root = "$CT_DIR/root"
state = "$CT_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CT_DIR/containerd.sock"
[ttrpc]
  address = "$CT_DIR/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CT_DIR/opt"
TOML
    # A private copy of the test rootfs: containerd's runtime writes into it.
    cp -a "$ROOTFS" "$CT_DIR/rootfs"
    containerd --config "$CT_DIR/config.toml" > "$CT_DIR/containerd.log" 2>&1 &
    echo $! > "$CT_DIR/containerd.pid"
    for _ in $(seq 100); do
        ctr --address "$CT_DIR/containerd.sock" version >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "containerd did not start: $(tail -5 "$CT_DIR/containerd.log")"
    return 1
}

containerd_down() {
    [ -n "${CT_DIR:-}" ] && [ -d "$CT_DIR" ] || return 0
    local pid p
    # Tasks first (their shims exit with them), then containerd itself.
    for c in $(ctr_ containers ls -q 2>/dev/null); do
        ctr_ task kill -s KILL "$c" >/dev/null 2>&1
        ctr_ task delete -f "$c" >/dev/null 2>&1
        ctr_ containers delete "$c" >/dev/null 2>&1
    done
    pid=$(cat "$CT_DIR/containerd.pid" 2>/dev/null)
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    # Shims of ours that outlived it (named by our socket's address).
    for p in $(pgrep -f "containerd-shim-runc-v2 .*$CT_DIR" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    # Mounts containerd made under our directory, deepest first.
    awk -v d="$CT_DIR" '$5 ~ "^"d {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null
    done
    if [ ! -e "$CT_DIR/had-run-containerd" ]; then
        rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/$CT_NS /run/containerd/runc /run/containerd 2>/dev/null
    fi
    rm -rf "$CT_DIR"
}

test_containerd_run_output_and_exit_code() {
    local out rc
    out=$(ctr_ run --rm --runc-binary "$RUNTIME" --runc-root "$CT_DIR/runc" --fifo-dir "$CT_DIR/fifo" \
        --rootfs "$CT_DIR/rootfs" cd-run /bin/sh -c 'echo hello from burrow; exit 3' 2>&1)
    rc=$?
    [ "$rc" = 3 ] || fail "exit code: expected 3, got $rc: $out"
    case $out in *"hello from burrow"*) ;; *) fail "output: $out" ;; esac
}

test_containerd_detached_exec_kill_delete() {
    local out rc st
    out=$(ctr_ run -d --runc-binary "$RUNTIME" --runc-root "$CT_DIR/runc" --fifo-dir "$CT_DIR/fifo" \
        --rootfs "$CT_DIR/rootfs" cd-life sleep 60 2>&1) || fail "run -d failed: $out"
    ctr_ task ls | grep -Eq '^cd-life +[0-9]+ +RUNNING' || fail "task not running: $(ctr_ task ls)"
    out=$(ctr_ task exec --exec-id e1 --fifo-dir "$CT_DIR/fifo" cd-life /bin/echo exec works 2>&1)
    rc=$?
    [ "$rc" = 0 ] || fail "exec failed ($rc): $out"
    [ "$out" = "exec works" ] || fail "exec output: $out"
    out=$(ctr_ task exec --exec-id e2 --fifo-dir "$CT_DIR/fifo" cd-life /nonexistent 2>&1) &&
        fail "exec of a missing binary succeeded: $out"
    case $out in *"no such file"*|*"No such file"*) ;; *) fail "exec of a missing binary: $out" ;; esac
    # burrow's own state says running, under the root containerd gave it
    st=$("$RUNTIME" --root "$CT_DIR/runc/$CT_NS" state cd-life | jq -r .status) || fail "burrow state failed"
    [ "$st" = running ] || fail "burrow state: $st"
    ctr_ task kill -s KILL cd-life || fail "kill failed"
    for _ in $(seq 100); do
        ctr_ task ls | grep -Eq '^cd-life .*STOPPED' && break
        sleep 0.1
    done
    ctr_ task ls | grep -Eq '^cd-life .*STOPPED' || fail "task not stopped after kill: $(ctr_ task ls)"
    ctr_ task delete cd-life > /dev/null || fail "task delete failed"
    ctr_ containers delete cd-life || fail "container delete failed"
    [ -e "$CT_DIR/runc/$CT_NS/cd-life" ] && fail "burrow's state left after delete"
    return 0
}
