/*
 * switch UID GID CMD [ARGS...]: start CMD the way slurmstepd, `sudo -u` and
 * systemd's User= start a job's program: a root process takes the user's ids
 * (groups, gid, uid) and executes it, staying in root's cgroups, with no login
 * session of the user's around it. Static and tiny, so that its own pages do
 * not show in the peak RSS that wait4 reports for what it executes.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: switch UID GID CMD [ARGS...]\n");
        return 2;
    }
    uid_t uid = (uid_t)strtoul(argv[1], NULL, 10);
    gid_t gid = (gid_t)strtoul(argv[2], NULL, 10);
    if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
        perror("switch");
        return 1;
    }
    execvp(argv[3], argv + 3);
    perror(argv[3]);
    return 127;
}
