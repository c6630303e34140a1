// Integration tests of the writers and the helper runner. They need to create
// user namespaces; the root tests need root, the newuidmap tests need a user
// with subordinate ranges (when run as root they fork and drop to
// $BURROW_TEST_USER, default burrowtest). Whatever cannot run is skipped with
// a warning, so the binary passes as any user.
#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns/helper.hpp"
#include "userns/idmap.hpp"
#include "userns/subid.hpp"
#include "userns/writer.hpp"

using namespace burrow::userns;
using Maps = std::vector<IdMap>;

namespace {

// A child that has entered a new user namespace and waits until destroyed.
class NsChild {
public:
    NsChild() {
        int ready[2], hold[2];
        if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC)) throw std::runtime_error("pipe");
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork");
        if (pid_ == 0) {
            close(ready[0]);
            close(hold[1]);
            char c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
            if (write(ready[1], &c, 1) != 1) _exit(1);
            while (read(hold[0], &c, 1) < 0 && errno == EINTR) {
            }
            _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        hold_ = hold[1];
        char c = 'n';
        while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
        }
        close(ready[0]);
        ok_ = c == 'y';
    }
    ~NsChild() {
        close(hold_);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    NsChild(const NsChild &) = delete;
    NsChild &operator=(const NsChild &) = delete;

    int pid() const { return pid_; }
    bool ok() const { return ok_; }

    std::string proc(const char *name) const {
        std::string path = "/proc/" + std::to_string(pid_) + "/" + name, text;
        FILE *f = fopen(path.c_str(), "r");
        if (!f) return "(cannot open " + path + ")";
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
        fclose(f);
        return text;
    }

    // The map as the kernel reports it (columns padded with spaces).
    Maps map(const char *name) const {
        Maps maps;
        std::string text = proc(name);
        const char *p = text.c_str();
        unsigned in, out, count;
        int used;
        while (sscanf(p, "%u %u %u%n", &in, &out, &count, &used) == 3) {
            maps.push_back({in, out, count});
            p += used;
        }
        return maps;
    }

private:
    pid_t pid_ = -1;
    int hold_ = -1;
    bool ok_ = false;
};

std::string str(const Maps &maps) {
    std::string s = format_map(maps);
    for (auto &c : s)
        if (c == '\n') c = '|';
    return s;
}

// The checks of an unprivileged caller, run in this process (not root) or in
// a child that dropped to the test user. Returns "" when all passed,
// "SKIP: why" when they cannot run, else what failed. No Catch macros here:
// this may run in a forked child.
std::string unprivileged_checks() {
    std::string failed;
    auto expect = [&](bool ok, const std::string &what) {
        if (!ok) failed += (failed.empty() ? "" : "; ") + what;
    };
    uid_t uid = getuid();
    gid_t gid = getgid();
    struct passwd *pw = getpwuid(uid);
    std::string user = pw ? pw->pw_name : "";
    try {
        {
            NsChild c;
            if (!c.ok()) return "SKIP: cannot create a user namespace as uid " + std::to_string(uid);
            // Direct: the own id alone.
            write_uid_map(c.pid(), {{0, uid, 1}}, uid);
            write_gid_map(c.pid(), {{0, gid, 1}}, gid, false);
            expect(c.map("uid_map") == Maps{{0, uid, 1}}, "direct uid_map is " + str(c.map("uid_map")));
            expect(c.map("gid_map") == Maps{{0, gid, 1}}, "direct gid_map is " + str(c.map("gid_map")));
            expect(c.proc("setgroups") == "deny\n", "direct setgroups is " + c.proc("setgroups"));
        }
        auto uranges = read_subid("/etc/subuid", user, uid);
        auto granges = read_subid("/etc/subgid", user, gid);
        if (uranges.empty() || granges.empty())
            return failed.empty() ? "SKIP: " + user + " has no range in /etc/subuid or /etc/subgid" : failed;
        if (find_helper("newuidmap").empty() || find_helper("newgidmap").empty())
            return failed.empty() ? "SKIP: newuidmap or newgidmap is not installed" : failed;
        {
            // newuidmap/newgidmap: the defaults of a rootless container.
            NsChild c;
            Maps umaps = default_rootless_maps(uid, uranges), gmaps = default_rootless_maps(gid, granges);
            write_uid_map(c.pid(), umaps, uid);
            write_gid_map(c.pid(), gmaps, gid, false);
            expect(c.map("uid_map") == umaps, "helper uid_map is " + str(c.map("uid_map")));
            expect(c.map("gid_map") == gmaps, "helper gid_map is " + str(c.map("gid_map")));
            expect(c.proc("setgroups") == "allow\n", "helper setgroups is " + c.proc("setgroups"));
        }
        {
            // deny_setgroups on the helper path.
            NsChild c;
            Maps gmaps = default_rootless_maps(gid, granges);
            write_gid_map(c.pid(), gmaps, gid, true);
            expect(c.map("gid_map") == gmaps, "helper gid_map (deny) is " + str(c.map("gid_map")));
            expect(c.proc("setgroups") == "deny\n", "helper setgroups (deny) is " + c.proc("setgroups"));
        }
        {
            // A range that is not ours: newuidmap refuses, in its own words.
            uint32_t stray = uranges[0].start + uranges[0].count;
            for (;; stray += 1000) {
                try {
                    check_entitled({{1, stray, 10}}, uid, uranges, "f", "/etc/subuid", user);
                } catch (const std::runtime_error &) {
                    break;
                }
            }
            NsChild c;
            Maps maps{{0, uid, 1}, {1, stray, 10}};
            std::string prefix = "newuidmap " + std::to_string(c.pid()) + " 0 " + std::to_string(uid) + " 1 1 " +
                                 std::to_string(stray) + " 10: newuidmap: ";
            try {
                write_uid_map(c.pid(), maps, uid);
                expect(false, "an unentitled map was accepted");
            } catch (const std::runtime_error &e) {
                std::string msg = e.what();
                expect(msg.rfind(prefix, 0) == 0 && msg.size() > prefix.size() && msg.back() != '\n',
                       "unentitled: got \"" + msg + "\", want \"" + prefix + "...\"");
            }
            expect(c.proc("uid_map").empty(), "unentitled uid_map is " + c.proc("uid_map"));
        }
    } catch (const std::exception &e) {
        expect(false, std::string("threw: ") + e.what());
    }
    return failed;
}

// Runs unprivileged_checks as the test user: here when not root, else in a
// child that drops to the user.
std::string as_test_user() {
    if (geteuid() != 0) return unprivileged_checks();
    const char *name = std::getenv("BURROW_TEST_USER");
    if (!name || !*name) name = "burrowtest";
    struct passwd *pw = getpwnam(name);
    if (!pw) return std::string("SKIP: no user ") + name;
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;

    int out[2];
    if (pipe2(out, O_CLOEXEC)) return "pipe failed";
    pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        close(out[0]);
        std::string result;
        if (setgroups(0, nullptr) || setgid(gid) || setuid(uid))
            result = std::string("SKIP: cannot become ") + name + ": " + strerror(errno);
        else {
            // setuid made us undumpable, which makes /proc/PID root's; a login
            // (exec) would have made us dumpable again.
            prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
            try {
                result = unprivileged_checks();
            } catch (...) {
                result = "unexpected exception";
            }
        }
        size_t off = 0;
        while (off < result.size()) {
            ssize_t n = write(out[1], result.data() + off, result.size() - off);
            if (n <= 0) break;
            off += static_cast<size_t>(n);
        }
        _exit(0);
    }
    close(out[1]);
    std::string result;
    char buf[1024];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        result.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) result += " (child died)";
    return result;
}

// A temporary directory with a fake helper script in it, on PATH while alive.
class FakeHelper {
public:
    FakeHelper(const char *name, const std::string &script) {
        const char *tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp == '/' ? tmp : "/tmp") + "/burrow-userns-XXXXXX";
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl);
        dir_ = tmpl;
        path_ = dir_ + "/" + name;
        FILE *f = fopen(path_.c_str(), "w");
        if (!f) throw std::runtime_error("fopen");
        fprintf(f, "#!/bin/sh\n%s\n", script.c_str());
        fclose(f);
        chmod(path_.c_str(), 0755);
        const char *old = std::getenv("PATH");
        had_path_ = old != nullptr;
        if (old) old_path_ = old;
        setenv("PATH", (dir_ + ":" + old_path_).c_str(), 1);
    }
    ~FakeHelper() {
        if (had_path_)
            setenv("PATH", old_path_.c_str(), 1);
        else
            unsetenv("PATH");
        unlink(path_.c_str());
        rmdir(dir_.c_str());
    }
    const std::string &path() const { return path_; }
    // False on a noexec temporary directory.
    bool usable() const { return access(path_.c_str(), X_OK) == 0; }

private:
    std::string dir_, path_, old_path_;
    bool had_path_ = false;
};

// On a noexec temporary directory the fake helpers cannot run.
#define SKIP_UNLESS_USABLE(fake)                                                                                      \
    do {                                                                                                             \
        if (!(fake).usable()) {                                                                                      \
            WARN("cannot run scripts in the temporary directory: skipped");                                          \
            return;                                                                                                  \
        }                                                                                                            \
    } while (0)

std::string helper_error(const char *name, const std::vector<std::string> &argv) {
    try {
        run_helper(name, argv);
        return "";
    } catch (const std::exception &e) {
        return e.what();
    }
}

} // namespace

TEST_CASE("writers as root write the maps directly", "[writer][root]") {
    if (geteuid() != 0) {
        WARN("not root: skipping the direct writes of arbitrary maps");
        return;
    }
    {
        NsChild c;
        if (!c.ok()) {
            WARN("cannot create a user namespace: skipped");
            return;
        }
        write_uid_map(c.pid(), {{0, 1000, 1}}, 0);
        write_gid_map(c.pid(), {{0, 1000, 1}}, 0, false);
        CHECK(c.map("uid_map") == Maps{{0, 1000, 1}});
        CHECK(c.map("gid_map") == Maps{{0, 1000, 1}});
        CHECK(c.proc("setgroups") == "allow\n");
    }
    {
        NsChild c;
        Maps maps{{0, 100000, 65536}, {65536, 0, 1}};
        write_uid_map(c.pid(), maps, 0);
        write_gid_map(c.pid(), maps, 0, true);
        CHECK(c.map("uid_map") == maps);
        CHECK(c.map("gid_map") == maps);
        CHECK(c.proc("setgroups") == "deny\n");
        // A map can be written once: the second write names the file and the map.
        try {
            write_uid_map(c.pid(), {{0, 5, 1}}, 0);
            FAIL("no exception");
        } catch (const std::system_error &e) {
            CHECK(std::string(e.what()) == "write \"0 5 1\" to /proc/" + std::to_string(c.pid()) +
                                               "/uid_map: Operation not permitted");
        }
    }
}

TEST_CASE("writers as an unprivileged user: direct for the own id, newuidmap for ranges", "[writer][user]") {
    std::string result = as_test_user();
    if (result.rfind("SKIP: ", 0) == 0) {
        WARN(result);
        return;
    }
    CHECK(result == "");
}

TEST_CASE("a missing process is reported with its /proc path", "[writer]") {
    try {
        write_uid_map(999999999, {{0, getuid(), 1}}, getuid());
        FAIL("no exception");
    } catch (const std::system_error &e) {
        CHECK(std::string(e.what()) == "open /proc/999999999/uid_map: No such file or directory");
    }
}

TEST_CASE("find_helper searches PATH, then /usr/bin", "[helper]") {
    CHECK(find_helper("burrow-no-such-helper") == "");
    FakeHelper fake("burrow-fake-helper", "exit 0");
    SKIP_UNLESS_USABLE(fake);
    CHECK(find_helper("burrow-fake-helper") == fake.path());
    if (access("/usr/bin/newuidmap", X_OK) == 0) {
        const char *old = std::getenv("PATH");
        std::string saved = old ? old : "";
        setenv("PATH", "relative/dir:/nonexistent", 1);
        CHECK(find_helper("newuidmap") == "/usr/bin/newuidmap");
        if (old)
            setenv("PATH", saved.c_str(), 1);
        else
            unsetenv("PATH");
    }
}

TEST_CASE("run_helper reports a missing helper", "[helper]") {
    CHECK(helper_error("burrow-no-such-helper", {"burrow-no-such-helper", "1"}) ==
          "burrow-no-such-helper not found: install the uidmap package to use subordinate id ranges");
}

TEST_CASE("run_helper reports the helper's own words", "[helper]") {
    {
        FakeHelper fake("newuidmap", "echo \"newuidmap: write to uid_map failed: Operation not permitted\" >&2; exit 1");
        SKIP_UNLESS_USABLE(fake);
        CHECK(helper_error("newuidmap", helper_argv("newuidmap", 1234, {{0, 1001, 1}, {1, 200000, 65536}})) ==
              "newuidmap 1234 0 1001 1 1 200000 65536: newuidmap: write to uid_map failed: Operation not permitted");
    }
    {
        FakeHelper fake("burrow-fake-helper", "echo first; echo second >&2; echo; exit 2");
        SKIP_UNLESS_USABLE(fake);
        CHECK(helper_error("burrow-fake-helper", {"burrow-fake-helper", "a"}) == "burrow-fake-helper a: first; second");
    }
    {
        FakeHelper fake("burrow-fake-helper", "exit 3");
        SKIP_UNLESS_USABLE(fake);
        CHECK(helper_error("burrow-fake-helper", {"burrow-fake-helper"}) == "burrow-fake-helper: exited with status 3");
    }
    {
        FakeHelper fake("burrow-fake-helper", "kill -TERM $$");
        SKIP_UNLESS_USABLE(fake);
        CHECK(helper_error("burrow-fake-helper", {"burrow-fake-helper"}) ==
              "burrow-fake-helper: killed by signal 15 (Terminated)");
    }
    {
        FakeHelper fake("burrow-fake-helper", "echo \"I am $0 with $*\" >&2");
        SKIP_UNLESS_USABLE(fake);
        CHECK(helper_error("burrow-fake-helper", {"burrow-fake-helper", "x", "y"}) == "");
    }
}

TEST_CASE("run_helper gives the helper /dev/null, no other fds, no environment, no blocked signals", "[helper]") {
    FakeHelper fake("burrow-fake-helper",
                    "echo \"stdin=$(/usr/bin/readlink /proc/$$/fd/0)\"; "
                    "if [ -e /proc/$$/fd/100 ]; then echo fd100=open; else echo fd100=closed; fi; "
                    "echo \"home=${HOME:-unset}\"; "
                    "grep SigBlk /proc/$$/status | tr -d '\\t'; exit 1");
    SKIP_UNLESS_USABLE(fake);
    // An inheritable fd, as a parent holding many would have.
    int fd = open("/dev/null", O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(dup2(fd, 100) == 100);
    close(fd);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);

    CHECK(helper_error("burrow-fake-helper", {"burrow-fake-helper"}) ==
          "burrow-fake-helper: stdin=/dev/null; fd100=closed; home=unset; SigBlk:0000000000000000");

    sigprocmask(SIG_SETMASK, &old, nullptr);
    close(100);
}
