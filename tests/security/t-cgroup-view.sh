#!/bin/bash
# Another container's cgroup through the container's /sys/fs/cgroup, and the
# container's own cgroups made deeper than a path can name. A
# rootless config rbinds the host's /sys (runc's and burrow's `spec
# --rootless`: without a network namespace of its own a container cannot
# mount sysfs), and the rbind brings the host's whole cgroup hierarchies at
# /sys/fs/cgroup, which burrow covers with the container's own cgroups. The
# kernel keeps the covered ones locked to the rbind: no runtime can unmount
# them, so the container must not be able to uncover them or write through
# them. The attack: unmount burrow's view, from the container and from a user
# namespace of its own, remount the host's memory hierarchy read-write and
# lower a sibling container's memory limit.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

# need_v1_memory: the test user has a delegated cgroup v1 memory hierarchy
# (the host whose view has covered hierarchies to attack).
need_v1_memory() {
    burrow_only "burrow's cgroup view"
    local own
    own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
    [ -n "$own" ] && [ -w "/sys/fs/cgroup/memory$own/cgroup.procs" ] ||
        skip "no delegated cgroup v1 memory hierarchy"
}

# sibling: runs "$CID-b" (sleep) and sets SIB_LIMIT to its memory.limit_in_bytes
# as the host sees it, SIB_BEFORE to its value and SIB_PATH to its cgroup in
# the memory hierarchy.
sibling() {
    local b=$BUNDLE pid
    new_bundle
    set_args sleep 100
    rtc run -d --bundle "$BUNDLE" "$CID-b"
    assert_ok
    BUNDLE=$b
    pid=$(ct_pid "$CID-b")
    SIB_PATH=$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
    SIB_LIMIT=/sys/fs/cgroup/memory$SIB_PATH/memory.limit_in_bytes
    [ -r "$SIB_LIMIT" ] || fail "the sibling's memory cgroup $SIB_PATH"
    SIB_BEFORE=$(cat "$SIB_LIMIT")
}

# sibling_untouched: the attack (its probe's output in OUT) never found the
# sibling's cgroup nor changed its limit; the sibling goes.
sibling_untouched() {
    local sib=/sys/fs/cgroup/memory$SIB_PATH
    assert_eq "$(pvs "ls:$sib" "$OUT" | sort -u)" ENOENT "the sibling's cgroup in the view"
    assert_not_contains "$(pvs "write:$sib/memory.limit_in_bytes" "$OUT")" ok "the sibling's limit"
    assert_eq "$(cat "$SIB_LIMIT")" "$SIB_BEFORE" "the sibling's memory limit"
    rtc delete --force "$CID-b"
    assert_ok
}

# attack: the probe's steps, first as the container's root, then in a user
# and mount namespace of its own (where it holds every capability):
# unmount burrow's view, remount what is under it read-write, look for the
# sibling's cgroup there and write its limit.
attack() {
    local sib=/sys/fs/cgroup/memory$SIB_PATH
    probe_args syscall umount-detach /sys/fs/cgroup syscall remount-rw /sys/fs/cgroup/memory \
        ls "$sib" write "$sib/memory.limit_in_bytes" ls /sys/fs/cgroup \
        echo nested syscall unshare user,mnt \
        syscall umount-detach /sys/fs/cgroup syscall remount-rw /sys/fs/cgroup/memory \
        ls "$sib" write "$sib/memory.limit_in_bytes" "$@"
}

# The default capabilities (the template's): nothing of the host's
# hierarchies is uncovered, nothing written.
test_default_caps_cannot_uncover_the_host_hierarchies() {
    need_v1_memory
    sibling
    local sib=/sys/fs/cgroup/memory$SIB_PATH
    attack
    probe_ok
    split_nested
    local outer=$OUTER nested=$NESTED
    assert_eq "$(pv syscall:umount-detach "$outer")" EPERM "unmounting the view as the container's root"
    assert_eq "$(pv syscall:umount-detach "$nested")" EINVAL "unmounting the view from a namespace of its own (locked)"
    assert_eq "$(pv syscall:remount-rw "$outer")" EPERM "the remount as the container's root"
    assert_eq "$(pv syscall:remount-rw "$nested")" EPERM "the remount from a namespace of its own (locked read-only)"
    assert_eq "$(pvs "write:$sib/memory.limit_in_bytes" "$OUT" | sort -u)" ENOENT "the sibling's limit"
    sibling_untouched
}

# The way docs/security.md gives a container CAP_SYS_ADMIN without the host's
# hierarchies under its view: a network namespace of its own and a fresh
# sysfs for /sys instead of the rbind. Unmounting burrow's view then shows
# an empty directory of that sysfs, and the sibling stays out of reach.
test_cap_sys_admin_with_own_sysfs_finds_nothing_under_the_view() {
    need_v1_memory
    sibling
    local outer
    cfg '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
        | .linux.namespaces += [{type: "network"}]
        | .mounts |= map(if .destination == "/sys"
            then {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}
            else . end)'
    attack
    probe_ok
    outer=$(sed '/^nested$/,$d' <<< "$OUT")
    assert_eq "$(pv syscall:umount-detach "$outer")" ok:0 "unmounting the view (CAP_SYS_ADMIN)"
    assert_eq "$(pv ls:/sys/fs/cgroup "$outer")" ok: "what the view covered (an empty directory of the own sysfs)"
    sibling_untouched
}

# The cgroups below the container's own: a container with the default
# capabilities mounts its hierarchy from a user and cgroup namespace of its
# own (rooted at its cgroup, which the user owns) and nests 2,200 cgroups,
# deeper than a path can name, with a process in the deepest
# (tests/security/attack-deep-cgroup.c). delete --force of the running
# container, and a foreground run whose container made them and ended, must
# remove them all: a walk by path failed (File name too long) and left the
# cgroups and the container's state behind.
test_deep_cgroup_tree_goes_with_the_container() {
    need_v1_memory
    static_attacker attack-deep-cgroup.c ro
    local cg=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
    set_args /home/user/attack 2200 cgroup memory /tmp hold
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_for 20 test -d "$cg/$CID/a/a/a/a/a/a/a/a/a/a" || fail "the container made no cgroups"
    sleep 1
    rtc delete --force "$CID"
    assert_ok
    [ -e "$cg/$CID" ] && fail "delete --force left the container's cgroup"
    [ -e "$STATE_ROOT/$CID" ] && fail "delete --force left the container's state"
    set_args /home/user/attack 2200 cgroup memory /tmp
    rtc run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$OUT" "depth=2200" "the container's cgroups"
    assert_contains "$OUT" "joined" "the attacker in the deepest"
    [ -e "$cg/$CID" ] && fail "run left the container's cgroup"
    [ -e "$STATE_ROOT/$CID" ] && fail "run left the container's state"
    return 0
}

# The same attacker as a second process of the container, one that shares
# the host's pid namespace (so the container's end does not take its
# processes with it): burrow ps must list it and kill --all must end it,
# though its cgroup is deeper than a path can name.
_in_deepest() {  # PID: its freezer cgroup is deeper than a path can name (the kernel cuts /proc/PID/cgroup's line there)
    [ "$(grep '^[0-9]*:freezer:' "/proc/$1/cgroup" | wc -c)" -gt 4000 ]
}
test_deep_cgroup_process_is_listed_and_killed() {
    need_v1_memory
    static_attacker attack-deep-cgroup.c ro
    del_ns pid # and the host's /proc, bound
    cfg '(.mounts[] | select(.destination == "/proc")) |= {destination: "/proc", type: "bind", source: "/proc",
        options: ["rbind", "nosuid", "noexec", "nodev"]}'
    # (in the freezer's hierarchy: the one whose cgroups burrow reads for ps and kill --all)
    local cg=/sys/fs/cgroup/freezer$(awk -F: '$2 == "freezer" {print $3}' /proc/self/cgroup)
    [ -w "$cg" ] || skip "no freezer cgroup of the user's"
    set_args /bin/sh -c '/home/user/attack 2200 cgroup freezer /tmp hold > /dev/null & sleep 60'
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_for 20 test -d "$cg/$CID/a/a/a/a/a/a/a/a/a/a" || fail "the container made no cgroups"
    local deep="" n=0
    while [ -z "$deep" ] && [ $n -lt 100 ]; do
        deep=$(pgrep -u "$MY_UID" -f '^/home/user/attack 2200' | head -1); n=$((n + 1)); sleep 0.05
    done
    [ -n "$deep" ] || fail "the attacker is not running"
    wait_for 20 _in_deepest "$deep" || fail "the attacker did not reach the deepest cgroup"
    rtc ps --format json "$CID"
    assert_ok
    assert_contains "$OUT" "$deep" "burrow ps (the attacker is pid $deep)"
    rtc kill --all "$CID" KILL
    assert_ok
    wait_for 10 proc_gone "$deep" || fail "kill --all left the attacker (pid $deep) running"
    wait_for 10 _status_is "$CID" stopped
    rtc delete --force "$CID"
    assert_ok
    [ -e "$cg/$CID" ] && fail "delete --force left the container's cgroup"
    return 0
}

run_tests "$@"
