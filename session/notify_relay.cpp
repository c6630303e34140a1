#include "session/notify_relay.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <time.h>
#include <unistd.h>

namespace burrow::session {
namespace {

[[noreturn]] void fail(const std::string &what) { throw std::system_error(errno, std::generic_category(), what); }

socklen_t address(const std::string &path, struct sockaddr_un &a) {
    a = {};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) throw std::runtime_error(path + ": socket path too long");
    memcpy(a.sun_path, path.data(), path.size());
    if (a.sun_path[0] == '@') a.sun_path[0] = 0; // abstract namespace, as systemd writes it
    return static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
}

// One datagram to the manager's socket, with fd passed along (-1: none).
void send_to(const std::string &host_socket, const std::string &msg, int fd = -1) {
    int out = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (out < 0) fail("socket");
    struct sockaddr_un a;
    struct iovec iov = {const_cast<char *>(msg.data()), msg.size()};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr mh = {};
    mh.msg_name = &a;
    mh.msg_namelen = address(host_socket, a);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (fd >= 0) {
        mh.msg_control = control;
        mh.msg_controllen = sizeof control;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t sent = sendmsg(out, &mh, MSG_NOSIGNAL);
    int e = errno;
    close(out);
    if (sent < 0) {
        errno = e;
        fail("notify " + host_socket);
    }
}

long now_ms() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

} // namespace

std::string host_notify_socket() {
    const char *s = getenv("NOTIFY_SOCKET");
    return s && *s ? s : "";
}

void make_notify_dir(const std::string &dir) {
    if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) fail("create " + dir);
}

int bind_notify_socket(const std::string &dir) {
    std::string path = dir + "/notify.sock";
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    unlink(path.c_str());
    struct sockaddr_un a;
    socklen_t len = address(path, a);
    // Made 0777 by bind itself: the directory is the container's /run/notify,
    // where a chmod by name could follow what its processes put there.
    mode_t mask = umask(0);
    int bound = bind(fd, reinterpret_cast<sockaddr *>(&a), len);
    umask(mask);
    if (bound < 0) {
        int e = errno;
        close(fd);
        errno = e;
        fail("bind " + path);
    }
    return fd;
}

std::string relayed_message(const std::string &msg, pid_t pid, bool &ready) {
    // Lines of NAME=VALUE; STATUS= and the like are passed on as they come,
    // but never the container's own MAINPID=: the manager takes the first
    // one of a message, and one that comes from root (a system service's
    // burrow) for any process at all, which it would then watch and signal
    // at the service's stop. The main pid is burrow's to say.
    std::string out;
    ready = false;
    for (size_t i = 0; i < msg.size();) {
        size_t nl = msg.find('\n', i);
        if (nl == std::string::npos) nl = msg.size();
        std::string_view line(msg.data() + i, nl - i);
        i = nl + 1;
        if (line.empty() || line.substr(0, 8) == "MAINPID=") continue;
        ready = ready || line == "READY=1";
        out.append(line).push_back('\n');
    }
    if (ready) out += "MAINPID=" + std::to_string(pid) + "\n";
    return out;
}

bool relay_one(int fd, pid_t pid, const std::string &host_socket) {
    char buf[4096];
    ssize_t len = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (len <= 0) return false;
    bool ready = false;
    std::string msg = relayed_message(std::string(buf, static_cast<size_t>(len)), pid, ready);
    if (!msg.empty()) send_to(host_socket, msg);
    return ready;
}

void reclaim_main_pid(const std::string &host_socket, int barrier_timeout_ms) {
    send_to(host_socket, "MAINPID=" + std::to_string(getpid()));
    // burrow's exit must not reach the manager before that message does: a
    // manager that sees its child exit while the main pid is still the
    // container's takes the service for stopped cleanly (systemd: no
    // Restart=on-failure). So burrow waits on sd_notify's barrier: the write
    // end of a pipe goes with BARRIER=1, and the manager closes it once it
    // has dealt with every message before (systemd 246 and later; an older
    // one, or another manager, drops the fd with a message it does not know).
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) fail("pipe");
    bool sent = true;
    try {
        send_to(host_socket, "BARRIER=1", p[1]);
    } catch (const std::system_error &) {
        sent = false;
    }
    close(p[1]);
    if (sent) {
        struct pollfd w = {p[0], 0, 0}; // POLLHUP once the last write end is closed
        long deadline = now_ms() + barrier_timeout_ms;
        for (;;) {
            long left = deadline - now_ms();
            if (left <= 0) break;
            int n = poll(&w, 1, static_cast<int>(left));
            if (n < 0 && errno == EINTR) continue;
            break;
        }
    }
    close(p[0]);
}

bool relay_ready(int fd, int pidfd, pid_t pid, const std::string &host_socket, int timeout_ms) {
    long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    for (;;) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        long left = deadline < 0 ? -1 : deadline - now_ms();
        if (deadline >= 0 && left <= 0) return false;
        int n = poll(p, pidfd >= 0 ? 2 : 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (!(p[0].revents & POLLIN)) return false; // the process exited first
        if (relay_one(fd, pid, host_socket)) return true;
    }
}

} // namespace burrow::session
