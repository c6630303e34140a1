/* maxrss CMD [ARG...]: runs CMD (stdin, stdout, stderr its own) and prints on
 * stderr "maxrss=KB", wait4's ru_maxrss of CMD: the peak resident set of the
 * largest of CMD and the processes it waited for. Exits with CMD's status.
 * Static and small (its own memory is what CMD's starts from at exec, as
 * vfork shares it), so that the figure is CMD's (t-lifecycle.sh). */
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
    pid_t pid;
    int st;
    struct rusage ru;
    if (argc < 2) {
        fprintf(stderr, "usage: maxrss CMD [ARG...]\n");
        return 2;
    }
    if (posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0) {
        perror(argv[1]);
        return 127;
    }
    if (wait4(pid, &st, 0, &ru) != pid) {
        perror("wait4");
        return 2;
    }
    fprintf(stderr, "maxrss=%ld\n", ru.ru_maxrss);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
