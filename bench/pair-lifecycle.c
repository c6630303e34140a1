/* pair-lifecycle: paired A/B CPU of create, state, start and delete (bench/README.md).
 *   pair-lifecycle N BIN_A ROOT_A BIN_B ROOT_B BUNDLE
 * runs a whole lifecycle (`create --pid-file`, `state`, `start`, wait for the
 * container's exit, `delete`) with A and with B, N pairs after 3 warm-up
 * pairs, alternating which goes first. Each step's CPU is wait4's rusage of
 * the runtime plus any orphan reaped as a subreaper; as in driver.c, the
 * container's init counts to `create` up to its end (/proc/PID/schedstat) and
 * the rest, up to its exit, to `start`. Prints each step's medians and the
 * median of the pair-by-pair ratios A/B. The two may be two builds of burrow
 * or burrow and crun (each with its own state root). Copy both binaries
 * afresh before pairing two builds: a binary whose page cache was filled
 * another way measured 4% apart from a fresh copy of itself.
 * Build: gcc -static -O2 -o pair-lifecycle pair-lifecycle.c; run it as the
 * user (tests/rootless/as-user) or as root. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <spawn.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include "spawn_quiet.h"
static pid_t tracked; static double tracked_cpu; static int tracked_done;
static double one(char **argv) {
    pid_t pid = spawn_quiet(argv);
    double cpu = 0; int st; struct rusage ru;
    for (;;) {
        pid_t w = wait4(-1, &st, 0, &ru);
        if (w < 0) { if (errno == EINTR) continue; perror("wait4"); exit(1); }
        double c = tv(ru.ru_utime) + tv(ru.ru_stime);
        if (w == tracked) { tracked_cpu = c; tracked_done = 1; continue; }
        cpu += c;
        if (w == pid) {
            if (!WIFEXITED(st) || WEXITSTATUS(st)) { fprintf(stderr, "%s %s failed: %d\n", argv[0], argv[3], st); exit(1); }
            break;
        }
    }
    /* orphans other than tracked */
    for (;;) {
        pid_t w = wait4(-1, &st, WNOHANG, &ru);
        if (w <= 0) break;
        double c = tv(ru.ru_utime) + tv(ru.ru_stime);
        if (w == tracked) { tracked_cpu = c; tracked_done = 1; continue; }
        cpu += c;
    }
    return cpu;
}
static double sched(pid_t p) {
    char b[64], s[128]; snprintf(b, sizeof b, "/proc/%d/schedstat", p);
    FILE *f = fopen(b, "r"); if (!f) return 0;
    unsigned long long ns = 0; if (fgets(s, sizeof s, f)) ns = strtoull(s, 0, 10); fclose(f);
    return ns / 1e6;
}
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) { double *c = malloc(n * sizeof *c); memcpy(c, v, n * sizeof *c); qsort(c, n, sizeof *c, cmp); double m = n % 2 ? c[n/2] : (c[n/2-1] + c[n/2]) / 2; free(c); return m; }
static int idn;
static void life(char *bin, char *root, char *bundle, double out[4]) {
    char id[64], pf[128];
    snprintf(id, sizeof id, "pl%d-%d", getpid(), idn++);
    snprintf(pf, sizeof pf, "/tmp/pl-%d.pid", getpid());
    unlink(pf);
    tracked = -1; tracked_done = 0; tracked_cpu = 0;
    char *c[] = {bin, "--root", root, "create", "--bundle", bundle, "--pid-file", pf, id, NULL};
    out[0] = one(c);
    FILE *f = fopen(pf, "r"); int p = 0; if (!f || fscanf(f, "%d", &p) != 1) { fprintf(stderr, "pidfile\n"); exit(1); } fclose(f);
    tracked = p;
    double ic = sched(p); out[0] += ic;
    char *s[] = {bin, "--root", root, "state", id, NULL};
    out[1] = one(s);
    char *st[] = {bin, "--root", root, "start", id, NULL};
    out[2] = one(st);
    while (!tracked_done) {
        int ws; struct rusage ru; pid_t w = wait4(-1, &ws, 0, &ru);
        if (w < 0) { if (errno == EINTR) continue; perror("wait tracked"); exit(1); }
        double cc = tv(ru.ru_utime) + tv(ru.ru_stime);
        if (w == tracked) { tracked_cpu = cc; tracked_done = 1; } else out[2] += cc;
    }
    if (tracked_cpu > ic) out[2] += tracked_cpu - ic;
    tracked = -1;
    char *d[] = {bin, "--root", root, "delete", id, NULL};
    out[3] = one(d);
}
int main(int argc, char **argv) {
    if (argc < 7) { fprintf(stderr, "usage: pair-life N BIN_A ROOT_A BIN_B ROOT_B BUNDLE\n"); return 2; }
    int n = atoi(argv[1]);
    if (n < 1 || n > 200) { fprintf(stderr, "pair-lifecycle: N must be 1-200\n"); return 2; }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    double a[4][200], b[4][200], r[4][200], x[4];
    for (int w = 0; w < 3; w++) { life(argv[2], argv[3], argv[6], x); life(argv[4], argv[5], argv[6], x); }
    for (int i = 0; i < n; i++) {
        double xa[4], xb[4];
        if (i % 2) { life(argv[4], argv[5], argv[6], xb); life(argv[2], argv[3], argv[6], xa); }
        else { life(argv[2], argv[3], argv[6], xa); life(argv[4], argv[5], argv[6], xb); }
        for (int k = 0; k < 4; k++) { a[k][i] = xa[k]; b[k][i] = xb[k]; r[k][i] = xa[k] / xb[k]; }
    }
    const char *nm[4] = {"create", "state", "start", "delete"};
    for (int k = 0; k < 4; k++)
        printf("%-7s A %.3f ms  B %.3f ms  median(A/B) %.3f  (n=%d)\n", nm[k], median(a[k], n), median(b[k], n), median(r[k], n), n);
    return 0;
}
