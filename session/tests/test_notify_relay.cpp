#include "session/notify_relay.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using burrow::session::relayed_message;

TEST_CASE("notify relay: the container's lines go on, its MAINPID never") {
    bool ready = true;
    REQUIRE(relayed_message("STATUS=warming up", 42, ready) == "STATUS=warming up\n");
    REQUIRE_FALSE(ready);
    REQUIRE(relayed_message("READY=1", 42, ready) == "READY=1\nMAINPID=42\n");
    REQUIRE(ready);
    // A MAINPID of the container's own (another process of the host's, say) is dropped, first or alone.
    REQUIRE(relayed_message("MAINPID=1234\nREADY=1\nSTATUS=up", 42, ready) == "READY=1\nSTATUS=up\nMAINPID=42\n");
    REQUIRE(ready);
    REQUIRE(relayed_message("MAINPID=1234", 42, ready).empty());
    REQUIRE_FALSE(ready);
    REQUIRE(relayed_message("READY=1\nMAINPID=1234\n", 42, ready) == "READY=1\nMAINPID=42\n");
    // READY=1 only as a line of its own.
    REQUIRE(relayed_message("STATUS=READY=1", 42, ready) == "STATUS=READY=1\n");
    REQUIRE_FALSE(ready);
    REQUIRE(relayed_message("", 42, ready).empty());
}

namespace {

// A manager's socket at path: bound, its fd.
int manager_socket(const std::string &path) {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {};
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path.data(), path.size());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    return fd;
}

} // namespace

// burrow's MAINPID= must be read before burrow exits (the manager would take
// its exit for the old main pid's, a clean one): it returns only once the
// manager closed the barrier's fd, which comes in the next message.
TEST_CASE("notify relay: reclaiming the main pid waits for the manager's barrier") {
    char dir[] = "/tmp/burrow-notify-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/notify.sock";
    int sock = manager_socket(path);
    int report[2];
    REQUIRE(pipe(report) == 0);
    pid_t manager = fork();
    if (manager == 0) {
        // Reads the two messages, then (slowly) reports what came and closes the fd.
        char buf[256];
        std::string got;
        ssize_t n = recv(sock, buf, sizeof buf, 0);
        if (n > 0) got.append(buf, static_cast<size_t>(n));
        alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {buf, sizeof buf};
        struct msghdr mh = {};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control;
        mh.msg_controllen = sizeof control;
        n = recvmsg(sock, &mh, 0);
        int fd = -1;
        if (n > 0) {
            got += "|" + std::string(buf, static_cast<size_t>(n));
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            if (c && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof fd);
        }
        got += fd >= 0 ? "|fd" : "|no fd";
        usleep(200000);
        if (write(report[1], got.data(), got.size()) < 0) _exit(1);
        close(fd);
        _exit(0);
    }
    close(report[1]);
    burrow::session::reclaim_main_pid(path, 10000);
    // The manager's report was written before it closed the fd.
    fcntl(report[0], F_SETFL, O_NONBLOCK);
    char buf[256] = {};
    ssize_t n = read(report[0], buf, sizeof buf - 1);
    REQUIRE(n > 0);
    CHECK(std::string(buf) == "MAINPID=" + std::to_string(getpid()) + "|BARRIER=1|fd");
    waitpid(manager, nullptr, 0);
    // Nobody reading: it gives up after its timeout.
    burrow::session::reclaim_main_pid(path, 100);
    close(sock);
    close(report[0]);
    unlink(path.c_str());
    rmdir(dir);
}
