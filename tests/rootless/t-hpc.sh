# shellcheck shell=bash
# Shared hosts and HPC (issue 10): a variable given twice, keep-id, CDI
# devices, network filesystems, batch use.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_env_given_twice_last_wins() {
    # Slurm appends the job's environment to the bundle's: the last PATH wins, as in runc.
    cfg '.process.env = ["PATH=/nowhere", "A=first", "BURROW_TEST_TAG=" + env.BURROW_TEST_TAG, "A=second", "PATH=/bin:/sbin"]'
    set_args sh -c 'echo "A=$A PATH=$PATH"; env | grep -c "^A="'
    probe_ok
    assert_eq "$OUT" "A=second PATH=/bin:/sbin
1" "the last value, once"
}

test_exec_env_given_twice_last_wins() {
    cfg '.process.env = ["PATH=/nowhere", "A=first", "BURROW_TEST_TAG=" + env.BURROW_TEST_TAG, "A=second", "PATH=/bin:/sbin"]'
    probe_args sleep 60
    capture rt run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_status "$CID" running
    capture rt exec "$CID" sh -c 'echo "A=$A PATH=$PATH"'
    assert_ok
    assert_eq "$OUT" "A=second PATH=/bin:/sbin" "exec sees the last value"
    capture rt exec -e A=third "$CID" sh -c 'echo "A=$A"'
    assert_eq "$OUT" "A=third" "exec -e overrides"
    kill_and_delete "$CID"
}

# keep_id_dir: a host directory only the test user may write (0700), bound at /home (a directory the image has).
keep_id_dir() {
    mkdir -m 0700 "$TEST_DIR/shared" || fail "mkdir"
    add_mount "$(jq -nc --arg s "$TEST_DIR/shared" '{destination: "/home", type: "none", source: $s, options: ["rbind", "rw"]}')"
}

test_keep_id_flag() {
    burrow_only "--userns keep-id"
    keep_id_dir
    probe_args dump write /home/f stat /home/f stat /home
    capture rt run --userns keep-id --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line uid "$MY_UID"
    assert_line gid "$MY_GID"
    # the caller's files are the caller's inside, and what it writes is the caller's outside
    assert_contains "$(pv stat:/home)" " $MY_UID:$MY_GID"
    assert_line write:/home/f ok
    assert_contains "$(pv stat:/home/f)" " $MY_UID:$MY_GID"
    assert_eq "$(stat -c %u:%g "$TEST_DIR/shared/f")" "$MY_UID:$MY_GID" "owner on the host"
    if [ "$SUBUID_COUNT" -gt "$MY_UID" ]; then
        # the ranges around the own id: root of the container is the first subordinate id
        assert_not_contains "$ERR" "subordinate" "no note with ranges"
    fi
}

test_keep_id_maps_and_exec() {
    burrow_only "--userns keep-id"
    [ "$SUBUID_COUNT" -gt "$MY_UID" ] || skip "needs a subordinate uid range of more than $MY_UID ids"
    probe_args sleep 60
    capture rt run -d --userns keep-id --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_status "$CID" running
    local pid
    pid=$(ct_pid "$CID")
    assert_eq "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map" | tr '\n' ' ')" \
        "0 $SUBUID_START $MY_UID $MY_UID $MY_UID 1 $((MY_UID + 1)) $((SUBUID_START + MY_UID)) $((SUBUID_COUNT - MY_UID)) " "uid_map"
    capture rt exec "$CID" /probe
    assert_ok
    assert_line uid "$MY_UID"
    capture rt exec -u 0 "$CID" /probe
    assert_line uid 0
    capture rt state "$CID"
    assert_eq "$(jq -r '.annotations["io.github.burrow.userns"]' <<< "$OUT")" keep-id "state annotation"
    kill_and_delete "$CID"
}

test_keep_id_annotation() {
    burrow_only "io.github.burrow.userns"
    keep_id_dir
    cfg '.annotations["io.github.burrow.userns"] = "keep-id"'
    probe_ok dump write /home/f
    assert_line uid "$MY_UID"
    assert_eq "$(stat -c %u "$TEST_DIR/shared/f")" "$MY_UID" "owner on the host"
}

test_spec_keep_id() {
    burrow_only "spec --keep-id"
    mkdir "$TEST_DIR/b2" && (cd "$TEST_DIR/b2" && "$RUNTIME" spec --rootless --keep-id) || fail "spec"
    assert_eq "$(jq -c .process.user "$TEST_DIR/b2/config.json")" "{\"uid\":$MY_UID,\"gid\":$MY_GID}" "process.user"
    assert_eq "$(jq -c '.linux.uidMappings[] | select(.containerID == '"$MY_UID"')' "$TEST_DIR/b2/config.json")" \
        "{\"containerID\":$MY_UID,\"hostID\":$MY_UID,\"size\":1}" "the own id maps to itself"
    jq --arg r "$ROOTFS" '.root.path = $r | .process.terminal = false | .process.args = ["/probe"]' \
        "$TEST_DIR/b2/config.json" > "$TEST_DIR/c" && mv "$TEST_DIR/c" "$TEST_DIR/b2/config.json"
    capture rt run --bundle "$TEST_DIR/b2" "$CID"
    assert_ok
    assert_line uid "$MY_UID"
}

test_keep_id_bad_value() {
    burrow_only "--userns"
    capture rt run --userns nosuch --bundle "$BUNDLE" "$CID"
    assert_fail_with '--userns: "nosuch" is not keep-id or keep-id:single'
    cfg '.annotations["io.github.burrow.userns"] = "auto"'
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_fail_with 'annotations: io.github.burrow.userns: "auto" is not keep-id or keep-id:single'
}

# exec into a created (not started) keep-id container: its process became a
# subordinate id on the way and is not dumpable until it execs, so its
# namespaces cannot be read. exec says so, and never runs in its own
# namespaces instead (it used to skip the unreadable ones).
test_exec_created_keep_id_refused() {
    burrow_only "--userns keep-id"
    [ "$SUBUID_COUNT" -gt "$MY_UID" ] || skip "needs a subordinate uid range of more than $MY_UID ids"
    probe_args sleep 30
    rtc create --userns keep-id --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc exec "$CID" /probe dump
    assert_fail_with "ns/user (a created container whose process changed ids: start it first): Permission denied"
    rtc delete --force "$CID"
    assert_ok
}

# cdi_spec: a CDI spec in $TEST_DIR/cdi for kind burrow.test/null: device
# dev0 is /dev/null under another name, with env, a mount and hooks.
cdi_spec() {
    mkdir -p "$TEST_DIR/cdi" "$TEST_DIR/cdi-lib" && echo lib > "$TEST_DIR/cdi-lib/libfake.so"
    jq -n --arg lib "$TEST_DIR/cdi-lib" --arg t "$TEST_DIR" '{
        cdiVersion: "0.6.0", kind: "burrow.test/null",
        containerEdits: {env: ["CDI_SPEC=yes", "PATH=/bin:/sbin"],
                         mounts: [{hostPath: $lib, containerPath: "/home", options: ["ro", "nosuid"]}]},
        devices: [
          {name: "dev0", containerEdits: {
              env: ["CDI_VISIBLE=dev0"],
              deviceNodes: [{path: "/dev/cdi-null", hostPath: "/dev/null"}],
              hooks: [{hookName: "createRuntime", path: "/bin/sh", args: ["sh", "-c", "echo created > \($t)/hook-created"]},
                      {hookName: "poststop", path: "/bin/sh", args: ["sh", "-c", "echo stopped > \($t)/hook-stopped"]}]}},
          {name: "dev1", containerEdits: {deviceNodes: [{path: "/dev/cdi-zero", type: "c", major: 1, minor: 5}]}}]}' \
        > "$TEST_DIR/cdi/burrow-test.json"
    export BURROW_CDI_DIRS=/nonexistent-cdi-dir:$TEST_DIR/cdi
}

test_cdi_device() {
    burrow_only "--device (CDI)"
    cdi_spec
    probe_args dump stat /dev/cdi-null write /dev/cdi-null stat /dev/cdi-zero read /home/libfake.so
    capture rt run --device burrow.test/null=dev0 --device=burrow.test/null=dev1 --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$(pv stat:/dev/cdi-null)" "ok:chr"
    assert_contains "$(pv stat:/dev/cdi-null)" " 1,3"
    assert_line write:/dev/cdi-null ok
    assert_contains "$(pv stat:/dev/cdi-zero)" " 1,5"
    assert_line env.CDI_VISIBLE dev0
    assert_line env.CDI_SPEC yes
    assert_line env.PATH /bin:/sbin
    assert_contains "$OUT" "lib"
    assert_eq "$(cat "$TEST_DIR/hook-created" 2>&1)" created "createRuntime hook from the spec"
    assert_eq "$(cat "$TEST_DIR/hook-stopped" 2>&1)" stopped "poststop hook from the spec (kept with the state)"
    # the bundle's config.json is not changed
    assert_eq "$(jq -c ".linux.devices // [], .hooks // {}" "$BUNDLE/config.json" | tr "\n" " ")" "[] {} " "config.json"
}

test_cdi_yaml_spec() {
    burrow_only "--device (CDI)"
    cdi_spec
    # as nvidia-ctk writes them: YAML, a device named "0" (quoted), numbers plain
    cat > "$TEST_DIR/cdi/gpu.yaml" <<'YAML'
---
cdiVersion: 0.5.0
kind: burrow.test/gpu
containerEdits:
  env:
  - GPU_SPEC=yes
devices:
- name: "0"
  containerEdits:
    deviceNodes:
    - path: /dev/fakegpu0
      type: c
      major: 1
      minor: 3
      fileMode: 438
YAML
    probe_args dump stat /dev/fakegpu0
    capture rt run --device burrow.test/gpu=0 --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$(pv stat:/dev/fakegpu0)" " 1,3"
    assert_line env.GPU_SPEC yes
}

test_cdi_errors() {
    burrow_only "--device (CDI)"
    cdi_spec
    capture rt run --device burrow.test/null=nosuch --bundle "$BUNDLE" "$CID"
    assert_fail_with '--device burrow.test/null=nosuch: kind burrow.test/null has no device "nosuch" (it has dev0, dev1)'
    capture rt run --device other.org/gpu=0 --bundle "$BUNDLE" "$CID"
    assert_fail_with "--device other.org/gpu=0: no CDI spec of kind other.org/gpu in /nonexistent-cdi-dir, $TEST_DIR/cdi"
    capture rt run --device gpu0 --bundle "$BUNDLE" "$CID"
    assert_fail_with "--device gpu0: not a CDI device name (vendor.com/class=name)"
    printf 'cdiVersion: 0.6.0\nkind: burrow.test/yaml\ndevices: [{name: a\n' > "$TEST_DIR/cdi/y.yaml"
    capture rt run --device burrow.test/yaml=a --bundle "$BUNDLE" "$CID"
    assert_fail_with "$TEST_DIR/cdi/y.yaml: line "
    [ -e "$TEST_DIR/hook-created" ] && fail "a hook ran for a failed create"
    return 0
}

# fuse_dir: a FUSE mount of the test user's own (fuse-overlayfs, without
# allow_other) at $TEST_DIR/fuse, unmounted when the test ends.
fuse_dir() {
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
    mkdir -p "$TEST_DIR/lower" "$TEST_DIR/upper" "$TEST_DIR/work" "$TEST_DIR/fuse"
    echo data > "$TEST_DIR/lower/file"
    fuse-overlayfs -o "lowerdir=$TEST_DIR/lower,upperdir=$TEST_DIR/upper,workdir=$TEST_DIR/work" "$TEST_DIR/fuse" ||
        skip "cannot mount fuse-overlayfs here"
    trap 'fusermount3 -u "$TEST_DIR/fuse" 2>/dev/null' EXIT
    add_mount "$(jq -nc --arg s "$TEST_DIR/fuse" '{destination: "/home", type: "none", source: $s, options: ["rbind", "rw"]}')"
}

test_netfs_other_uid_refused_with_the_fix() {
    burrow_only "network filesystem check"
    [ "$SUBUID_COUNT" -gt 1000 ] || skip "needs a subordinate uid range"
    fuse_dir
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000}'
    probe_run dump write /home/f
    assert_fail_with "is on fuse.fuse-overlayfs, where process.user.uid 1000 is host uid $((SUBUID_START + 999)), a subordinate id that fuse.fuse-overlayfs refuses (it is mounted without allow_other): run as your own uid (--userns keep-id)"
    # keep-id: the user is the caller, whom the filesystem lets in
    cfg '.process.user = {uid: 0, gid: 0}'
    capture rt run --userns keep-id --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line write:/home/f ok
    assert_eq "$(stat -c %u "$TEST_DIR/upper/f")" "$MY_UID" "owner of the file written through FUSE"
    fusermount3 -u "$TEST_DIR/fuse" || fail "unmount"
}

test_netfs_own_uid_is_fine() {
    burrow_only "network filesystem check"
    fuse_dir
    # spec --rootless: container root is the caller, nothing to say
    probe_ok read /home/file
    assert_not_contains "$ERR" "fuse"
    fusermount3 -u "$TEST_DIR/fuse" || fail "unmount"
}

test_batch_state_under_job_tmpdir() {
    burrow_only "default --root"
    mkdir "$TEST_DIR/jobtmp"
    probe_args sleep 60
    capture env -u XDG_RUNTIME_DIR TMPDIR="$TEST_DIR/jobtmp" "$RUNTIME" run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    [ -f "$TEST_DIR/jobtmp/burrow-$MY_UID/$CID/state.json" ] || fail "no state under \$TMPDIR/burrow-UID"
    capture env -u XDG_RUNTIME_DIR TMPDIR="$TEST_DIR/jobtmp" "$RUNTIME" delete -f "$CID"
    assert_ok
    [ -e "$TEST_DIR/jobtmp/burrow-$MY_UID/$CID" ] && fail "state left behind"
    return 0
}

test_batch_sigterm_then_sigkill() {
    burrow_only "run --stop-timeout"
    probe_args trap sleep 60 # deaf to SIGTERM
    bg job "$RUNTIME" --root "$STATE_ROOT" run --stop-timeout 1 --bundle "$BUNDLE" "$CID"
    wait_status "$CID" running
    local pid
    pid=$(ct_pid "$CID")
    wait_for 5 grep -q '^SigCgt:.*[1-9a-f]' "/proc/$pid/status" || fail "the probe did not set its handlers"
    kill -TERM "$BG_PID"
    bg_wait job
    assert_rc 137 # SIGKILL after the grace period, as a batch system's own escalation would
    proc_gone "$pid" || fail "container process $pid still there"
    assert_not_contains "$(rt list -q)" "$CID" "state after run"
}

test_batch_stop_timeout_bad() {
    burrow_only "run --stop-timeout"
    capture rt run --stop-timeout soon --bundle "$BUNDLE" "$CID"
    assert_fail_with '--stop-timeout: "soon" is not a number of seconds'
}

# No config.json to write: --rootfs and a command after -- build the config
# from the rootless template in memory; -v, -e, --env-host, --cwd and -w edit it.
test_run_without_config() {
    burrow_only "run --rootfs ... -- CMD"
    mkdir -p "$TEST_DIR/empty" "$TEST_DIR/data" && printf data > "$TEST_DIR/data/f" || fail "mkdir"
    cd "$TEST_DIR/empty" || fail "cd"
    SLURM_JOB_ID=77 PMI_RANK=3 capture rt run --rootfs "$ROOTFS" -v "$TEST_DIR/data:/root:ro" -e A=1 \
        -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" --env-host --cwd /tmp "$CID" -- /probe dump read /root/f write /root/g write /x
    assert_ok
    [ ! -e "$TEST_DIR/empty/config.json" ] || fail "a config.json was written"
    assert_line cwd /tmp
    assert_line uid 0
    assert_line read:/root/f ok:data
    assert_line write:/root/g EROFS
    assert_line write:/x EROFS # read-only without -w, as ch-run
    assert_contains "$OUT" "env.A=1" "-e"
    assert_contains "$OUT" "env.SLURM_JOB_ID=77" "--env-host"
    assert_contains "$OUT" "env.PMI_RANK=3" "--env-host"
    # a variable that is not UTF-8 (JSON cannot carry it): U+FFFD, as Go's runtimes pass it; it used to fail the run
    BURROW_NOT_UTF8=$'a\xffb' capture rt run --rootfs "$ROOTFS" --env-host "$CID" -- /probe dump
    assert_ok
    assert_contains "$OUT" "env.BURROW_NOT_UTF8=a"$'\xef\xbf\xbd'"b" "--env-host, not UTF-8"
    # the same without --env-host: the job's variables stay outside
    SLURM_JOB_ID=77 capture rt run --rootfs "$ROOTFS" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /probe dump
    assert_ok
    assert_not_contains "$OUT" "SLURM_JOB_ID" "without --env-host"
}

# -w: the rootfs read-write; the same options edit a bundle's config.json.
test_run_options_edit_bundle() {
    burrow_only "run -w, -e, --cwd with --bundle"
    writable_rootfs
    cfg '.root.readonly = true'
    rtc run -w -e B=2 --cwd /bin --bundle "$BUNDLE" "$CID" -- /probe dump write /w
    assert_ok
    assert_line cwd /bin
    assert_line write:/w ok
    assert_contains "$OUT" "env.B=2" "-e"
}

test_run_without_config_errors() {
    burrow_only "run --rootfs ... -- CMD"
    mkdir -p "$TEST_DIR/empty" && cd "$TEST_DIR/empty" || fail "mkdir"
    rtc run --rootfs "$ROOTFS" "$CID"
    assert_fail_with "--rootfs without --bundle needs a command"
    rtc run "$CID" -- /bin/true
    assert_fail_with "a command without --bundle needs --rootfs DIR or --image FILE"
    rtc run --rootfs "$TEST_DIR/nowhere" "$CID" -- /bin/true
    assert_fail_with "--rootfs: $TEST_DIR/nowhere"
    rtc run --rootfs "$ROOTFS" -v "$TEST_DIR/nowhere:/x" "$CID" -- /bin/true
    assert_fail_with "-v $TEST_DIR/nowhere:/x"
    rtc run --rootfs "$ROOTFS" -v "$TEST_DIR:rel" "$CID" -- /bin/true
    assert_fail_with "the destination must be an absolute path"
    rtc run --rootfs "$ROOTFS" -e NOEQUALS "$CID" -- /bin/true
    assert_fail_with '-e: "NOEQUALS": not VAR=VALUE'
    rtc run --rootfs "$ROOTFS" --cwd rel "$CID" -- /bin/true
    assert_fail_with '--cwd: "rel": must be an absolute path'
    rtc list -q
    assert_eq "$OUT" "" "containers after the failures"
}

# keep-id:single: the own ids alone, written directly (no newuidmap), whatever the ranges.
test_keep_id_single() {
    burrow_only "--userns keep-id:single"
    keep_id_dir
    probe_args sleep 30
    capture rt run -d --userns keep-id:single --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_not_contains "$ERR" "subordinate" "no note: the single map is asked for"
    local pid
    pid=$(ct_pid "$CID")
    assert_eq "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map")" "$MY_UID $MY_UID 1" "uid_map"
    assert_eq "$(awk '{print $1, $2, $3}' "/proc/$pid/gid_map")" "$MY_GID $MY_GID 1" "gid_map"
    capture rt exec "$CID" /probe dump write /home/f
    assert_line uid "$MY_UID"
    assert_eq "$(stat -c %u "$TEST_DIR/shared/f")" "$MY_UID" "owner on the host"
    capture rt state "$CID"
    assert_eq "$(jq -r '.annotations["io.github.burrow.userns"]' <<< "$OUT")" keep-id:single "state annotation"
    kill_and_delete "$CID"
}

# run --join: the ranks that run with the same id share one container. 20
# ranks at once, each gone in a moment: every one runs (no rank finds the
# container half gone), all in the same namespaces, and the last one out
# deletes it.
test_join_twenty_ranks() {
    burrow_only "run --join"
    local i ns=""
    mkdir "$TEST_DIR/sync" || fail "mkdir"
    # Each rank waits until all 20 run (so they overlap: a rank that came after
    # the last one left would rightly get a container of its own).
    for i in $(seq 1 20); do
        bg "r$i" rt run --join --rootfs "$ROOTFS" -v "$TEST_DIR/sync:/root" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" \
            -e "RANK=$i" "$CID" -- /bin/sh -c 'touch /root/$RANK; n=0
                while [ "$(ls /root | wc -l)" -lt 20 ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n + 1)); done
                echo "$RANK $(readlink /proc/self/ns/ipc) $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid)"'
    done
    for i in $(seq 1 20); do
        bg_wait "r$i"
        assert_rc 0
        [ "${OUT%% *}" = "$i" ] || fail "rank $i said: $OUT ($ERR)"
        ns+="${OUT#* }"$'\n'
    done
    assert_eq "$(sort -u <<< "$ns" | grep -c .)" 1 "distinct namespace sets among the ranks"
    assert_ne "$(awk '{print $1}' <<< "$ns" | head -1)" "$(readlink /proc/self/ns/ipc)" "the ranks' IPC namespace"
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
    [ ! -e "$STATE_ROOT/@join" ] || fail "the group's files are left: $(ls "$STATE_ROOT/@join")"
}

# A rank that comes while the ranks' container is paused (burrow pause) is
# refused, as exec is: it never deletes the container, and so never the
# ranks paused in it (it used to take a paused container for a finished one
# and make it anew).
test_join_paused_container_is_kept() {
    burrow_only "run --join"
    bg r1 rt run --join --rootfs "$ROOTFS" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/sleep 3
    local n=0
    until rtc state "$CID" && [ "$(jq -r .status <<< "$OUT")" = running ]; do
        n=$((n + 1)); [ $n -lt 100 ] || fail "the first rank's container never ran"; sleep 0.05
    done
    local pid
    pid=$(jq -r .pid <<< "$OUT")
    rtc pause "$CID"
    assert_ok
    capture rt run --join --rootfs "$ROOTFS" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/true
    assert_fail_with "paused"
    rtc state "$CID"
    assert_ok
    assert_eq "$(jq -r .pid <<< "$OUT")" "$pid" "the ranks' container after the late rank"
    assert_eq "$(jq -r .status <<< "$OUT")" paused "its status"
    rtc resume "$CID"
    assert_ok
    bg_wait r1
    assert_rc 0
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
}

# join_short_ranks [OPTION...]: 20 ranks at once, each saying its uid.
join_short_ranks() {
    local i
    for i in $(seq 1 20); do
        bg "r$i" rt run --join "$@" --rootfs "$ROOTFS" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/busybox id -u
    done
    for i in $(seq 1 20); do
        bg_wait "r$i"
        assert_rc 0
        assert_eq "$OUT" "${JOIN_UID:-0}" "rank $i's uid"
    done
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
    [ ! -e "$STATE_ROOT/@join" ] || fail "the group's files are left: $(ls "$STATE_ROOT/@join")"
}

test_join_twenty_short_ranks() {
    burrow_only "run --join"
    join_short_ranks
}

# Ranged keep-id: the container's process became root (a subordinate id) on
# its way to the caller's uid, so a *created* one cannot be joined
# (test_exec_created_keep_id_refused); --join starts it as a holder, which
# may. Every rank is the caller.
test_join_twenty_short_ranks_keep_id() {
    burrow_only "run --join --userns keep-id"
    [ "$SUBUID_COUNT" -gt "$MY_UID" ] || skip "needs a subordinate uid range of more than $MY_UID ids"
    JOIN_UID=$MY_UID join_short_ranks --userns keep-id
}

# The ranks share the pid namespace of the container's process: that is the
# sealed exec stub holding it (never burrow's own binary, which a rank could
# otherwise keep a handle on: docs/security.md, CVE-2019-5736).
test_join_holder_is_the_stub() {
    burrow_only "run --join"
    rtc run --join --rootfs "$ROOTFS" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/readlink /proc/1/exe
    assert_ok
    assert_eq "$OUT" "/memfd:burrow-exec-stub (deleted)" "the exe of the ranks' pid 1"
}

# A profile that kills on the holder's two calls (ppoll, rt_sigaction): its
# filter lets exactly those through (security/exec_stub.hpp), the ranks'
# does not.
test_join_seccomp_kills_the_holders_calls() {
    burrow_only "run --join"
    cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{names: ["ppoll", "rt_sigaction"], action: "SCMP_ACT_KILL_PROCESS"}]}'
    # (busybox's sleep and echo make neither call; its sh would)
    bg r1 rt run --join --bundle "$BUNDLE" "$CID" -- /bin/busybox sleep 2
    sleep 0.5
    rtc run --join --bundle "$BUNDLE" "$CID" -- /bin/busybox echo ok
    assert_ok
    assert_eq "$OUT" ok "the second rank's output"
    bg_wait r1
    assert_rc 0
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
}

# Under a service manager (NOTIFY_SOCKET set): the holder never says
# READY=1, so it gets no relay, which start would wait on for good.
test_join_under_notify_socket() {
    burrow_only "run --join"
    command -v python3 >/dev/null || skip "needs python3"
    local sock=$TEST_DIR/notify.sock
    bg listener python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(30)' "$sock"
    local listener=$BG_PID
    wait_for 5 test -S "$sock" || fail "the listener did not start"
    capture env NOTIFY_SOCKET="$sock" timeout 20 "$RUNTIME" --root "$STATE_ROOT" run --join --rootfs "$ROOTFS" \
        -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/busybox echo rank
    kill "$listener"
    assert_ok
    assert_eq "$OUT" rank "the rank's output"
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
}

# In a Slurm step the ranks leave the id out: slurm-$SLURM_JOB_ID.$SLURM_STEP_ID
# names the shared container (and the ranks of another step get another).
test_join_slurm_default_id() {
    burrow_only "run --join"
    local -x SLURM_JOB_ID="$CID" SLURM_STEP_ID=7
    local i
    for i in 1 2; do
        bg "r$i" rt run --join --rootfs "$ROOTFS" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" \
            -- /bin/sh -c 'sleep 1; readlink /proc/self/ns/ipc'
    done
    listed() { [ -n "$(rt list -q)" ]; }
    wait_for 5 listed || fail "no container while the ranks run"
    rtc list -q
    assert_eq "$OUT" "slurm-$CID.7" "the ranks' container"
    bg_wait r1
    assert_rc 0
    local first=$OUT
    bg_wait r2
    assert_rc 0
    assert_eq "$OUT" "$first" "the second rank's IPC namespace"
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
    unset SLURM_JOB_ID
    rtc run --join --rootfs "$ROOTFS" -- /bin/true
    assert_rc 1
    assert_eq "$ERR" "burrow: run: --join without a container id needs SLURM_JOB_ID (a Slurm step) to name the shared container; outside Slurm give one: burrow run --join ID -- CMD" "the error"
}

# Shared memory between ranks (System V, as MPI's shared-memory transports
# use): one rank makes a segment, another reads it. join_shared_memory
# [OPTION...]: with these options of run.
join_shared_memory() {
    command -v gcc >/dev/null || skip "needs gcc"
    writable_rootfs
    cat > "$TEST_DIR/shm.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int put = argc > 1 && strcmp(argv[1], "put") == 0, id = -1;
    for (int i = 0; i < 500 && id < 0; i++) {
        id = shmget(0x4242, 4096, put ? IPC_CREAT | 0600 : 0600);
        if (id < 0 && (put || errno != ENOENT)) { perror("shmget"); return 1; }
        if (id < 0) usleep(10000);
    }
    if (id < 0) { puts("no segment"); return 1; }
    char *p = shmat(id, NULL, 0);
    if (p == (void *)-1) { perror("shmat"); return 1; }
    if (put) { strcpy(p, "hello from the other rank"); sleep(3); shmctl(id, IPC_RMID, NULL); }
    else {
        /* the segment exists from put's shmget on, its text only after
           put's strcpy: wait for the text, not just the segment */
        for (int i = 0; i < 500 && !*(volatile char *)p; i++) usleep(10000);
        puts(p);
    }
    return 0;
}
C
    gcc -static -O2 -o "$TEST_DIR/rootfs/shm" "$TEST_DIR/shm.c" || fail "gcc"
    bg put rt run --join "$@" --rootfs "$TEST_DIR/rootfs" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /shm put
    bg get rt run --join "$@" --rootfs "$TEST_DIR/rootfs" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /shm get
    bg_wait get
    assert_rc 0
    assert_eq "$OUT" "hello from the other rank" "what the second rank read"
    bg_wait put
    assert_rc 0
    rtc list -q
    assert_eq "$OUT" "" "containers after the last rank"
    [ ! -e "$STATE_ROOT/@join" ] || fail "the group's files are left: $(ls "$STATE_ROOT/@join")"
}

test_join_shared_memory() {
    burrow_only "run --join"
    join_shared_memory
}

test_join_shared_memory_keep_id() {
    burrow_only "run --join --userns keep-id"
    [ "$SUBUID_COUNT" -gt "$MY_UID" ] || skip "needs a subordinate uid range of more than $MY_UID ids"
    join_shared_memory --userns keep-id
}

run_tests "$@"
