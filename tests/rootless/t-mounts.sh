# shellcheck shell=bash
# Mounts, devices, masked and read-only paths, the root filesystem.
# Mount points are existing directories of the shared rootfs (/run, /home/user,
# /var/tmp, /root, /tmp) or live under the /dev tmpfs, so tests do not create
# directories in the shared rootfs; tests that need new ones copy the rootfs.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# has_opt "MOUNT LINE" OPT: the option list (3rd field) holds OPT.
has_opt() {
    local opts
    opts=$(awk '{print $3}' <<< "$1")
    case ",$opts," in *",$2,"*) return 0 ;; esac
    return 1
}
assert_opt() {  # DEST OPT...
    local l o
    l=$(mount_line "$1") || fail "no mount at $1"
    shift
    for o in "$@"; do has_opt "$l" "$o" || fail "mount $l: no option $o"; done
}

test_bind_ro() {
    mkdir -p "$TEST_DIR/data"
    echo hello > "$TEST_DIR/data/file"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"ro\"]}"
    probe_ok read /run/file write /run/new dump
    assert_line read:/run/file 'ok:hello\n'
    assert_line write:/run/new EROFS
    assert_opt /run ro
    [ ! -e "$TEST_DIR/data/new" ] || fail "file created through a read-only bind"
}

test_bind_rw() {
    mkdir -p "$TEST_DIR/data"
    add_mount "{\"destination\": \"/run\", \"type\": \"none\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"rw\"]}"
    probe_ok write /run/new
    assert_line write:/run/new ok
    assert_eq "$(cat "$TEST_DIR/data/new")" probe "file written through the bind"
    assert_eq "$(stat -c %u "$TEST_DIR/data/new")" "$MY_UID" "owner of the file (container root = caller)"
}

test_bind_file() {
    echo bound-file > "$TEST_DIR/hostname"
    add_mount "{\"destination\": \"/etc/hostname\", \"type\": \"bind\", \"source\": \"$TEST_DIR/hostname\", \"options\": [\"bind\", \"ro\"]}"
    probe_ok read /etc/hostname
    assert_line read:/etc/hostname 'ok:bound-file\n'
}

test_bind_missing_destination_created() {
    mkdir -p "$TEST_DIR/data"
    touch "$TEST_DIR/data/marker" "$TEST_DIR/file"
    add_mount "{\"destination\": \"/dev/new/dir\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\"]}"
    add_mount "{\"destination\": \"/dev/new/file\", \"type\": \"bind\", \"source\": \"$TEST_DIR/file\", \"options\": [\"bind\"]}"
    probe_ok ls /dev/new/dir stat /dev/new/file
    assert_line ls:/dev/new/dir ok:marker
    assert_match "$(pv stat:/dev/new/file)" '^ok:file ' "file mount point"
}

test_bind_options_nosuid_nodev_noexec() {
    mkdir -p "$TEST_DIR/data"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"nosuid\", \"nodev\", \"noexec\"]}"
    probe_ok
    assert_opt /run nosuid nodev noexec
}

test_noexec_blocks_exec() {
    mkdir -p "$TEST_DIR/bin"
    cp "$ROOTFS/probe" "$TEST_DIR/bin/probe"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/bin\", \"options\": [\"bind\", \"noexec\"]}"
    set_args /run/probe echo ran
    probe_run
    [ "$RC" != 0 ] || fail "executed a binary on a noexec mount"
    # control: the same without noexec runs
    cfg '.mounts[-1].options = ["bind"]'
    probe_run
    assert_ok
    assert_eq "$OUT" ran "stdout"
}

test_rbind_keeps_submounts() {
    # host /dev has devpts and shm mounted below it
    add_mount '{"destination": "/run", "type": "bind", "source": "/dev", "options": ["rbind", "nosuid", "noexec"]}'
    probe_ok
    mount_line /run >/dev/null || fail "no mount at /run"
    mount_line /run/pts >/dev/null || fail "rbind did not bring /dev/pts along"
    mount_line /run/shm >/dev/null || fail "rbind did not bring /dev/shm along"
}

test_tmpfs_size_mode() {
    # (On an existing mount point runc chmods the tmpfs back to the mount
    # point's mode, overriding mode=; a new mount point avoids that quirk.)
    add_mount '{"destination": "/dev/tmpfs-test", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]}'
    probe_ok stat /dev/tmpfs-test write /dev/tmpfs-test/f dump
    assert_match "$(mount_line /dev/tmpfs-test)" '^/dev/tmpfs-test tmpfs ' "mount"
    assert_opt /dev/tmpfs-test nosuid nodev noexec size=1024k mode=700
    assert_match "$(pv stat:/dev/tmpfs-test)" '^ok:dir 0700 ' "tmpfs root"
    assert_line write:/dev/tmpfs-test/f ok
}

test_tmpfs_on_existing_dir() {
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
    probe_ok write /tmp/f ls /tmp dump
    assert_match "$(mount_line /tmp)" '^/tmp tmpfs ' "/tmp mount"
    assert_line write:/tmp/f ok
    assert_line ls:/tmp ok:f
}

test_proc() {
    probe_ok ls /proc stat /proc/self dump
    assert_match "$(mount_line /proc)" '^/proc proc ' "/proc mount"
    # its own pid namespace: pid 1 is the probe
    assert_contains ",$(pv ls:/proc | sed 's/^ok://')," ",1," "/proc entries"
    assert_match "$(pv stat:/proc/self)" '^ok:lnk .* -> 1$' "/proc/self"
}

test_sysfs_in_new_netns() {
    add_ns network
    del_mount /sys
    add_mount '{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}'
    del_mount /sys/fs/cgroup
    probe_ok ls /sys/class/net dump
    assert_match "$(mount_line /sys)" '^/sys sysfs ' "/sys mount"
    assert_opt /sys ro
    assert_line ls:/sys/class/net ok:lo
}

# runc 1.1.5 fails here ("mount sysfs ... operation not permitted"); crun and
# newer runc fall back to binding /sys, and so must burrow.
test_sysfs_host_netns_becomes_bind() {
    # Without a private network namespace a user namespace may not mount
    # sysfs: the runtime binds the host's /sys instead (as runc and crun do).
    del_ns network
    del_mount /sys
    del_mount /sys/fs/cgroup
    add_mount '{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}'
    probe_ok ls /sys/class/net dump
    assert_match "$(mount_line /sys)" '^/sys sysfs ' "/sys mount"
    assert_opt /sys ro
    assert_eq "$(pv ls:/sys/class/net)" "ok:$(ls /sys/class/net | sort | paste -sd, -)" "/sys/class/net (the host's)"
}

test_devpts_newinstance_ptmx() {
    probe_ok ls /dev/pts stat /dev/ptmx write /dev/ptmx dump
    assert_match "$(mount_line /dev/pts)" '^/dev/pts devpts ' "/dev/pts mount"
    assert_opt /dev/pts nosuid noexec
    # a new instance: none of the host's terminals
    assert_line ls:/dev/pts ok:ptmx
    # /dev/ptmx: a symlink to pts/ptmx, or a bind of it
    assert_match "$(pv stat:/dev/ptmx)" '^ok:(lnk [0-7]+ [0-9]+:[0-9]+ -> pts/ptmx|chr [0-7]+ [0-9]+:[0-9]+ 5,2)$' "/dev/ptmx"
    assert_line write:/dev/ptmx ok
}

test_mqueue() {
    probe_ok
    assert_match "$(mount_line /dev/mqueue)" '^/dev/mqueue mqueue ' "/dev/mqueue mount"
    assert_opt /dev/mqueue nosuid nodev noexec
}

test_shm() {
    probe_ok stat /dev/shm write /dev/shm/x dump
    assert_match "$(mount_line /dev/shm)" '^/dev/shm tmpfs ' "/dev/shm mount"
    assert_match "$(pv stat:/dev/shm)" '^ok:dir 1777 ' "/dev/shm"
    assert_line write:/dev/shm/x ok
}

# Without a cgroup namespace on cgroup v1, runc mounts a tmpfs with the
# hierarchies bound below it read-only, but leaves the tmpfs itself writable
# despite "ro": burrow must honour ro for the whole /sys/fs/cgroup.
test_cgroup_mount() {
    probe_ok ls /sys/fs/cgroup dump
    mount_line /sys/fs/cgroup >/dev/null || fail "nothing mounted at /sys/fs/cgroup"
    assert_opt /sys/fs/cgroup ro
    assert_ne "$(pv ls:/sys/fs/cgroup)" "ok:" "/sys/fs/cgroup content"
}

test_cgroup_mount_with_cgroupns() {
    add_ns cgroup
    probe_ok ls /sys/fs/cgroup dump
    mount_line /sys/fs/cgroup >/dev/null || fail "nothing mounted at /sys/fs/cgroup"
    assert_ne "$(pv ls:/sys/fs/cgroup)" "ok:" "/sys/fs/cgroup content"
}

test_default_devices() {
    probe_ok stat /dev/null stat /dev/zero stat /dev/full stat /dev/random stat /dev/urandom stat /dev/tty \
        write /dev/null write /dev/full read /dev/null read /dev/urandom
    assert_match "$(pv stat:/dev/null)" '^ok:chr 0666 [0-9]+:[0-9]+ 1,3$' "/dev/null"
    assert_match "$(pv stat:/dev/zero)" '^ok:chr 0666 [0-9]+:[0-9]+ 1,5$' "/dev/zero"
    assert_match "$(pv stat:/dev/full)" '^ok:chr 0666 [0-9]+:[0-9]+ 1,7$' "/dev/full"
    assert_match "$(pv stat:/dev/random)" '^ok:chr 0666 [0-9]+:[0-9]+ 1,8$' "/dev/random"
    assert_match "$(pv stat:/dev/urandom)" '^ok:chr 0666 [0-9]+:[0-9]+ 1,9$' "/dev/urandom"
    assert_match "$(pv stat:/dev/tty)" '^ok:chr 0666 [0-9]+:[0-9]+ 5,0$' "/dev/tty"
    assert_line write:/dev/null ok
    assert_line write:/dev/full ENOSPC
    assert_line read:/dev/null ok:
    assert_match "$(pv read:/dev/urandom)" '^ok:.' "/dev/urandom"
    probe_ok read /dev/zero
    assert_match "$(pv read:/dev/zero)" '^ok:(\\x00)+$' "/dev/zero"
}

test_config_devices() {
    # In a user namespace mknod of a device is refused: burrow binds the host's
    # node (as runc and crun do); a FIFO needs no privilege and is made.
    # "u" (unbuffered) is a character device to the kernel. (runc 1.1 binds
    # the FIFO from the host too, and fails.)
    cfg '.linux.devices = [
        {path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438},
        {path: "/dev/net/tun", type: "u", major: 10, minor: 200, fileMode: 438},
        {path: "/dev/myfifo", type: "p", fileMode: 384, uid: 0, gid: 0}]'
    probe_ok stat /dev/fuse stat /dev/net/tun stat /dev/myfifo
    assert_match "$(pv stat:/dev/fuse)" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 10,229$' "/dev/fuse"
    assert_match "$(pv stat:/dev/net/tun)" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 10,200$' "/dev/net/tun"
    assert_match "$(pv stat:/dev/myfifo)" '^ok:fifo 0600 0:0$' "/dev/myfifo"
}

# Outside /dev, where the config says (as runc and crun); in a user namespace
# the host's node of that number is bound (there is no /tmp/fuse on the host).
test_config_device_outside_dev() {
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
    cfg '.linux.devices = [{path: "/tmp/fuse", type: "c", major: 10, minor: 229},
                           {path: "/tmp/sub/null", type: "c", major: 1, minor: 3}]'
    probe_ok stat /tmp/fuse stat /tmp/sub/null write /tmp/sub/null
    assert_match "$(pv stat:/tmp/fuse)" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 10,229$' "/tmp/fuse"
    assert_match "$(pv stat:/tmp/sub/null)" '^ok:chr [0-7]+ [0-9]+:[0-9]+ 1,3$' "/tmp/sub/null"
    assert_line write:/tmp/sub/null ok
}

test_config_device_no_host_node() {
    burrow_only "wording"
    cfg '.linux.devices = [{path: "/dev/odd", type: "c", major: 250, minor: 250}]'
    capture rt run --bundle "$BUNDLE" "$CID"
    assert_fail_with 'linux.devices: /dev/odd: the host has no character device 250:250 to bind'
}

HOSTDEV=$BURROW_TEST_DIR/hostdev
# hostdev_snapshot: every entry of the bound-in /dev with type, mode, owner,
# device number, size, mtime and content.
hostdev_snapshot() {
    (cd "$HOSTDEV" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | sort &&
        stat -c '%n %t:%T' ./null ./zero ./tty ./ptmx && cat ./marker)
}

# A config binding a host directory onto /dev: burrow makes, replaces,
# chmods and chowns nothing in it, through run, exec and delete.
test_host_dev_bound_in_left_alone() {
    [ -c "$HOSTDEV/ptmx" ] || fail "$HOSTDEV is missing (setup-host.sh makes it)"
    local before after
    before=$(hostdev_snapshot)
    cfg --arg d "$HOSTDEV" '.mounts |= map(if .destination == "/dev" then
            {destination: "/dev", type: "bind", source: $d, options: ["rbind", "nosuid"]} else . end)
        | .linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229}]'
    probe_ok stat /dev/null stat /dev/ptmx ls /dev
    assert_match "$(pv stat:/dev/ptmx)" '^ok:chr 0000 ' "/dev/ptmx (the host's node)"
    assert_eq "$(pv ls:/dev)" "ok:marker,mqueue,null,ptmx,pts,shm,tty,zero" "/dev"
    probe_args wait-file /nonexistent 30
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    rtc exec "$CID" /probe stat /dev/tty
    assert_ok
    kill_and_delete "$CID"
    after=$(hostdev_snapshot)
    assert_eq "$after" "$before" "the bound-in /dev"
}

# A mount point missing there is made (an empty directory, as runc makes it);
# nothing else in the bound-in /dev changes.
test_host_dev_bound_in_missing_mount_point() {
    local before
    [ ! -e "$HOSTDEV/hugepages" ] || rmdir "$HOSTDEV/hugepages" || fail "$HOSTDEV/hugepages left from a run"
    before=$(hostdev_snapshot)
    cfg --arg d "$HOSTDEV" '.mounts |= map(if .destination == "/dev" then
            {destination: "/dev", type: "bind", source: $d, options: ["rbind"]} else . end)'
    add_mount '{"destination": "/dev/hugepages", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
    probe_ok dump
    assert_match "$(mount_line /dev/hugepages)" 'tmpfs' "/dev/hugepages"
    local made
    made=$(stat -c '%F %a' "$HOSTDEV/hugepages" 2>&1)
    rmdir "$HOSTDEV/hugepages" 2>/dev/null
    assert_eq "$made" "directory 755" "the mount point made"
    # (the directory's own mtime moved with the mount point's mkdir and rmdir)
    assert_eq "$(hostdev_snapshot | grep -v '^\. d ')" "$(grep -v '^\. d ' <<< "$before")" "the rest of the bound-in /dev"
}

# podman's secrets: an empty directory bound on /run/secrets, then each secret
# file bound into it; a volume over /etc without resolv.conf, then the
# container's resolv.conf bound onto /etc/resolv.conf. The mount points are
# made in the bound directories (files for file binds), nothing else.
test_mount_points_made_below_bind_targets() {
    writable_rootfs
    rm -rf "$TEST_DIR/rootfs/run/secrets"
    mkdir -p "$TEST_DIR/secrets" "$TEST_DIR/etcvol"
    printf s3cret > "$TEST_DIR/s1"
    printf "nameserver 192.0.2.1" > "$TEST_DIR/resolv.conf"
    printf vol > "$TEST_DIR/etcvol/marker"
    add_mount "{\"destination\": \"/run/secrets\", \"type\": \"bind\", \"source\": \"$TEST_DIR/secrets\", \"options\": [\"rbind\"]}"
    add_mount "{\"destination\": \"/run/secrets/s1\", \"type\": \"bind\", \"source\": \"$TEST_DIR/s1\", \"options\": [\"bind\", \"ro\"]}"
    add_mount "{\"destination\": \"/etc\", \"type\": \"bind\", \"source\": \"$TEST_DIR/etcvol\", \"options\": [\"rbind\"]}"
    add_mount "{\"destination\": \"/etc/resolv.conf\", \"type\": \"bind\", \"source\": \"$TEST_DIR/resolv.conf\", \"options\": [\"bind\"]}"
    add_mount "{\"destination\": \"/etc/sub/dir\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}"
    probe_ok read /run/secrets/s1 read /etc/resolv.conf read /etc/marker dump
    assert_line read:/run/secrets/s1 "ok:s3cret"
    assert_line read:/etc/resolv.conf "ok:nameserver 192.0.2.1"
    assert_line read:/etc/marker "ok:vol"
    assert_match "$(mount_line /etc/sub/dir)" 'tmpfs' "/etc/sub/dir"
    assert_eq "$(stat -c '%F %s' "$TEST_DIR/secrets/s1")" "regular empty file 0" "the secret's mount point"
    assert_eq "$(stat -c '%F' "$TEST_DIR/etcvol/resolv.conf")" "regular empty file" "resolv.conf's mount point"
    assert_eq "$(stat -c '%F' "$TEST_DIR/etcvol/sub/dir")" "directory" "a directory mount point"
}

# A symlink in the bound directory cannot lead the mount point's creation out
# of the rootfs: it resolves inside it.
test_mount_point_below_bind_symlink_stays_inside() {
    writable_rootfs
    mkdir -p "$TEST_DIR/vol" "$TEST_DIR/outside"
    ln -s "$TEST_DIR/outside" "$TEST_DIR/vol/link"
    add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$TEST_DIR/vol\", \"options\": [\"rbind\"]}"
    add_mount '{"destination": "/mnt/link/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
    probe_ok dump
    assert_eq "$(ls -A "$TEST_DIR/outside")" "" "the directory the symlink names on the host"
    [ -d "$TEST_DIR/rootfs/$TEST_DIR/outside/x" ] || fail "the mount point was not made inside the rootfs"
}

test_dev_symlinks() {
    probe_ok stat /dev/fd stat /dev/stdin stat /dev/stdout stat /dev/stderr
    assert_match "$(pv stat:/dev/fd)" '^ok:lnk .* -> /proc/self/fd$' "/dev/fd"
    assert_match "$(pv stat:/dev/stdin)" '^ok:lnk .* -> /proc/self/fd/0$' "/dev/stdin"
    assert_match "$(pv stat:/dev/stdout)" '^ok:lnk .* -> /proc/self/fd/1$' "/dev/stdout"
    assert_match "$(pv stat:/dev/stderr)" '^ok:lnk .* -> /proc/self/fd/2$' "/dev/stderr"
}

test_dev_has_no_host_devices() {
    probe_ok ls /dev
    local l
    l=",$(pv ls:/dev | sed 's/^ok://'),"
    local d
    for d in mem kmem port kmsg vda sda loop0 fuse net; do
        assert_not_contains "$l" ",$d," "/dev"
    done
}

test_masked_paths() {
    # (this kernel has no /proc/kcore; a missing masked path is skipped)
    cfg '.linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/proc/acpi", "/etc/passwd", "/home", "/proc/nosuch"]'
    probe_ok read /proc/keys ls /proc/acpi read /etc/passwd ls /home write /home/x
    assert_line read:/proc/keys ok:
    assert_line ls:/proc/acpi ok:
    assert_line read:/etc/passwd ok:
    assert_line ls:/home ok:
    # (a masked file is /dev/null: writing to it "succeeds", into nothing)
    assert_ne "$(pv write:/home/x)" ok "write into a masked directory"
}

test_readonly_paths() {
    del_mount /tmp
    add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
    cfg '.linux.readonlyPaths = ["/tmp", "/proc/sys", "/proc/nosuch"]'
    probe_ok write /tmp/x write /proc/sys/kernel/hostname dump
    assert_line write:/tmp/x EROFS
    assert_ne "$(pv write:/proc/sys/kernel/hostname)" ok "write to /proc/sys"
    assert_opt /tmp ro
    assert_opt /proc/sys ro
}

test_readonly_path_in_writable_rootfs() {
    writable_rootfs
    cfg '.linux.readonlyPaths = ["/etc"]'
    probe_ok write /etc/x write /root/x
    assert_line write:/etc/x EROFS
    assert_line write:/root/x ok
}

test_root_readonly() {
    probe_ok write "/ro-$CID" write "/root/ro-$CID" dump
    assert_line "write:/ro-$CID" EROFS
    assert_line "write:/root/ro-$CID" EROFS
    assert_opt / ro
}

test_root_writable() {
    writable_rootfs
    probe_ok write /newfile
    assert_line write:/newfile ok
    [ -f "$TEST_DIR/rootfs/newfile" ] || fail "the file is not in the rootfs"
}

test_root_relative_path() {
    # root.path relative to the bundle
    cp -a "$ROOTFS" "$BUNDLE/rootfs" || fail "cp"
    echo bundle-rootfs > "$BUNDLE/rootfs/marker"
    cfg '.root.path = "rootfs"'
    # run from elsewhere: "rootfs" is the bundle's, not the caller's cwd's
    mkdir "$TEST_DIR/elsewhere" && cd "$TEST_DIR/elsewhere" || fail "cd"
    probe_ok dump read /marker
    assert_line pid 1
    assert_line read:/marker 'ok:bundle-rootfs\n'
}

test_rootfs_propagation_private() {
    cfg '.linux.rootfsPropagation = "private"'
    probe_ok
    assert_match "$(mount_line /)" ' prop=private$' "/ propagation"
}

# runc 1.1 leaves / private whatever rootfsPropagation says; the spec (and
# crun) make the container's / carry it.
test_rootfs_propagation_shared() {
    cfg '.linux.rootfsPropagation = "shared"'
    probe_ok
    assert_match "$(mount_line /)" ' prop=shared:[0-9]+' "/ propagation"
}

# Recursively shared: the tmpfs on the container's /sys/fs/cgroup reaches its
# peer, the /sys/fs/cgroup burrow's own binds of the container's cgroups come
# from (v1 and hybrid hosts); they are opened before the first mount.
test_rootfs_propagation_rshared() {
    cfg '.linux.rootfsPropagation = "rshared"'
    probe_ok
    assert_match "$(mount_line /)" ' prop=shared:[0-9]+' "/ propagation"
}

test_mount_propagation_option() {
    mkdir -p "$TEST_DIR/data"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"rbind\", \"rshared\"]}"
    probe_ok
    assert_match "$(mount_line /run)" ' prop=shared:[0-9]+' "/run propagation"
}

# The kernel locks a host mount's atime flags in a user namespace: a bind
# asking for others keeps the source's (as runc and crun), gets the rest, and
# --debug says what was kept.
atime_of() { # the atime word of the mount holding $1, as the host sees it
    local o
    o=$(findmnt -n -o OPTIONS -T "$1")
    case ,$o, in *,noatime,*) echo noatime ;; *,relatime,*) echo relatime ;; *) echo strictatime ;; esac
}
test_bind_locked_atime_kept() {
    burrow_only "runc 1.1.5 refuses the bind (EPERM); newer runc and crun keep the source's flags"
    mkdir -p "$TEST_DIR/data"
    local src want
    src=$(atime_of "$TEST_DIR/data")
    want=strictatime
    [ "$src" = strictatime ] && want=noatime
    add_mount "{\"destination\": \"/root\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"rbind\", \"$want\", \"nodiratime\", \"ro\"]}"
    probe_args dump write /root/x
    rtc --debug run --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line write:/root/x EROFS
    local l
    l=$(mount_line /root) || fail "/root is not a mount"
    if [ "$src" = strictatime ]; then assert_not_contains "$l" noatime "/root keeps the source's strictatime"
    else assert_contains "$l" ",$src" "/root keeps the source's $src"; fi
    assert_not_contains "$l" nodiratime "/root keeps the source's diratime"
    if [ "$RT_KIND" = burrow ]; then
        assert_contains "$ERR" "$want not applied: kept $src" "the debug log"
    fi
}

# SELinux labels on a host without SELinux: ignored with a --debug line (they
# mean nothing there); where SELinux is on, burrow refuses them.
test_selinux_labels_ignored_without_selinux() {
    burrow_only "runc 1.1.5 refuses the label without SELinux; crun 1.8.1 fails writing keycreate"
    [ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled on this host"
    cfg '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
        | .process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
    probe_args wait-file /nonexistent 30
    rtc --debug run -d --bundle "$BUNDLE" "$CID"
    assert_ok
    if [ "$RT_KIND" = burrow ]; then
        assert_match "$ERR" 'linux.mountLabel .*container_file_t.* ignored: SELinux is not enabled' "debug log"
        assert_match "$ERR" 'process.selinuxLabel .*container_t.* ignored: SELinux is not enabled' "debug log"
    fi
    rtc exec --process-label system_u:system_r:container_t:s0 "$CID" /probe echo hi
    assert_ok
    assert_contains "$OUT" hi "exec --process-label"
    kill_and_delete "$CID"
}

# Rootless, the kernel idmaps no host filesystem (only one whose user
# namespace the caller owns): refused in one line saying so, nothing left.
test_idmap_rootless_refused_in_one_line() {
    mkdir -p "$TEST_DIR/data"
    add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"idmap\"]}"
    probe_run
    assert_fail_with 'idmapped mounts need root'
}

test_symlink_destination_stays_inside() {
    # A mount destination that is a symlink pointing outside the rootfs must
    # be resolved inside the rootfs: the host directory stays untouched.
    local host="$TEST_DIR/host-dir"
    evil_symlink_mount "$host"
    probe_run write /evil/pwned ls /evil dump
    assert_eq "$(ls -A "$host")" sentinel "host directory content"
    grep -q " $host " /proc/self/mountinfo && fail "a mount appeared on the host directory"
    if [ "$RC" = 0 ]; then
        # the tmpfs landed at the symlink's target inside the rootfs
        assert_line write:/evil/pwned ok
        assert_line ls:/evil ok:pwned
        assert_match "$(mount_line "$host")" "^$host tmpfs " "tmpfs at the resolved in-root path"
        [ -d "$TEST_DIR/rootfs$host" ] || fail "mount point not created inside the rootfs"
    fi
    # refusing the mount is also safe, but runc and crun follow the link inside
    assert_ok
}

test_symlink_source_inside_container_fs() {
    # a bind mount source is a host path: a symlink there is followed on the host (allowed)
    mkdir -p "$TEST_DIR/data"
    echo via-link > "$TEST_DIR/data/f"
    ln -s "$TEST_DIR/data" "$TEST_DIR/link"
    add_mount "{\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$TEST_DIR/link\", \"options\": [\"bind\"]}"
    probe_ok read /run/f
    assert_line read:/run/f 'ok:via-link\n'
}

test_no_pivot() {
    probe_args read /etc/hostname dump
    capture rt run --no-pivot --bundle "$BUNDLE" "$CID"
    assert_ok
    assert_line read:/etc/hostname 'ok:busybox\n'
    assert_line pid 1
    mount_line / >/dev/null || fail "no root mount"
}

run_tests "$@"
