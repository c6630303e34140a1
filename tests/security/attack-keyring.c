// The user's session keyring reached from a container (tests/security/t-keyring.sh).
//   attack-keyring host CMD ARGS...  (on the host) a new session keyring with
//                                    the user's secret in it, then exec CMD
//   attack-keyring fill FILE         (in a container) add keys until the
//                                    user's key quota is full, say so in
//                                    FILE, and keep it full until killed
//   attack-keyring show              its session keyring: "keyring=ID NAME"
//   attack-keyring join NAME         join the session keyring NAME (another
//                                    container's?), then as show
//   attack-keyring                   (in a container) look for the secret in
//                                    the session keyring: "LEAK: ..." or "safe: ..."
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

static long keyctl(long op, long a, long b, long c) { return syscall(SYS_keyctl, op, a, b, c, 0); }

static long add_key(const char *desc, const char *payload) {
    return syscall(SYS_add_key, "user", desc, payload, strlen(payload), KEY_SPEC_SESSION_KEYRING);
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "host") == 0) {
        if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0) < 0) { perror("attack: join"); return 2; }
        if (add_key("burrow-secret", "hunter2") < 0) { perror("attack: add_key"); return 2; }
        execvp(argv[2], argv + 2);
        perror("attack: exec");
        return 2;
    }
    if (argc > 2 && strcmp(argv[1], "fill") == 0) {
        int n = 0;
        char desc[32];
        for (;; n++) {
            snprintf(desc, sizeof desc, "fill-%d", n);
            if (add_key(desc, "x") < 0) break;
        }
        FILE *f = fopen(argv[2], "w");
        if (!f) return 2;
        fprintf(f, "filled: %d keys, then %s\n", n, strerror(errno));
        fclose(f);
        for (;; n++) { // and kept full: keys of the user's that end meanwhile free their room
            usleep(5000);
            snprintf(desc, sizeof desc, "fill-%d", n);
            add_key(desc, "x");
        }
    }
    if (argc > 2 && strcmp(argv[1], "join") == 0 &&
        keyctl(KEYCTL_JOIN_SESSION_KEYRING, (long)argv[2], 0, 0) < 0) {
        printf("join: %s\n", strerror(errno));
        return 0;
    }
    if (argc > 1 && (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "join") == 0)) {
        long ring = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0);
        char desc[256] = {0};
        if (ring < 0 || keyctl(KEYCTL_DESCRIBE, ring, (long)desc, sizeof desc - 1) < 0) {
            printf("keyring: %s\n", strerror(errno));
            return 0;
        }
        const char *name = strrchr(desc, ';');
        printf("keyring=%ld %s\n", ring, name ? name + 1 : desc);
        return 0;
    }
    long id = keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user", (long)"burrow-secret");
    if (id < 0) { printf("safe: %s\n", strerror(errno)); return 0; }
    char buf[64] = {0};
    if (keyctl(KEYCTL_READ, id, (long)buf, sizeof buf - 1) < 0) {
        printf("LEAK: the key is there, unreadable: %s\n", strerror(errno));
        return 0;
    }
    printf("LEAK: %s\n", buf);
    return 0;
}
