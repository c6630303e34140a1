// The caller's terminal and process group reached from a container
// (tests/security/t-session.sh).
//   attack-session tiocsti   push a character into the input of the terminal
//                            on stdin (TIOCSTI), as if typed at the user's shell
//   attack-session killpg    signal the process group it is in (kill(0, SIGUSR1)):
//                            the caller's, unless the runtime gave it its own
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "tiocsti") == 0) {
        char c = 'x';
        int r = ioctl(0, TIOCSTI, &c);
        printf("tiocsti: %s\n", r == 0 ? "PUSHED" : strerror(errno));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "killpg") == 0) {
        signal(SIGUSR1, SIG_IGN); // its own group has it too
        int r = kill(0, SIGUSR1);
        printf("killpg: %s\n", r == 0 ? "sent" : strerror(errno));
        return 0;
    }
    fprintf(stderr, "usage: attack-session tiocsti|killpg\n");
    return 2;
}
