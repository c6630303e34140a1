// `burrow unit`: print the unit, or install it for the user's manager
// (systemctl --user daemon-reload, and enable). A failed install leaves the
// unit directory as it was: the file removed or its old text put back, the
// directories made for it removed.
#include "unit/unit.hpp"
#include "error.hpp"
#include "read_file.hpp"
#include "userns/helper.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace burrow::unit {
namespace {

// systemctl --user ARGS.... Its output goes to our stderr when it succeeds
// (enable's "Created symlink ..."), and into the one-line error when it fails.
void systemctl(const std::vector<std::string> &args) {
    std::vector<std::string> words = {"systemctl", "--user"};
    words.insert(words.end(), args.begin(), args.end());
    std::string what;
    std::vector<char *> argv;
    for (auto &w : words) {
        argv.push_back(w.data());
        what += (what.empty() ? "" : " ") + w;
    }
    argv.push_back(nullptr);
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) throw_errno(what + ": pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE); // main ignores it; systemctl gets the default back
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    // PATH's absolute directories only (src/lifecycle/ps.cpp says why).
    std::string systemctl = userns::find_helper("systemctl");
    int err = systemctl.empty() ? ENOENT : posix_spawn(&pid, systemctl.c_str(), &fa, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(pipefd[1]);
    if (err) {
        close(pipefd[0]);
        throw Error(what, err);
    }
    std::string out = read_fd(pipefd[0], what + " output", 1 << 20);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) throw_errno(what + ": waitpid");
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        fputs(out.c_str(), stderr);
        return;
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    std::string last = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    throw Error(what + ": " +
                (WIFEXITED(st) ? "exited " + std::to_string(WEXITSTATUS(st)) : "killed by signal " + std::to_string(WTERMSIG(st))) +
                (last.empty() ? "" : " (" + last + ")") + "; does a systemd user manager run for you? (systemctl --user status)");
}

void write_file(const std::string &path, const std::string &text) {
    std::string tmp = path + ".burrow-tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) throw_errno("create " + tmp);
    for (size_t off = 0; off < text.size();) {
        ssize_t n = write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            unlink(tmp.c_str());
            throw Error("write " + tmp, e);
        }
        off += static_cast<size_t>(n);
    }
    if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        throw Error("write " + path, e);
    }
}

// What an install changed, undone unless committed.
class InstallGuard {
public:
    explicit InstallGuard(std::string file) : file_(std::move(file)) {
        struct stat st;
        if (lstat(file_.c_str(), &st) == 0) {
            old_ = read_file(file_);
            had_ = true;
        }
    }
    // mkdir -p of dir, remembering what it made.
    void make_dirs(const std::string &dir) {
        for (size_t i = 1; i <= dir.size(); i++) {
            if (i < dir.size() && dir[i] != '/') continue;
            std::string d = dir.substr(0, i);
            if (mkdir(d.c_str(), 0755) == 0) made_.push_back(d);
            else if (errno != EEXIST) throw_errno("mkdir " + d);
        }
    }
    void wrote() { wrote_ = true; }
    void reloaded() { reloaded_ = true; }
    void commit() { done_ = true; }
    ~InstallGuard() {
        if (done_) return;
        if (wrote_) {
            try {
                if (had_) write_file(file_, old_);
                else unlink(file_.c_str());
            } catch (...) {
            }
        }
        for (auto it = made_.rbegin(); it != made_.rend(); ++it) rmdir(it->c_str());
        if (reloaded_) {
            try {
                systemctl({"daemon-reload"});
            } catch (...) {
            }
        }
    }

private:
    std::string file_, old_;
    std::vector<std::string> made_;
    bool had_ = false, wrote_ = false, reloaded_ = false, done_ = false;
};

} // namespace

std::string user_unit_dir() {
    // As systemd's user manager looks: $XDG_CONFIG_HOME, else ~/.config.
    if (const char *x = getenv("XDG_CONFIG_HOME"); x && *x == '/') return std::string(x) + "/systemd/user";
    // (No getpwuid: the static burrow does not load NSS modules.)
    const char *home = getenv("HOME");
    if (!home || *home != '/') throw Error("neither XDG_CONFIG_HOME nor HOME is set: no user unit directory");
    return std::string(home) + "/.config/systemd/user";
}

int unit(const UnitSpec &s, Mode mode) {
    std::string text = render(s);
    if (mode == Mode::print) {
        fputs(text.c_str(), stdout);
        return 0;
    }
    std::string dir = user_unit_dir();
    std::string file = dir + "/" + s.id + ".service";
    InstallGuard guard(file);
    guard.make_dirs(dir);
    guard.wrote(); // from here a half-written file is undone too
    write_file(file, text);
    systemctl({"daemon-reload"});
    guard.reloaded();
    if (mode == Mode::enable) systemctl({"enable", s.id + ".service"});
    guard.commit();
    printf("%s\n", file.c_str());
    return 0;
}

} // namespace burrow::unit
