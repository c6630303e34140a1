#!/bin/bash
# cgroups: the container in its own cgroup under the user's delegated one
# (setup-host.sh delegates, as-user moves the tests in), limits that bite,
# pause/resume, update, events, and cleanup of every cgroup made.
. "$(dirname "$0")/lib.sh"

# The test user's delegated cgroup, as burrow will find it: v1 (a writable
# memory cgroup) or v2 (a writable cgroup2 one); else the test skips.
need_cgroup() {
    burrow_only "cgroup paths and annotations are burrow's"
    local own
    own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
    if [ -n "$own" ] && [ -w "/sys/fs/cgroup/memory$own/cgroup.procs" ]; then
        CG_MODE=v1
        return 0
    fi
    own=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && [ -w "/sys/fs/cgroup${own%/*}/cgroup.procs" ]; then
        # the limits tested need these controllers delegated
        for c in memory pids; do
            grep -qw "$c" "/sys/fs/cgroup${own%/*}/cgroup.controllers" ||
                skip "the $c controller is not delegated to /sys/fs/cgroup${own%/*}"
        done
        CG_MODE=v2
        return 0
    fi
    skip "no delegated cgroup for $(id -un) (run tests/rootless/run as root: setup-host.sh makes one)"
}

# cg_dir [CONTROLLER]: the container's cgroup directory, from `state`.
cg_dir() {
    local path
    path=$(rt state "$CID" | jq -r '.annotations["io.github.burrow.cgroup.path"] // empty')
    [ -n "$path" ] || fail "state has no cgroup path"
    if [ "$CG_MODE" = v1 ]; then echo "/sys/fs/cgroup/$1$path"; else echo "/sys/fs/cgroup$path"; fi
}

# cg_read CONTROLLER V1FILE V2FILE
cg_read() {
    local f=$2
    [ "$CG_MODE" = v2 ] && f=$3
    cat "$(cg_dir "$1")/$f"
}

# No cgroup named after the container is left anywhere.
assert_no_cgroup() {
    local left
    left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "*$CID*" 2>/dev/null)
    [ -z "$left" ] || fail "cgroups left: $left"
}

resources() { cfg --argjson r "$1" '.linux.resources = $r'; }

# The host's pid namespace (and its /proc, bound): an exec'd process is then
# no descendant of the init, and only the cgroup knows it belongs.
host_pidns() {
    del_ns pid
    cfg '(.mounts[] | select(.destination == "/proc")) |= {destination: "/proc", type: "bind", source: "/proc",
        options: ["rbind", "nosuid", "noexec", "nodev"]}'
}

test_container_lands_in_its_cgroup() {
    need_cgroup
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc state "$CID"
    local manager path pid
    manager=$(jq -r '.annotations["io.github.burrow.cgroup.manager"]' <<< "$OUT")
    path=$(jq -r '.annotations["io.github.burrow.cgroup.path"]' <<< "$OUT")
    assert_eq "$manager" "cgroupfs-$CG_MODE" "manager"
    assert_match "$path" "/$CID\$" "cgroup path named after the id"
    pid=$(ct_pid "$CID")
    if [ "$CG_MODE" = v1 ]; then
        assert_contains "$(cat /proc/"$pid"/cgroup)" ":memory:$path" "the init's memory cgroup"
        assert_contains "$(cat /proc/"$pid"/cgroup)" ":pids:$path" "the init's pids cgroup"
    else
        assert_contains "$(cat /proc/"$pid"/cgroup)" "0::$path" "the init's cgroup"
    fi
    assert_contains "$(cat "$(cg_dir pids)/cgroup.procs")" "$pid"
    kill_and_delete "$CID"
    assert_no_cgroup
}

test_relative_cgroups_path_under_the_delegated_cgroup() {
    need_cgroup
    cfg --arg p "sub-$CID/ct" '.linux.cgroupsPath = $p'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_match "$(cg_dir memory)" "/sub-$CID/ct\$"
    [ -d "$(cg_dir memory)" ] || fail "no cgroup at $(cg_dir memory)"
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
}

test_memory_limit_enforced_and_oom_reported_by_events() {
    need_cgroup
    resources '{"memory":{"limit":33554432,"swap":33554432}}'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(cg_read memory memory.limit_in_bytes memory.max)" 33554432 "memory limit"
    bg ev "$RUNTIME" --root "$STATE_ROOT" events --interval 50ms "$CID"
    # its first stats line: the OOM watch is set up
    wait_for 10 grep -q '"type":"stats"' "$TEST_DIR/ev.out" || fail "no stats from events"
    rtc exec "$CID" tail /dev/zero
    assert_eq "$RC" 137 "the memory hog's exit (SIGKILL by the OOM killer)"
    wait_for 10 grep -q '"type":"oom"' "$TEST_DIR/ev.out" || fail "events reported no oom: $(tail -c 300 "$TEST_DIR/ev.out")"
    assert_eq "$(grep '"type":"oom"' "$TEST_DIR/ev.out" | head -1)" "{\"type\":\"oom\",\"id\":\"$CID\"}"
    kill_and_delete "$CID"
    bg_wait ev
    assert_ok
    assert_no_cgroup
}

test_pids_limit_refuses_a_fork() {
    need_cgroup
    resources '{"pids":{"limit":2}}'
    set_args sh -c 'sleep 5 & sleep 5 & echo forked both'
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_match "$OUT$ERR" "can't fork|Resource temporarily unavailable" "the third process's fork"
    assert_not_contains "$OUT" "forked both"
    assert_no_cgroup
}

# Joining a user namespace, the child does not wait for maps and switches to
# the container's user at once; cgroup v1 would then refuse to move it (not
# our uid any more): it must be born in its cgroup (podman's rootless mode,
# where burrow runs as root of podman's user namespace, is this case too).
test_joined_user_namespace_and_other_user_land_in_the_cgroup() {
    need_cgroup
    userns_full
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID-a"
    assert_ok
    local apid
    apid=$(ct_pid "$CID-a")
    mkdir -p "$TEST_DIR/b"
    jq --arg p "/proc/$apid/ns/user" '
        .linux.namespaces = [.linux.namespaces[] | select(.type != "user")] + [{type: "user", path: $p}]
        | del(.linux.uidMappings) | del(.linux.gidMappings)
        | .process.user = {uid: 1000, gid: 1000} | .process.args = ["sleep", "100"]
        | .linux.resources = {pids: {limit: 5}}' "$BUNDLE/config.json" > "$TEST_DIR/b/config.json"
    local i
    for i in 1 2 3; do # the race this guards against is narrow: give it chances
        rtc run -d --bundle "$TEST_DIR/b" "$CID-b$i"
        assert_ok
        assert_contains "$(cat "/proc/$(ct_pid "$CID-b$i")/cgroup")" "/$CID-b$i" "container b$i's cgroups"
    done
    for i in 1 2 3; do rtc delete --force "$CID-b$i"; assert_ok; done
    rtc delete --force "$CID-a"
    assert_ok
    assert_no_cgroup
}

test_pause_and_resume_freeze_for_real() {
    need_cgroup
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local pid
    pid=$(ct_pid "$CID")
    rtc pause "$CID"
    assert_ok
    assert_eq "$(rt state "$CID" | jq -r .status)" paused "state"
    assert_contains "$(rt list)" paused "list"
    if [ "$CG_MODE" = v1 ]; then
        assert_eq "$(cat "$(cg_dir freezer)/freezer.state")" FROZEN "freezer.state"
        # the v1 freezer parks its tasks in uninterruptible sleep
        assert_match "$(grep State: /proc/"$pid"/status)" "D " "the frozen init"
    else
        assert_contains "$(cat "$(cg_dir)/cgroup.events")" "frozen 1" "cgroup.events"
    fi
    rtc pause "$CID"
    assert_fail_with "container not running"
    rtc exec "$CID" true
    assert_fail_with "paused"
    rtc delete "$CID"
    assert_fail_with "that is not stopped: paused"
    rtc resume "$CID"
    assert_ok
    assert_eq "$(rt state "$CID" | jq -r .status)" running "state after resume"
    assert_match "$(grep State: /proc/"$pid"/status)" "S " "the thawed init"
    rtc resume "$CID"
    assert_fail_with "container not paused"
    # a paused container goes with delete --force
    rtc pause "$CID"
    rtc delete --force "$CID"
    assert_ok
    proc_gone "$pid" || fail "the frozen init survived delete --force"
    assert_no_cgroup
}

test_update_changes_the_limits() {
    need_cgroup
    resources '{"memory":{"limit":33554432},"pids":{"limit":10}}'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc update --memory 64M --pids-limit 20 --cpu-shares 512 --cpu-quota 20000 --cpu-period 100000 "$CID"
    assert_ok
    assert_eq "$(cg_read memory memory.limit_in_bytes memory.max)" 67108864 "memory after update"
    assert_eq "$(cg_read pids pids.max pids.max)" 20 "pids after update"
    if [ "$CG_MODE" = v1 ]; then
        assert_eq "$(cg_read cpu cpu.shares cpu.shares)" 512
        assert_eq "$(cg_read cpu cpu.cfs_quota_us cpu.cfs_quota_us)" 20000
    fi
    echo '{"pids":{"limit":7}}' > "$TEST_DIR/res.json"
    rtc update -r "$TEST_DIR/res.json" "$CID"
    assert_ok
    assert_eq "$(cg_read pids pids.max pids.max)" 7 "pids after update -r"
    # bad input: one line, nothing changed
    rtc update --memory lots "$CID"
    assert_fail_with 'invalid size: "lots"'
    echo '{"pids":{"limit":"many"}}' > "$TEST_DIR/bad.json"
    rtc update -r "$TEST_DIR/bad.json" "$CID"
    assert_fail_with "pids.limit: must be an integer"
    assert_eq "$(cg_read pids pids.max pids.max)" 7 "pids after bad updates"
    rtc update "$CID"
    assert_fail_with "nothing to update"
    kill_and_delete "$CID"
    rtc update --memory 1M "$CID"
    assert_fail_with "does not exist"
    assert_no_cgroup
}

test_events_stats_json() {
    need_cgroup
    resources '{"memory":{"limit":67108864},"pids":{"limit":50}}'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc events --stats "$CID"
    assert_ok
    assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 1 "one line"
    assert_eq "$(jq -r .type <<< "$OUT")" stats
    assert_eq "$(jq -r .id <<< "$OUT")" "$CID"
    assert_eq "$(jq -r .data.memory.usage.limit <<< "$OUT")" 67108864 "memory.usage.limit"
    assert_eq "$(jq -r .data.pids.current <<< "$OUT")" 1 "pids.current"
    assert_eq "$(jq -r .data.pids.limit <<< "$OUT")" 50 "pids.limit"
    jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage | has("kernel") and has("user"))' <<< "$OUT" >/dev/null \
        || fail "cpu usage: $OUT"
    jq -e '.data | has("blkio") and has("hugetlb") and (.memory.raw | length > 0)' <<< "$OUT" >/dev/null \
        || fail "fields: $OUT"
    rtc events --interval nonsense "$CID"
    assert_fail_with 'invalid duration "nonsense"'
    kill_and_delete "$CID"
    rtc events --stats "$CID"
    assert_fail_with "does not exist"
}

test_ps_and_kill_all_find_an_exec_process() {
    need_cgroup
    host_pidns
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local init
    init=$(ct_pid "$CID")
    rtc exec -d --pid-file "$TEST_DIR/exec.pid" "$CID" sleep 200
    assert_ok
    local ex
    ex=$(cat "$TEST_DIR/exec.pid")
    rtc ps --format json "$CID"
    assert_ok
    assert_eq "$(jq -c . <<< "$OUT")" "$(jq -cn --argjson a "$init" --argjson b "$ex" '[$a, $b] | sort | [$a] + (. - [$a])')" "ps pids"
    rtc kill --all "$CID" KILL
    assert_ok
    wait_for 5 proc_gone "$ex" || fail "kill --all missed the exec'd process"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    assert_no_cgroup
}

test_delete_cleans_up_after_the_container_is_sigkilled() {
    need_cgroup
    host_pidns
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc exec -d --pid-file "$TEST_DIR/exec.pid" "$CID" sleep 200
    local ex
    ex=$(cat "$TEST_DIR/exec.pid")
    kill -KILL "$(ct_pid "$CID")"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    proc_gone "$ex" || fail "the exec'd process outlived delete"
    assert_no_cgroup
}

test_delete_force_cleans_up_after_burrow_is_sigkilled_mid_create() {
    need_cgroup
    resources '{"pids":{"limit":20}}'
    set_args sleep 100
    # createRuntime runs in burrow after the container joined its cgroup: kill burrow there.
    add_hook createRuntime "$(hook_json /bin/sh sh -c "echo \$\$ > $TEST_DIR/hook.pid; exec sleep 60")"
    bg create "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$CID"
    local burrow=$BG_PID
    wait_for 10 test -s "$TEST_DIR/hook.pid" || fail "the hook did not run"
    [ -n "$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$CID")" ] || fail "no cgroup made before the hook"
    kill -KILL "$burrow"
    kill -KILL "$(cat "$TEST_DIR/hook.pid")"
    bg_wait create
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left"
}

test_no_cgroup_manager_clear_errors() {
    resources '{"memory":{"limit":33554432}}'
    rtc --cgroup-manager disabled run -d --bundle "$BUNDLE" "$CID"
    burrow_only "the none manager and its wording"
    assert_fail_with "linux.resources needs a cgroup"
    assert_contains "$ERR" "(cgroups disabled by --cgroup-manager disabled)" "why"
    assert_contains "$ERR" "to get one, run burrow in a cgroup delegated to you" "how to get one"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state left by a refused create"
    cfg 'del(.linux.resources)'
    set_args sleep 100
    rtc --debug --cgroup-manager disabled run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$ERR" "cgroup manager: cgroups disabled" "--debug says why"
    assert_eq "$(rt state "$CID" | jq -r '.annotations["io.github.burrow.cgroup.manager"]')" none
    rtc pause "$CID"
    assert_fail_with "pause needs a cgroup"
    rtc update --memory 1M "$CID"
    assert_fail_with "update needs a cgroup"
    rtc events --stats "$CID"
    assert_fail_with "events needs a cgroup"
    kill_and_delete "$CID"
}

test_bad_resources_leave_nothing_behind() {
    need_cgroup
    resources '{"memory":{"limit":"1G"}}'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_fail_with "config.json: linux.resources.memory.limit: must be an integer"
    # accepted by the parser, refused by the kernel once the cgroup exists
    resources '{"cpu":{"cpus":"4095"}}'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_fail_with "cpuset.cpus"
    resources '{"unified":{"memory.nonsense":"1"}}'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ne "$RC" 0 "create with an unknown unified file"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state left"
    assert_no_cgroup
}

# v1 and hybrid hosts: a process sits at its own path in each hierarchy (this
# machine: memory at /process_api/ID, the rest at /). Here the test moves a
# shell into a memory sub-cgroup of its own: the container's memory cgroup is
# below that, its pids and freezer ones below the user's, as runc makes them.
test_each_controller_at_its_own_path() {
    need_cgroup
    [ "$CG_MODE" = v1 ] || skip "per-controller paths are cgroup v1's"
    local own_mem own_pids sub pid
    own_mem=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
    own_pids=$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)
    sub=/sys/fs/cgroup/memory$own_mem/split-$CID
    mkdir "$sub" || fail "mkdir $sub"
    resources '{"pids":{"limit":3}}'
    set_args sleep 100
    (echo "$BASHPID" > "$sub/cgroup.procs" && exec "$RUNTIME" --root "$STATE_ROOT" run -d --bundle "$BUNDLE" "$CID") \
        > "$TEST_DIR/run.out" 2>&1 || fail "run: $(cat "$TEST_DIR/run.out")"
    pid=$(ct_pid "$CID")
    assert_contains "$(cat /proc/"$pid"/cgroup)" ":memory:$own_mem/split-$CID/$CID" "the init's memory cgroup"
    assert_contains "$(cat /proc/"$pid"/cgroup)" ":pids:$own_pids/$CID" "the init's pids cgroup"
    assert_eq "$(cat "/sys/fs/cgroup/pids$own_pids/$CID/pids.max")" 3 "pids.max"
    rtc exec "$CID" sh -c 'sleep 5 & sleep 5 & echo forked both'
    assert_not_contains "$OUT" "forked both" "the pids limit"
    rtc pause "$CID"
    assert_ok
    assert_eq "$(cat "/sys/fs/cgroup/freezer$own_pids/$CID/freezer.state")" FROZEN "freezer.state"
    rtc resume "$CID"
    assert_ok
    rtc delete --force "$CID"
    assert_ok
    [ ! -e "$sub/$CID" ] || fail "memory cgroup left"
    rmdir "$sub"
    assert_no_cgroup
}

# own_cg CONTROLLER: the test's (the caller's) cgroup in a v1 hierarchy.
own_cg() { awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup; }
# pid_cg PID CONTROLLER: a process's cgroup in a v1 hierarchy ("" once gone).
pid_cg() { awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup" 2>/dev/null; }
# v1_writable CONTROLLER: the test's cgroup there is the user's (burrow may make one below it).
v1_writable() { [ -w "/sys/fs/cgroup/$1$(own_cg "$1")/cgroup.procs" ]; }

# Rootless on v1: a cgroup of its own in the hierarchies for accounting and
# control (memory, pids, cpu, cpuacct, freezer); cpuset and blkio, without a
# limit there, are not made (each cgroup costs a run a mkdir, a move, a bind
# and an rmdir): the container stays in the caller's, which its
# /sys/fs/cgroup shows read-only (the user's: writable, and holding the
# user's other containers' cgroups), even where the config mounts it rw.
test_default_container_joins_only_the_hierarchies_it_needs() {
    need_cgroup
    [ "$CG_MODE" = v1 ] || skip "the v1 hierarchies"
    cfg '(.mounts[] | select(.destination == "/sys/fs/cgroup")).options |= (map(select(. != "ro")) + ["rw"])'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local pid c path
    pid=$(ct_pid "$CID")
    path=$(rt state "$CID" | jq -r '.annotations["io.github.burrow.cgroup.path"]')
    for c in memory pids cpu cpuacct freezer; do
        v1_writable "$c" || continue
        assert_match "$(pid_cg "$pid" "$c")" "/$CID\$" "the init's $c cgroup"
    done
    for c in cpuset blkio; do
        [ -d "/sys/fs/cgroup/$c" ] || continue
        assert_eq "$(pid_cg "$pid" "$c")" "$(own_cg "$c")" "the init's $c cgroup: the caller's"
        [ ! -e "/sys/fs/cgroup/$c$(own_cg "$c")/$CID" ] || fail "a $c cgroup was made"
    done
    jq -e '.controllers | index("cpuset") | not' "$STATE_ROOT/$CID/cgroup.json" >/dev/null \
        || fail "cpuset recorded: $(cat "$STATE_ROOT/$CID/cgroup.json")"
    if v1_writable cpuset; then
        set_args awk '$5 == "/sys/fs/cgroup/cpuset" || $5 == "/sys/fs/cgroup/pids" { print $5, $6 }' /proc/self/mountinfo
        rtc run --bundle "$BUNDLE" "$CID-v"
        assert_ok
        assert_contains "$OUT" "/sys/fs/cgroup/cpuset ro," "the caller's cpuset, read-only"
        assert_contains "$OUT" "/sys/fs/cgroup/pids rw," "its own pids cgroup, as the config says"
    fi
    # ps, events --stats and pause need none of the others
    rtc ps "$CID"
    assert_ok
    assert_contains "$OUT" "$pid"
    rtc events --stats "$CID"
    assert_ok
    assert_eq "$(jq -r .data.pids.current <<< "$OUT")" 1 "pids.current"
    jq -e '.data.cpu.usage.total > 0 and .data.memory.usage.usage > 0' <<< "$OUT" >/dev/null || fail "stats: $OUT"
    rtc pause "$CID"
    assert_ok
    rtc resume "$CID"
    assert_ok
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
}

# A limit in config.json joins its hierarchy at create.
test_cpuset_limit_at_create_gets_a_cpuset_cgroup() {
    need_cgroup
    [ "$CG_MODE" = v1 ] || skip "the v1 hierarchies"
    v1_writable cpuset || skip "cpuset is not delegated to $(id -un)"
    resources '{"cpu":{"cpus":"0"}}'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local pid
    pid=$(ct_pid "$CID")
    assert_eq "$(pid_cg "$pid" cpuset)" "$(own_cg cpuset)/$CID" "the init's cpuset cgroup"
    assert_eq "$(cat "/sys/fs/cgroup/cpuset$(own_cg cpuset)/$CID/cpuset.cpus")" 0 "cpuset.cpus"
    assert_eq "$(awk '/^Cpus_allowed_list/ {print $2}' "/proc/$pid/status")" 0 "the init's cpus"
    if [ -d /sys/fs/cgroup/blkio ]; then
        assert_eq "$(pid_cg "$pid" blkio)" "$(own_cg blkio)" "blkio: the caller's"
    fi
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
}

# cg_outside PIDS CONTROLLER SUFFIX: the processes still alive that are not
# in a cgroup ending in /SUFFIX there (PID:CGROUP each).
cg_outside() {
    local p c=$2 where st
    for p in $1; do
        where=$(pid_cg "$p" "$c")
        [ -z "$where" ] || [[ $where == */$3 ]] && continue
        # An exiting process shows at the root: only one still there counts.
        sleep 0.1
        where=$(pid_cg "$p" "$c")
        st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
        [ -z "$where" ] || [ -z "$st" ] || [ "$st" = Z ] || [[ $where == */$3 ]] || echo "$p:$where:$st"
    done
}

# update setting a limit in a hierarchy the container has no cgroup in: the
# cgroup is made, recorded (cgroup.json, so delete removes it) and gets
# every process of the container, also those a shell forks meanwhile
# (a child forked before its parent moved lands behind: update asks again).
test_update_joins_a_hierarchy_with_every_forking_process() {
    need_cgroup
    [ "$CG_MODE" = v1 ] || skip "the v1 hierarchies"
    v1_writable cpuset || skip "cpuset is not delegated to $(id -un)"
    set_args sh -c 'for i in 1 2 3 4; do (while :; do sleep 1 & sleep 0.02; done) & done; wait'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local cs pd n out
    cs=/sys/fs/cgroup/cpuset$(own_cg cpuset)/$CID
    [ ! -e "$cs" ] || fail "a cpuset cgroup before the update"
    pd=$(cg_dir pids)
    wait_for 5 sh -c "[ \$(wc -l < '$pd/cgroup.procs') -gt 20 ]" || fail "the shells did not fork: $(cat "$pd/cgroup.procs")"
    rtc update --cpuset-cpus 0 "$CID"
    assert_ok
    [ -d "$cs" ] || fail "no cpuset cgroup after the update"
    assert_eq "$(cat "$cs/cpuset.cpus")" 0 "cpuset.cpus"
    jq -e --arg d "$cs" '(.controllers | index("cpuset")) and (.dirs | index($d))' "$STATE_ROOT/$CID/cgroup.json" \
        >/dev/null || fail "not recorded: $(cat "$STATE_ROOT/$CID/cgroup.json")"
    n=$(wc -l < "$pd/cgroup.procs")
    out=$(cg_outside "$(cat "$pd/cgroup.procs")" cpuset "$CID")
    assert_eq "$out" "" "processes left outside the cpuset cgroup (of $n)"
    assert_eq "$(awk '/^Cpus_allowed_list/ {print $2}' "/proc/$(ct_pid "$CID")/status")" 0 "the init's cpus"
    # and those forked since are there too, by inheritance
    sleep 0.3
    assert_eq "$(cg_outside "$(cat "$pd/cgroup.procs")" cpuset "$CID")" "" "forked after the update"
    rtc update --cpuset-cpus 0-1 "$CID"
    assert_ok
    assert_eq "$(cat "$cs/cpuset.cpus")" 0-1 "cpuset.cpus, second update"
    # blkio: a weight where the host has one, else a throttle on a disk
    if v1_writable blkio; then
        local bd=/sys/fs/cgroup/blkio$(own_cg blkio)/$CID dev
        if [ -e "/sys/fs/cgroup/blkio$(own_cg blkio)/blkio.weight" ]; then
            rtc update --blkio-weight 500 "$CID"
            assert_ok
            assert_eq "$(cat "$bd/blkio.weight")" 500 "blkio.weight"
        else
            dev=$(lsblk -dno MAJ:MIN,TYPE 2>/dev/null | awk '$2 == "disk" {print $1; exit}' | tr -d ' ')
            [ -n "$dev" ] || skip "no disk for a blkio throttle"
            echo "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":${dev%:*},\"minor\":${dev#*:},\"rate\":1048576}]}}" \
                > "$TEST_DIR/blkio.json"
            rtc update -r "$TEST_DIR/blkio.json" "$CID"
            assert_ok
            assert_contains "$(cat "$bd/blkio.throttle.read_bps_device")" "$dev 1048576" "blkio throttle"
        fi
        assert_eq "$(cg_outside "$(cat "$pd/cgroup.procs")" blkio "$CID")" "" "processes left outside the blkio cgroup"
    fi
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
}

# cgroup v1 lets a user move only its own processes: a container whose
# process runs as a subordinate id cannot join a hierarchy later. One line,
# before anything is made or recorded; the other limits still update.
test_update_refuses_a_hierarchy_another_uid_cannot_join() {
    need_cgroup
    [ "$CG_MODE" = v1 ] || skip "the v1 hierarchies"
    v1_writable cpuset || skip "cpuset is not delegated to $(id -un)"
    userns_full
    cfg '.process.user = {uid: 1000, gid: 1000}'
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local before
    before=$(cat "$STATE_ROOT/$CID/cgroup.json")
    rtc update --cpuset-cpus 0 "$CID"
    assert_fail_with "runs as another user than burrow"
    [ ! -e "/sys/fs/cgroup/cpuset$(own_cg cpuset)/$CID" ] || fail "a cpuset cgroup was made"
    assert_eq "$(cat "$STATE_ROOT/$CID/cgroup.json")" "$before" "the record"
    rtc update --pids-limit 9 "$CID"
    assert_ok
    assert_eq "$(cg_read pids pids.max pids.max)" 9 "pids.max"
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
}

# /sys/fs/cgroup in the container: its own cgroup in each hierarchy, bound
# read-only on a tmpfs, and nothing of its siblings' (the whole hierarchies
# were bound before: 11 mounts, and every other container visible).
test_container_sees_only_its_own_cgroups() {
    need_cgroup
    [ "$CG_MODE" = v1 ] || skip "the v1 view (v2: a cgroup namespace)"
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID-b"
    assert_ok
    probe_args ls /sys/fs/cgroup ls /sys/fs/cgroup/pids ls /sys/fs/cgroup/memory write /sys/fs/cgroup/pids/pids.max
    rtc run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_not_contains "$OUT" "$CID-b" "a sibling's cgroup"
    assert_not_contains "$OUT" "$(id -un)" "the user's cgroup"
    assert_contains "$OUT" "ls:/sys/fs/cgroup/pids=ok:cgroup.clone_children,cgroup.procs," "its own pids cgroup"
    assert_contains "$OUT" "write:/sys/fs/cgroup/pids/pids.max=EROFS" "read-only"
    local dirs n
    dirs=$(grep -o 'ls:/sys/fs/cgroup=ok:[^ ]*' <<< "$OUT")
    dirs=${dirs#*ok:}
    # The topmost mount at /sys/fs/cgroup and those on it (a host /sys bound
    # in rootless brings the host's, covered: locked, as in runc).
    set_args awk 'NR == FNR { if ($5 == "/sys/fs/cgroup") top = $1; next } $1 == top || $2 == top { n++ }
        END { print n }' /proc/self/mountinfo /proc/self/mountinfo
    rtc run --bundle "$BUNDLE" "$CID"
    n=$(echo "$dirs" | tr , '\n' | grep -c .)
    assert_eq "$OUT" "$((n + 1))" "mounts at /sys/fs/cgroup (a tmpfs and one per hierarchy: $dirs)"
    assert_le "$OUT" 10 "mounts at /sys/fs/cgroup"
    rtc delete --force "$CID-b"
    assert_ok
    assert_no_cgroup
}

# exec --cgroup SUBPATH: the process joins a sub-cgroup of the container's
# (runc's meaning); CONTROLLER:SUBPATH only that hierarchy's; ".." refused.
test_exec_cgroup_joins_a_sub_cgroup() {
    need_cgroup
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    local d c
    if [ "$CG_MODE" = v1 ]; then
        for c in memory pids cpu cpuacct cpuset freezer blkio; do
            d=$(cg_dir $c)
            [ -d "$d" ] || continue
            mkdir "$d/sub"
            if [ $c = cpuset ]; then cat "$d/cpuset.cpus" > "$d/sub/cpuset.cpus"; cat "$d/cpuset.mems" > "$d/sub/cpuset.mems"; fi
        done
    else
        mkdir "$(cg_dir)/sub"
    fi
    rtc exec --cgroup sub "$CID" cat /proc/self/cgroup
    assert_ok
    assert_match "$OUT" "pids:/.*/$CID/sub|0::/.*/$CID/sub" "the exec'd process's cgroup"
    if [ "$CG_MODE" = v1 ]; then
        rtc exec --cgroup pids:sub "$CID" cat /proc/self/cgroup
        assert_ok
        assert_match "$OUT" "pids:/.*/$CID/sub" "pids"
        assert_match "$OUT" "memory:/.*/$CID"$'\n' "memory: the container's own"
    fi
    rtc exec --cgroup ../.. "$CID" true
    assert_fail_with "leaves the container's cgroup"
    rtc exec --cgroup nosuch "$CID" true
    assert_fail_with "no sub-cgroup"
    rtc exec --cgroup sub --cgroup pids:sub "$CID" true
    assert_fail_with "give CONTROLLER:SUBPATH"
    rtc exec --cgroup "" "$CID" true # runc's callers pass it: the container's own
    assert_ok
    rtc delete --force "$CID"
    assert_ok
    assert_no_cgroup
}

# linux.resources.network needs net_cls/net_prio (none on this host, none on
# cgroup v2), devices rules a device cgroup rootless containers do not get:
# one line each, nothing left behind; a deny-all passes (runc's default).
test_network_and_devices_resources_never_pass_silently() {
    need_cgroup
    resources '{"network":{"classID":1048577}}'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_fail_match "net_cls"
    resources '{"network":{"priorities":[{"name":"a b","priority":1}]}}'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_fail_match "network.priorities\[0\].name"
    resources '{"devices":[{"allow":false,"type":"c","major":10,"minor":229,"access":"rwm"}]}'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_fail_match "devices\[0\]: denies \"c 10:229 rwm\""
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state left"
    resources '{"devices":[{"allow":false,"access":"rwm"}]}'
    set_args true
    rtc run --bundle "$BUNDLE" "$CID"
    assert_ok
    resources '{"network":{"classID":1}}'
    rtc --cgroup-manager disabled run --bundle "$BUNDLE" "$CID"
    assert_fail_with "linux.resources needs a cgroup"
    assert_no_cgroup
}

run_tests "$@"
