#include "lifecycle/pid_file.hpp"
#include "error.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

namespace burrow::lifecycle {

namespace {

// A new file beside the pid file, under a name nobody could plant in
// advance: the pid file's directory may be a volume a container writes (a
// pod's shared one), and a link planted at a name we chose, followed, would
// have us write a file of the user's outside it. O_EXCL never follows a link.
int create_beside(const std::string &path, std::string &tmp) {
    for (int tries = 0; tries < 8; tries++) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, 0) != sizeof r) r ^= static_cast<uint64_t>(getpid()) << 20 ^ tries;
        char suffix[24];
        snprintf(suffix, sizeof suffix, ".%016llx", static_cast<unsigned long long>(r));
        tmp = path + suffix;
        int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

} // namespace

void write_pid_file(const std::string &path, pid_t pid) {
    std::string tmp;
    int fd = create_beside(path, tmp);
    if (fd < 0) throw Error("--pid-file " + path, errno);
    std::string s = std::to_string(pid);
    ssize_t n = write(fd, s.data(), s.size());
    close(fd);
    // rename replaces whatever is at path (a link too), never writes through it.
    if (n != static_cast<ssize_t>(s.size()) || rename(tmp.c_str(), path.c_str()) < 0) {
        int e = errno;
        unlink(tmp.c_str());
        throw Error("--pid-file " + path, e);
    }
}

} // namespace burrow::lifecycle
