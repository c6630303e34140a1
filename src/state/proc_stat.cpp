#include "state/proc_stat.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace burrow::state {

bool read_proc_stat(pid_t pid, ProcStat &out) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = 0;
    // The fields after the command name, which may itself hold spaces and ')'.
    char *p = strrchr(buf, ')');
    if (!p || !p[1] || !p[2]) return false;
    p += 2;
    out.state = *p;                 // field 3
    out.ppid = static_cast<pid_t>(strtol(p + 1, nullptr, 10)); // field 4
    for (int field = 3; *p && field < 22; p++) // start time is field 22
        if (*p == ' ') field++;
    out.start_time = strtoull(p, nullptr, 10);
    return true;
}

} // namespace burrow::state
