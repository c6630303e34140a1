#include "process/passwd_home.hpp"
#include "rootfs/in_root.hpp"
#include "userns/passwd.hpp"

#include <cerrno>
#include <cstring>
#include <string_view>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::process {

namespace {

void copy_home(const char *home, size_t n, char *out, size_t cap) noexcept {
    if (cap == 0) return;
    if (n == 0 || n >= cap) home = "/", n = 1; // too long for the slot: as if none
    memcpy(out, home, n);
    out[n] = 0;
}

// Copies the line's home when it is uid's entry.
bool home_of(std::string_view line, uint32_t uid, char *out, size_t cap) noexcept {
    userns::PasswdLine l;
    if (!userns::parse_passwd_line(line, l) || l.uid != uid) return false;
    copy_home(l.home.data(), l.home.size(), out, cap);
    return true;
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
            if (!skipping && home_of({line, used}, uid, out, cap)) return;
            used = 0;
            skipping = false;
        }
        if (end) break;
    }
    if (!skipping && used > 0 && home_of({line, used}, uid, out, cap)) return;
    copy_home("/", 1, out, cap);
}

void fill_home(char *const *envp, size_t capacity, uint32_t uid) noexcept {
    char *slot = nullptr;
    for (char *const *e = envp; *e; e++)
        if (strncmp(*e, "HOME=", 5) == 0) slot = *e + 5;
    if (!slot) return;
    // Resolved inside the root (our root is the container's now) and through
    // no procfs magic link: a /etc/passwd -> /proc/self/fd/N would reach a
    // file of the host's that we hold. O_NONBLOCK: a FIFO a hostile image
    // put there must not hold us.
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int fd = root < 0 ? -1 : rootfs::openat2_in_root(root, "etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (root >= 0) close(root);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        passwd_home(fd, uid, slot, capacity);
    } else {
        copy_home("/", 1, slot, capacity);
    }
    if (fd >= 0) close(fd);
}

} // namespace burrow::process
