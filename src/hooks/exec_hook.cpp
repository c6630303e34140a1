#include "hooks/exec_hook.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ctime>
#include <unistd.h>

namespace burrow::hooks {

HookResult run_hook(const process::Hook &h, const char *state, size_t len) noexcept {
    HookResult r;
    int in[2];
    if (pipe2(in, O_CLOEXEC) < 0) {
        r.err = errno;
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        r.err = errno;
        close(in[0]);
        close(in[1]);
        return r;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        execve(h.path.c_str(), h.argv.data(), h.envp.data());
        _exit(127);
    }
    close(in[0]);
    // The state is small (well under a pipe's 64 KiB); a hook that never reads
    // must not block us.
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    ssize_t w = write(in[1], state, len);
    (void)w;
    close(in[1]);

    int st = 0;
    bool reaped = false;
    if (h.timeout > 0) {
        int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
        if (pidfd >= 0) {
            struct pollfd p = {pidfd, POLLIN, 0};
            int n;
            do n = poll(&p, 1, h.timeout * 1000);
            while (n < 0 && errno == EINTR);
            close(pidfd);
            if (n == 0) r.err = ETIMEDOUT;
        } else {
            // No pidfds (kernels before 5.3): poll the exit every 10 ms.
            for (long waited = 0;; waited += 10) {
                if (waitpid(pid, &st, WNOHANG) == pid) {
                    reaped = true;
                    break;
                }
                if (waited >= h.timeout * 1000L) {
                    r.err = ETIMEDOUT;
                    break;
                }
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, nullptr);
            }
        }
        if (r.err == ETIMEDOUT) kill(pid, SIGKILL);
    }
    while (!reaped && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (r.err == 0) {
        r.status = st;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 127) r.err = 0; // reported as a status
    }
    return r;
}

void describe(const process::Hook &h, const HookResult &r, char *buf, size_t size) noexcept {
    if (r.err == ETIMEDOUT)
        snprintf(buf, size, "hook %s timed out after %ds", h.path.c_str(), h.timeout);
    else if (r.err)
        snprintf(buf, size, "hook %s: %s", h.path.c_str(), strerror(r.err));
    else if (WIFSIGNALED(r.status))
        snprintf(buf, size, "hook %s killed by signal %d", h.path.c_str(), WTERMSIG(r.status));
    else if (WEXITSTATUS(r.status) == 127)
        snprintf(buf, size, "hook %s exited with status 127 (not found or not executable?)", h.path.c_str());
    else
        snprintf(buf, size, "hook %s exited with status %d", h.path.c_str(), WEXITSTATUS(r.status));
}

} // namespace burrow::hooks
