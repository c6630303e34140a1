/* pair-exec: paired A/B CPU of `exec` (bench/README.md, "What moved").
 *   pair-exec N BIN_A ROOT_A ID_A BIN_B ROOT_B ID_B [ARGS...]   (ARGS default: /bin/true)
 * runs `BIN --root ROOT exec ID ARGS` for A and B, N pairs after 3 warm-up
 * pairs, alternating which goes first; CPU = wait4's rusage of the runtime
 * plus any orphan reaped as a subreaper. Prints the medians of each and the
 * median of the pair-by-pair ratios B/A. The two may be two builds on one
 * running container (the same ROOT and ID), or burrow and crun each on its
 * own. Build: gcc -static -O2 -o pair-exec pair-exec.c; run it as the user
 * (tests/rootless/as-user) or as root, with the containers already running. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include "spawn_quiet.h"
static double one(char **argv) {
    pid_t pid = spawn_quiet(argv);
    int st = 0;
    double cpu = reap_cpu(pid, &st, 1);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) { fprintf(stderr, "%s failed: %d\n", argv[0], st); exit(1); }
    return cpu;
}
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) { double *c = malloc(n * sizeof *c); memcpy(c, v, n * sizeof *c); qsort(c, n, sizeof *c, cmp); double m = n % 2 ? c[n/2] : (c[n/2-1] + c[n/2]) / 2; free(c); return m; }
int main(int argc, char **argv) {
    if (argc < 8) { fprintf(stderr, "usage\n"); return 2; }
    int n = atoi(argv[1]);
    /* ab N BIN_A ROOT_A ID_A BIN_B ROOT_B ID_B [ARGS] */
    char *bins[2] = {argv[2], argv[5]}, *roots[2] = {argv[3], argv[6]}, *ids[2] = {argv[4], argv[7]};
    char *args[64]; int na = 0;
    for (int i = 8; i < argc && na < 60; i++) args[na++] = argv[i];
    if (!na) args[na++] = "/bin/true";
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    double *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b), *r = calloc(n, sizeof *r);
    char *av[2][80];
    for (int k = 0; k < 2; k++) {
        int j = 0;
        av[k][j++] = bins[k]; av[k][j++] = "--root"; av[k][j++] = roots[k]; av[k][j++] = "exec"; av[k][j++] = ids[k];
        for (int i = 0; i < na; i++) av[k][j++] = args[i];
        av[k][j] = NULL;
    }
    for (int w = 0; w < 3; w++) { one(av[0]); one(av[1]); }
    for (int i = 0; i < n; i++) {
        if (i % 2) { b[i] = one(av[1]); a[i] = one(av[0]); }
        else { a[i] = one(av[0]); b[i] = one(av[1]); }
        r[i] = b[i] / a[i];
    }
    printf("A %.3f ms  B %.3f ms  median(B/A) %.3f  (n=%d)\n", median(a, n), median(b, n), median(r, n), n);
    return 0;
}
