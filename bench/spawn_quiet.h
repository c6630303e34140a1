/* spawn_quiet: the bench's paired tools start each runtime command with its
 * stdin and stdout on /dev/null (stderr stays, for the failure's words), and
 * then account for its CPU with wait4, each in its own way. */
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

extern char **environ;

static double tv(struct timeval t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; }

static pid_t spawn_quiet(char **argv) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) { perror("spawn"); exit(1); }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

/* Reaps pid, adding the CPU of every child reaped meanwhile (a subreaper's
 * orphans too) to the total it returns; *status is pid's. all: go on until
 * no child is left (ECHILD), else stop at pid and take the orphans already
 * gone. */
static inline double reap_cpu(pid_t pid, int *status, int all) {
    double cpu = 0;
    int st;
    struct rusage ru;
    for (;;) {
        pid_t w = wait4(-1, &st, 0, &ru);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == ECHILD && all) break;
            perror("wait4");
            exit(1);
        }
        cpu += tv(ru.ru_utime) + tv(ru.ru_stime);
        if (w == pid) {
            *status = st;
            if (!all) break;
        }
    }
    if (!all)
        while (wait4(-1, &st, WNOHANG, &ru) > 0) cpu += tv(ru.ru_utime) + tv(ru.ru_stime);
    return cpu;
}
