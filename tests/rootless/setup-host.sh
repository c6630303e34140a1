#!/bin/sh
# Prepares this machine, as root, for running burrow (or a peer runtime) as an
# unprivileged user: the packages, the user with its subordinate id ranges,
# device permissions (this machine has no udev), its runtime directory, and a
# busybox bundle built from Debian's busybox-static.
#
#   tests/rootless/setup-host.sh            # everything, idempotent
#   BURROW_TEST_USER=name BURROW_TEST_DIR=/var/tmp/x tests/rootless/setup-host.sh
#
# Afterwards: $BURROW_TEST_DIR/rootfs is a busybox root owned by the user, and
# `tests/rootless/as-user CMD...` runs CMD as that user.
set -eu
user=${BURROW_TEST_USER:-burrowtest}
dir=${BURROW_TEST_DIR:-/var/tmp/burrow-tests}

[ "$(id -u)" = 0 ] || { echo "setup-host.sh: must run as root" >&2; exit 1; }

need=""
for p in meson ninja-build g++ pkg-config libsystemd-dev nlohmann-json3-dev libseccomp-dev libcap-dev \
         catch2 uidmap busybox-static fuse-overlayfs slirp4netns passt libc6-dev libsubid-dev libyaml-cpp-dev \
         squashfuse squashfs-tools slurm-wlm munge clang libclang-rt-14-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

if ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh "$user"
fi
uid=$(id -u "$user")
gid=$(id -g "$user")
# One range of 65536 subordinate ids each, as adduser gives a new user.
for f in /etc/subuid /etc/subgid; do
    touch "$f"
    grep -q "^$user:" "$f" || echo "$user:200000:65536" >> "$f"
done

for d in /dev/fuse /dev/net/tun; do
    [ -e "$d" ] && chmod 0666 "$d"
done

# What pam_systemd would give a logged-in user.
install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"

# Delegated cgroups, so that limits really bite for the user: one cgroup per
# v1 controller (cgroup v1 and hybrid hosts), or on a cgroup2 host a subtree
# with the controllers enabled and a leaf "tests" for the test processes
# (no internal processes). as-user moves the tests into them; nothing else
# on the host moves.
for c in memory pids cpu cpuacct cpuset freezer blkio; do
    h=/sys/fs/cgroup/$c
    [ "$(stat -f -c %T "$h" 2>/dev/null)" = cgroupfs ] || continue
    h=$(readlink -f "$h")
    mkdir -p "$h/$user"
    if [ "$c" = cpuset ]; then
        for f in cpuset.cpus cpuset.mems; do
            [ -n "$(cat "$h/$user/$f")" ] || cat "$h/$f" > "$h/$user/$f"
        done
    fi
    chown -R "$uid:$gid" "$h/$user"
done
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
    d=/sys/fs/cgroup/$user
    mkdir -p "$d/tests"
    for c in $(cat /sys/fs/cgroup/cgroup.subtree_control); do echo "+$c" > "$d/cgroup.subtree_control" 2>/dev/null || true; done
    chown -R "$uid:$gid" "$d"
fi

install -d -m 0755 -o "$uid" -g "$gid" "$dir"
rootfs="$dir/rootfs"
if [ ! -x "$rootfs/bin/busybox" ]; then
    rm -rf "$rootfs"
    mkdir -p "$rootfs"
    for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp root home/user var/tmp run; do
        mkdir -p "$rootfs/$d"
    done
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    # Install the applets from inside the rootfs so the links point inside it.
    chroot "$rootfs" /bin/busybox --install -s
    printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$rootfs/etc/passwd"
    printf 'root:x:0:\nuser:x:1000:\nnobody:x:65534:\n' > "$rootfs/etc/group"
    echo busybox > "$rootfs/etc/hostname"
    chown -R "$uid:$gid" "$rootfs"
fi
# A stand-in for a host /dev that a config binds in (t-mounts.sh: burrow must
# leave it exactly as it is): root's device nodes, a ptmx of mode 000 as on a
# host whose devpts has ptmxmode=000, in a directory the user may write to.
hostdev="$dir/hostdev"
if [ ! -c "$hostdev/ptmx" ]; then
    rm -rf "$hostdev"
    install -d -m 0755 -o "$uid" -g "$gid" "$hostdev"
    mknod -m 0666 "$hostdev/null" c 1 3
    mknod -m 0640 "$hostdev/zero" c 1 5
    mknod -m 0600 "$hostdev/tty" c 5 0
    mknod -m 0000 "$hostdev/ptmx" c 5 2
    mkdir -m 0755 "$hostdev/pts" "$hostdev/shm" "$hostdev/mqueue"
    echo "the host's" > "$hostdev/marker"
    chown "$uid:$gid" "$hostdev/marker"
fi
# The NOTIFY_SOCKET relay binds a directory on /run/notify: its mount point is
# made here, so that the tests using it do not create it in the shared rootfs.
[ -d "$rootfs/run/notify" ] || install -d -m 0755 -o "$uid" -g "$gid" "$rootfs/run/notify"
echo "setup-host: user $user ($uid), rootfs $rootfs"
