#include "lifecycle/pid_file.hpp"
#include "error.hpp"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace burrow::lifecycle {

void write_pid_file(const std::string &path, pid_t pid) {
    std::string tmp = path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("--pid-file " + path, errno);
    std::string s = std::to_string(pid);
    ssize_t n = write(fd, s.data(), s.size());
    close(fd);
    if (n != static_cast<ssize_t>(s.size()) || rename(tmp.c_str(), path.c_str()) < 0) {
        int e = errno;
        unlink(tmp.c_str());
        throw Error("--pid-file " + path, e);
    }
}

} // namespace burrow::lifecycle
