// burrow-subid USER: the subordinate ranges of USER from libsubid, which asks
// the service /etc/nsswitch.conf names (SSSD: `subid: sss`), one per line:
// "uid START COUNT" then "gid START COUNT". burrow itself is linked
// statically and cannot load libsubid's service modules (dlopen), so it runs
// this small dynamically linked program, only when nsswitch.conf names a
// service other than files.
#include <shadow/subid.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: burrow-subid USER\n");
        return 2;
    }
    subid_init("burrow-subid", stderr);
    const char *kinds[] = {"uid", "gid"};
    for (int k = 0; k < 2; k++) {
        const char *kind = kinds[k];
        struct subid_range *r = NULL;
        int n = k == 0 ? subid_get_uid_ranges(argv[1], &r) : subid_get_gid_ranges(argv[1], &r);
        if (n < 0) {
            fprintf(stderr, "burrow-subid: libsubid cannot list the %s ranges of %s\n", kind, argv[1]);
            return 1;
        }
        for (int i = 0; i < n; i++) printf("%s %lu %lu\n", kind, r[i].start, r[i].count);
        free(r);
    }
    return 0;
}
