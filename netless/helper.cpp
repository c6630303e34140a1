#include "netless/helper.hpp"
#include "netless/helper_args.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace burrow::netless {
namespace {

// How long a helper may take to come up, or to go after SIGTERM. Waited on
// its fds, never slept: these are only bounds for a helper that hangs.
constexpr int kReadyMs = 10000;
constexpr int kStopMs = 2000;

[[noreturn]] void fail(const std::string &what, int err = 0) {
    throw std::runtime_error(err ? what + ": " + std::strerror(err) : what);
}

std::string find_in_path(const char *name) {
    const char *path = getenv("PATH");
    std::string rest = path ? path : "/usr/bin:/bin";
    for (size_t i = 0; i <= rest.size();) {
        size_t j = rest.find(':', i);
        if (j == std::string::npos) j = rest.size();
        std::string dir = rest.substr(i, j - i);
        if (!dir.empty() && dir[0] == '/') {
            std::string c = dir + "/" + name;
            struct stat st;
            if (stat(c.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(c.c_str(), X_OK) == 0) return c;
        }
        i = j + 1;
    }
    return "";
}

void check_tun() {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return;
    }
    int e = errno;
    if (e == ENOENT || e == ENODEV || e == ENXIO)
        fail("/dev/net/tun: " + std::string(std::strerror(e)) + ": load the tun module (modprobe tun)");
    if (e == EACCES || e == EPERM)
        fail("/dev/net/tun: " + std::string(std::strerror(e)) +
             ": it must be readable and writable by you (chmod 0666 /dev/net/tun, as udev sets it)");
    fail("/dev/net/tun", e);
}

// The host port free now: a listening socket (or a bound UDP one) holds it.
void check_port(const Publish &p) {
    bool v6 = p.host_ip.find(':') != std::string::npos;
    int fd = socket(v6 ? AF_INET6 : AF_INET, (p.proto == Proto::udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("publish " + publish_text(p) + ": socket", errno);
    int one = 1;
    if (p.proto == Proto::tcp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); // TIME_WAIT is no owner
    int r;
    if (v6) {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(p.host_port);
        inet_pton(AF_INET6, p.host_ip.c_str(), &a.sin6_addr);
        r = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    } else {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(p.host_port);
        inet_pton(AF_INET, p.host_ip.empty() ? "0.0.0.0" : p.host_ip.c_str(), &a.sin_addr);
        r = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    }
    if (r == 0 && p.proto == Proto::tcp) r = listen(fd, 1);
    int e = errno;
    close(fd);
    if (r == 0) return;
    std::string what = "publish " + publish_text(p) + ": host port " + std::to_string(p.host_port);
    if (e == EADDRINUSE) fail(what + " is already in use");
    if (e == EACCES) fail(what + " is privileged (below net.ipv4.ip_unprivileged_port_start)");
    if (e == EADDRNOTAVAIL) fail(what + ": " + p.host_ip + " is not an address of this host");
    fail(what, e);
}

uint64_t start_time(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    // Field 22 (starttime); field 3 follows ") ".
    p += 2;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p) p++;
    }
    return p ? strtoull(p, nullptr, 10) : 0;
}

// fds given to the helper at 3, 4, ... in order; stdout and stderr to log_fd.
pid_t spawn(const std::vector<std::string> &args, int log_fd, const std::vector<int> &fds) {
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    // Moved above the targets first, so no dup2 overwrites a source.
    std::vector<int> high;
    for (int fd : fds) high.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    int err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!err) err = posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
    if (!err) err = posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
    for (size_t i = 0; i < high.size() && !err; i++) {
        if (high[i] < 0) err = errno;
        else err = posix_spawn_file_actions_adddup2(&fa, high[i], static_cast<int>(3 + i));
    }
    if (!err) err = posix_spawn_file_actions_addclosefrom_np(&fa, static_cast<int>(3 + high.size()));
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (!err) err = posix_spawnattr_setsigmask(&attr, &none);
    if (!err) err = posix_spawnattr_setsigdefault(&attr, &all);
    // Its own session: a ^C at `burrow run`'s terminal is the container's, not the helper's.
    if (!err) err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
    pid_t pid = -1;
    if (!err) err = posix_spawn(&pid, args[0].c_str(), &fa, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    for (int fd : high)
        if (fd >= 0) close(fd);
    if (err) fail("run " + args[0], err);
    return pid;
}

// What the helper said, on one line, without its chatter.
std::string helper_said(const std::string &dir) {
    std::string log;
    int fd = open((dir + "/" + kHelperLog).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0 && log.size() < 65536) log.append(buf, static_cast<size_t>(n));
        close(fd);
    }
    std::vector<std::string> lines;
    for (size_t i = 0; i < log.size();) {
        size_t j = log.find('\n', i);
        if (j == std::string::npos) j = log.size();
        std::string l = log.substr(i, j - i);
        i = j + 1;
        if (l.empty() || l.find("syslog") != std::string::npos || l.find("WARNING") != std::string::npos ||
            l.rfind("* ", 0) == 0)
            continue;
        lines.push_back(l);
    }
    std::string out;
    for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); i++)
        out += (out.empty() ? "" : "; ") + lines[i];
    return out;
}

std::string describe(int status) {
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

[[noreturn]] void helper_failed(const char *name, const std::string &dir, int status) {
    std::string said = helper_said(dir);
    fail(std::string(name) + " " + (said.empty() ? describe(status) : said));
}

// Waits for pid's end on its pidfd (it need not be our child).
bool wait_gone(int pidfd, int ms) {
    struct pollfd p = {pidfd, POLLIN, 0};
    int n;
    do n = poll(&p, 1, ms);
    while (n < 0 && errno == EINTR);
    return n > 0;
}

void end_process(pid_t pid, uint64_t started, bool ours) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0 && start_time(pid) == started) {
        syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, nullptr, 0);
        if (!wait_gone(pidfd, kStopMs)) {
            syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
            wait_gone(pidfd, kStopMs);
        }
    } else if (pidfd < 0 && errno == ENOSYS && start_time(pid) == started) {
        kill(pid, SIGKILL);
    }
    if (pidfd >= 0) close(pidfd);
    if (ours)
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
}

void remove_files(const std::string &dir) {
    for (const char *f : {kApiSocket, kNetnsLink, kHelperRecord, kHelperLog, "pasta.pid"})
        unlink((dir + "/" + f).c_str());
}

void write_record(const std::string &dir, pid_t pid) {
    std::string text = std::to_string(pid) + " " + std::to_string(start_time(pid)) + "\n";
    std::string path = dir + "/" + kHelperRecord;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("create " + path, errno);
    ssize_t n = write(fd, text.data(), text.size());
    int e = errno;
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) fail("write " + path, e);
}

// One request on slirp4netns's API socket: it reads one message, answers, closes.
void add_hostfwd(const std::string &socket_path, const Publish &p) {
    std::string what = "publish " + publish_text(p) + " (slirp4netns)";
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail(what + ": socket", errno);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, socket_path.c_str(), sizeof a.sun_path - 1);
    std::string req = hostfwd_request(p), reply;
    if (connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0 ||
        write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
        int e = errno;
        close(fd);
        fail(what + ": " + socket_path, e);
    }
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) reply.append(buf, static_cast<size_t>(n));
    close(fd);
    if (reply.find("\"return\"") != std::string::npos) return;
    auto d = reply.find("\"desc\":\"");
    std::string desc = d == std::string::npos ? reply : reply.substr(d + 8, reply.find('"', d + 8) - d - 8);
    fail(what + ": " + (desc.empty() ? "no answer" : desc));
}

int open_log(const std::string &dir) {
    std::string path = dir + "/" + kHelperLog;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("create " + path, errno);
    return fd;
}

struct Fds {
    std::vector<int> fds;
    ~Fds() {
        for (int fd : fds)
            if (fd >= 0) close(fd);
    }
};

} // namespace

std::string preflight(const Network &n) {
    if (!n.has_helper()) {
        if (!n.publish.empty())
            fail(std::string("--publish needs --network slirp4netns or pasta (not ") + mode_name(n.mode) + ")");
        return "";
    }
    const char *name = mode_name(n.mode);
    std::string path = find_in_path(name);
    if (path.empty())
        fail(std::string(name) + " not found in PATH: install the " + helper_package(n.mode) +
             " package (apt-get install " + helper_package(n.mode) + ")");
    check_tun();
    for (auto &p : n.publish) {
        if (n.mode == Mode::slirp4netns && p.host_ip.find(':') != std::string::npos)
            fail("publish " + publish_text(p) + ": slirp4netns publishes on IPv4 host addresses only");
        check_port(p);
    }
    return path;
}

std::string helper_interface(const Network &n) {
    if (n.mode == Mode::slirp4netns) return kTapName;
    if (n.mode != Mode::pasta) return "";
    std::string text;
    int fd = open("/proc/net/route", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0 && text.size() < 65536) text.append(buf, static_cast<size_t>(r));
        close(fd);
    }
    return default_route_interface(text);
}

Helper &Helper::operator=(Helper &&o) noexcept {
    if (this != &o) {
        stop();
        pid_ = o.pid_;
        ours_ = o.ours_;
        dir_ = std::move(o.dir_);
        ready_fd_ = o.ready_fd_;
        launcher_ = o.launcher_;
        publish_ = std::move(o.publish_);
        o.pid_ = -1;
        o.ready_fd_ = -1;
        o.launcher_ = -1;
    }
    return *this;
}

namespace {

// pasta's launcher: its exit says the daemon is up (status 0, its pid in
// pid_file) or not. Returns the daemon's pid, or -1 with *status set.
pid_t reap_launcher(pid_t launcher, const std::string &pid_file, int *status) {
    while (waitpid(launcher, status, 0) < 0 && errno == EINTR) {
    }
    pid_t daemon = -1;
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) {
        char buf[32] = {};
        int fd = open(pid_file.c_str(), O_RDONLY | O_CLOEXEC);
        ssize_t len = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0) close(fd);
        daemon = len > 0 ? atoi(buf) : -1;
    }
    unlink(pid_file.c_str());
    return daemon;
}

} // namespace

void Helper::stop() noexcept {
    if (ready_fd_ >= 0) close(ready_fd_);
    ready_fd_ = -1;
    if (launcher_ > 0) { // a create that failed while pasta came up: let it finish, then end the daemon
        int status = 0;
        try {
            pid_t daemon = reap_launcher(launcher_, dir_ + "/pasta.pid", &status);
            if (daemon > 0) {
                write_record(dir_, daemon);
                pid_ = daemon;
                ours_ = false;
            }
        } catch (...) {
        }
        launcher_ = -1;
        if (pid_ <= 0) remove_files(dir_);
    }
    if (pid_ <= 0) return;
    if (ours_) { // our unreaped child: its pid cannot have been reused
        kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        remove_files(dir_);
    } else {
        stop_helper(dir_);
    }
    pid_ = -1;
}

Helper Helper::launch(const Network &n, const std::string &path, pid_t pid, const std::string &dir) {
    Helper h;
    h.dir_ = dir;
    Fds fds;
    int log = open_log(dir);
    fds.fds.push_back(log);
    if (n.mode == Mode::slirp4netns) {
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) < 0) fail("pipe", errno);
        h.ready_fd_ = ready[0];
        fds.fds.push_back(ready[1]);
        // Its exit fd is a pidfd of the container's process: it reports the
        // end of the process, so slirp4netns goes with the container even
        // when nobody runs `delete`.
        int exit_fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
        fds.fds.push_back(exit_fd);
        std::string api = dir + "/" + kApiSocket;
        if (api.size() >= sizeof(sockaddr_un::sun_path))
            fail("slirp4netns's API socket " + api + ": the path is longer than a unix socket allows (" +
                 std::to_string(sizeof(sockaddr_un::sun_path) - 1) + "): use a shorter --root");
        auto args = slirp4netns_args(path, n, pid, 3, exit_fd >= 0 ? 4 : -1, api);
        h.pid_ = spawn(args, log, exit_fd >= 0 ? std::vector<int>{ready[1], exit_fd} : std::vector<int>{ready[1]});
        h.ours_ = true;
        h.publish_ = n.publish;
    } else {
        // pasta forks to the background once it is ready: its launcher's exit is the ready signal.
        std::string link = dir + "/" + kNetnsLink, pid_file = dir + "/pasta.pid";
        std::string ns = "/proc/" + std::to_string(pid) + "/ns/";
        unlink(link.c_str());
        if (symlink((ns + "net").c_str(), link.c_str()) < 0) fail("symlink " + link, errno);
        h.launcher_ = spawn(pasta_args(path, n, ns + "user", link, pid_file), log, {});
    }
    return h;
}

void Helper::wait_ready() {
    if (ready_fd_ >= 0) {
        struct pollfd p = {ready_fd_, POLLIN, 0};
        int r;
        do r = poll(&p, 1, kReadyMs);
        while (r < 0 && errno == EINTR);
        char c = 0;
        if (r == 0) fail("slirp4netns did not get ready in " + std::to_string(kReadyMs / 1000) + " s");
        bool up = read(ready_fd_, &c, 1) == 1 && c == '1';
        close(ready_fd_);
        ready_fd_ = -1;
        if (!up) {
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
            helper_failed("slirp4netns", dir_, status);
        }
        write_record(dir_, pid_);
        for (auto &p : publish_) add_hostfwd(dir_ + "/" + kApiSocket, p);
    } else if (launcher_ > 0) {
        int status = 0;
        pid_t daemon = reap_launcher(launcher_, dir_ + "/pasta.pid", &status);
        launcher_ = -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::string said = helper_said(dir_);
            remove_files(dir_);
            fail("pasta " + (said.empty() ? describe(status) : said));
        }
        if (daemon <= 0) fail("pasta started but wrote no pid to " + dir_ + "/pasta.pid");
        pid_ = daemon;
        ours_ = false;
        write_record(dir_, pid_);
    }
}

void stop_helper(const std::string &dir) noexcept {
    try {
        std::string path = dir + "/" + kHelperRecord;
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        // Every file of a helper comes after its log (launch opens it
        // first): with neither record nor log, none was started here.
        if (fd < 0 && errno == ENOENT && access((dir + "/" + kHelperLog).c_str(), F_OK) < 0 && errno == ENOENT)
            return;
        if (fd >= 0) {
            char buf[64] = {};
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            unsigned long long started = 0;
            int pid = 0;
            if (n > 0 && sscanf(buf, "%d %llu", &pid, &started) == 2 && pid > 0) {
                // Reap it too if it is still our child (the end of `run`, a failed create).
                bool ours = waitpid(pid, nullptr, WNOHANG) == 0;
                end_process(pid, started, ours);
            }
        }
        remove_files(dir);
    } catch (...) {
    }
}

} // namespace burrow::netless
