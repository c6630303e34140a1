// Seccomp compiler and loader: compile profiles, check the errors, and load
// real filters in forked children (no_new_privs set, so no privilege needed).
#include <catch2/catch.hpp>
#include "in_child.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.hpp"
#include "security/apply.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_cache.hpp"

using namespace burrow;
using namespace burrow::security;

namespace {

spec::SeccompSyscall rule(std::vector<std::string> names, std::string action, std::vector<spec::SeccompArg> args = {},
                          std::optional<uint32_t> errno_ret = std::nullopt) {
    spec::SeccompSyscall s;
    s.names = std::move(names);
    s.action = std::move(action);
    s.args = std::move(args);
    s.errno_ret = errno_ret;
    return s;
}

spec::SeccompArg arg(unsigned index, std::string op, uint64_t value, uint64_t value_two = 0) {
    spec::SeccompArg a;
    a.index = index;
    a.op = std::move(op);
    a.value = value;
    a.value_two = value_two;
    return a;
}

spec::Seccomp profile(std::string def = "SCMP_ACT_ALLOW") {
    spec::Seccomp s;
    s.default_action = std::move(def);
    return s;
}

// Compile must fail with exactly this message.
void require_error(const spec::Seccomp &s, const std::string &msg) {
    try {
        compile_seccomp(s);
        FAIL("compiled, expected: " << msg);
    } catch (const Error &e) {
        REQUIRE(std::string(e.what()) == msg);
    }
}

// Does the raw syscall fail with this errno?
bool fails_with(long r, int err) { return r == -1 && errno == err; }

} // namespace

TEST_CASE("seccomp: a profile with every action compiles", "[seccomp]") {
    auto s = profile("SCMP_ACT_ERRNO");
    s.listener_path = "/run/agent.sock";
    s.syscalls = {
        rule({"read", "write", "exit_group", "exit"}, "SCMP_ACT_ALLOW"),
        rule({"ptrace"}, "SCMP_ACT_KILL"),
        rule({"kexec_load"}, "SCMP_ACT_KILL_PROCESS"),
        rule({"reboot"}, "SCMP_ACT_KILL_THREAD"),
        rule({"acct"}, "SCMP_ACT_TRAP"),
        rule({"mkdir"}, "SCMP_ACT_ERRNO", {}, 13),
        rule({"getcwd"}, "SCMP_ACT_TRACE", {}, 7),
        rule({"getpid"}, "SCMP_ACT_LOG"),
        rule({"mount"}, "SCMP_ACT_NOTIFY"),
    };
    auto p = compile_seccomp(s);
    REQUIRE(p.filter.size() > 10);
    REQUIRE(p.wants_listener);
    REQUIRE(p.flags == 0);
    // libseccomp's program starts by checking seccomp_data.arch.
    REQUIRE(p.filter[0].code == (BPF_LD | BPF_W | BPF_ABS));
    REQUIRE(p.filter[0].k == offsetof(struct seccomp_data, arch));
    REQUIRE(BPF_CLASS(p.filter.back().code) == BPF_RET);

    for (auto def : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
                     "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"}) {
        INFO(def);
        auto d = profile(def);
        d.syscalls = {rule({"getppid"}, std::string(def) == "SCMP_ACT_ALLOW" ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW")};
        REQUIRE_FALSE(compile_seccomp(d).filter.empty());
    }
}

TEST_CASE("seccomp: every operator compiles", "[seccomp]") {
    auto s = profile();
    s.syscalls = {
        rule({"personality"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_NE", 0)}),
        rule({"getpriority"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_LT", 1)}),
        rule({"setpriority"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_LE", 1)}),
        rule({"socket"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", 16)}),
        rule({"kill"}, "SCMP_ACT_ERRNO", {arg(1, "SCMP_CMP_GE", 64)}),
        rule({"tkill"}, "SCMP_ACT_ERRNO", {arg(1, "SCMP_CMP_GT", 64)}),
        rule({"clone"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_MASKED_EQ", 0x7E020000, 0)}),
    };
    REQUIRE_FALSE(compile_seccomp(s).filter.empty());
    REQUIRE(known_operators() == std::vector<std::string>{"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                                          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"});
}

TEST_CASE("seccomp: conditions on one index become separate rules", "[seccomp]") {
    auto s = profile();
    // libseccomp refuses two conditions on arg 0 in one rule; the compiler splits them.
    s.syscalls = {rule({"personality"}, "SCMP_ACT_ERRNO",
                       {arg(0, "SCMP_CMP_EQ", 0), arg(0, "SCMP_CMP_EQ", 8), arg(0, "SCMP_CMP_EQ", 0x20000)})};
    auto split = compile_seccomp(s);
    s.syscalls = {rule({"personality"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", 0)})};
    auto one = compile_seccomp(s);
    REQUIRE(split.filter.size() > one.filter.size());
}

TEST_CASE("seccomp: unknown syscalls and rules equal to the default are skipped", "[seccomp]") {
    auto s = profile();
    s.syscalls = {rule({"getcwd"}, "SCMP_ACT_ERRNO")};
    auto base = compile_seccomp(s);

    s.syscalls = {rule({"getcwd", "no_such_syscall_burrow", "another_future_syscall"}, "SCMP_ACT_ERRNO"),
                  rule({"burrow_only_unknown"}, "SCMP_ACT_KILL"),
                  rule({"getpid", "getppid"}, "SCMP_ACT_ALLOW")};
    auto p = compile_seccomp(s);
    REQUIRE(p.filter.size() == base.filter.size());
    for (size_t i = 0; i < p.filter.size(); ++i) {
        REQUIRE(p.filter[i].code == base.filter[i].code);
        REQUIRE(p.filter[i].k == base.filter[i].k);
    }

    // Same action but another errno is a different action: not skipped.
    auto e = profile("SCMP_ACT_ERRNO");
    e.syscalls = {rule({"getcwd"}, "SCMP_ACT_ERRNO", {}, 38)};
    auto same = profile("SCMP_ACT_ERRNO");
    same.syscalls = {rule({"getcwd"}, "SCMP_ACT_ERRNO", {}, EPERM)};
    REQUIRE(compile_seccomp(e).filter.size() > compile_seccomp(same).filter.size());
}

TEST_CASE("seccomp: errors name the field", "[seccomp]") {
    auto s = profile();
    s.syscalls = {rule({"getcwd"}, "SCMP_ACT_ALLOW"), rule({"mkdir"}, "SCMP_ACT_FOO")};
    require_error(s, "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");

    require_error(profile("SCMP_ACT_NOPE"), "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
    require_error(profile("SCMP_ACT_NOTIFY"),
                  "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

    s = profile();
    s.syscalls = {rule({"kill"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", 1), arg(1, "SCMP_CMP_FOO", 2)})};
    require_error(s, "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_FOO\"");

    s = profile();
    s.syscalls = {rule({"kill"}, "SCMP_ACT_ERRNO", {arg(6, "SCMP_CMP_EQ", 1)})};
    require_error(s, "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0-5)");

    s = profile();
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_FOO"};
    require_error(s, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");

    s = profile();
    s.flags = {"SECCOMP_FILTER_FLAG_FOO"};
    require_error(s, "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");

    s = profile();
    s.syscalls = {rule({"mount"}, "SCMP_ACT_NOTIFY")};
    require_error(s, "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath");

    s = profile();
    s.syscalls = {rule({"mount"}, "SCMP_ACT_ALLOW", {}, 1)};
    require_error(s, "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return "
                     "value, not SCMP_ACT_ALLOW");

    s = profile();
    s.syscalls = {rule({"kill"}, "SCMP_ACT_ERRNO", {arg(1, "SCMP_CMP_EQ", 9)}),
                  rule({"tkill", "kill"}, "SCMP_ACT_LOG", {arg(1, "SCMP_CMP_EQ", 9)})};
    require_error(s, "linux.seccomp.syscalls[1].names[1]: an earlier rule for \"kill\" has the same conditions and "
                     "another action");

    s = profile("SCMP_ACT_ERRNO");
    s.default_errno_ret = 70000;
    require_error(s, "linux.seccomp.defaultErrnoRet: 70000 is out of range (0-65535)");
}

TEST_CASE("seccomp: architectures and flags", "[seccomp]") {
    auto s = profile("SCMP_ACT_ERRNO");
    s.syscalls = {rule({"read", "socketcall", "_llseek"}, "SCMP_ACT_ALLOW")};
    auto native = compile_seccomp(s);
    // Docker's list; the native one is already present and is not an error.
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    auto multi = compile_seccomp(s);
    REQUIRE(multi.filter.size() > native.filter.size());

    auto archs = known_archs();
    REQUIRE(std::find(archs.begin(), archs.end(), "SCMP_ARCH_X86_64") != archs.end());
    REQUIRE(std::find(archs.begin(), archs.end(), "SCMP_ARCH_AARCH64") != archs.end());
    REQUIRE(std::find(archs.begin(), archs.end(), "SCMP_ARCH_RISCV64") != archs.end());

    auto actions = known_actions();
    REQUIRE(actions.size() == 9);
    REQUIRE(std::find(actions.begin(), actions.end(), "SCMP_ACT_NOTIFY") != actions.end());

    auto flags = known_flags();
    for (auto &f : flags) {
        INFO(f);
        auto p = profile();
        p.flags = {f};
        if (f == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") {
            require_error(p, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with "
                             "SCMP_ACT_NOTIFY");
            p.listener_path = "/run/agent.sock";
            p.syscalls = {rule({"mount"}, "SCMP_ACT_NOTIFY")};
        }
        REQUIRE(compile_seccomp(p).flags != 0);
    }
    REQUIRE(std::find(flags.begin(), flags.end(), "SECCOMP_FILTER_FLAG_TSYNC") != flags.end());

    s = profile();
    s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"};
    REQUIRE(compile_seccomp(s).flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG));
    // TSYNC with a listener needs TSYNC_ESRCH, or the kernel says EINVAL.
    s.listener_path = "/run/agent.sock";
    s.syscalls = {rule({"mount"}, "SCMP_ACT_NOTIFY")};
    REQUIRE(compile_seccomp(s).flags ==
            (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
}

TEST_CASE("seccomp: a loaded filter does what the profile says", "[seccomp][fork]") {
    auto s = profile();
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    s.syscalls = {
        rule({"getcwd", "no_such_syscall_burrow"}, "SCMP_ACT_ERRNO", {}, 38),
        rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO"), // errnoRet defaults to EPERM
        // eventfd2(initval, flags): refused when flags has EFD_NONBLOCK (mask, datum).
        rule({"eventfd2"}, "SCMP_ACT_ERRNO", {arg(1, "SCMP_CMP_MASKED_EQ", EFD_NONBLOCK, EFD_NONBLOCK)}, 77),
        // Same index twice: either value matches.
        rule({"getpriority"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", PRIO_PROCESS), arg(0, "SCMP_CMP_EQ", PRIO_PGRP)},
             66),
        // A repeated index splits every condition into its own rule, as runc and
        // crun do: the arg 2 condition then matches alone.
        rule({"setpriority"}, "SCMP_ACT_ERRNO",
             {arg(0, "SCMP_CMP_EQ", PRIO_PROCESS), arg(0, "SCMP_CMP_EQ", PRIO_PGRP), arg(2, "SCMP_CMP_EQ", 19)}, 69),
        // Different indexes: both must match.
        rule({"prctl"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", PR_GET_KEEPCAPS), arg(1, "SCMP_CMP_EQ", 99)}, 68),
        rule({"getsid"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_GT", 1000000)}, 70),
        rule({"getpgid"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_GE", 5000000)}, 71),
        rule({"sched_getscheduler"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_LE", 0)}, 72),
        rule({"umask"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_LT", 010)}, 73),
        rule({"getrlimit"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_NE", RLIMIT_NOFILE)}, 74),
        rule({"getuid"}, "SCMP_ACT_TRACE"), // no tracer: the kernel fails it with ENOSYS
        rule({"getgid"}, "SCMP_ACT_LOG"),
    };
    const SeccompProgram p = compile_seccomp(s);

    int status = in_child([&]() -> int {
        if (set_no_new_privs() != 0) return 100;
        if (load_seccomp(p) != 0) return 101;
        char buf[256];
        if (!fails_with(::syscall(SYS_getcwd, buf, sizeof buf), ENOSYS)) return 1;
        if (!fails_with(::syscall(SYS_mkdir, "/tmp/burrow-seccomp-test-never", 0700), EPERM)) return 2;
        if (!fails_with(::syscall(SYS_eventfd2, 0, EFD_NONBLOCK | EFD_CLOEXEC), 77)) return 3;
        long fd = ::syscall(SYS_eventfd2, 0, EFD_CLOEXEC);
        if (fd < 0) return 4;
        ::close(static_cast<int>(fd));
        if (!fails_with(::syscall(SYS_getpriority, PRIO_PROCESS, 0), 66)) return 5;
        if (!fails_with(::syscall(SYS_getpriority, PRIO_PGRP, 0), 66)) return 6;
        if (::syscall(SYS_getpriority, PRIO_USER, 0) < 0) return 7;
        if (!fails_with(::syscall(SYS_setpriority, PRIO_USER, 12345, 19), 69)) return 23;
        if (!fails_with(::syscall(SYS_setpriority, PRIO_PGRP, 0, 0), 69)) return 24;
        if (!fails_with(::syscall(SYS_setpriority, PRIO_USER, 12345, 0), ESRCH)) return 25;
        if (!fails_with(::syscall(SYS_prctl, PR_GET_KEEPCAPS, 99, 0, 0, 0), 68)) return 8;
        if (::syscall(SYS_prctl, PR_GET_KEEPCAPS, 0, 0, 0, 0) < 0) return 9;
        if (::syscall(SYS_prctl, PR_GET_DUMPABLE, 99, 0, 0, 0) < 0) return 10;
        if (!fails_with(::syscall(SYS_getsid, 2000000), 70)) return 11;
        if (::syscall(SYS_getsid, 0) < 0) return 12;
        if (!fails_with(::syscall(SYS_getpgid, 5000000), 71)) return 13;
        if (!fails_with(::syscall(SYS_getpgid, 4999999), ESRCH)) return 14;
        if (!fails_with(::syscall(SYS_sched_getscheduler, 0), 72)) return 15;
        if (::syscall(SYS_sched_getscheduler, ::getpid()) < 0) return 16;
        if (!fails_with(::syscall(SYS_umask, 07), 73)) return 17;
        if (::syscall(SYS_umask, 022) < 0) return 18;
        struct rlimit rl;
        if (!fails_with(::syscall(SYS_getrlimit, RLIMIT_CORE, &rl), 74)) return 19;
        if (::syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl) < 0) return 20;
        if (!fails_with(::syscall(SYS_getuid), ENOSYS)) return 21;
        if (::syscall(SYS_getgid) < 0) return 22;
        return 0;
    });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: a default errno and kill actions", "[seccomp][fork]") {
    // Deny by default with ENOSYS, allow what the child needs to report.
    auto s = profile("SCMP_ACT_ERRNO");
    s.default_errno_ret = ENOSYS;
    s.syscalls = {rule({"exit", "exit_group", "getpid"}, "SCMP_ACT_ALLOW"),
                  rule({"getppid"}, "SCMP_ACT_KILL_PROCESS")};
    const SeccompProgram deny = compile_seccomp(s);
    int status = in_child([&]() -> int {
        if (set_no_new_privs() != 0) return 100;
        if (load_seccomp(deny) != 0) return 101;
        if (::syscall(SYS_getpid) <= 0) return 1;
        if (!fails_with(::syscall(SYS_getuid), ENOSYS)) return 2;
        if (!fails_with(::syscall(SYS_mkdir, "/tmp/burrow-seccomp-test-never", 0700), ENOSYS)) return 3;
        ::syscall(SYS_getppid); // killed here
        return 4;
    });
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGSYS);

    s = profile();
    s.syscalls = {rule({"getppid"}, "SCMP_ACT_TRAP")};
    const SeccompProgram trap = compile_seccomp(s);
    status = in_child([&]() -> int {
        ::signal(SIGSYS, SIG_DFL);
        if (set_no_new_privs() != 0) return 100;
        if (load_seccomp(trap) != 0) return 101;
        ::syscall(SYS_getppid);
        return 1;
    });
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGSYS);
}

TEST_CASE("seccomp: a listenerPath without a notify rule still wants the listener", "[seccomp]") {
    // As crun: the agent gets its fd and the state either way.
    auto s = profile();
    s.syscalls = {rule({"mkdir"}, "SCMP_ACT_ERRNO", {}, 13)};
    REQUIRE_FALSE(compile_seccomp(s).wants_listener);
    s.listener_path = "/run/agent.sock";
    REQUIRE(compile_seccomp(s).wants_listener);
}

TEST_CASE("seccomp: a notify rule gives a listener fd", "[seccomp][fork]") {
    auto s = profile();
    s.listener_path = "/run/agent.sock";
    s.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
    s.syscalls = {rule({"getppid"}, "SCMP_ACT_NOTIFY")};
    const SeccompProgram p = compile_seccomp(s);
    REQUIRE(p.wants_listener);
    int status = in_child([&]() -> int {
        if (set_no_new_privs() != 0) return 100;
        int fd = load_seccomp(p);
        if (fd < 0) return 1;
        if (!(::fcntl(fd, F_GETFD) & FD_CLOEXEC)) return 4;
        struct seccomp_notif_sizes sizes {};
        if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) return 2;
        // The fd answers the notify ioctls: an unknown id is not valid.
        uint64_t id = 12345;
        if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 || errno != ENOENT) return 3;
        return 0;
    });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: an empty program loads nothing", "[seccomp][fork]") {
    SeccompProgram none;
    int status = in_child([&]() -> int { return load_seccomp(none) == 0 ? 0 : 1; });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: without no_new_privs the filter needs CAP_SYS_ADMIN", "[seccomp][fork]") {
    // CAP_SYS_ADMIN in the effective set? (bit 21 of CapEff)
    bool admin = false;
    if (FILE *f = std::fopen("/proc/self/status", "re")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::strncmp(line, "CapEff:", 7) == 0) admin = (std::strtoull(line + 7, nullptr, 16) >> 21) & 1;
        std::fclose(f);
    }
    auto s = profile();
    s.syscalls = {rule({"getcwd"}, "SCMP_ACT_ERRNO", {}, 38)};
    const SeccompProgram p = compile_seccomp(s);
    int status = in_child([&]() -> int {
        if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0) return 1;
        int r = load_seccomp(p);
        if (!admin) return r == -EACCES ? 0 : 2;
        if (r != 0) return 3;
        char buf[64];
        if (!fails_with(::syscall(SYS_getcwd, buf, sizeof buf), ENOSYS)) return 4;
        // Without CAP_SYS_ADMIN (and still no no_new_privs) a second filter is refused.
        if (::syscall(SYS_setresuid, 1000, 1000, 1000) != 0) return 0; // cannot test that part here
        return load_seccomp(p) == -EACCES ? 0 : 5;
    });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: the compiled filter kept for exec and the next create reads back the same, or not at all",
          "[seccomp]") {
    auto s = profile();
    s.syscalls.push_back(rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", {}, 95));
    char tmp[] = "/tmp/burrow-seccomp-cache-XXXXXX";
    REQUIRE(mkdtemp(tmp));
    std::string dir = tmp, cache = dir + "/@seccomp", a = dir + "/a.bpf", b = dir + "/b.bpf";
    auto same = [](const SeccompProgram &x, const SeccompProgram &y) {
        return x.flags == y.flags && x.wants_listener == y.wants_listener && x.filter.size() == y.filter.size() &&
               memcmp(x.filter.data(), y.filter.data(), x.filter.size() * sizeof(sock_filter)) == 0;
    };
    auto nlink = [](const std::string &f) {
        struct stat st;
        return stat(f.c_str(), &st) == 0 ? static_cast<int>(st.st_nlink) : 0;
    };
    auto k1 = seccomp_for(s, cache);
    CHECK_FALSE(k1.found);
    CHECK(same(k1.program, compile_seccomp(s)));
    keep_seccomp(a, k1, cache);
    CHECK(nlink(a) == 2); // and the shared entry
    auto back = load_seccomp_cache(a);
    REQUIRE(back);
    CHECK(same(*back, k1.program));
    // The next container of the same profile finds it, and links it.
    auto k2 = seccomp_for(s, cache);
    CHECK(k2.found);
    CHECK(same(k2.program, k1.program));
    keep_seccomp(b, k2, cache);
    CHECK(nlink(a) == 3);
    // Another profile (one errno apart) is not it.
    auto other = profile();
    other.syscalls.push_back(rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", {}, 94));
    CHECK(seccomp_key(other) != seccomp_key(s));
    CHECK_FALSE(seccomp_for(other, cache).found);
    // The last container of it takes the shared entry, and the empty directory, with it.
    drop_seccomp(b, cache);
    CHECK(nlink(a) == 2);
    drop_seccomp(a, cache);
    CHECK(nlink(a) == 0);
    struct stat st;
    CHECK(stat(cache.c_str(), &st) < 0);
    // A file cut short, another file, bytes after the program: not one.
    keep_seccomp(a, k1, cache);
    REQUIRE(stat(a.c_str(), &st) == 0);
    CHECK(truncate(a.c_str(), st.st_size - 1) == 0);
    CHECK_FALSE(load_seccomp_cache(a));
    CHECK_FALSE(seccomp_for(s, cache).found); // the shared entry is the same file
    CHECK(truncate(a.c_str(), st.st_size + 1) == 0);
    CHECK_FALSE(load_seccomp_cache(a));
    {
        int fd = open(a.c_str(), O_WRONLY | O_TRUNC);
        REQUIRE(fd >= 0);
        CHECK(write(fd, "not a filter, some other file of some length...", 40) == 40);
        close(fd);
    }
    CHECK_FALSE(load_seccomp_cache(a));
    CHECK_FALSE(load_seccomp_cache(dir + "/missing.bpf"));
    // Its last container takes even a broken shared entry (found by its inode), and the directory.
    drop_seccomp(a, cache);
    CHECK(stat(cache.c_str(), &st) < 0);
    CHECK(rmdir(dir.c_str()) == 0);
}

TEST_CASE("seccomp: a kept filter someone else may write is not taken", "[seccomp]") {
    auto s = profile();
    s.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_ERRNO", {}, 95));
    char tmp[] = "/tmp/burrow-seccomp-mode-XXXXXX";
    REQUIRE(mkdtemp(tmp));
    std::string dir = tmp, cache = dir + "/@seccomp", a = dir + "/a.bpf";
    keep_seccomp(a, seccomp_for(s, cache), cache);
    REQUIRE(load_seccomp_cache(a));
    CHECK(chmod(a.c_str(), 0620) == 0);
    CHECK_FALSE(load_seccomp_cache(a));
    CHECK_FALSE(seccomp_for(s, cache).found);
    CHECK(chmod(a.c_str(), 0600) == 0);
    CHECK(seccomp_for(s, cache).found);
    if (geteuid() == 0) {
        CHECK(chown(a.c_str(), 65534, 65534) == 0);
        CHECK_FALSE(load_seccomp_cache(a));
        CHECK_FALSE(seccomp_for(s, cache).found);
    }
    drop_seccomp(a, cache);
    CHECK(rmdir(dir.c_str()) == 0);
}
