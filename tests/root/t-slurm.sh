# shellcheck shell=bash
# burrow as the OCI runtime of Slurm's `srun --container` (issue 10): a
# one-node cluster of its own (munge with a fresh key, slurmctld -D, slurmd -D
# -N localhost, every path under $WORK), container steps run rootless as the
# test user: output, exit code, stdin, the last of two PATHs, scancel
# leaving nothing behind. Exit 77 = skipped.
fail() { echo "$*"; [ -n "${SLURM_DIR:-}" ] && tail -5 "$SLURM_DIR"/*.log 2>/dev/null | sed 's/^/    /'; exit 1; }
skip() { echo "$*"; exit 77; }
user=burrowtest

# The oci.conf lines of README.md's Slurm section, with this test's paths.
oci_conf() {
    local rt=$1 root=$SLURM_DIR/tmp/burrow-%u # README: /tmp/burrow-%u
    cat <<CONF
RunTimeQuery="$rt --root $root state %n.%u.%j.%s.%t"
RunTimeKill="$rt --root $root kill -a %n.%u.%j.%s.%t"
RunTimeDelete="$rt --root $root delete --force %n.%u.%j.%s.%t"
RunTimeRun="$rt --root $root run --stop-timeout 20 --bundle %b %n.%u.%j.%s.%t"
CONF
}

start_cluster() {
    for b in munged mungekey slurmctld slurmd srun scancel squeue; do
        command -v "$b" >/dev/null || skip "no $b here (packages slurm-wlm and munge)"
    done
    SLURM_DIR=$WORK/slurm
    mkdir -p "$SLURM_DIR"/{state,spool,munge,tmp} && chmod 0755 "$WORK" "$SLURM_DIR" && chmod 1777 "$SLURM_DIR/tmp"
    chmod 0700 "$SLURM_DIR/munge"
    mungekey -c -k "$SLURM_DIR/munge/key" -b 1024 || fail "mungekey"
    munged -F -f -S "$SLURM_DIR/munge.sock" --key-file="$SLURM_DIR/munge/key" --pid-file="$SLURM_DIR/munged.pid" \
        --log-file="$SLURM_DIR/munged.log" --seed-file="$SLURM_DIR/munge/seed" &
    MUNGED=$!
    local port=$((20000 + RANDOM % 20000))
    cat > "$SLURM_DIR/slurm.conf" <<CONF
ClusterName=burrowtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge.sock
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
ReturnToService=2
KillWait=5
PlugStackConfig=$SLURM_DIR/plugstack.conf
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    : > "$SLURM_DIR/plugstack.conf"
    oci_conf "$RUNTIME" > "$SLURM_DIR/oci.conf"
    export SLURM_CONF=$SLURM_DIR/slurm.conf
    slurmctld -D -i > "$SLURM_DIR/ctld.out" 2>&1 &
    CTLD=$!
    slurmd -D -N localhost > "$SLURM_DIR/d.out" 2>&1 &
    SLURMD=$!
    trap stop_cluster EXIT
    local i
    for i in $(seq 150); do
        [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ] && return 0
        sleep 0.1
    done
    fail "the node did not come up: $(sinfo 2>&1 | tail -2)"
}

stop_cluster() {
    kill "$SLURMD" "$CTLD" 2>/dev/null
    wait "$SLURMD" "$CTLD" 2>/dev/null
    # A step still ending when slurmd went: its slurmstepd (ours by SLURM_CONF) goes too.
    local f pid
    for f in $(grep -l -s -a "SLURM_CONF=$SLURM_CONF" /proc/[0-9]*/environ); do
        pid=${f#/proc/}; pid=${pid%/environ}
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slurmstepd ] && kill -KILL "$pid" 2>/dev/null
    done
    kill "$MUNGED" 2>/dev/null
    wait "$MUNGED" 2>/dev/null
}

# as_user CMD...: CMD as the test user, with the cluster's configuration and a
# tag in the environment, which the job and so the container inherit (other
# tests run as the same user at the same time).
as_user() {
    runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp SLURM_CONF="$SLURM_CONF" \
        BURROW_SLURM_TAG="${WORK##*/}" "$@"
}
# tagged [NAME]: pids of processes with this test's tag (named NAME).
tagged() {
    local f pid
    for f in $(grep -l -s -a "BURROW_SLURM_TAG=${WORK##*/}" /proc/[0-9]*/environ); do
        pid=${f#/proc/}; pid=${pid%/environ}
        [ -z "${1:-}" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
    done
}

# A rootless bundle of the test user's, on the shared test rootfs (Slurm
# 22.05 takes the rootfs at BUNDLE/rootfs, whatever root.path says).
user_bundle() {
    UB=$WORK/ubundle
    mkdir -p "$UB" && chown "$user" "$UB" && ln -s "$ROOTFS" "$UB/rootfs"
    (cd "$UB" && as_user "$RUNTIME" spec --rootless) || fail "spec"
    jq --arg r "$ROOTFS" '.root = {path: $r, readonly: true} | .process.terminal = false
        | .process.env = ["PATH=/bundle-path", "FROM_BUNDLE=yes"]' "$UB/config.json" > "$UB/c" && mv "$UB/c" "$UB/config.json"
    chown "$user" "$UB/config.json"
}

nothing_left() {
    local left
    left=$(find "$SLURM_DIR" -path "$SLURM_DIR/tmp/burrow-$user/*" 2>/dev/null)
    [ -z "$left" ] || fail "burrow state left: $left"
    [ -z "$(tagged)" ] || fail "processes left: $(for p in $(tagged); do tr '\0' ' ' < "/proc/$p/cmdline"; echo; done)"
    grep -q "$ROOTFS" /proc/self/mountinfo && fail "mounts left"
    return 0
}

test_srun_container() {
    start_cluster
    user_bundle
    local out rc
    out=$(as_user srun --container="$UB" /bin/sh -c 'echo "hello from $(hostname) as $(id -u)"; echo "PATH=$PATH"; echo "B=$FROM_BUNDLE"' 2>&1)
    rc=$?
    [ $rc = 0 ] || fail "srun --container failed ($rc): $out"
    case $out in *"hello from burrow as 0"*) ;; *) fail "no output from the container: $out" ;; esac
    # Slurm appends the job's PATH after the bundle's: the job's (the last) wins, as in runc
    case $out in *"PATH=/usr/local/bin:/usr/bin:/bin"*) ;; *) fail "not the job's PATH: $out" ;; esac
    case $out in *"B=yes"*) ;; *) fail "the bundle's environment is lost: $out" ;; esac

    as_user srun --container="$UB" /bin/sh -c 'exit 7' >/dev/null 2>&1
    rc=$?
    [ $rc = 7 ] || fail "exit code: expected 7, got $rc"

    # srun's own notes ("job 3 queued and waiting for resources", under load) go to stderr
    out=$(echo "through stdin" | as_user srun --container="$UB" /bin/cat 2>"$WORK/srun.err")
    [ "$out" = "through stdin" ] || fail "stdin: $out $(cat "$WORK/srun.err")"
    nothing_left
}

test_scancel_leaves_nothing() {
    start_cluster
    user_bundle
    as_user srun --container="$UB" --job-name=burrow-cancel /bin/sleep 60 > "$WORK/srun.out" 2>&1 &
    local srun=$! job i
    for i in $(seq 100); do
        job=$(squeue -h -n burrow-cancel -t R -o %i 2>/dev/null)
        [ -n "$job" ] && [ -n "$(tagged sleep)" ] && break
        sleep 0.1
    done
    [ -n "$job" ] && [ -n "$(tagged sleep)" ] || fail "the step did not start: $(cat "$WORK/srun.out")"
    scancel "$job" || fail "scancel"
    wait $srun
    # srun returns at once; the node then ends the step (RunTimeKill, RunTimeDelete)
    for i in $(seq 200); do
        [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && [ -z "$(tagged)" ] &&
            [ -z "$(ls -A "$SLURM_DIR/tmp/burrow-$user" 2>/dev/null)" ] && break
        sleep 0.1
    done
    nothing_left
}

# The ranks of an MPI-style step on a node share one container with no id
# given (docs/hpc.md): `srun -n 4 burrow run --join -- CMD` names it
# slurm-$SLURM_JOB_ID.$SLURM_STEP_ID, every rank sees the same namespaces, and
# the last one out removes it. Not --container: burrow is the step's program.
test_srun_join_ranks_share_one_container() {
    start_cluster
    local root=$SLURM_DIR/tmp/burrow-$user out
    out=$(as_user srun -n 4 -O "$RUNTIME" --root "$root" run --join --rootfs "$ROOTFS" \
        -e "BURROW_SLURM_TAG=${WORK##*/}" -- /bin/sh -c 'echo "$(readlink /proc/self/ns/ipc) $(readlink /proc/self/ns/pid)"' 2>"$WORK/srun.err") ||
        fail "srun: $(cat "$WORK/srun.err")"
    [ "$(grep -c . <<< "$out")" = 4 ] || fail "4 ranks should print a line each: $out $(cat "$WORK/srun.err")"
    [ "$(sort -u <<< "$out" | grep -c .)" = 1 ] || fail "the ranks are in different namespaces: $out"
    [ "$(sort -u <<< "$out")" != "$(readlink /proc/self/ns/ipc) $(readlink /proc/self/ns/pid)" ] ||
        fail "the ranks ran in the host's namespaces"
    local i
    for i in $(seq 50); do
        [ -z "$(ls -A "$root" 2>/dev/null)" ] && [ -z "$(tagged)" ] && break
        sleep 0.1
    done
    nothing_left
}
