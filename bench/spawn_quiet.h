/* spawn_quiet: the bench's paired tools start each runtime command with its
 * stdin and stdout on /dev/null (stderr stays, for the failure's words), and
 * then account for its CPU with wait4, each in its own way. */
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

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
