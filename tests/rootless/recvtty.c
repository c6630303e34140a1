/*
 * recvtty: the receiving end of the OCI console socket, for the rootless
 * integration tests (t-terminal.sh). Like runc's contrib/cmd/recvtty, but it
 * records instead of attaching: built static and installed on the host as
 * $BURROW_TEST_DIR/recvtty by tests/rootless/run.
 *
 *   recvtty [OPTIONS] SOCKETPATH OUTFILE
 *     --input TEXT      write TEXT (as is: pass real newlines) to the pty
 *                       master as soon as it arrives
 *     --name-file PATH  write the message payload that came with the fd
 *                       (runc sends "/dev/ptmx") to PATH, as is
 *     --timeout SECS    give up after SECS seconds in all (default 20)
 *
 * Listens on SOCKETPATH (SOCK_STREAM; bound under a temporary name, then
 * renamed into place once listening, so a client that sees the path can
 * connect), accepts one connection, receives one fd by SCM_RIGHTS, closes
 * and unlinks the socket, then copies everything read from the master into
 * OUTFILE (created/truncated) until EOF or EIO: the container's last holder of
 * the pty's other side is gone. Exits 0 then. Errors (and the timeout) go to
 * stderr as one `recvtty: ...` line, exit 1 (2 for usage); nothing is ever
 * written to stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *g_sock_path;
static char g_tmp_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void cleanup(void)
{
    if (g_tmp_path[0]) unlink(g_tmp_path);
    if (g_sock_path) unlink(g_sock_path);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    char msg[512];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "recvtty: %s\n", msg);
    cleanup();
    exit(1);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long g_deadline;

/* Waits for events on fd until the deadline; dies on timeout. */
static short wait_fd(int fd, short events, const char *what)
{
    for (;;) {
        long long left = g_deadline - now_ms();
        if (left <= 0) die("timed out waiting for %s", what);
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (r < 0) {
            if (errno == EINTR) continue;
            die("poll (%s): %s", what, strerror(errno));
        }
        if (r > 0) return p.revents;
    }
}

static void write_all(int fd, const char *buf, size_t n, const char *what)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { wait_fd(fd, POLLOUT, what); continue; }
            die("write %s: %s", what, strerror(errno));
        }
        buf += w;
        n -= (size_t)w;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: recvtty [--input TEXT] [--name-file PATH] [--timeout SECS] SOCKETPATH OUTFILE\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *input = NULL, *name_file = NULL, *paths[2];
    int npaths = 0;
    long timeout = 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) input = argv[++i];
        else if (strcmp(argv[i], "--name-file") == 0 && i + 1 < argc) name_file = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            char *end;
            timeout = strtol(argv[++i], &end, 10);
            if (*end || timeout <= 0) usage();
        } else if (argv[i][0] == '-' && argv[i][1]) usage();
        else if (npaths < 2) paths[npaths++] = argv[i];
        else usage();
    }
    if (npaths != 2) usage();
    signal(SIGPIPE, SIG_IGN);
    g_deadline = now_ms() + timeout * 1000;
    const char *sock_path = paths[0], *out_path = paths[1];

    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) die("open %s: %s", out_path, strerror(errno));

    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (snprintf(g_tmp_path, sizeof g_tmp_path, "%s.%d", sock_path, (int)getpid()) >= (int)sizeof g_tmp_path ||
        strlen(sock_path) >= sizeof addr.sun_path) {
        g_tmp_path[0] = 0;
        die("socket path too long: %s", sock_path);
    }
    strcpy(addr.sun_path, g_tmp_path);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0) die("socket: %s", strerror(errno));
    unlink(g_tmp_path);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind %s: %s", g_tmp_path, strerror(errno));
    if (listen(ls, 1) < 0) die("listen: %s", strerror(errno));
    if (rename(g_tmp_path, sock_path) < 0) die("rename %s to %s: %s", g_tmp_path, sock_path, strerror(errno));
    g_tmp_path[0] = 0;
    g_sock_path = sock_path;

    wait_fd(ls, POLLIN, "a connection");
    int c;
    do c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    while (c < 0 && errno == EINTR);
    if (c < 0) die("accept: %s", strerror(errno));
    close(ls);
    unlink(sock_path);
    g_sock_path = NULL;

    /* One message: the payload (the pty's name) and the master in SCM_RIGHTS. */
    char name[4096];
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {name, sizeof name - 1};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    wait_fd(c, POLLIN, "the pty");
    ssize_t n;
    do n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) die("recvmsg: %s", strerror(errno));
    if (msg.msg_flags & MSG_CTRUNC) die("recvmsg: control data truncated (more than one fd?)");
    int master = -1, nfds = 0;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
        if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
        int k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
            if (master < 0) master = fd;
            else close(fd);
            nfds++;
        }
    }
    if (master < 0) die("no fd arrived (payload %zd bytes)", n);
    if (nfds != 1) die("%d fds arrived, expected 1", nfds);
    close(c);
    if (name_file) {
        int nf = open(name_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (nf < 0) die("open %s: %s", name_file, strerror(errno));
        write_all(nf, name, (size_t)n, name_file);
        close(nf);
    }

    if (input) write_all(master, input, strlen(input), "the input to the pty");

    /* Copy until the other side is gone: EIO (pty) or EOF. */
    char buf[8192];
    for (;;) {
        wait_fd(master, POLLIN, "the container to close the pty");
        ssize_t r = read(master, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            if (errno == EIO) break;
            die("read the pty: %s", strerror(errno));
        }
        if (r == 0) break;
        write_all(out, buf, (size_t)r, out_path);
    }
    if (close(out) < 0) die("close %s: %s", out_path, strerror(errno));
    return 0;
}
