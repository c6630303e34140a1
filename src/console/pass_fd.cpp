#include "console/pass_fd.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace burrow::console {
namespace {

union Control {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

struct msghdr message(struct iovec *iov, Control *u) noexcept {
    struct msghdr msg {};
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u->buf;
    msg.msg_controllen = sizeof u->buf;
    return msg;
}

} // namespace

int send_fd(int sock, int fd, const char *text) noexcept {
    struct iovec iov = {const_cast<char *>(text), strlen(text)};
    Control u{};
    struct msghdr msg = message(&iov, &u);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

int receive_fd(int sock) noexcept {
    char text[64];
    struct iovec iov = {text, sizeof text};
    Control u{};
    struct msghdr msg = message(&iov, &u);
    ssize_t n;
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -EBADMSG;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

} // namespace burrow::console
