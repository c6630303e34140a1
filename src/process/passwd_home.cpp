#include "process/passwd_home.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::process {

namespace {

// Field 3 (uid) and field 6 (home) of "name:pw:uid:gid:gecos:home:shell".
bool line_home(const char *line, size_t n, uint32_t uid, const char **home, size_t *home_len) noexcept {
    const char *f[7];
    size_t len[7], k = 0, start = 0;
    for (size_t i = 0; i <= n && k < 7; i++)
        if (i == n || line[i] == ':') {
            f[k] = line + start;
            len[k++] = i - start;
            start = i + 1;
        }
    if (k < 6 || len[2] == 0 || len[2] > 10) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len[2]; i++) {
        if (f[2][i] < '0' || f[2][i] > '9') return false;
        v = v * 10 + static_cast<uint64_t>(f[2][i] - '0');
    }
    if (v != uid) return false;
    *home = f[5];
    *home_len = len[5];
    return true;
}

void copy_home(const char *home, size_t n, char *out, size_t cap) noexcept {
    if (cap == 0) return;
    if (n == 0 || n >= cap) home = "/", n = 1; // too long for the slot: as if none
    memcpy(out, home, n);
    out[n] = 0;
}

} // namespace

void passwd_home(int fd, uint32_t uid, char *out, size_t cap) noexcept {
    char line[4096], buf[4096];
    size_t used = 0;
    bool skipping = false; // the rest of a line too long to hold
    size_t total = 0;      // a hostile image's endless file is read 1 MiB far, as the parent's files are
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r > 0 && (total += static_cast<size_t>(r)) > (size_t{1} << 20)) r = 0;
        bool end = r <= 0;
        for (ssize_t i = 0; i < r; i++) {
            char c = buf[i];
            if (c != '\n') {
                if (used < sizeof line) line[used++] = c;
                else skipping = true;
                continue;
            }
            const char *home;
            size_t hn;
            if (!skipping && line_home(line, used, uid, &home, &hn)) return copy_home(home, hn, out, cap);
            used = 0;
            skipping = false;
        }
        if (end) break;
    }
    const char *home;
    size_t hn;
    if (!skipping && used > 0 && line_home(line, used, uid, &home, &hn)) return copy_home(home, hn, out, cap);
    copy_home("/", 1, out, cap);
}

void fill_home(char *const *envp, size_t capacity, uint32_t uid) noexcept {
    char *slot = nullptr;
    for (char *const *e = envp; *e; e++)
        if (strncmp(*e, "HOME=", 5) == 0) slot = *e + 5;
    if (!slot) return;
    // O_NONBLOCK: a FIFO a hostile image put there must not hold us.
    int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        passwd_home(fd, uid, slot, capacity);
    } else {
        copy_home("/", 1, slot, capacity);
    }
    if (fd >= 0) close(fd);
}

} // namespace burrow::process
