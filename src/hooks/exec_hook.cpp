#include "hooks/exec_hook.hpp"
#include "state/proc_stat.hpp"
#include "state/store.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ctime>
#include <unistd.h>

namespace burrow::hooks {

namespace {

// The start time (field 22 of /proc/PID/stat), 0 if there is no such process.
unsigned long long start_time(pid_t pid) noexcept {
    state::ProcStat st;
    return state::read_proc_stat(pid, st) ? st.start_time : 0;
}

// "PGID START\n" at path, atomically (temp + rename).
bool write_group_record(const char *path, pid_t pgid) noexcept {
    char tmp[4096], text[64];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= static_cast<int>(sizeof tmp)) return false;
    int len = snprintf(text, sizeof text, "%d %llu\n", pgid, start_time(pgid));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool ok = write(fd, text, static_cast<size_t>(len)) == len;
    close(fd);
    if (ok && rename(tmp, path) == 0) return true;
    unlink(tmp);
    return false;
}

} // namespace

void end_recorded_group(const std::string &path) {
    pid_t pgid = 0;
    uint64_t start = 0;
    if (state::read_pid_start(path, pgid, start) && pgid > 1) {
        // A live leader that is another process: the pid was reused, and its
        // group is not ours. A gone leader's number stays its group's while
        // the group has members (the kernel frees a pid used as a pgid last).
        unsigned long long now = start_time(pgid);
        if (now == 0 || now == start) kill(-pgid, SIGKILL);
    }
    unlink(path.c_str());
}

HookResult run_hook(const process::Hook &h, const char *state, size_t len, const char *group_record) noexcept {
    HookResult r;
    int in[2], go[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) < 0) {
        r.err = errno;
        return r;
    }
    if (group_record && pipe2(go, O_CLOEXEC) < 0) {
        r.err = errno;
        close(in[0]);
        close(in[1]);
        return r;
    }
    pid_t runner = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        r.err = errno;
        close(in[0]);
        close(in[1]);
        if (go[0] >= 0) close(go[0]), close(go[1]);
        return r;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != runner) _exit(127); // the runner died before the line above
        if (go[0] >= 0) { // the group is recorded before the hook runs
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) != 1) _exit(127);
        }
        dup2(in[0], 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        execve(h.path.c_str(), h.argv.data(), h.envp.data());
        _exit(127);
    }
    setpgid(pid, pid); // as the child does: whichever runs first
    close(in[0]);
    if (go[0] >= 0) {
        close(go[0]);
        write_group_record(group_record, pid);
        char c = 0;
        ssize_t gw = write(go[1], &c, 1);
        (void)gw;
        close(go[1]);
    }
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
        if (r.err == ETIMEDOUT) kill(-pid, SIGKILL); // the hook and what it started
    }
    while (!reaped && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (group_record) unlink(group_record);
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
