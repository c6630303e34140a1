#include "lifecycle/supervise.hpp"
#include "lifecycle/stop_timer.hpp"
#include "error.hpp"
#include "log.hpp"
#include "session/notify_relay.hpp"

#include <cerrno>
#include <csignal>
#include <memory>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace burrow::lifecycle {
namespace {

// Puts stdin in raw mode while the container owns the terminal.
class RawTerminal {
public:
    RawTerminal() {
        if (isatty(0) && tcgetattr(0, &saved_) == 0) {
            struct termios raw = saved_;
            cfmakeraw(&raw);
            raw.c_oflag = saved_.c_oflag; // keep our own output processing
            active_ = tcsetattr(0, TCSANOW, &raw) == 0;
        }
    }
    ~RawTerminal() {
        if (active_) tcsetattr(0, TCSANOW, &saved_);
    }

private:
    struct termios saved_ {};
    bool active_ = false;
};

bool copy(int from, int to) {
    char buf[8192];
    ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += w;
    }
    return true;
}

} // namespace

void copy_terminal_size(int master) {
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

namespace {
sigset_t forwarded() {
    sigset_t set;
    sigfillset(&set);
    for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTTIN, SIGTTOU}) sigdelset(&set, s);
    return set;
}
} // namespace

void block_forwarded_signals() {
    sigset_t set = forwarded();
    sigprocmask(SIG_BLOCK, &set, nullptr);
}

int supervise(pid_t pid, int master, const Relay &relay, int stop_timeout) {
    StopTimer stop(stop_timeout);
    sigset_t set = forwarded();
    sigprocmask(SIG_BLOCK, &set, nullptr);
    // A pidfd says when the process exits; without one (kernels before 5.3,
    // valgrind) SIGCHLD does, through the same signalfd.
    int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) throw_errno("watch the container process");

    std::unique_ptr<RawTerminal> raw;
    if (master >= 0) {
        raw = std::make_unique<RawTerminal>();
        copy_terminal_size(master);
    }
    bool in_open = master >= 0, out_open = master >= 0, relaying = relay.fd >= 0;
    // The container's pid went on as MAINPID; we were asked to stop it.
    bool handed_over = false, stopping = false;
    int st = 0;
    // Without a pidfd, a SIGCHLD that came before the mask above is lost: look once.
    bool gone = pfd < 0 && waitpid(pid, &st, WNOHANG) == pid;
    for (bool exited = gone; !exited;) {
        struct pollfd fds[5] = {{pfd, POLLIN, 0}, {sfd, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0},
                                {out_open ? master : -1, POLLIN, 0}, {relaying ? relay.fd : -1, POLLIN, 0}};
        if (poll(fds, 5, -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        if (fds[4].revents & POLLIN) {
            try {
                if (session::relay_one(relay.fd, pid, relay.host)) {
                    relaying = false;
                    handed_over = true;
                }
            } catch (const std::exception &e) {
                log::warn(std::string("NOTIFY_SOCKET: ") + e.what());
                relaying = false;
            }
        }
        if (fds[3].revents & (POLLIN | POLLHUP)) out_open = copy(master, 1);
        if (fds[2].revents & (POLLIN | POLLHUP)) in_open = copy(0, master);
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == sizeof si) {
                if (stop.fired(si)) si.ssi_signo = SIGKILL; // the grace period is over: passed on as SIGKILL
                else stop.passed_on(static_cast<int>(si.ssi_signo));
                for (unsigned s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL})
                    if (si.ssi_signo == s) stopping = true;
                if (si.ssi_signo == SIGCHLD) {
                    if (pfd < 0 && waitpid(pid, &st, WNOHANG) == pid) exited = true;
                } else if (si.ssi_signo == SIGWINCH && master >= 0) {
                    copy_terminal_size(master);
                } else if (pfd >= 0) {
                    syscall(SYS_pidfd_send_signal, pfd, si.ssi_signo, nullptr, 0);
                } else {
                    ::kill(pid, static_cast<int>(si.ssi_signo));
                }
            }
        }
        if (fds[0].revents & POLLIN) {
            while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR) throw_errno("wait for the container process");
            exited = true;
        }
    }
    // Drain what the process wrote last before we report.
    while (out_open) {
        struct pollfd o = {master, POLLIN, 0};
        if (poll(&o, 1, 50) <= 0 || !(o.revents & POLLIN)) break;
        out_open = copy(master, 1);
    }
    if (pfd >= 0) close(pfd);
    close(sfd);
    // The container ended by itself (killed, crashed, exited): the service
    // manager's main pid becomes ours again, so that it reads our exit status
    // (the container's) and applies its Restart= (session/notify_relay.hpp).
    if (handed_over && !stopping) {
        try {
            session::reclaim_main_pid(relay.host);
        } catch (const std::exception &e) {
            log::warn(std::string("NOTIFY_SOCKET: ") + e.what());
        }
    }
    // Signals stay blocked: what follows (poststop hooks, removing the state
    // and the cgroup) must not be cut short by a service manager's SIGTERM
    // to the whole cgroup; burrow exits right after. Children reset the mask.
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

} // namespace burrow::lifecycle
