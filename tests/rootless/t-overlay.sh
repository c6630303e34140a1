# shellcheck shell=bash
# --overlay: the shared rootfs is the read-only lower layer and each container
# writes to its own upper layer. The leak check's "shared rootfs modified"
# is the main assertion that nothing reaches the lower layer; these tests add
# what the container saw, what its upper layer holds, that both drivers work
# (kernel overlayfs in the user namespace, fuse-overlayfs), and that nothing
# is left: no fuse-overlayfs, no mount, no upper or work directory.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DRIVERS="kernel fuse"

# ov_setup: a writable root (the overlay is what makes it writable here) and a shell.
ov_setup() {
    burrow_only "--overlay is burrow's own option"
    cfg '.root.readonly = false'
    layer_on_disk
}

# sh_args SCRIPT: process.args = sh -c SCRIPT
sh_args() { set_args /bin/sh -c "$1"; }

assert_no_fuse_left() {
    wait_for 5 eval '! fuse_server_left fuse-overlayfs' || fail "a fuse-overlayfs of this test still runs"
}

# work_left: a work directory made next to an --overlay-upper in $TEST_DIR remains.
work_left() {
    local f
    for f in "$TEST_DIR"/.*.work-*; do [ -e "$f" ] && return 0; done
    return 1
}

# ov_annotation ID KEY: the container's state annotation KEY.
ov_annotation() { rt state "$1" | jq -r --arg k "$2" '.annotations[$k] // ""'; }

# Writes, deletes, renames of lower directories: the container sees its
# changes, the upper layer holds them, the lower rootfs none of them.
ov_changes() {
    local drv=$1
    ov_setup
    sh_args 'set -e
        echo new > /newfile
        echo changed > /etc/hostname
        rm /bin/cat
        mv /home /home2
        mkdir -p /var/made/deep && echo deep > /var/made/deep/f
        rm -r /sbin
        ls / | tr "\n" " "; echo
        busybox cat /etc/hostname /newfile /var/made/deep/f
        [ ! -e /bin/cat ] && [ ! -e /sbin ] && [ -d /home2 ] && echo gone-ok'
    rtc create --overlay --overlay-driver "$drv" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(ov_annotation "$CID" io.github.burrow.overlay.driver)" "$drv" "state: overlay driver"
    local upper
    upper=$(ov_annotation "$CID" io.github.burrow.overlay.upper)
    assert_eq "$upper" "$STATE_ROOT/$CID/overlay/upper" "state: upper layer"
    rtc start "$CID"
    assert_ok
    wait_status "$CID" stopped
    [ -f "$upper/newfile" ] || fail "upper layer has no /newfile"
    assert_eq "$(cat "$upper/etc/hostname")" changed "upper /etc/hostname"
    rtc delete "$CID"
    assert_ok
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left after delete"
    [ -e "$ROOTFS/bin/cat" ] && [ -d "$ROOTFS/sbin" ] && [ -d "$ROOTFS/home" ] || fail "the lower rootfs lost files"
    [ ! -e "$ROOTFS/newfile" ] && [ ! -e "$ROOTFS/home2" ] || fail "the lower rootfs got files"
    assert_no_fuse_left
}
test_overlay_kernel_changes() { ov_changes kernel; }
test_overlay_fuse_changes() { ov_changes fuse; }

# What the container itself reported, on the default driver, foreground run.
test_overlay_run_sees_its_changes() {
    ov_setup
    sh_args 'echo new > /newfile; rm /bin/cat; mv /home /home2; ls /home2 >/dev/null && echo renamed;
             [ -e /bin/cat ] || echo deleted; busybox cat /newfile'
    rtc --debug run --overlay --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'renamed\ndeleted\nnew')" "container output"
    assert_contains "$ERR" "overlay: kernel overlayfs" "--debug"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left after run"
}

# ov_setup_mapped: ov_setup, the user's subordinate ids mapped, and the
# capabilities to give files to them.
ov_setup_mapped() {
    ov_setup
    [ "$SUBUID_COUNT" -ge 2000 ] && [ "$SUBGID_COUNT" -ge 2000 ] || skip "needs a subordinate id range of 2000"
    userns_full
    cfg '.process.capabilities |= with_entries(if .key == "ambient" then . else .value += ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"] end)'
}

# chown to mapped subordinate ids: the upper layer holds files the user
# cannot remove directly; delete removes them anyway.
ov_chown() {
    local drv=$1
    ov_setup_mapped
    sh_args 'set -e
        mkdir -p /srv/locked/sub && echo x > /srv/locked/sub/f && echo y > /srv/locked/f
        chown -R 1000:1000 /srv/locked && chmod -R go-rwx /srv/locked && chmod 000 /srv/locked/sub
        chown 1500:1501 /etc/passwd
        ls -ln /etc/passwd | awk "{print \$3\":\"\$4}"; stat -c %u:%g /srv/locked/sub'
    rtc run --overlay --overlay-driver "$drv" --keep --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf '1500:1501\n1000:1000')" "owners seen in the container"
    local upper=$STATE_ROOT/$CID/overlay/upper
    assert_eq "$(stat -c %u "$upper/srv/locked")" "$((SUBUID_START + 999))" "host owner of an upper directory"
    [ "$(stat -c %u "$ROOTFS/etc/passwd")" = "$MY_UID" ] || fail "the lower /etc/passwd changed owner"
    rtc --debug delete "$CID"
    assert_ok
    assert_contains "$ERR" "removing them in a user namespace" "delete --debug"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left after delete"
    assert_no_fuse_left
}
test_overlay_kernel_chown_mapped() { ov_chown kernel; }
test_overlay_fuse_chown_mapped() { ov_chown fuse; }

# A hostile container nests directories deeper than burrow may hold fds open
# (a soft limit of 64 here), one of them of subordinate ids and at mode 000:
# its layer still goes with it (one directory open at a time), also in the
# user namespace that removes what the user cannot.
ov_deep() {
    local drv=$1
    ov_setup_mapped
    sh_args 'i=0
        while [ $i -lt 300 ]; do
            mkdir d && echo $i > d/f && ln -s / d/l && cd d || exit 1
            if [ $i = 150 ]; then mkdir -p z/y && touch z/y/x && chown -R 1000:1000 z && chmod 0 z/y z || exit 1; fi
            i=$((i + 1))
        done
        echo depth=$i'
    ulimit -Sn 64
    rtc --debug run --overlay --overlay-driver "$drv" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$OUT" depth=300 "the container's tree"
    assert_contains "$ERR" "removing them in a user namespace" "run --debug"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state directory left after run"
    assert_no_fuse_left
}
test_overlay_kernel_deeper_than_the_fd_limit() { ov_deep kernel; }
test_overlay_fuse_deeper_than_the_fd_limit() { ov_deep fuse; }

# Ten containers on one lower rootfs at once: each sees only its own changes.
test_overlay_ten_concurrent() {
    ov_setup
    local i drv
    for i in $(seq 1 10); do
        new_bundle "$TEST_DIR/b$i"
        cfg '.root.readonly = false'
        sh_args "echo $i > /mine-$i; rm /bin/ls; ls / | grep mine | tr '\n' ' '; [ -e /bin/ls ] || echo no-ls"
        drv=kernel
        [ "$i" -gt 7 ] && drv=fuse # a few on FUSE alongside
        bg "c$i" rt run --overlay --overlay-driver "$drv" --bundle "$TEST_DIR/b$i" "$CID-$i"
    done
    for i in $(seq 1 10); do
        bg_wait "c$i"
        assert_rc 0
        assert_eq "$OUT" "mine-$i no-ls" "container $i saw"
    done
    [ -e "$ROOTFS/bin/ls" ] || fail "the lower rootfs lost /bin/ls"
    assert_no_fuse_left
}

# --overlay-upper DIR: the layer is kept after delete and used again.
ov_upper_kept() {
    local drv=$1
    ov_setup
    local up=$TEST_DIR/changes
    sh_args 'echo one > /kept; rm /bin/cat'
    rtc run --overlay --overlay-driver "$drv" --overlay-upper "$up" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(cat "$up/kept")" one "the kept upper layer's /kept"
    [ -e "$up/bin" ] || fail "the kept upper layer has no whiteout for /bin/cat"
    # The work directory (next to it: another filesystem than the state root) is gone.
    ! work_left || fail "work directory left: $(ls -A "$TEST_DIR")"
    sh_args '[ -e /bin/cat ] || echo still-deleted; busybox cat /kept'
    rtc run --overlay --overlay-driver "$drv" --overlay-upper "$up" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'still-deleted\none')" "second container on the kept layer"
    assert_no_fuse_left
}
test_overlay_kernel_upper_kept() { ov_upper_kept kernel; }

# A layer of the state directory's goes with the container: the kernel's
# overlay is volatile (its end syncs no file system: where the state directory
# is on a disk, that sync wrote out the host's dirty pages at every
# container's end); a kept --overlay-upper is not. Either leaves nothing.
test_overlay_kernel_own_layer_is_volatile() {
    ov_setup
    sh_args "busybox awk '\$5 == \"/\"' /proc/self/mountinfo | busybox grep -c -e ,volatile -e fsync=volatile; echo w > /w"
    rtc run --overlay --overlay-driver kernel --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" 1 "a volatile overlay"
    [ ! -e "$STATE_ROOT/$CID" ] || fail "state left: $(find "$STATE_ROOT/$CID")"
    rtc run --overlay --overlay-driver kernel --overlay-upper "$TEST_DIR/kept" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" 0 "a kept layer's overlay"
    assert_eq "$(cat "$TEST_DIR/kept/w")" w "the kept layer's /w"
    assert_no_fuse_left
}
test_overlay_fuse_upper_kept() { ov_upper_kept fuse; }

# Several lower layers, top first: the bundle's rootfs, then --overlay-lower.
test_overlay_lower_layers() {
    ov_setup
    mkdir -p "$TEST_DIR/l1/etc" "$TEST_DIR/l2/etc" "$TEST_DIR/l2/opt"
    echo l1 > "$TEST_DIR/l1/etc/hostname" # below the rootfs's own: hidden
    echo l1 > "$TEST_DIR/l1/etc/layer"
    echo l2 > "$TEST_DIR/l2/etc/layer"    # below l1's: hidden
    echo l2 > "$TEST_DIR/l2/opt/only"
    sh_args 'busybox cat /etc/layer /opt/only; echo w > /opt/new'
    local drv
    for drv in $DRIVERS; do
        rtc run --overlay --overlay-driver "$drv" --overlay-lower "$TEST_DIR/l1" --overlay-lower "$TEST_DIR/l2" \
            --bundle "$BUNDLE" "$CID"
        assert_ok
        assert_eq "$OUT" "$(printf 'l1\nl2')" "layers seen ($drv)"
        rtc run --overlay --overlay-driver "$drv" --overlay-lower "$TEST_DIR/l1:$TEST_DIR/l2" --bundle "$BUNDLE" "$CID"
        assert_ok
        assert_eq "$OUT" "$(printf 'l1\nl2')" "layers seen, colon list ($drv)"
    done
    [ ! -e "$TEST_DIR/l2/opt/new" ] || fail "a write reached a lower layer"
    assert_no_fuse_left
}

# A client that only writes config.json: the annotations.
test_overlay_annotations() {
    ov_setup
    cfg --arg l "$TEST_DIR/l1" '.annotations["io.github.burrow.overlay"] = "true"
        | .annotations["io.github.burrow.overlay.driver"] = "fuse"
        | .annotations["io.github.burrow.overlay.lower"] = $l
        | .annotations["io.github.burrow.overlay.work"] = "/somewhere/else"'
    mkdir -p "$TEST_DIR/l1"
    echo l1 > "$TEST_DIR/l1/from-l1"
    sh_args 'echo x > /written; busybox cat /from-l1'
    rtc create --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(ov_annotation "$CID" io.github.burrow.overlay.driver)" fuse "state: driver"
    assert_eq "$(ov_annotation "$CID" io.github.burrow.overlay.work)" "$STATE_ROOT/$CID/overlay/work" "state: work"
    rtc start "$CID"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    assert_no_fuse_left
}

# The container killed: fuse-overlayfs ends with its mount namespace, before delete.
test_overlay_fuse_ends_with_container() {
    ov_setup
    sh_args 'sleep 600'
    rtc run -d --overlay --overlay-driver fuse --bundle "$BUNDLE" "$CID"
    assert_ok
    local fpid
    fpid=$(ov_annotation "$CID" io.github.burrow.overlay.fuse-pid)
    fpid=${fpid%%:*}
    [ -n "$fpid" ] && ! proc_gone "$fpid" || fail "no fuse-overlayfs running for the container"
    # exec joins the container's mount namespace: the same overlay.
    rtc exec "$CID" /bin/sh -c 'echo from-exec > /exec-file; busybox cat /exec-file'
    assert_ok
    assert_eq "$OUT" from-exec "exec's view"
    [ -f "$STATE_ROOT/$CID/overlay/upper/exec-file" ] || fail "exec's file is not in the upper layer"
    rt kill "$CID" KILL
    wait_for 10 proc_gone "$fpid" || fail "fuse-overlayfs $fpid outlived the container"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
}

# Where the kernel's overlayfs cannot write to the upper layer (here: an upper
# on a FUSE file system, which it would mount read-only), fuse-overlayfs
# serves the container instead, and state and --debug say so.
test_overlay_falls_back_to_fuse() {
    ov_setup
    command -v fusermount3 >/dev/null || skip "no fusermount3 to mount a FUSE upper layer"
    local m=$TEST_DIR/fusemnt
    mkdir -p "$TEST_DIR/ol" "$TEST_DIR/ou" "$TEST_DIR/ow" "$m"
    fuse-overlayfs -o "lowerdir=$TEST_DIR/ol,upperdir=$TEST_DIR/ou,workdir=$TEST_DIR/ow" "$m" || fail "cannot mount FUSE"
    trap 'fusermount3 -u "$TEST_DIR/fusemnt" 2>/dev/null' EXIT
    sh_args 'echo fb > /written; busybox cat /written'
    rtc --debug create --overlay --overlay-upper "$m/up" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$ERR" "the kernel's overlayfs refused the mount (Read-only file system): fuse-overlayfs instead" "--debug"
    assert_eq "$(ov_annotation "$CID" io.github.burrow.overlay.driver)" fuse "state: driver"
    rtc start "$CID"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    assert_eq "$(cat "$m/up/written")" fb "the upper layer's /written"
    assert_no_fuse_left
    fusermount3 -u "$m" || fail "cannot unmount the FUSE upper"
    wait_for 5 eval '! pgrep -u "$MY_UID" -f "workdir=$TEST_DIR/ow" >/dev/null' || fail "the test's own fuse-overlayfs still runs"
}

# Bad input: one line, non-zero, nothing made (no state, no upper directory).
test_overlay_bad_input() {
    ov_setup
    rtc run --overlay --overlay-lower "$TEST_DIR/missing" --bundle "$BUNDLE" "$CID"
    assert_fail_with "--overlay-lower: $TEST_DIR/missing"
    touch "$TEST_DIR/afile"
    rtc run --overlay --overlay-lower "$TEST_DIR/afile" --bundle "$BUNDLE" "$CID"
    assert_fail_with "not a directory"
    rtc run --overlay --overlay-upper "$ROOTFS/tmp/up" --bundle "$BUNDLE" "$CID"
    assert_fail_with "is inside the rootfs"
    [ ! -e "$ROOTFS/tmp/up" ] || fail "upper made inside the rootfs"
    mkdir -p "$TEST_DIR/l1"
    rtc run --overlay --overlay-lower "$TEST_DIR/l1" --overlay-upper "$TEST_DIR/l1/up" --bundle "$BUNDLE" "$CID"
    assert_fail_with "is inside the lower layer"
    rtc run --overlay --overlay-upper "$TEST_DIR/no/such/up" --bundle "$BUNDLE" "$CID"
    assert_fail_with "--overlay-upper: $TEST_DIR/no/such"
    mkdir -p "$TEST_DIR/a:b"
    rtc run --overlay --overlay-upper "$TEST_DIR/a:b/up" --bundle "$BUNDLE" "$CID"
    assert_fail_with "cannot contain"
    rtc run --overlay --overlay-driver zfs --bundle "$BUNDLE" "$CID"
    assert_fail_with "--overlay-driver: \"zfs\""
    rtc run --overlay-upper "$TEST_DIR/up" --bundle "$BUNDLE" "$CID"
    assert_fail_with "need --overlay"
    cfg '.annotations["io.github.burrow.overlay"] = "yes"'
    rtc run --bundle "$BUNDLE" "$CID"
    assert_fail_with "io.github.burrow.overlay: \"yes\""
    cfg 'del(.annotations)'
    # Refused in the child: a failed create after the upper was made removes it.
    sh_args 'true'
    cfg '.process.cwd = "/bin/sh/x"'
    rtc run --overlay --overlay-driver fuse --overlay-upper "$TEST_DIR/up" --bundle "$BUNDLE" "$CID"
    assert_fail_with "process.cwd"
    [ ! -e "$TEST_DIR/up" ] || fail "the upper made by a failed create is left"
    ! work_left || fail "work directory left: $(ls -A "$TEST_DIR")"
    rtc list -q
    assert_eq "$OUT" "" "containers after the failures"
    assert_no_fuse_left
}

run_tests "$@"
