#!/bin/bash
# Mount destinations that are symlinks out of the rootfs, swapped while the
# container is set up (CVE-2021-30465): another container, sharing a volume
# with this one, turns the volume's directory d into a symlink to a host path
# (this container's own /etc, as the host sees it) and back, in a loop, while
# this container binds a directory of the test's on /vol/d, 30 times. Every
# mount must land inside the rootfs: the container's /etc stays its /etc.
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

test_mount_destination_swapped_by_another_container() {
    local vol=$TEST_DIR/vol evil=$TEST_DIR/evil victim_bundle attacker_bundle i ok=0 refused=0
    mkdir -p "$vol/d" "$evil" && touch "$evil/EVIL"
    # the victim: its own writable rootfs, the volume at /vol, the evil directory bound on /vol/d
    writable_rootfs
    victim_bundle=$BUNDLE
    add_mount "$(jq -cn --arg s "$vol" '{destination: "/vol", type: "bind", source: $s, options: ["rbind"]}')"
    add_mount "$(jq -cn --arg s "$evil" '{destination: "/vol/d", type: "bind", source: $s, options: ["rbind"]}')"
    probe_args ls /etc
    # the attacker: the same volume; swaps /vol/d for 25 s at most
    new_bundle
    attacker_bundle=$BUNDLE
    cp -a "$ROOTFS" "$TEST_DIR/rootfs-a" || fail "copy"
    cfg --arg r "$TEST_DIR/rootfs-a" '.root.path = $r | .root.readonly = false'
    add_mount "$(jq -cn --arg s "$vol" '{destination: "/vol", type: "bind", source: $s, options: ["rbind"]}')"
    set_args /bin/sh -c 'end=$(( $(date +%s) + 25 )); while [ "$(date +%s)" -lt "$end" ]; do
        for n in 1 2 3 4 5 6 7 8 9 10; do rm -rf /vol/d; ln -s "$1" /vol/d; rm -f /vol/d; mkdir /vol/d; done; done' \
        swap "$TEST_DIR/rootfs/etc"
    rtc run -d --bundle "$attacker_bundle" "$CID-a"
    assert_ok
    BUNDLE=$victim_bundle
    for i in $(seq 30); do
        capture rt run --bundle "$BUNDLE" "$CID-$i"
        if [ "$RC" = 0 ]; then
            ok=$((ok + 1))
            assert_not_contains "$(pv ls:/etc)" EVIL "the victim's /etc (run $i)"
            assert_contains "$(pv ls:/etc)" passwd "the victim's /etc (run $i)"
        else
            refused=$((refused + 1))
            rt delete -f "$CID-$i" >/dev/null 2>&1
        fi
        [ -e "$TEST_DIR/rootfs/etc/EVIL" ] && fail "the bind landed on the host's view of the victim's /etc"
    done
    note "$ok runs succeeded, $refused refused"
    rt kill "$CID-a" KILL >/dev/null 2>&1
    wait_for 10 _status_is "$CID-a" stopped
    rtc delete "$CID-a"
    # (a run refused because the directory vanished under it is safe too)
}

# A symlink in the image as the destination, pointing out (the static case).
test_mount_destination_symlink_out_of_rootfs() {
    evil_symlink_mount "$TEST_DIR/outside"
    probe_ok
    assert_eq "$(cat "$TEST_DIR/outside/sentinel")" sentinel "the host directory"
    grep -q " $TEST_DIR/outside " /proc/self/mountinfo && fail "tmpfs mounted on the host"
    # the tmpfs is where the link leads inside the rootfs (a directory made there)
    assert_match "$(pvs mount)" "$TEST_DIR/outside tmpfs" "the container's mounts"
}

# A read-only volume (":ro", "options": ["ro"]): the container writes it,
# remounts it read-write, and tries again from a user and mount namespace of
# its own (where it has every capability, and the copied mounts are locked
# read-only). With the default capabilities all of it is refused. (A config
# that gives the container CAP_SYS_ADMIN lets its root remount the volume
# read-write, in runc as in burrow: docs/security.md says so.)
test_read_only_volume_stays_read_only() {
    mkdir -p "$TEST_DIR/vol"
    echo kept > "$TEST_DIR/vol/f"
    add_mount "$(jq -cn --arg s "$TEST_DIR/vol" '{destination: "/home/user", type: "bind", source: $s, options: ["rbind", "ro"]}')"
    probe_args write /home/user/f syscall remount-rw /home/user write /home/user/f \
        echo nested syscall unshare user,mnt syscall remount-rw /home/user write /home/user/f
    probe_ok
    split_nested
    local outer=$OUTER nested=$NESTED
    assert_eq "$(pvs write:/home/user/f "$outer" | sort -u)" EROFS "writing the volume as the container's root"
    assert_eq "$(pv syscall:remount-rw "$outer")" EPERM "the remount as the container's root"
    assert_eq "$(pv syscall:remount-rw "$nested")" EPERM "the remount from a namespace of its own (locked read-only)"
    assert_eq "$(pv write:/home/user/f "$nested")" EROFS "writing the volume from a namespace of its own"
    assert_eq "$(cat "$TEST_DIR/vol/f")" kept "the volume's file"
}

run_tests "$@"
