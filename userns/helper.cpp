#include "userns/helper.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::userns {

namespace {

bool executable(const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

[[noreturn]] void not_found(const char *name) {
    throw std::runtime_error(std::string(name) +
                             " not found: install the uidmap package to use subordinate id ranges");
}

// posix_spawn (a vfork-like clone in glibc: no page-table copy, no atexit
// handlers, no code of ours in the child) with stdin /dev/null, stdout and
// stderr to out_fd, fds from 3 up closed, default signal handling, no
// blocked signals. Returns 0 or an errno value.
int spawn(const char *path, char *const argv[], int out_fd, pid_t *pid) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    if (int err = posix_spawn_file_actions_init(&fa)) return err;
    if (int err = posix_spawnattr_init(&attr)) {
        posix_spawn_file_actions_destroy(&fa);
        return err;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    char *const envp[] = {nullptr};
    int err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!err) err = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    if (!err) err = posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    if (!err) err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    if (!err) err = posix_spawnattr_setsigmask(&attr, &none);
    if (!err) err = posix_spawnattr_setsigdefault(&attr, &all);
    if (!err) err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!err) err = posix_spawn(pid, path, &fa, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return err;
}

// Everything the helper prints (the first 4 KiB of it), until it closes.
std::string drain(int fd) {
    std::string out;
    char buf[1024];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (out.size() < 4096) out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

// Multi-line output as one line: "a\nb\n" -> "a; b".
std::string one_line(std::string_view s) {
    std::string out;
    while (!s.empty()) {
        auto nl = s.find('\n');
        std::string_view line = s.substr(0, nl);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        if (!line.empty()) {
            if (!out.empty()) out += "; ";
            out += line;
        }
        s = nl == std::string_view::npos ? std::string_view{} : s.substr(nl + 1);
    }
    return out;
}

} // namespace

std::string find_helper(const char *name) {
    if (const char *path = std::getenv("PATH")) {
        std::string_view rest(path);
        for (;;) {
            auto colon = rest.find(':');
            std::string_view dir = rest.substr(0, colon);
            if (!dir.empty() && dir.front() == '/') { // relative entries would depend on the cwd
                std::string candidate(dir);
                candidate += '/';
                candidate += name;
                if (executable(candidate)) return candidate;
            }
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
    }
    std::string fallback = std::string("/usr/bin/") + name;
    return executable(fallback) ? fallback : std::string();
}

RunningHelper start_helper(const char *name, const std::vector<std::string> &argv) {
    std::string path = find_helper(name);
    if (path.empty()) not_found(name);

    std::vector<char *> cargv;
    cargv.reserve(argv.size() + 1);
    for (auto &a : argv) cargv.push_back(const_cast<char *>(a.c_str()));
    cargv.push_back(nullptr);

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), std::string("pipe for ") + name);
    RunningHelper r;
    r.name = name;
    r.argv = argv;
    int err = spawn(path.c_str(), cargv.data(), pipefd[1], &r.pid);
    ::close(pipefd[1]);
    if (err) {
        ::close(pipefd[0]);
        if (err == ENOENT) not_found(name);
        throw std::system_error(err, std::generic_category(), "run " + path);
    }
    r.out = pipefd[0];
    return r;
}

RunningHelper::~RunningHelper() {
    if (out >= 0) ::close(out);
    if (pid > 0)
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
}

void finish_helper(RunningHelper &r) {
    std::string out = one_line(drain(r.out));
    ::close(r.out);
    r.out = -1;

    int status = 0;
    while (::waitpid(r.pid, &status, 0) < 0) {
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "wait for " + r.name);
    }
    r.pid = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;

    std::string msg;
    for (auto &a : r.argv) {
        if (!msg.empty()) msg += ' ';
        msg += a;
    }
    msg += ": ";
    if (!out.empty())
        msg += out;
    else if (WIFEXITED(status))
        msg += "exited with status " + std::to_string(WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        msg += std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    else
        msg += "failed";
    throw std::runtime_error(msg);
}

void run_helper(const char *name, const std::vector<std::string> &argv) {
    auto r = start_helper(name, argv);
    finish_helper(r);
}

} // namespace burrow::userns
