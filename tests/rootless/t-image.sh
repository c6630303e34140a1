# shellcheck shell=bash
# --image FILE.sqfs: a squashfs file is the rootfs, read-only and never
# unpacked (squashfuse serves it), with the overlay's writable layer on top;
# with a read-only root (root.readonly) the image's mount itself, where it
# has every mount point. The image file itself must not change; delete
# leaves no squashfuse, fuse-overlayfs or mount behind.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE=""
# The image's holder (shared mount) ends as soon as no container uses it.
export BURROW_IMAGE_IDLE=0

# img_setup: the shared rootfs packed into $TEST_DIR/root.sqfs (owned by the
# container's root, as a real image is), and root.path pointing nowhere: unused.
img_setup() {
    burrow_only "--image is burrow's own option"
    command -v mksquashfs >/dev/null || skip "mksquashfs missing (package squashfs-tools)"
    command -v squashfuse >/dev/null || skip "squashfuse missing (package squashfuse)"
    IMAGE=$TEST_DIR/root.sqfs
    mksquashfs "$ROOTFS" "$IMAGE" -all-root -noappend -quiet -no-progress -processors 1 >/dev/null ||
        fail "mksquashfs failed"
    cfg '.root.readonly = false | .root.path = "no-such-rootfs"'
}

sh_args() { set_args /bin/sh -c "$1"; }

# holder_left: an image holder (burrow-image) of this test still runs.
holder_left() {
    local p
    for p in $(pgrep -u "$MY_UID" -x burrow-image); do
        tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qxF "BURROW_TEST_TAG=$BURROW_TEST_TAG" && return 0
    done
    return 1
}

assert_nothing_left() {
    wait_for 5 eval '! holder_left' || fail "the image's holder (burrow-image) still runs"
    wait_for 5 eval '! fuse_server_left squashfuse fuse-overlayfs' || fail "a squashfuse or fuse-overlayfs of this test still runs"
    ! grep -q -e "$TEST_DIR" -e "$STATE_ROOT" /proc/self/mountinfo || fail "a mount is left: $(grep -e "$TEST_DIR" -e "$STATE_ROOT" /proc/self/mountinfo)"
    [ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$STATE_ROOT")"
}

img_annotation() { rt state "$1" | jq -r --arg k "$2" '.annotations[$k] // ""'; }

# Read from the image, write to the overlay; the image file is unchanged.
img_run() {
    local drv=$1
    img_setup
    layer_on_disk
    local sum
    sum=$(sha256sum < "$IMAGE")
    sh_args 'set -e
        busybox cat /etc/hostname >/dev/null && echo read-ok
        echo new > /newfile && rm /bin/cat && echo changed > /etc/motd
        busybox cat /newfile /etc/motd; [ -e /bin/cat ] || echo no-cat
        stat -c %u /etc/passwd'
    rtc --debug create --image "$IMAGE" --overlay-driver "$drv" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$ERR" "image: squashfuse serves $IMAGE" "--debug"
    assert_eq "$(img_annotation "$CID" io.github.burrow.image)" "$IMAGE" "state: image"
    assert_eq "$(img_annotation "$CID" io.github.burrow.image.driver)" squashfuse "state: image driver"
    assert_eq "$(img_annotation "$CID" io.github.burrow.overlay.driver)" "$drv" "state: overlay driver"
    local upper
    upper=$(img_annotation "$CID" io.github.burrow.overlay.upper)
    rtc start "$CID"
    assert_ok
    wait_status "$CID" stopped
    [ -f "$upper/newfile" ] || fail "the upper layer has no /newfile"
    rtc delete "$CID"
    assert_ok
    assert_eq "$(sha256sum < "$IMAGE")" "$sum" "the image's checksum"
    assert_nothing_left
}
test_image_kernel_overlay() { img_run kernel; }
test_image_fuse_overlay() { img_run fuse; }

# The container's own words, foreground run.
test_image_run_output() {
    img_setup
    sh_args 'echo w > /w; busybox cat /w; rm /bin/cat; [ -e /bin/cat ] || echo deleted; stat -c %u /bin'
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'w\ndeleted\n0')" "container output"
    assert_nothing_left
}

# A client that only writes config.json: the annotation, relative to the bundle;
# root.path empty.
test_image_annotation() {
    img_setup
    mv "$IMAGE" "$BUNDLE/img.sqfs"
    cfg '.annotations["io.github.burrow.image"] = "img.sqfs" | .root.path = ""'
    sh_args 'busybox cat /etc/hostname >/dev/null && echo ok'
    rtc run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" ok "container output"
    assert_nothing_left
}

# --overlay-lower layers lie above the image (the lowest layer).
test_image_with_lower_layer() {
    img_setup
    mkdir -p "$TEST_DIR/l1/etc"
    echo l1 > "$TEST_DIR/l1/etc/layer"
    echo l1 > "$TEST_DIR/l1/etc/hostname" # hides the image's
    sh_args 'busybox cat /etc/layer /etc/hostname; [ -x /bin/busybox ] && echo image-ok; echo w > /etc/layer'
    rtc run --image "$IMAGE" --overlay-lower "$TEST_DIR/l1" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'l1\nl1\nimage-ok')" "container output"
    assert_eq "$(cat "$TEST_DIR/l1/etc/layer")" l1 "the lower layer's /etc/layer"
    assert_nothing_left
}

# Ten containers from one image at once, each with its own writable layer.
test_image_ten_concurrent() {
    img_setup
    local i drv sum
    sum=$(sha256sum < "$IMAGE")
    for i in $(seq 1 10); do
        new_bundle "$TEST_DIR/b$i"
        cfg '.root.readonly = false'
        sh_args "echo $i > /mine-$i; rm /bin/ls; ls / | grep mine | tr '\n' ' '; [ -e /bin/ls ] || echo no-ls"
        drv=kernel
        [ "$i" -gt 7 ] && drv=fuse
        bg "c$i" rt run --image "$IMAGE" --overlay-driver "$drv" --bundle "$TEST_DIR/b$i" "$CID-$i"
    done
    for i in $(seq 1 10); do
        bg_wait "c$i"
        assert_rc 0
        assert_eq "$OUT" "mine-$i no-ls" "container $i saw"
    done
    assert_eq "$(sha256sum < "$IMAGE")" "$sum" "the image's checksum"
    assert_nothing_left
}

# exec joins the container's mount namespace: the same image and overlay.
# Killed, the container takes squashfuse with it before delete (a
# squashfuse of its own: BURROW_IMAGE_SHARE=0).
test_image_exec_and_kill() {
    export BURROW_IMAGE_SHARE=0
    img_setup
    layer_on_disk
    sh_args 'echo from-init > /init-file; exec sleep 600'
    rtc run -d --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    local spid
    spid=$(img_annotation "$CID" io.github.burrow.image.fuse-pid)
    spid=${spid%%:*}
    [ -n "$spid" ] && ! proc_gone "$spid" || fail "no squashfuse running for the container"
    wait_for 5 test -f "$STATE_ROOT/$CID/overlay/upper/init-file" || fail "the container did not write"
    rtc exec "$CID" /bin/sh -c 'busybox cat /init-file; echo from-exec > /exec-file; busybox cat /exec-file; busybox cat /etc/hostname >/dev/null && echo read-ok'
    assert_ok
    assert_eq "$OUT" "$(printf 'from-init\nfrom-exec\nread-ok')" "exec's view"
    rt kill "$CID" KILL
    wait_for 10 proc_gone "$spid" || fail "squashfuse $spid outlived the container"
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    assert_nothing_left
}

# keep-id: the container's root is a subordinate id, so the child is neither
# the caller nor dumpable when squashfuse starts; the FUSE servers join the
# user namespace opened while it still was (or the holder's, shared). The
# caller's files stay the caller's.
img_keep_id_setup() {
    img_setup
    mkdir -m 0700 "$TEST_DIR/shared" || fail "mkdir"
    add_mount "$(jq -nc --arg s "$TEST_DIR/shared" '{destination: "/home", type: "none", source: $s, options: ["rbind", "rw"]}')"
}
# img_keep_id DRIVER [MODE]: with keep-id:single the image's files (root's)
# are unmapped, so the job writes only to what is bound in (as in
# test_image_single_id_map).
img_keep_id() {
    local mode=${2:-keep-id} write='echo w > /w && echo write-ok; '
    [ "$mode" = keep-id ] || write=""
    sh_args "busybox cat /etc/hostname >/dev/null && echo read-ok; ${write}id -u; echo f > /home/f"
    rm -f "$TEST_DIR/shared/f"
    rtc run --userns "$mode" --image "$IMAGE" --overlay-driver "$1" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf "read-ok\n${write:+write-ok\n}%s" "$MY_UID")" "container output"
    assert_eq "$(stat -c %u "$TEST_DIR/shared/f")" "$MY_UID" "owner on the host"
    assert_nothing_left
}
test_image_keep_id() {
    img_keep_id_setup
    img_keep_id kernel
}
# fuse-overlayfs on the image: it reaches the image's mount through an fd
# (the holder's, or the child's, which is no longer the caller's to open by
# /proc/PID/root), and without ACLs (squashfuse has none: fuse-overlayfs
# before 1.12 passed its EOPNOTSUPP on to every permission check of a
# non-owner). Shared (the default) and with a squashfuse of its own.
test_image_keep_id_fuse() {
    img_keep_id_setup
    img_keep_id fuse
    BURROW_IMAGE_SHARE=0 img_keep_id fuse
}
test_image_keep_id_single_fuse() {
    img_keep_id_setup
    img_keep_id fuse keep-id:single
    BURROW_IMAGE_SHARE=0 img_keep_id fuse keep-id:single
}

# A config that maps the caller's own id alone, no root inside: the FUSE
# mount belongs to that id (user_id=0 would be EINVAL). The image's files are
# root's, unmapped here: the overlay cannot copy them up, so the job writes
# to what is bound in (as with ch-run, whose image is read-only).
test_image_single_id_map() {
    img_setup
    mkdir -m 0700 "$TEST_DIR/shared" || fail "mkdir"
    add_mount "$(jq -nc --arg s "$TEST_DIR/shared" '{destination: "/home", type: "none", source: $s, options: ["rbind", "rw"]}')"
    cfg --argjson u "$MY_UID" --argjson g "$MY_GID" '.linux.uidMappings = [{containerID: $u, hostID: $u, size: 1}]
        | .linux.gidMappings = [{containerID: $g, hostID: $g, size: 1}] | .process.user = {uid: $u, gid: $g}'
    sh_args 'busybox cat /etc/hostname >/dev/null && echo read-ok; echo w > /home/w && echo write-ok; id -u'
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'read-ok\nwrite-ok\n%s' "$MY_UID")" "container output"
    assert_eq "$(stat -c %u "$TEST_DIR/shared/w")" "$MY_UID" "owner on the host"
    assert_nothing_left
}

# One mount per user, node and image: containers of one image at once share
# one holder and one squashfuse; each still has its own overlay.
test_image_shared_mount() {
    img_setup
    local i holders=""
    for i in 1 2 3 4 5; do
        new_bundle "$TEST_DIR/b$i"
        cfg '.root.readonly = false'
        sh_args "echo $i > /mine; exec sleep 30"
        rtc run -d --image "$IMAGE" --bundle "$TEST_DIR/b$i" "$CID-$i"
        assert_ok
        holders+="$(img_annotation "$CID-$i" io.github.burrow.image.holder) "
    done
    local first=${holders%% *}
    [ -n "$first" ] || fail "no holder recorded"
    assert_eq "$holders" "$(printf "$first %.0s" 1 2 3 4 5)" "every container's holder"
    [ "$(cat "/proc/$first/comm")" = burrow-image ] || fail "the holder $first is not burrow-image"
    local n=0 p
    for p in $(pgrep -u "$MY_UID" -x squashfuse); do
        tr '\0' ' ' < "/proc/$p/cmdline" | grep -qF "$IMAGE" && n=$((n + 1))
    done
    assert_eq "$n" 1 "squashfuse processes serving the image"
    for i in 1 2 3 4 5; do
        rtc exec "$CID-$i" /bin/cat /mine
        assert_eq "$OUT" "$i" "container $i sees its own layer"
    done
    for i in 1 2 3 4 5; do kill_and_delete "$CID-$i"; done
    wait_for 5 proc_gone "$first" || fail "the holder outlived its containers"
    assert_nothing_left
}

# Back to back within the idle time: the second run finds the first's holder.
test_image_shared_back_to_back() {
    img_setup
    export BURROW_IMAGE_IDLE=3
    sh_args 'busybox cat /etc/hostname >/dev/null && echo ok'
    rtc --debug run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$ERR" "for every container of it (shared" "the first run starts the holder"
    rtc --debug run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" ok "container output"
    assert_contains "$ERR" "already mounted by holder" "the second run joins it"
    wait_for 10 eval '! holder_left' || fail "the holder did not end after its idle time"
    assert_nothing_left
}

# No config.json: --image and a command after --; read-only unless -w (ch-run's -w),
# whose writes go to the container's layer, never to the image.
test_image_without_config() {
    img_setup
    local sum
    sum=$(sha256sum < "$IMAGE")
    mkdir "$TEST_DIR/empty" && cd "$TEST_DIR/empty" || fail "mkdir"
    rtc run --image "$IMAGE" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/sh -c 'echo w > /w || echo read-only'
    assert_ok
    assert_contains "$OUT" read-only "without -w"
    rtc run -w --image "$IMAGE" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/sh -c 'echo w > /w && busybox cat /w'
    assert_ok
    assert_eq "$OUT" w "with -w"
    assert_eq "$(sha256sum < "$IMAGE")" "$sum" "the image's checksum"
    [ ! -e "$TEST_DIR/empty/config.json" ] || fail "a config.json was written"
    assert_nothing_left
}

# HOME, missing from process.env, comes from the image's own /etc/passwd
# (root's home there is /root), as from a directory's: run and exec read it
# inside the container, where the image is mounted (the parent cannot see it).
test_image_home_from_its_passwd() {
    img_setup
    cfg 'del(.process.env[] | select(startswith("HOME=")))'
    mkdir "$TEST_DIR/empty" && cd "$TEST_DIR/empty" || fail "mkdir"
    rtc run --image "$IMAGE" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/sh -c 'echo "$HOME"'
    assert_ok
    assert_eq "$OUT" /root "run --image: HOME"
    rtc run -d --image "$IMAGE" -e "BURROW_TEST_TAG=$BURROW_TEST_TAG" "$CID" -- /bin/sleep 30
    assert_ok
    rtc exec "$CID" /bin/sh -c 'echo "$HOME"'
    assert_ok
    assert_eq "$OUT" /root "exec: HOME"
    rtc exec -e HOME=/given "$CID" /bin/sh -c 'echo "$HOME"'
    assert_eq "$OUT" /given "exec -e HOME: kept"
    rt delete --force "$CID"
    assert_nothing_left
}

# The file system type of the container's root, from inside.
root_fstype_args() {
    sh_args "busybox awk '\$5 == \"/\" { for (i = 7; i <= NF; i++) if (\$i == \"-\") print \$(i + 1) }' /proc/self/mountinfo | tail -1
        $1"
}

# A read-only root needs no writable layer: the image's mount is the rootfs
# itself (no overlay mounted, no upper layer), and stays read-only.
test_image_read_only_root_is_the_image() {
    img_setup
    cfg '.root.readonly = true'
    root_fstype_args 'echo w > /w 2>/dev/null || echo read-only; busybox cat /etc/hostname >/dev/null && echo read-ok'
    rtc --debug create --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_contains "$ERR" "its read-only mount is the rootfs, no overlay" "--debug"
    assert_eq "$(img_annotation "$CID" io.github.burrow.overlay.driver)" none "state: overlay driver"
    rtc start "$CID"
    assert_ok
    wait_status "$CID" stopped
    rtc delete "$CID"
    assert_ok
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'fuse.squashfuse\nread-only\nread-ok')" "container output"
    # With a squashfuse of its own.
    BURROW_IMAGE_SHARE=0 rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'fuse.squashfuse\nread-only\nread-ok')" "container output, own squashfuse"
    cfg '.linux.rootfsPropagation = "rshared"'
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'fuse.squashfuse\nread-only\nread-ok')" "container output, rshared"
    assert_nothing_left
}

# The attack: a container whose root is the image's mount, asking for a
# shared root (rootfsPropagation), mounts on it; were its root a peer of the
# holder's mount, those mounts would reach the holder, and every container of
# the image made after it would find them under its root. (The holder's
# mount is private; pivot_root wants the mount holding it unshared too.)
test_image_read_only_root_mounts_stay_its_own() {
    img_setup
    cfg '.root.readonly = true | .linux.rootfsPropagation = "shared"'
    sh_args 'exec sleep 30'
    rtc run -d --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$(img_annotation "$CID" io.github.burrow.overlay.driver)" none "state: overlay driver"
    local holder
    holder=$(img_annotation "$CID" io.github.burrow.image.holder)
    [ -n "$holder" ] || fail "no holder recorded"
    assert_eq "$(grep -c "/@images/" "/proc/$holder/mountinfo")" 1 "mounts at the image in the holder's mount namespace"
    kill_and_delete "$CID"
    assert_nothing_left
}

# What would have to be made in the image (a mount point or working
# directory it lacks), or a hook that may write to the rootfs before it turns
# read-only: the overlay as before, read-only too.
test_image_read_only_root_overlay_when_needed() {
    img_setup
    cfg '.root.readonly = true'
    mkdir "$TEST_DIR/vol" && echo v > "$TEST_DIR/vol/f" || fail "mkdir"
    local base
    base=$(jq -c . "$BUNDLE/config.json")
    add_mount "$(jq -nc --arg s "$TEST_DIR/vol" '{destination: "/not-in-image", type: "none", source: $s, options: ["rbind", "ro"]}')"
    root_fstype_args 'busybox cat /not-in-image/f; echo w > /w 2>/dev/null || echo read-only'
    rtc --debug run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'overlay\nv\nread-only')" "a mount point missing in the image"
    assert_contains "$ERR" "image: /not-in-image is not in it: an overlay over it" "--debug says why"
    echo "$base" > "$BUNDLE/config.json"
    cfg '.process.cwd = "/no/such/dir"'
    root_fstype_args 'pwd'
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" "$(printf 'overlay\n/no/such/dir')" "a working directory missing in the image"
    echo "$base" > "$BUNDLE/config.json"
    add_hook createRuntime '{"path": "/bin/true"}'
    root_fstype_args ''
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_eq "$OUT" overlay "a createRuntime hook"
    assert_nothing_left
}

# Bad input: one line, non-zero, nothing made.
test_image_bad_input() {
    img_setup
    rtc run --image "$TEST_DIR/missing.sqfs" --bundle "$BUNDLE" "$CID"
    assert_fail_with "--image: $TEST_DIR/missing.sqfs: No such file or directory"
    echo "not an image" > "$TEST_DIR/text.sqfs"
    rtc run --image "$TEST_DIR/text.sqfs" --bundle "$BUNDLE" "$CID"
    assert_fail_with "--image: $TEST_DIR/text.sqfs: not a squashfs image"
    # The magic number and nothing else: squashfs refuses it, in its own words.
    { printf hsqs; head -c 4096 /dev/zero; } > "$TEST_DIR/broken.sqfs"
    rtc run --image "$TEST_DIR/broken.sqfs" --bundle "$BUNDLE" "$CID"
    assert_fail_with "squashfuse: "
    rtc run --image "$TEST_DIR" --bundle "$BUNDLE" "$CID"
    assert_fail_with "not a squashfs image"
    rtc run --image "" --bundle "$BUNDLE" "$CID"
    assert_fail_with "--image: must not be empty"
    cfg '.annotations["io.github.burrow.image"] = "missing.sqfs"'
    rtc run --bundle "$BUNDLE" "$CID"
    assert_fail_with "config.json: annotations: io.github.burrow.image: $BUNDLE/missing.sqfs"
    cfg 'del(.annotations)'
    # Refused in the child after squashfuse started: it ends, nothing is left.
    cfg '.process.cwd = "/bin/sh/x"'
    rtc run --image "$IMAGE" --bundle "$BUNDLE" "$CID"
    assert_fail_with "process.cwd"
    rtc list -q
    assert_eq "$OUT" "" "containers after the failures"
    assert_nothing_left
}

run_tests "$@"
