/*
 * floor: the bare reference for bench/run.
 *
 * Does only what the kernel must for the container that `runc spec --rootless`
 * (or, with --root, `runc spec`) describes with args ["/bin/true"], and
 * nothing a runtime does besides: no JSON, no state, no cgroups, no hooks,
 * no seccomp (the peers' default configs have none either), no handshake
 * (the child writes its own single-id maps). It is the floor no runtime can
 * beat on this machine.
 *
 *   floor ROOTFS          rootless: user+mount+pid+ipc+uts namespaces, own id -> 0
 *   floor --root ROOTFS   as root:  mount+pid+ipc+uts+network namespaces, no user namespace
 *   floor ROOTFS CMD...   runs CMD instead of /bin/true (to look at what the floor builds)
 *   floor --cgroup DIR [--cgroup DIR]... ROOTFS
 *                         also the least cgroup work: makes DIR/floor-PID in each DIR (one per
 *                         v1 hierarchy, or one cgroup2 directory), moves the child into them,
 *                         removes them after its exit (bench/run gives the hierarchies burrow's
 *                         rootless default joins: "make and join one cgroup", per hierarchy)
 *
 * Build: gcc -static -O2 -o floor floor.c
 *
 * The steps, in the order runc/crun take them:
 *   parent: clone(namespaces) and wait
 *   child:  write uid_map/gid_map (setgroups deny) [rootless]
 *           make / recursively private, bind ROOTFS onto itself
 *           mount the config's mounts: proc, tmpfs /dev, devpts, shm, mqueue,
 *             /sys (rbind ro rootless, sysfs as root), /sys/fs/cgroup (rbind ro of the host's)
 *           default devices (bind from the host rootless, mknod as root), /dev symlinks
 *           pivot_root, detach the old root
 *           maskedPaths, readonlyPaths, read-only root, hostname
 *           rlimits, capabilities (bounding, effective, permitted, ambient), no_new_privs
 *           execve /bin/true
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int as_root;

static void die(const char *what, const char *arg)
{
    int e = errno;
    char buf[512];
    int n = snprintf(buf, sizeof buf, "floor: %s %s: %s\n", what, arg ? arg : "", strerror(e));
    if (n > 0)
        (void)!write(2, buf, (size_t)n);
    _exit(125);
}

static void write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        die("open", path);
    if (write(fd, data, strlen(data)) < 0)
        die("write", path);
    close(fd);
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
    if (mount(src, dst, type, flags, data) < 0)
        die("mount", dst);
}

/* A bind remount must keep the flags the kernel locked on the mount (nosuid,
 * nodev, noexec, atime); like runc, retry with them when the plain one fails. */
static void remount_ro(const char *path, unsigned long extra)
{
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | extra;
    if (mount(NULL, path, NULL, flags, NULL) == 0)
        return;
    struct statvfs sv;
    if (statvfs(path, &sv) < 0)
        die("statvfs", path);
    static const struct { unsigned long st, ms; } map[] = {
        {ST_NOSUID, MS_NOSUID}, {ST_NODEV, MS_NODEV}, {ST_NOEXEC, MS_NOEXEC},
        {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (sv.f_flag & map[i].st)
            flags |= map[i].ms;
    do_mount(NULL, path, NULL, flags, NULL);
}

static void mkdir_p1(const char *path, mode_t mode)
{
    if (mkdir(path, mode) < 0 && errno != EEXIST)
        die("mkdir", path);
}

static void mounts(void)
{
    /* Relative to the new root (the cwd). */
    do_mount("proc", "proc", "proc", 0, NULL);
    do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    mkdir_p1("dev/pts", 0755);
    do_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
             as_root ? "newinstance,ptmxmode=0666,mode=0620,gid=5" : "newinstance,ptmxmode=0666,mode=0620");
    mkdir_p1("dev/shm", 0755);
    do_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
    mkdir_p1("dev/mqueue", 0755);
    do_mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
    if (as_root) {
        do_mount("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
    } else {
        /* Without a network namespace of its own, a user namespace may not mount sysfs. */
        do_mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL);
        remount_ro("sys", MS_NOSUID | MS_NOEXEC | MS_NODEV);
    }
    /* /sys/fs/cgroup without a cgroup namespace: the host's hierarchies, read-only. */
    do_mount("/sys/fs/cgroup", "sys/fs/cgroup", NULL, MS_BIND | MS_REC, NULL);
    remount_ro("sys/fs/cgroup", MS_NOSUID | MS_NOEXEC | MS_NODEV);

    /* The default devices. */
    static const struct { const char *name; unsigned maj, min; } devs[] = {
        {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"tty", 5, 0}, {"random", 1, 8}, {"urandom", 1, 9},
    };
    char dst[64], src[64];
    umask(0);
    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        snprintf(dst, sizeof dst, "dev/%s", devs[i].name);
        if (as_root) {
            if (mknod(dst, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) < 0)
                die("mknod", dst);
        } else {
            snprintf(src, sizeof src, "/dev/%s", devs[i].name);
            int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
            if (fd < 0)
                die("create", dst);
            close(fd);
            do_mount(src, dst, NULL, MS_BIND, NULL);
        }
    }
    umask(022);
    static const char *links[][2] = {
        {"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"}, {"/proc/self/fd/1", "dev/stdout"},
        {"/proc/self/fd/2", "dev/stderr"}, {"pts/ptmx", "dev/ptmx"}, {"/proc/kcore", "dev/core"},
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
            die("symlink", links[i][1]);
}

static void mask_paths(void)
{
    static const char *masked[] = {
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    };
    for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
        if (mount("/dev/null", masked[i], NULL, MS_BIND, NULL) == 0)
            continue;
        if (errno == ENOENT)
            continue;
        if (errno == ENOTDIR)
            do_mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
        else
            die("mask", masked[i]);
    }
    static const char *ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT)
                continue;
            die("bind", ro[i]);
        }
        remount_ro(ro[i], MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }
}

static void capabilities(void)
{
    const unsigned long keep = (1UL << CAP_AUDIT_WRITE) | (1UL << CAP_KILL) | (1UL << CAP_NET_BIND_SERVICE);
    for (int c = 0; c <= 63; c++) {
        if (keep & (1UL << c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                break; /* past the kernel's last capability */
            die("capbset drop", NULL);
        }
    }
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    data[0].effective = data[0].permitted = (unsigned)keep;
    if (syscall(SYS_capset, &hdr, data) < 0)
        die("capset", NULL);
    /* The config lists ambient capabilities but no inheritable ones; like runc,
     * try and ignore the refusal. */
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_AUDIT_WRITE, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0);
}

static int child(const char *rootfs, uid_t uid, gid_t gid, char **cmd)
{
    char buf[64];
    if (!as_root) {
        /* A process may map its own id in the user namespace it created. */
        write_file("/proc/self/setgroups", "deny");
        snprintf(buf, sizeof buf, "0 %u 1\n", (unsigned)uid);
        write_file("/proc/self/uid_map", buf);
        snprintf(buf, sizeof buf, "0 %u 1\n", (unsigned)gid);
        write_file("/proc/self/gid_map", buf);
    }
    do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    do_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
    if (chdir(rootfs) < 0)
        die("chdir", rootfs);
    mounts();
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        die("pivot_root", rootfs);
    if (umount2(".", MNT_DETACH) < 0)
        die("umount old root", NULL);
    if (chdir("/") < 0)
        die("chdir", "/");
    mask_paths();
    remount_ro("/", 0);
    if (sethostname("runc", 4) < 0)
        die("sethostname", NULL);

    struct rlimit rl = {1024, 1024};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit", NULL);
    if (as_root && setgroups(0, NULL) < 0)
        die("setgroups", NULL);
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        die("setresuid", NULL);
    capabilities();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die("no_new_privs", NULL);

    static char *true_argv[] = {"/bin/true", NULL};
    char **argv = cmd[0] ? cmd : true_argv;
    char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
                    "HOME=/root", "HOSTNAME=runc", NULL};
    execve(argv[0], argv, envp);
    die("execve", argv[0]);
    return 125;
}

int main(int argc, char **argv)
{
    int i = 1;
    const char *cgroup_parents[16];
    char cgroups[16][512];
    int n_cgroups = 0;
    for (;;) {
        if (i < argc && strcmp(argv[i], "--root") == 0) {
            as_root = 1;
            i++;
        } else if (i + 1 < argc && strcmp(argv[i], "--cgroup") == 0 && n_cgroups < 16) {
            cgroup_parents[n_cgroups++] = argv[i + 1];
            i += 2;
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: floor [--root] [--cgroup DIR]... ROOTFS [CMD...]\n");
        return 2;
    }
    for (int c = 0; c < n_cgroups; c++) {
        snprintf(cgroups[c], sizeof cgroups[c], "%s/floor-%d", cgroup_parents[c], (int)getpid());
        if (mkdir(cgroups[c], 0755) < 0) {
            int e = errno;
            for (int made = 0; made < c; made++) /* nothing left behind */
                rmdir(cgroups[made]);
            errno = e;
            die("mkdir", cgroups[c]);
        }
    }
    const char *rootfs = argv[i];
    uid_t uid = getuid();
    gid_t gid = getgid();
    unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
    flags |= as_root ? CLONE_NEWNET : CLONE_NEWUSER;

    /* fork-like clone: no new stack, the child only makes syscalls and execs. */
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0)
        die("clone", NULL);
    if (pid == 0)
        _exit(child(rootfs, uid, gid, argv + i + 1));
    char procs[600], pidtext[16];
    snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
    for (int c = 0; c < n_cgroups; c++) {
        snprintf(procs, sizeof procs, "%.511s/cgroup.procs", cgroups[c]);
        int fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, pidtext, strlen(pidtext)) < 0) {
            int e = errno;
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            for (int made = 0; made < n_cgroups; made++) /* nothing left behind */
                rmdir(cgroups[made]);
            errno = e;
            die("join", procs);
        }
        close(fd);
    }

    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid", NULL);
    for (int c = 0; c < n_cgroups; c++)
        if (rmdir(cgroups[c]) < 0)
            die("rmdir", cgroups[c]);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
