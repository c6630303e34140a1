#include "read_file.hpp"
#include "error.hpp"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace burrow {

std::string read_fd(int fd, const std::string &what, size_t max) {
    std::string s;
    char buf[16384];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            throw Error("read " + what, e);
        }
        s.append(buf, static_cast<size_t>(n));
        if (s.size() > max) {
            close(fd);
            throw Error("read " + what + ": larger than " + std::to_string(max) + " bytes");
        }
    }
    close(fd);
    return s;
}

std::string read_file(const std::string &path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open " + path);
    return read_fd(fd, path);
}

} // namespace burrow

namespace burrow {

std::string canonical_path(const std::string &path, const std::string &what) {
    int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) throw Error(what + ": " + path, errno);
    char link[64], buf[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, sizeof buf);
    int e = errno;
    close(fd);
    if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf)) throw Error(what + ": " + path, n < 0 ? e : ENAMETOOLONG);
    return std::string(buf, static_cast<size_t>(n));
}

} // namespace burrow
