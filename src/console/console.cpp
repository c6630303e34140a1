#include "console/console.hpp"
#include "console/pass_fd.hpp"
#include "error.hpp"

#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace burrow::console {

int connect_socket(const std::string &path) {
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw Error(path + ": path too long");
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno("socket");
    if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
        int e = errno;
        close(fd);
        throw Error("connect to " + path, e);
    }
    return fd;
}

ConsoleEnds console_ends(const std::string &console_socket) {
    ConsoleEnds e;
    if (!console_socket.empty()) {
        e.to_child = with_context("--console-socket", [&] { return connect_socket(console_socket); });
    } else {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
        e.to_child = sv[1];
        e.peer = sv[0];
    }
    return e;
}

int receive_master(int sock) {
    int fd = receive_fd(sock);
    if (fd == -EBADMSG) throw Error("receive the container's pty: no fd arrived");
    if (fd < 0) throw Error("receive the container's pty", -fd);
    return fd;
}

} // namespace burrow::console
