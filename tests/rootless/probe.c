/*
 * probe: reports what a container process sees, one `key=value` per line, so
 * the rootless integration tests can compare reality with config.json.
 * Built static (gcc -static -O2) and installed as /probe in the test rootfs.
 *
 *   probe                   full report (also when argv[1] is not a command;
 *                           the arguments are reported as arg.N=...)
 * Mounts are reported as
 *   mount=MOUNTPOINT FSTYPE OPTIONS src=SOURCE root=ROOT prop=PROPAGATION
 * OPTIONS: the per-mount options, then the superblock options not among them
 * (a superblock ro/rw differing from the mount's shows as sb_ro/sb_rw).
 *
 *   probe CMD ARGS... [CMD ARGS...]   commands run in order:
 *     dump                  the full report
 *     echo TEXT             prints TEXT
 *     write PATH            write:PATH=ok | ERRNO    (create/truncate, write)
 *     read PATH             read:PATH=ok:CONTENT | ERRNO  (<= 4096 bytes, \n escaped)
 *     ls PATH               ls:PATH=ok:a,b,c | ERRNO (sorted, without . and ..)
 *     stat PATH             stat:PATH=ok:TYPE MODE UID:GID [MAJ,MIN|-> TARGET] | ERRNO
 *     sysctl NAME           sysctl:NAME=ok:VALUE | ERRNO   (dots or slashes)
 *     syscall NAME ARGS...  syscall:NAME=ok:RESULT | ERRNO (the raw syscall)
 *        getcwd | getpid | uname | mkdir PATH | mkdirat PATH | rmdir PATH |
 *        chmod PATH MODE | fchmodat PATH MODE | personality ARG |
 *        unshare FLAGS | sethostname NAME | chroot PATH | setuid ID | setgid ID |
 *        mount SRC TARGET FSTYPE | umount PATH | umount-detach PATH |
 *        remount-rw PATH (bind remount, keeping nosuid, nodev, noexec) |
 *        socket FAMILY | kill PID SIG
 *     sleep SECONDS         sleeps (fractions allowed)
 *     wait-file PATH SECS   waits until PATH exists (wait-file:PATH=ok | timeout)
 *     exit N                exits with N
 *     kill SIG              sends SIG to itself
 *     trap                  from now on prints `signal=N` for each caught signal
 *                           (all catchable ones) and carries on
 * Errors print the errno name (EPERM, EROFS, ...).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *errname(int e)
{
    const char *n = strerrorname_np(e);
    static char buf[32];
    if (n) return n;
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
}

/* Reads a whole small file; returns length or -errno. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    close(fd);
    return (ssize_t)n;
}

/* Squeezes runs of blanks into one space, trims, joins lines with ';'. */
static void squeeze_lines(const char *in, char *out, size_t size)
{
    size_t o = 0;
    int pending_space = 0, line_has = 0, any_line = 0;
    for (const char *p = in; *p && o + 2 < size; p++) {
        if (*p == '\n') {
            pending_space = 0;
            if (line_has) { any_line = 1; line_has = 0; }
            continue;
        }
        if (*p == ' ' || *p == '\t') { if (line_has) pending_space = 1; continue; }
        if (!line_has && any_line) out[o++] = ';';
        else if (pending_space) out[o++] = ' ';
        pending_space = 0;
        line_has = 1;
        out[o++] = *p;
    }
    out[o] = 0;
}

/* Prints s with backslash and newline escaped. */
static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') fputs("\\n", stdout);
        else if (c == '\\') fputs("\\\\", stdout);
        else if (c < 0x20 || c == 0x7f) printf("\\x%02x", c);
        else putchar(c);
    }
}

static void status_fields(void)
{
    static const char *keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs",
                                 "Seccomp", "Seccomp_filters", "SigBlk", "SigIgn", NULL};
    char buf[8192];
    if (slurp("/proc/self/status", buf, sizeof buf) < 0) return;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        if (strcmp(line, "Umask") == 0) { printf("umask=%s\n", v); continue; }
        for (int i = 0; keys[i]; i++)
            if (strcmp(line, keys[i]) == 0) printf("%s=%s\n", line, v);
    }
}

static void print_map(const char *key, const char *path)
{
    char buf[4096], out[4096];
    ssize_t n = slurp(path, buf, sizeof buf);
    if (n < 0) { printf("%s=%s\n", key, errname((int)-n)); return; }
    squeeze_lines(buf, out, sizeof out);
    printf("%s=%s\n", key, out);
}

static void print_rlimits(void)
{
    static const struct { int res; const char *name; } rl[] = {
        {RLIMIT_AS, "as"}, {RLIMIT_CORE, "core"}, {RLIMIT_CPU, "cpu"}, {RLIMIT_DATA, "data"},
        {RLIMIT_FSIZE, "fsize"}, {RLIMIT_LOCKS, "locks"}, {RLIMIT_MEMLOCK, "memlock"},
        {RLIMIT_MSGQUEUE, "msgqueue"}, {RLIMIT_NICE, "nice"}, {RLIMIT_NOFILE, "nofile"},
        {RLIMIT_NPROC, "nproc"}, {RLIMIT_RSS, "rss"}, {RLIMIT_RTPRIO, "rtprio"},
        {RLIMIT_RTTIME, "rttime"}, {RLIMIT_SIGPENDING, "sigpending"}, {RLIMIT_STACK, "stack"},
    };
    for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++) {
        struct rlimit r;
        if (getrlimit(rl[i].res, &r) != 0) { printf("rlimit_%s=%s\n", rl[i].name, errname(errno)); continue; }
        char s[32], h[32];
        if (r.rlim_cur == RLIM_INFINITY) strcpy(s, "unlimited"); else snprintf(s, sizeof s, "%llu", (unsigned long long)r.rlim_cur);
        if (r.rlim_max == RLIM_INFINITY) strcpy(h, "unlimited"); else snprintf(h, sizeof h, "%llu", (unsigned long long)r.rlim_max);
        printf("rlimit_%s=%s:%s\n", rl[i].name, s, h);
    }
}

static const char *policy_name(int p)
{
    switch (p & ~SCHED_RESET_ON_FORK) {
    case SCHED_OTHER: return "SCHED_OTHER";
    case SCHED_FIFO: return "SCHED_FIFO";
    case SCHED_RR: return "SCHED_RR";
    case SCHED_BATCH: return "SCHED_BATCH";
    case SCHED_IDLE: return "SCHED_IDLE";
#ifdef SCHED_DEADLINE
    case SCHED_DEADLINE: return "SCHED_DEADLINE";
#endif
    default: return "SCHED_UNKNOWN";
    }
}

static void print_sched(void)
{
    int p = sched_getscheduler(0);
    if (p < 0) printf("sched_policy=%s\n", errname(errno));
    else {
        printf("sched_policy=%s\n", policy_name(p));
        printf("sched_reset_on_fork=%d\n", (p & SCHED_RESET_ON_FORK) ? 1 : 0);
    }
    struct sched_param sp;
    if (sched_getparam(0, &sp) == 0) printf("sched_priority=%d\n", sp.sched_priority);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    if (errno) printf("nice=%s\n", errname(errno)); else printf("nice=%d\n", nice);

    long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    if (v < 0) printf("ioprio=%s\n", errname(errno));
    else {
        static const char *cls[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
        int c = (int)(v >> 13) & 7;
        printf("ioprio=%s:%ld\n", c < 4 ? cls[c] : "IOPRIO_CLASS_UNKNOWN", v & 7);
    }
}

static void print_ids(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("uid=%u\neuid=%u\nsuid=%u\n", r, e, s);
    printf("gid=%u\negid=%u\nsgid=%u\n", gr, ge, gs);
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    printf("groups=");
    for (int i = 0; i < n; i++) printf("%s%u", i ? "," : "", groups[i]);
    printf("\n");
}

static void print_mounts(void)
{
    static char buf[1 << 18];
    ssize_t n = slurp("/proc/self/mountinfo", buf, sizeof buf);
    if (n < 0) { printf("mount=%s\n", errname((int)-n)); return; }
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
        char *f[64];
        int nf = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(line, " ", &s2); t && nf < 64; t = strtok_r(NULL, " ", &s2)) f[nf++] = t;
        int dash = -1;
        for (int i = 6; i < nf; i++) if (strcmp(f[i], "-") == 0) { dash = i; break; }
        if (nf < 6 || dash < 0 || dash + 3 >= nf + 1) continue;
        const char *fstype = dash + 1 < nf ? f[dash + 1] : "?";
        const char *source = dash + 2 < nf ? f[dash + 2] : "?";
        const char *super = dash + 3 < nf ? f[dash + 3] : "";
        /* options: per-mount options, then the superblock options not already there */
        char opts[4096];
        snprintf(opts, sizeof opts, "%s", f[5]);
        char sup[4096];
        snprintf(sup, sizeof sup, "%s", super);
        char *s3 = NULL;
        for (char *o = strtok_r(sup, ",", &s3); o; o = strtok_r(NULL, ",", &s3)) {
            int dup = 0;
            char tmp[4096];
            snprintf(tmp, sizeof tmp, "%s", f[5]);
            char *s4 = NULL;
            for (char *q = strtok_r(tmp, ",", &s4); q; q = strtok_r(NULL, ",", &s4))
                if (strcmp(q, o) == 0) { dup = 1; break; }
            if (!dup && (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0)) {
                /* superblock ro/rw differing from the mount's: report as sb_ro/sb_rw */
                size_t l = strlen(opts);
                snprintf(opts + l, sizeof opts - l, ",sb_%s", o);
                continue;
            }
            if (!dup) {
                size_t l = strlen(opts);
                snprintf(opts + l, sizeof opts - l, ",%s", o);
            }
        }
        /* propagation: the optional fields (shared:N, master:N, ...) or "private" */
        char prop[256] = "";
        for (int i = 6; i < dash; i++) {
            size_t l = strlen(prop);
            snprintf(prop + l, sizeof prop - l, "%s%s", l ? "," : "", f[i]);
        }
        printf("mount=%s %s %s src=%s root=%s prop=%s\n", f[4], fstype, opts, source, f[3], prop[0] ? prop : "private");
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void print_ns(void)
{
    DIR *d = opendir("/proc/self/ns");
    if (!d) { printf("ns=%s\n", errname(errno)); return; }
    char *names[32];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 32)
        if (de->d_name[0] != '.') names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        char p[128], t[128];
        snprintf(p, sizeof p, "/proc/self/ns/%s", names[i]);
        ssize_t l = readlink(p, t, sizeof t - 1);
        if (l < 0) { printf("ns.%s=%s\n", names[i], errname(errno)); continue; }
        t[l] = 0;
        char *b = strchr(t, '['), *e = strchr(t, ']');
        if (b && e) { *e = 0; printf("ns.%s=%s\n", names[i], b + 1); }
        else printf("ns.%s=%s\n", names[i], t);
        free(names[i]);
    }
}

static void print_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) { printf("fds=%s\n", errname(errno)); return; }
    int self = dirfd(d);
    int fds[1024], n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 1024) {
        if (de->d_name[0] == '.') continue;
        int fd = atoi(de->d_name);
        if (fd != self) fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (fds[j] < fds[i]) { int t = fds[i]; fds[i] = fds[j]; fds[j] = t; }
    printf("fds=");
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", fds[i]);
    printf("\n");
    for (int i = 0; i < n; i++) {
        char p[64], t[PATH_MAX];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fds[i]);
        ssize_t l = readlink(p, t, sizeof t - 1);
        if (l < 0) continue;
        t[l] = 0;
        printf("fd.%d=%s\n", fds[i], t);
    }
}

static void print_netifs(void)
{
    struct if_nameindex *ifs = if_nameindex();
    if (!ifs) { printf("netifs=%s\n", errname(errno)); return; }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    printf("netifs=");
    for (struct if_nameindex *i = ifs; i->if_index; i++) printf("%s%s", i == ifs ? "" : ",", i->if_name);
    printf("\n");
    for (struct if_nameindex *i = ifs; i->if_index; i++) {
        struct ifreq r;
        memset(&r, 0, sizeof r);
        snprintf(r.ifr_name, sizeof r.ifr_name, "%s", i->if_name);
        if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &r) == 0)
            printf("netif.%s=%s\n", i->if_name, (r.ifr_flags & IFF_UP) ? "UP" : "DOWN");
        else
            printf("netif.%s=%s\n", i->if_name, errname(errno));
    }
    if (s >= 0) close(s);
    if_freenameindex(ifs);
}

static void print_clock(const char *key, clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) == 0) printf("%s=%lld.%02ld\n", key, (long long)ts.tv_sec, ts.tv_nsec / 10000000);
    else printf("%s=%s\n", key, errname(errno));
}

static void dump(int argc, char **argv)
{
    char buf[8192], out[8192];
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("arg.%d=%s\n", i, argv[i]);
    printf("pid=%d\nppid=%d\npgid=%d\nsid=%d\n", getpid(), getppid(), getpgid(0), getsid(0));
    print_ids();
    print_map("uid_map", "/proc/self/uid_map");
    print_map("gid_map", "/proc/self/gid_map");
    if (slurp("/proc/self/setgroups", buf, sizeof buf) >= 0) { squeeze_lines(buf, out, sizeof out); printf("setgroups=%s\n", out); }
    status_fields();
    print_rlimits();
    struct utsname u;
    if (uname(&u) == 0) {
        printf("hostname=%s\n", u.nodename);
        printf("domainname=%s\n", u.domainname);
        printf("machine=%s\n", u.machine);
    }
    if (getcwd(buf, sizeof buf)) printf("cwd=%s\n", buf); else printf("cwd=%s\n", errname(errno));
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq) { printf("env.%s=\n", *e); continue; }
        printf("env.%.*s=", (int)(eq - *e), *e);
        put_escaped(eq + 1, strlen(eq + 1));
        putchar('\n');
    }
    ssize_t n = slurp("/proc/self/oom_score_adj", buf, sizeof buf);
    if (n >= 0) { squeeze_lines(buf, out, sizeof out); printf("oom_score_adj=%s\n", out); }
    int pers = personality(0xffffffff);
    printf("personality=0x%x\n", (unsigned)pers);
    print_sched();
    printf("isatty0=%d\n", isatty(0) ? 1 : 0);
    char *tn = ttyname(0);
    printf("ttyname0=%s\n", tn ? tn : "");
    n = slurp("/proc/self/cgroup", buf, sizeof buf);
    if (n >= 0) { squeeze_lines(buf, out, sizeof out); printf("cgroup=%s\n", out); }
    n = slurp("/proc/uptime", buf, sizeof buf);
    if (n >= 0) { char *sp = strchr(buf, ' '); if (sp) *sp = 0; printf("uptime=%s\n", buf); }
    print_clock("monotonic", CLOCK_MONOTONIC);
    print_clock("boottime", CLOCK_BOOTTIME);
    print_ns();
    print_fds();
    print_netifs();
    print_mounts();
}

static void cmd_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { printf("write:%s=%s\n", path, errname(errno)); return; }
    if (write(fd, "probe\n", 6) != 6) { printf("write:%s=%s\n", path, errname(errno)); close(fd); return; }
    close(fd);
    printf("write:%s=ok\n", path);
}

static void cmd_read(const char *path)
{
    char buf[4097];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { printf("read:%s=%s\n", path, errname(errno)); return; }
    ssize_t n = read(fd, buf, 4096);
    int e = errno;
    close(fd);
    if (n < 0) { printf("read:%s=%s\n", path, errname(e)); return; }
    printf("read:%s=ok:", path);
    put_escaped(buf, (size_t)n);
    putchar('\n');
}

static void cmd_ls(const char *path)
{
    DIR *d = opendir(path);
    if (!d) { printf("ls:%s=%s\n", path, errname(errno)); return; }
    char *names[4096];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 4096) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    printf("ls:%s=ok:", path);
    for (int i = 0; i < n; i++) { printf("%s%s", i ? "," : "", names[i]); free(names[i]); }
    putchar('\n');
}

static void cmd_stat(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) { printf("stat:%s=%s\n", path, errname(errno)); return; }
    const char *t = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISCHR(st.st_mode) ? "chr"
                  : S_ISBLK(st.st_mode) ? "blk" : S_ISLNK(st.st_mode) ? "lnk" : S_ISFIFO(st.st_mode) ? "fifo" : "sock";
    printf("stat:%s=ok:%s %04o %u:%u", path, t, (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) printf(" %u,%u", major(st.st_rdev), minor(st.st_rdev));
    if (S_ISLNK(st.st_mode)) {
        char tg[PATH_MAX];
        ssize_t l = readlink(path, tg, sizeof tg - 1);
        if (l >= 0) { tg[l] = 0; printf(" -> %s", tg); }
    }
    putchar('\n');
}

static void cmd_sysctl(const char *name)
{
    char path[512], buf[4096], out[4096];
    snprintf(path, sizeof path, "/proc/sys/%s", name);
    for (char *p = path + 10; *p; p++) if (*p == '.') *p = '/';
    ssize_t n = slurp(path, buf, sizeof buf);
    if (n < 0) { printf("sysctl:%s=%s\n", name, errname((int)-n)); return; }
    squeeze_lines(buf, out, sizeof out);
    printf("sysctl:%s=ok:%s\n", name, out);
}

static unsigned long num(const char *s) { return strtoul(s, NULL, 0); }

static unsigned long clone_flags(const char *s)
{
    static const struct { const char *n; unsigned long f; } t[] = {
        {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"mount", CLONE_NEWNS}, {"net", CLONE_NEWNET},
        {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC}, {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
#ifdef CLONE_NEWTIME
        {"time", CLONE_NEWTIME},
#endif
    };
    if (isdigit((unsigned char)s[0])) return num(s);
    unsigned long f = 0;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", s);
    char *save = NULL;
    for (char *w = strtok_r(tmp, ",", &save); w; w = strtok_r(NULL, ",", &save))
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (strcmp(w, t[i].n) == 0) f |= t[i].f;
    return f;
}

/* Returns the number of arguments consumed after NAME, or -1 if unknown. */
static int cmd_syscall(int argc, char **argv)
{
    if (argc < 1) { printf("syscall=missing name\n"); return 0; }
    const char *n = argv[0];
    char res[PATH_MAX + 32] = "";
    long r;
    int used = 0;
#define NEED(k) do { if (argc < 1 + (k)) { printf("syscall:%s=missing arguments\n", n); return argc - 1; } used = (k); } while (0)
    errno = 0;
    if (strcmp(n, "getcwd") == 0) {
        char b[PATH_MAX];
        r = syscall(SYS_getcwd, b, sizeof b);
        if (r >= 0) snprintf(res, sizeof res, "%s", b);
    } else if (strcmp(n, "getpid") == 0) {
        r = syscall(SYS_getpid);
    } else if (strcmp(n, "uname") == 0) {
        struct utsname u;
        r = syscall(SYS_uname, &u);
        if (r >= 0) snprintf(res, sizeof res, "%s", u.sysname);
    } else if (strcmp(n, "mkdir") == 0) {
        NEED(1); r = syscall(SYS_mkdir, argv[1], 0755);
    } else if (strcmp(n, "mkdirat") == 0) {
        NEED(1); r = syscall(SYS_mkdirat, AT_FDCWD, argv[1], 0755);
    } else if (strcmp(n, "rmdir") == 0) {
        NEED(1); r = syscall(SYS_rmdir, argv[1]);
    } else if (strcmp(n, "chmod") == 0) {
        NEED(2); r = syscall(SYS_chmod, argv[1], (mode_t)strtoul(argv[2], NULL, 8));
    } else if (strcmp(n, "fchmodat") == 0) {
        NEED(2); r = syscall(SYS_fchmodat, AT_FDCWD, argv[1], (mode_t)strtoul(argv[2], NULL, 8));
    } else if (strcmp(n, "personality") == 0) {
        NEED(1); r = syscall(SYS_personality, num(argv[1]));
        if (r >= 0) snprintf(res, sizeof res, "0x%lx", (unsigned long)r);
    } else if (strcmp(n, "unshare") == 0) {
        NEED(1); r = syscall(SYS_unshare, clone_flags(argv[1]));
    } else if (strcmp(n, "sethostname") == 0) {
        NEED(1); r = syscall(SYS_sethostname, argv[1], strlen(argv[1]));
    } else if (strcmp(n, "chroot") == 0) {
        NEED(1); r = syscall(SYS_chroot, argv[1]);
    } else if (strcmp(n, "setuid") == 0) {
        NEED(1); r = syscall(SYS_setuid, (uid_t)num(argv[1]));
    } else if (strcmp(n, "setgid") == 0) {
        NEED(1); r = syscall(SYS_setgid, (gid_t)num(argv[1]));
    } else if (strcmp(n, "mount") == 0) {
        NEED(3); r = syscall(SYS_mount, argv[1], argv[2], argv[3], 0UL, NULL);
    } else if (strcmp(n, "umount") == 0) {
        NEED(1); r = syscall(SYS_umount2, argv[1], 0);
    } else if (strcmp(n, "umount-detach") == 0) {
        NEED(1); r = syscall(SYS_umount2, argv[1], MNT_DETACH);
    } else if (strcmp(n, "remount-rw") == 0) {
        /* a bind remount that keeps nosuid, nodev and noexec (a nested
         * namespace may not clear those) and clears only read-only */
        NEED(1); r = syscall(SYS_mount, NULL, argv[1], NULL,
                             (unsigned long)(MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC), NULL);
    } else if (strcmp(n, "socket") == 0) {
        NEED(1);
        int fam = strcmp(argv[1], "unix") == 0 ? AF_UNIX : strcmp(argv[1], "inet") == 0 ? AF_INET
                : strcmp(argv[1], "inet6") == 0 ? AF_INET6 : strcmp(argv[1], "netlink") == 0 ? AF_NETLINK
                : strcmp(argv[1], "packet") == 0 ? AF_PACKET : (int)num(argv[1]);
        int type = fam == AF_NETLINK || fam == AF_PACKET ? SOCK_RAW : SOCK_STREAM;
        r = syscall(SYS_socket, fam, type, 0);
        if (r >= 0) close((int)r);
    } else if (strcmp(n, "kill") == 0) {
        NEED(2); r = syscall(SYS_kill, (pid_t)num(argv[1]), (int)num(argv[2]));
    } else {
        printf("syscall:%s=unknown\n", n);
        return 0;
    }
#undef NEED
    if (r < 0) printf("syscall:%s=%s\n", n, errname(errno));
    else if (res[0]) printf("syscall:%s=ok:%s\n", n, res);
    else printf("syscall:%s=ok:%ld\n", n, r);
    return used;
}

static void on_signal(int sig)
{
    char b[32];
    int n = 0;
    char d[12];
    int k = 0;
    memcpy(b, "signal=", 7);
    n = 7;
    do { d[k++] = (char)('0' + sig % 10); sig /= 10; } while (sig);
    while (k) b[n++] = d[--k];
    b[n++] = '\n';
    (void)!write(1, b, (size_t)n);
}

static void cmd_trap(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD) sigaction(s, &sa, NULL);
}

static int is_command(const char *s)
{
    static const char *cmds[] = {"dump", "echo", "write", "read", "ls", "stat", "sysctl", "syscall",
                                 "sleep", "wait-file", "exit", "kill", "trap", "notify", NULL};
    for (int i = 0; cmds[i]; i++) if (strcmp(s, cmds[i]) == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || !is_command(argv[1])) { dump(argc, argv); return 0; }
    for (int i = 1; i < argc;) {
        const char *c = argv[i++];
        int left = argc - i;
#define ARG1 do { if (left < 1) { fprintf(stderr, "probe: %s: missing argument\n", c); return 2; } } while (0)
        if (strcmp(c, "dump") == 0) dump(argc, argv);
        else if (strcmp(c, "trap") == 0) cmd_trap();
        else if (strcmp(c, "echo") == 0) { ARG1; printf("%s\n", argv[i++]); }
        else if (strcmp(c, "write") == 0) { ARG1; cmd_write(argv[i++]); }
        else if (strcmp(c, "read") == 0) { ARG1; cmd_read(argv[i++]); }
        else if (strcmp(c, "ls") == 0) { ARG1; cmd_ls(argv[i++]); }
        else if (strcmp(c, "stat") == 0) { ARG1; cmd_stat(argv[i++]); }
        else if (strcmp(c, "sysctl") == 0) { ARG1; cmd_sysctl(argv[i++]); }
        else if (strcmp(c, "syscall") == 0) { ARG1; int used = cmd_syscall(left, argv + i); i += 1 + used; }
        else if (strcmp(c, "sleep") == 0) {
            ARG1;
            double s = strtod(argv[i++], NULL);
            struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
        } else if (strcmp(c, "wait-file") == 0) {
            if (left < 2) { fprintf(stderr, "probe: wait-file PATH SECONDS\n"); return 2; }
            const char *p = argv[i++];
            double s = strtod(argv[i++], NULL);
            struct stat st;
            int ok = 0;
            for (double waited = 0; waited <= s; waited += 0.01) {
                if (stat(p, &st) == 0) { ok = 1; break; }
                struct timespec ts = {0, 10000000};
                nanosleep(&ts, NULL);
            }
            printf("wait-file:%s=%s\n", p, ok ? "ok" : "timeout");
        } else if (strcmp(c, "notify") == 0) {
            /* sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET */
            ARG1;
            const char *path = getenv("NOTIFY_SOCKET");
            struct sockaddr_un a = {.sun_family = AF_UNIX};
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            if (!path || strlen(path) >= sizeof a.sun_path) { printf("notify=no-socket\n"); i++; continue; }
            strcpy(a.sun_path, path);
            const char *msg = argv[i++];
            if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof a) < 0) printf("notify=%s\n", errname(errno));
            else printf("notify=ok\n");
            close(fd);
        } else if (strcmp(c, "exit") == 0) { ARG1; fflush(stdout); return (int)strtol(argv[i], NULL, 0); }
        else if (strcmp(c, "kill") == 0) {
            ARG1;
            int sig = (int)strtol(argv[i++], NULL, 0);
            fflush(stdout);
            signal(sig, SIG_DFL);
            kill(getpid(), sig);
        } else { fprintf(stderr, "probe: unknown command %s\n", c); return 2; }
#undef ARG1
    }
    return 0;
}
