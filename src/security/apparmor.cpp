#include "security/apparmor.hpp"
#include "security/apply.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace burrow::security {

bool apparmor_enabled() {
    int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char c = 0;
    bool yes = read(fd, &c, 1) == 1 && c == 'Y';
    close(fd);
    return yes;
}

int apparmor_exec_profile(const std::string &exec_line) noexcept {
    // Through a handle verified to be procfs's own file (a tmpfs or a bind
    // over /proc/self/attr would make the profile a no-op: CVE-2019-16884).
    int fd = open_proc_file("self/attr/apparmor/exec", O_WRONLY);
    if (fd == -ENOENT) fd = open_proc_file("self/attr/exec", O_WRONLY);
    if (fd < 0) return fd;
    ssize_t n = write(fd, exec_line.data(), exec_line.size());
    int e = errno;
    close(fd);
    return n == static_cast<ssize_t>(exec_line.size()) ? 0 : -(n < 0 ? e : EIO);
}

} // namespace burrow::security
