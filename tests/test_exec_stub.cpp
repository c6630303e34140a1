// The exec stub (security/exec_stub.hpp): the sealed memfd, the stub's own
// behaviour, and the seccomp prefix that lets exactly its execveat through.
#include <catch2/catch.hpp>
#include "in_child.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "security/apply.hpp"
#include "security/exec_stub.hpp"
#include "security/seccomp.hpp"

using namespace burrow;
using namespace burrow::security;

#if BURROW_HAVE_EXEC_STUB
namespace {

spec::Seccomp deny_all_but_exit() {
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_KILL_PROCESS";
    spec::SeccompSyscall r;
    r.names = {"exit", "exit_group", "write"};
    r.action = "SCMP_ACT_ALLOW";
    s.syscalls.push_back(r);
    return s;
}

int run_stub(int fd, const char *path, bool filter, const SeccompProgram *prog = nullptr) {
    int status = in_child([&]() -> int {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2); // the stub's error line
        if (filter && (set_no_new_privs() != 0 || load_seccomp(*prog) != 0)) return 100;
        char *argv[] = {const_cast<char *>(kExecStubMagic), const_cast<char *>(path), const_cast<char *>("x"), nullptr};
        char *envp[] = {nullptr};
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        return 99; // execveat refused
    });
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

} // namespace

TEST_CASE("exec stub: a sealed, read-only memfd", "[exec-stub]") {
    int fd = make_exec_stub();
    REQUIRE(fd >= 0);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC));
    int seals = fcntl(fd, F_GET_SEALS);
    CHECK((seals & F_SEAL_WRITE));
    CHECK((seals & F_SEAL_SEAL));
    CHECK((seals & F_SEAL_GROW));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int w = open(path, O_WRONLY);
    if (w >= 0) {
        CHECK(write(w, "x", 1) < 0); // sealed: EPERM
        close(w);
    }
    close(fd);
}

TEST_CASE("exec stub: runs the program it is given, and nothing without its magic", "[exec-stub][fork]") {
    int fd = make_exec_stub();
    REQUIRE(fd >= 0);
    CHECK(run_stub(fd, "/bin/true", false) == 0);
    CHECK(run_stub(fd, "/bin/false", false) == 1);
    CHECK(run_stub(fd, "/nonexistent/program", false) == 127);
    // As an interpreter (or run by anyone else) its argv[0] is not the magic word.
    int status = in_child([&]() -> int {
        dup2(open("/dev/null", O_WRONLY), 2);
        char *argv[] = {const_cast<char *>("/proc/self/exe"), const_cast<char *>("/bin/true"),
                        const_cast<char *>("x"), nullptr};
        char *envp[] = {nullptr};
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        return 99;
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 126);
    close(fd);
}

TEST_CASE("exec stub: a filter that kills on execveat lets the stub's one through", "[exec-stub][fork][seccomp]") {
    int fd = make_exec_stub();
    REQUIRE(fd >= 0);
    SeccompProgram plain = compile_seccomp(deny_all_but_exit());
    // Without the prefix the child dies at execveat.
    CHECK(run_stub(fd, "/bin/true", true, &plain) == 1000 + SIGSYS);
    SeccompProgram prog = plain;
    allow_stub_exec(prog, fd);
    CHECK(prog.filter.size() == plain.filter.size() + 9);
    // With it the stub runs; its execve of the program is the profile's to judge (killed here).
    CHECK(run_stub(fd, "/bin/true", true, &prog) == 1000 + SIGSYS);
    // Tell the two apart: allow execve too, and the program runs.
    spec::Seccomp s = deny_all_but_exit();
    s.default_action = "SCMP_ACT_ALLOW";
    spec::SeccompSyscall deny_at;
    deny_at.names = {"execveat"};
    deny_at.action = "SCMP_ACT_KILL_PROCESS";
    s.syscalls = {deny_at};
    SeccompProgram no_execveat = compile_seccomp(s);
    CHECK(run_stub(fd, "/bin/true", true, &no_execveat) == 1000 + SIGSYS);
    allow_stub_exec(no_execveat, fd);
    CHECK(run_stub(fd, "/bin/true", true, &no_execveat) == 0);
    // Another fd (or the same call without AT_EMPTY_PATH) still meets the profile.
    int other = dup(fd);
    CHECK(run_stub(other, "/bin/true", true, &no_execveat) == 1000 + SIGSYS);
    close(other);
    close(fd);
}

namespace {

// The stub in hold mode, under prog if given: whether it still sleeps after
// 200 ms (then it is killed), else its wait status as run_stub gives it.
int hold_stub(int fd, const SeccompProgram *prog) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (prog && (set_no_new_privs() != 0 || load_seccomp(*prog) != 0)) _exit(100);
        char *argv[] = {const_cast<char *>(kExecStubHold), nullptr};
        char *envp[] = {nullptr};
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        _exit(99);
    }
    usleep(200000);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? -1 : -2; // -1: it slept
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

} // namespace

TEST_CASE("exec stub: hold mode sleeps until killed, also under a profile that denies its calls",
          "[exec-stub][fork][seccomp]") {
    int fd = make_exec_stub();
    REQUIRE(fd >= 0);
    CHECK(hold_stub(fd, nullptr) == -1);
    // A profile that kills on all but exit: the two prefixes let the holder through...
    SeccompProgram plain = compile_seccomp(deny_all_but_exit());
    SeccompProgram prog = plain;
    allow_stub_exec(prog, fd);
    allow_stub_hold(prog);
    CHECK(prog.filter.size() == plain.filter.size() + 9 + 10);
    CHECK(hold_stub(fd, &prog) == -1);
    // ...which without the hold prefix dies at its first call.
    SeccompProgram exec_only = plain;
    allow_stub_exec(exec_only, fd);
    CHECK(hold_stub(fd, &exec_only) == 1000 + SIGSYS);
    // A profile that refuses ppoll with an errno: the stub exits, never spins.
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    spec::SeccompSyscall deny;
    deny.names = {"ppoll"};
    deny.action = "SCMP_ACT_ERRNO";
    s.syscalls = {deny};
    SeccompProgram refuse = compile_seccomp(s);
    CHECK(hold_stub(fd, &refuse) == 125);
    close(fd);
}
#endif
