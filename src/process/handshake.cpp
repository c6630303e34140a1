#include "process/handshake.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace burrow::process {

bool send_msg(int sock, MsgType t, int32_t value, int32_t err, const char *text) noexcept {
    Message m{};
    m.type = t;
    m.value = value;
    m.err = err;
    if (text) {
        strncpy(m.text, text, sizeof m.text - 1);
    }
    ssize_t n;
    do n = send(sock, &m, sizeof m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof m);
}

bool recv_msg(int sock, Message &m) noexcept {
    ssize_t n;
    do n = recv(sock, &m, sizeof m, 0);
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof m);
}

} // namespace burrow::process
