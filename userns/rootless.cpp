#include "userns/rootless.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace burrow::userns {

bool is_initial_map(std::string_view m) {
    // "         0          0 4294967295\n": one line mapping every id to itself.
    size_t i = 0;
    unsigned long long f[3];
    for (auto &x : f) {
        while (i < m.size() && (m[i] == ' ' || m[i] == '\t')) i++;
        if (i >= m.size() || m[i] < '0' || m[i] > '9') return false;
        x = 0;
        while (i < m.size() && m[i] >= '0' && m[i] <= '9') x = x * 10 + static_cast<unsigned>(m[i++] - '0');
    }
    while (i < m.size() && (m[i] == ' ' || m[i] == '\n')) i++;
    return i == m.size() && f[0] == 0 && f[1] == 0 && f[2] == 4294967295ULL;
}

bool rootless() {
    static int cached = -1;
    if (cached < 0) {
        if (geteuid() != 0) {
            cached = 1;
        } else {
            char buf[256];
            int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
            ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
            if (fd >= 0) close(fd);
            cached = n > 0 && !is_initial_map(std::string_view(buf, static_cast<size_t>(n))) ? 1 : 0;
        }
    }
    return cached == 1;
}

} // namespace burrow::userns
