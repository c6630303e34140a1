/* A minimal seccomp agent for t-security.sh: listens on SOCKET, receives the
 * notify fd and the containerProcessState (SCM_RIGHTS, as the runtime-spec
 * says), writes the state to OUTFILE, then answers every notification with
 * -ERRNO until the container is gone (or 20 s pass).
 *   seccomp-agent SOCKET OUTFILE ERRNO */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: seccomp-agent SOCKET OUTFILE ERRNO\n");
        return 2;
    }
    int err = atoi(argv[3]);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    /* Bound under a temporary name and renamed once listening: the test
     * waits for SOCKET to exist, and a connect between bind and listen
     * would be refused. */
    snprintf(a.sun_path, sizeof a.sun_path, "%s.tmp", argv[1]);
    unlink(a.sun_path);
    unlink(argv[1]);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0 || rename(a.sun_path, argv[1]) < 0) {
        perror("seccomp-agent: listen");
        return 1;
    }
    alarm(20);
    int c = accept(ls, NULL, NULL);
    if (c < 0) {
        perror("seccomp-agent: accept");
        return 1;
    }
    static char payload[65536];
    struct iovec iov = {payload, sizeof payload - 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t n = recvmsg(c, &m, 0);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    if (n < 0 || !cm || cm->cmsg_type != SCM_RIGHTS) {
        fprintf(stderr, "seccomp-agent: no fd received\n");
        return 1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || write(out, payload, (size_t)n) != n) {
        perror("seccomp-agent: write");
        return 1;
    }
    close(out);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && errno != EINTR) break;
        if (p.revents & (POLLHUP | POLLERR)) break;
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;
        memset(&req, 0, sizeof req);
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno == EINTR || errno == ENOENT) continue;
            break;
        }
        memset(&resp, 0, sizeof resp);
        resp.id = req.id;
        resp.error = -err;
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
    return 0;
}
