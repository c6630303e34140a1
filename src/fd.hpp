// A file descriptor owned by one scope: closed when the scope ends, on an
// error path too (the RAII guard of a half-made container's fds).
#pragma once
#include <unistd.h>

namespace burrow {

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

} // namespace burrow
