#include "session/systemd_client.hpp"
#include "session/cgroup_systemd.hpp"

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char **environ;

#ifndef BURROW_LIBEXECDIR
#define BURROW_LIBEXECDIR "/usr/local/libexec/burrow"
#endif
#ifndef BURROW_LIBEXEC_FROM_BIN
#define BURROW_LIBEXEC_FROM_BIN "../libexec/burrow"
#endif

namespace burrow::session {

std::string systemd_helper_path() {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<size_t>(n));
        dir = dir.substr(0, dir.rfind('/'));
        if (access((dir + "/burrow-systemd").c_str(), X_OK) == 0) return dir + "/burrow-systemd";
        // an installed tree moved elsewhere, or staged with meson install --destdir
        std::string rel = dir + "/" BURROW_LIBEXEC_FROM_BIN "/burrow-systemd";
        if (access(rel.c_str(), X_OK) == 0) return rel;
    }
    std::string lib = std::string(BURROW_LIBEXECDIR) + "/burrow-systemd";
    return access(lib.c_str(), X_OK) == 0 ? lib : "";
}

namespace {

// The caller's manager is the user's own unless burrow is really root: uid 0
// in a user namespace (podman's rootless mode) has a user manager too.
bool use_user_manager() {
    if (geteuid() != 0) return true;
    char buf[128] = {};
    int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    ::close(fd);
    unsigned a = 1, b = 1;
    unsigned long c = 0;
    return !(n > 0 && sscanf(buf, "%u %u %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL);
}

} // namespace

std::string no_helper_message() {
    return "burrow-systemd is not installed next to burrow or in " + std::string(BURROW_LIBEXECDIR);
}

std::string SystemdClient::request(const std::string &line) {
    // A helper kept between requests (a foreground run's, from the scope's
    // start to its stop) that ended meanwhile (killed): a new one.
    if (pid_ > 0) {
        pid_t r;
        while ((r = waitpid(pid_, nullptr, WNOHANG)) < 0 && errno == EINTR) {
        }
        if (r != 0) {
            pid_ = -1;
            close();
        }
    }
    if (pid_ <= 0) spawn();
    std::string out = line + "\n";
    for (size_t off = 0; off < out.size();) {
        ssize_t n = write(to_, out.data() + off, out.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("the systemd helper " + path_ + " exited unexpectedly");
        off += static_cast<size_t>(n);
    }
    // The helper writes only an answer to a request, so what comes before
    // the newline is all there is: read in blocks, not byte by byte.
    std::string answer;
    for (;;) {
        char buf[512];
        ssize_t n = read(from_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("the systemd helper " + path_ + " exited unexpectedly");
        answer.append(buf, static_cast<size_t>(n));
        if (answer.back() == '\n') break;
    }
    answer.pop_back();
    if (answer.compare(0, 2, "ok") == 0) return answer.size() > 3 ? answer.substr(3) : "";
    throw std::runtime_error("systemd: " + (answer.size() > 6 ? answer.substr(6) : answer));
}

void SystemdClient::spawn() {
    path_ = systemd_helper_path();
    if (path_.empty()) throw std::runtime_error("the systemd cgroup manager: " + no_helper_message());
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0) throw std::system_error(errno, std::generic_category(), "pipe");
    if (pipe2(out, O_CLOEXEC) < 0) {
        ::close(in[0]);
        ::close(in[1]);
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    // Nothing else of ours or of our caller's (docs/security.md: leaked fds).
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    // The helper gets default signal handling, whatever burrow blocks.
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    // A session of its own: a foreground run's terminal signals (^C, ^Z, a
    // hangup) are forwarded to the container, and must not reach the helper
    // it keeps for the scope's stop.
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
    // --parent: it ends with us (the parent-death signal), even where our
    // end of its stdin stays open elsewhere.
    std::string parent = std::to_string(getpid());
    char *argv[] = {const_cast<char *>(path_.c_str()), const_cast<char *>(use_user_manager() ? "--user" : "--system"),
                    const_cast<char *>("--parent"), parent.data(), nullptr};
    int e = posix_spawn(&pid_, path_.c_str(), &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = out[0];
    if (e != 0) {
        pid_ = -1;
        close();
        throw std::system_error(e, std::generic_category(), "run " + path_);
    }
}

void SystemdClient::close() {
    if (to_ >= 0) ::close(to_);
    if (from_ >= 0) ::close(from_);
    to_ = from_ = -1;
    if (pid_ > 0)
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    pid_ = -1;
}

} // namespace burrow::session
