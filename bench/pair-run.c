/* pair-run: paired A/B CPU and wall of `run` (bench/README.md "Pairing two builds").
 *   pair-run N BIN_A ROOT_A BIN_B ROOT_B BUNDLE
 * runs `BIN --root ROOT run --bundle BUNDLE ID` with A and with B, N pairs
 * after 5 warm-up pairs, alternating which goes first. CPU is wait4's rusage
 * of the runtime (which includes every descendant it reaped) plus any orphan
 * reaped as a subreaper, as driver.c measures `run`. Prints the medians and
 * the median of the pair-by-pair ratios A/B. Copy both binaries afresh first.
 * Build: gcc -static -O2 -o pair-run pair-run.c; run it as the user
 * (tests/rootless/as-user) or as root. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "spawn_quiet.h"

static int idn;
static void one(char *bin, char *root, char *bundle, double *cpu, double *wall) {
    char id[64];
    snprintf(id, sizeof id, "pr%d-%d", getpid(), idn++);
    char *argv[] = {bin, "--root", root, "run", "--bundle", bundle, id, NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = spawn_quiet(argv);
    int st = 0;
    double c = reap_cpu(pid, &st, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) { fprintf(stderr, "%s run %s failed: %d\n", bin, id, st); exit(1); }
    *cpu = c;
    *wall = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) {
    double *c = malloc(n * sizeof *c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp);
    double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return m;
}
int main(int argc, char **argv) {
    if (argc < 7) { fprintf(stderr, "usage: pair-run N BIN_A ROOT_A BIN_B ROOT_B BUNDLE\n"); return 2; }
    int n = atoi(argv[1]);
    if (n < 1 || n > 1000) { fprintf(stderr, "pair-run: N must be 1-1000\n"); return 2; }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    static double ca[1000], cb[1000], cr[1000], wa[1000], wb[1000], wr[1000];
    double c, w;
    for (int i = 0; i < 5; i++) { one(argv[2], argv[3], argv[6], &c, &w); one(argv[4], argv[5], argv[6], &c, &w); }
    for (int i = 0; i < n; i++) {
        if (i % 2) { one(argv[4], argv[5], argv[6], &cb[i], &wb[i]); one(argv[2], argv[3], argv[6], &ca[i], &wa[i]); }
        else { one(argv[2], argv[3], argv[6], &ca[i], &wa[i]); one(argv[4], argv[5], argv[6], &cb[i], &wb[i]); }
        cr[i] = ca[i] / cb[i];
        wr[i] = wa[i] / wb[i];
    }
    printf("run CPU  A %.3f ms  B %.3f ms  median(A/B) %.3f  (n=%d)\n", median(ca, n), median(cb, n), median(cr, n), n);
    printf("run wall A %.3f ms  B %.3f ms  median(A/B) %.3f\n", median(wa, n), median(wb, n), median(wr, n));
    return 0;
}
