/*
 * driver: the measuring loop of bench/run. One invocation measures one figure
 * group for one runtime and appends one JSON object per sample to a file.
 *
 *   driver [options] run       -- ARGV...   ARGV once per sample, "{id}" replaced by a fresh id
 *   driver [options] serial    -- ARGV...   COUNT (-n) of ARGV back to back, REPS (-r) times
 *   driver [options] parallel  -- ARGV...   COUNT (-n) of ARGV at once, REPS (-r) times
 *   driver [options] lifecycle -- RUNTIME... create / state / start / delete, each timed (-b bundle)
 *   driver [options] exec      -- RUNTIME... exec /bin/true into one running container (-b bundle
 *                                           whose process keeps running)
 * options:
 *   -o FILE    append JSON lines here (default stdout)
 *   -t JSON    fields copied verbatim into every record, e.g. '"runtime":"crun","mode":"rootless"'
 *   -n N       samples (run, lifecycle, exec) or containers per repetition (serial, parallel)
 *   -r N       repetitions (serial, parallel)
 *   -w N       warm-up samples, not recorded
 *   -p PREFIX  container id prefix (ids are PREFIX<pid>-<n>)
 *   -b DIR     bundle (lifecycle, exec)
 *   -e FILE    where the runtimes' stderr goes (default /dev/null); error records quote its tail
 *   -T SEC     kill a command that runs longer than this (default 30)
 *
 * How it measures (see README.md):
 *   wall    CLOCK_MONOTONIC from just before posix_spawn to the command's exit (wait4 return).
 *   cpu     user+sys of the command and every descendant: wait4's rusage of the command (which
 *           includes everything it reaped) plus the rusage of any orphan it left, which reparents
 *           to this process because it is a child subreaper and is reaped here.
 *           lifecycle: a container's init outlives `create`; its CPU so far (/proc/PID/schedstat)
 *           is added to create, and the rest (from its rusage when it is reaped) to start.
 *   maxrss  wait4's ru_maxrss of the command: the peak RSS of the largest process among the
 *           command and the descendants it reaped, which is exactly GNU time's %M.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static FILE *out;
static const char *tag = "";
static const char *prefix = "bench-";
static const char *bundle;
static const char *errlog = "/dev/null";
static int errfd = -1, nullfd = -1;
static int timeout_s = 30;
static volatile sig_atomic_t alarmed;
static unsigned long seq;

/* The container init we track in lifecycle/exec (it outlives the command that made it). */
static pid_t tracked = -1;
static int tracked_done;
static int64_t tracked_cpu_us;

typedef struct {
    int ok;          /* exited 0 */
    int status;      /* wait status */
    int64_t wall_us, user_us, sys_us;
    long maxrss_kb;
    char err[400];
} result;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t tv_us(struct timeval tv) { return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec; }

static void on_alarm(int sig) { (void)sig; alarmed = 1; }

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void rec_begin(const char *figure)
{
    fprintf(out, "{%s%s\"figure\":", tag, *tag ? "," : "");
    json_str(out, figure);
}

static void record(const char *figure, const result *r, const char *extra_fmt, ...)
{
    rec_begin(figure);
    if (r->ok) {
        fprintf(out, ",\"wall_us\":%lld,\"user_us\":%lld,\"sys_us\":%lld,\"cpu_us\":%lld,\"maxrss_kb\":%ld",
                (long long)r->wall_us, (long long)r->user_us, (long long)r->sys_us,
                (long long)(r->user_us + r->sys_us), r->maxrss_kb);
    } else {
        fputs(",\"error\":", out);
        json_str(out, r->err);
    }
    if (extra_fmt) {
        va_list ap;
        va_start(ap, extra_fmt);
        vfprintf(out, extra_fmt, ap);
        va_end(ap);
    }
    fputs("}\n", out);
    fflush(out);
}

static void record_error(const char *figure, const char *msg)
{
    rec_begin(figure);
    fputs(",\"error\":", out);
    json_str(out, msg);
    fputs("}\n", out);
    fflush(out);
}

/* The tail of what the runtime wrote to stderr since offset `from`. */
static void err_tail(off_t from, char *buf, size_t len)
{
    buf[0] = 0;
    if (errfd < 0)
        return;
    off_t end = lseek(errfd, 0, SEEK_END);
    if (end <= from)
        return;
    off_t start = end - from > (off_t)len - 1 ? end - (off_t)len + 1 : from;
    ssize_t n = pread(errfd, buf, len - 1, start);
    if (n < 0)
        n = 0;
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = 0;
    char *nl;
    if (start > from && (nl = strchr(buf, '\n')) != NULL) /* begin at a whole line */
        memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

static pid_t spawn(char **argv)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, nullfd, 0);
    posix_spawn_file_actions_adddup2(&fa, nullfd, 1);
    posix_spawn_file_actions_adddup2(&fa, errfd >= 0 ? errfd : nullfd, 2);
    posix_spawnattr_init(&at);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (e) {
        errno = e;
        return -1;
    }
    return pid;
}

static void note_tracked(pid_t pid, const struct rusage *ru)
{
    if (pid == tracked) {
        tracked_done = 1;
        tracked_cpu_us = tv_us(ru->ru_utime) + tv_us(ru->ru_stime);
    }
}

/* Reap orphans that have already exited (never blocks), adding their CPU to r. */
static void reap_exited(result *r)
{
    for (;;) {
        siginfo_t si;
        si.si_pid = 0;
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
            return;
        struct rusage ru;
        int st;
        if (wait4(si.si_pid, &st, 0, &ru) < 0)
            return;
        if (si.si_pid == tracked) {
            note_tracked(si.si_pid, &ru);
            continue;
        }
        if (r) {
            r->user_us += tv_us(ru.ru_utime);
            r->sys_us += tv_us(ru.ru_stime);
            if (ru.ru_maxrss > r->maxrss_kb)
                r->maxrss_kb = ru.ru_maxrss;
        }
    }
}

/* Wait for pid with the timeout; on timeout kill its process group. */
static int wait_timed(pid_t pid, int *status, struct rusage *ru)
{
    alarmed = 0;
    alarm((unsigned)timeout_s);
    for (;;) {
        pid_t w = wait4(pid, status, 0, ru);
        if (w == pid)
            break;
        if (w < 0 && errno == EINTR && alarmed) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            alarmed = 0;
            continue;
        }
        if (w < 0 && errno != EINTR) {
            alarm(0);
            return -1;
        }
    }
    alarm(0);
    return 0;
}

static void describe_failure(result *r, off_t errpos, const char *what)
{
    char tail[300];
    err_tail(errpos, tail, sizeof tail);
    int st = r->status;
    char how[64];
    if (WIFEXITED(st))
        snprintf(how, sizeof how, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(how, sizeof how, "signal %d%s", WTERMSIG(st), WTERMSIG(st) == SIGKILL ? " (timeout?)" : "");
    else
        snprintf(how, sizeof how, "status %d", st);
    snprintf(r->err, sizeof r->err, "%s: %s%s%s", what, how, tail[0] ? ": " : "", tail);
}

/* Runs argv to completion. `settle`: also block until every orphan it left has exited. */
static void run_one(char **argv, result *r, int settle)
{
    memset(r, 0, sizeof *r);
    off_t errpos = errfd >= 0 ? lseek(errfd, 0, SEEK_END) : 0;
    int64_t t0 = now_us();
    pid_t pid = spawn(argv);
    if (pid < 0) {
        snprintf(r->err, sizeof r->err, "%s: cannot run: %s", argv[0], strerror(errno));
        return;
    }
    struct rusage ru;
    if (wait_timed(pid, &r->status, &ru) < 0) {
        snprintf(r->err, sizeof r->err, "wait4: %s", strerror(errno));
        return;
    }
    r->wall_us = now_us() - t0;
    r->user_us = tv_us(ru.ru_utime);
    r->sys_us = tv_us(ru.ru_stime);
    r->maxrss_kb = ru.ru_maxrss;
    if (settle) {
        int st;
        struct rusage o;
        alarmed = 0;
        alarm((unsigned)timeout_s);
        for (;;) {
            pid_t w = wait4(-1, &st, 0, &o);
            if (w > 0) {
                r->user_us += tv_us(o.ru_utime);
                r->sys_us += tv_us(o.ru_stime);
                if (o.ru_maxrss > r->maxrss_kb)
                    r->maxrss_kb = o.ru_maxrss;
                continue;
            }
            if (errno == EINTR && alarmed) {
                kill(-pid, SIGKILL); /* a leftover in the command's process group */
                snprintf(r->err, sizeof r->err, "a process the command left did not exit");
                alarm(0);
                return;
            }
            if (errno != EINTR)
                break;
        }
        alarm(0);
    } else {
        reap_exited(r);
    }
    r->ok = WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
    if (!r->ok)
        describe_failure(r, errpos, argv[0]);
}

/* Waits (up to the timeout) until every orphan reparented here has exited. */
static void settle_orphans(void)
{
    int st;
    alarmed = 0;
    alarm((unsigned)timeout_s);
    while (wait4(-1, &st, 0, NULL) > 0 || (errno == EINTR && !alarmed))
        ;
    alarm(0);
}

static char *next_id(void)
{
    static char id[128];
    snprintf(id, sizeof id, "%s%d-%lu", prefix, (int)getpid(), seq++);
    return id;
}

/* argv with every "{id}" replaced by id (into a static copy). */
static char **with_id(char **argv, int argc, const char *id)
{
    static char *v[256];
    int i;
    for (i = 0; i < argc && i < 255; i++)
        v[i] = strcmp(argv[i], "{id}") == 0 ? (char *)id : argv[i];
    v[i] = NULL;
    return v;
}

static int64_t sched_cpu_us(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    unsigned long long ns = 0;
    if (fscanf(f, "%llu", &ns) != 1)
        ns = 0;
    fclose(f);
    return (int64_t)(ns / 1000);
}

static pid_t read_pidfile(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int pid = -1;
    if (fscanf(f, "%d", &pid) != 1)
        pid = -1;
    fclose(f);
    return pid;
}

/* Waits until the tracked init has exited (it is our child through the subreaper). */
static int wait_tracked(void)
{
    if (tracked <= 0 || tracked_done)
        return 0;
    int st;
    struct rusage ru;
    alarmed = 0;
    alarm((unsigned)timeout_s);
    for (;;) {
        pid_t w = wait4(tracked, &st, 0, &ru);
        if (w == tracked) {
            note_tracked(w, &ru);
            break;
        }
        if (w < 0 && errno == ECHILD) {
            /* Not our child after all (some other process is its parent): poll. */
            while (kill(tracked, 0) == 0 && !alarmed)
                usleep(200);
            tracked_done = 1;
            break;
        }
        if (w < 0 && errno == EINTR && alarmed) {
            kill(tracked, SIGKILL);
            alarm(0);
            return -1;
        }
    }
    alarm(0);
    return 0;
}

static void quiet(char **argv)
{
    result r;
    int saved = errfd;
    errfd = -1;
    run_one(argv, &r, 0);
    errfd = saved;
}

/* RUNTIME... + extra args. */
static char **cmdv(char **rt, int rtc, ...)
{
    static char *v[256];
    int i = 0;
    for (; i < rtc && i < 240; i++)
        v[i] = rt[i];
    va_list ap;
    va_start(ap, rtc);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && i < 255)
        v[i++] = a;
    va_end(ap);
    v[i] = NULL;
    return v;
}

static void cleanup_container(char **rt, int rtc, const char *id)
{
    quiet(cmdv(rt, rtc, "kill", (char *)id, "KILL", NULL));
    if (tracked > 0 && !tracked_done) {
        kill(tracked, SIGKILL);
        wait_tracked();
    }
    quiet(cmdv(rt, rtc, "delete", "--force", (char *)id, NULL));
    quiet(cmdv(rt, rtc, "delete", (char *)id, NULL));
}

static void mode_run(char **argv, int argc, int n, int warm)
{
    for (int i = 0; i < warm + n; i++) {
        result r;
        char *id = next_id();
        run_one(with_id(argv, argc, id), &r, 1);
        if (!r.ok) {
            record("run", &r, NULL);
            return; /* one failure makes the figure n/a: do not spend the time on the rest */
        }
        if (i >= warm)
            record("run", &r, NULL);
    }
}

static void mode_serial(char **argv, int argc, int count, int reps, int warm, int parallel)
{
    const char *fig = parallel ? "parallel" : "serial";
    for (int rep = 0; rep < warm + reps; rep++) {
        struct rusage a, b;
        getrusage(RUSAGE_CHILDREN, &a);
        int failed = 0;
        char firsterr[400] = "";
        int64_t t0 = now_us();
        int64_t wall = 0;
        if (!parallel) {
            /* Orphans (burrow's image holder, which the next container joins) are
             * waited for once, after the last command: their CPU counts, their
             * idle time does not count as wall time. */
            for (int i = 0; i < count; i++) {
                result r;
                run_one(with_id(argv, argc, next_id()), &r, 0);
                if (!r.ok && !failed++)
                    snprintf(firsterr, sizeof firsterr, "%s", r.err);
                if (failed && i == 0) {
                    /* broken, not flaky: do not wait out the other count-1 */
                    record_error(fig, firsterr);
                    return;
                }
            }
            wall = now_us() - t0;
            settle_orphans();
        } else {
            pid_t pids[1024];
            int started = 0;
            off_t errpos = errfd >= 0 ? lseek(errfd, 0, SEEK_END) : 0;
            for (int i = 0; i < count && i < 1024; i++) {
                pids[i] = spawn(with_id(argv, argc, next_id()));
                if (pids[i] > 0)
                    started++;
                else if (!failed++)
                    snprintf(firsterr, sizeof firsterr, "%s: cannot run: %s", argv[0], strerror(errno));
            }
            alarmed = 0;
            alarm((unsigned)timeout_s);
            /* Wall time ends with the last command; orphans (burrow's image
             * holder, idle a while after the last container) are waited for
             * too: their CPU counts, their idle time does not (as serial). */
            int exited = 0;
            for (;;) {
                int st;
                pid_t w = wait4(-1, &st, 0, NULL);
                if (w > 0) {
                    int is_cmd = 0;
                    for (int i = 0; i < count; i++)
                        if (pids[i] == w)
                            is_cmd = 1;
                    if (is_cmd && ++exited == started)
                        wall = now_us() - t0;
                    if (is_cmd && !(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !failed++) {
                        result r = {.status = st};
                        describe_failure(&r, errpos, argv[0]);
                        snprintf(firsterr, sizeof firsterr, "%s", r.err);
                    }
                    continue;
                }
                if (errno == EINTR && alarmed) {
                    for (int i = 0; i < count; i++)
                        if (pids[i] > 0) {
                            kill(-pids[i], SIGKILL);
                            kill(pids[i], SIGKILL);
                        }
                    alarmed = 0;
                    continue;
                }
                if (errno != EINTR)
                    break;
            }
            alarm(0);
        }
        if (parallel && !wall)
            wall = now_us() - t0;
        getrusage(RUSAGE_CHILDREN, &b);
        if (rep < warm)
            continue;
        if (failed >= count) {
            record_error(fig, firsterr);
            return;
        }
        int64_t user = tv_us(b.ru_utime) - tv_us(a.ru_utime), sys = tv_us(b.ru_stime) - tv_us(a.ru_stime);
        rec_begin(fig);
        fprintf(out, ",\"count\":%d,\"wall_us\":%lld,\"user_us\":%lld,\"sys_us\":%lld,\"cpu_us\":%lld,\"failed\":%d",
                count, (long long)wall, (long long)user, (long long)sys, (long long)(user + sys), failed);
        if (failed) {
            fputs(",\"first_error\":", out);
            json_str(out, firsterr);
        }
        fputs("}\n", out);
        fflush(out);
    }
}

static int lc_recorded[4]; /* create, state, start, delete: records written (samples or errors) */

static void lifecycle_loop(char **rt, int rtc, int n, int warm)
{
    char pidfile[256];
    snprintf(pidfile, sizeof pidfile, "/tmp/bench-driver-%d.pid", (int)getpid());
    int bad_in_a_row = 0;
    for (int i = 0; i < warm + n; i++) {
        int rec = i >= warm, bad = 0;
        char *id = strdup(next_id());
        unlink(pidfile);
        tracked = -1;
        tracked_done = 0;
        result c, s, st, d;
        run_one(cmdv(rt, rtc, "create", "--bundle", (char *)bundle, "--pid-file", pidfile, id, NULL), &c, 0);
        if (!c.ok) {
            record("create", &c, NULL);
            lc_recorded[0]++;
            cleanup_container(rt, rtc, id);
            free(id);
            goto give_up; /* nothing else can work */
        }
        tracked = read_pidfile(pidfile);
        int64_t init_cpu = tracked > 0 ? sched_cpu_us(tracked) : 0;
        c.user_us += init_cpu; /* schedstat has no user/sys split: count it as user */
        if (rec) {
            record("create", &c, ",\"init_cpu_us\":%lld", (long long)init_cpu);
            lc_recorded[0]++;
        }

        run_one(cmdv(rt, rtc, "state", id, NULL), &st, 0);
        if (rec || !st.ok) {
            record("state", &st, NULL);
            lc_recorded[1]++;
        }
        bad |= !st.ok;

        run_one(cmdv(rt, rtc, "start", id, NULL), &s, 0);
        if (s.ok) {
            if (wait_tracked() < 0) {
                s.ok = 0;
                snprintf(s.err, sizeof s.err, "the container did not exit after start");
            } else if (tracked_cpu_us > init_cpu) {
                s.user_us += tracked_cpu_us - init_cpu;
            }
        }
        if (rec || !s.ok) {
            record("start", &s, NULL);
            lc_recorded[2]++;
        }
        bad |= !s.ok;
        if (!s.ok) {
            cleanup_container(rt, rtc, id);
            free(id);
            if (++bad_in_a_row >= 3)
                return;
            continue;
        }

        run_one(cmdv(rt, rtc, "delete", id, NULL), &d, 0);
        if (rec || !d.ok) {
            record("delete", &d, NULL);
            lc_recorded[3]++;
        }
        if (!d.ok) {
            bad = 1;
            cleanup_container(rt, rtc, id);
        }
        free(id);
        bad_in_a_row = bad ? bad_in_a_row + 1 : 0;
        if (bad_in_a_row >= 3)
            return;
    }
    unlink(pidfile);
    return;
give_up:
    unlink(pidfile);
}

static void mode_lifecycle(char **rt, int rtc, int n, int warm)
{
    lifecycle_loop(rt, rtc, n, warm);
    static const char *figs[4] = {"create", "state", "start", "delete"};
    for (int i = 0; i < 4; i++)
        if (!lc_recorded[i])
            record_error(figs[i], "not measured: the lifecycle stopped on the failures of the other steps");
}

static void mode_exec(char **rt, int rtc, int n, int warm)
{
    char pidfile[256];
    snprintf(pidfile, sizeof pidfile, "/tmp/bench-driver-%d.pid", (int)getpid());
    unlink(pidfile);
    char *id = strdup(next_id());
    tracked = -1;
    tracked_done = 0;
    result r;
    run_one(cmdv(rt, rtc, "create", "--bundle", (char *)bundle, "--pid-file", pidfile, id, NULL), &r, 0);
    if (r.ok) {
        tracked = read_pidfile(pidfile);
        run_one(cmdv(rt, rtc, "start", id, NULL), &r, 0);
    }
    if (!r.ok) {
        char msg[500];
        snprintf(msg, sizeof msg, "could not start the container to exec into: %s", r.err);
        record_error("exec", msg);
        cleanup_container(rt, rtc, id);
        unlink(pidfile);
        free(id);
        return;
    }
    for (int i = 0; i < warm + n; i++) {
        run_one(cmdv(rt, rtc, "exec", id, "/bin/true", NULL), &r, 0);
        if (!r.ok) {
            record("exec", &r, NULL);
            break;
        }
        if (i >= warm)
            record("exec", &r, NULL);
    }
    cleanup_container(rt, rtc, id);
    unlink(pidfile);
    free(id);
}

/* Kill and reap whatever is still around (orphans that were reparented here). */
static void kill_leftovers(void)
{
    DIR *d = opendir("/proc");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char path[300], buf[512];
            if (e->d_name[0] < '0' || e->d_name[0] > '9')
                continue;
            snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            if (n <= 0)
                continue;
            buf[n] = 0;
            char *p = strrchr(buf, ')');
            int ppid;
            if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
                kill(atoi(e->d_name), SIGKILL);
        }
        closedir(d);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

static void usage(void)
{
    fprintf(stderr, "usage: driver [-o FILE] [-t JSON] [-n N] [-r N] [-w N] [-p PREFIX] [-b BUNDLE] [-e FILE] [-T SEC]\n"
                    "              run|serial|parallel|lifecycle|exec -- ARGV...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int n = 30, reps = 1, warm = 0, opt;
    const char *outpath = NULL;
    while ((opt = getopt(argc, argv, "+o:t:n:r:w:p:b:e:T:")) != -1) {
        switch (opt) {
        case 'o': outpath = optarg; break;
        case 't': tag = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 'r': reps = atoi(optarg); break;
        case 'w': warm = atoi(optarg); break;
        case 'p': prefix = optarg; break;
        case 'b': bundle = optarg; break;
        case 'e': errlog = optarg; break;
        case 'T': timeout_s = atoi(optarg); break;
        default: usage();
        }
    }
    if (optind >= argc)
        usage();
    const char *mode = argv[optind++];
    if (optind < argc && strcmp(argv[optind], "--") == 0)
        optind++;
    if (optind >= argc)
        usage();
    char **cmd = argv + optind;
    int cmdc = argc - optind;

    out = stdout;
    if (outpath && !(out = fopen(outpath, "ae"))) {
        perror(outpath);
        return 1;
    }
    nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    errfd = open(errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (errfd >= 0) {
        /* err_tail reads it back */
        close(errfd);
        errfd = open(errlog, O_RDWR | O_APPEND | O_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        perror("driver: PR_SET_CHILD_SUBREAPER");

    if (strcmp(mode, "run") == 0)
        mode_run(cmd, cmdc, n, warm);
    else if (strcmp(mode, "serial") == 0)
        mode_serial(cmd, cmdc, n, reps, warm, 0);
    else if (strcmp(mode, "parallel") == 0)
        mode_serial(cmd, cmdc, n, reps, warm, 1);
    else if (strcmp(mode, "lifecycle") == 0 || strcmp(mode, "exec") == 0) {
        if (!bundle)
            usage();
        if (mode[0] == 'l')
            mode_lifecycle(cmd, cmdc, n, warm);
        else
            mode_exec(cmd, cmdc, n, warm);
    } else
        usage();
    kill_leftovers();
    return 0;
}
