#include "error.hpp"
#include "state/store.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

using namespace burrow;

namespace {

struct TempRoot {
    std::string path;
    TempRoot() {
        char t[] = "/tmp/burrow-state-test.XXXXXX";
        path = mkdtemp(t);
    }
    ~TempRoot() { std::system(("rm -rf " + path).c_str()); }
};

} // namespace

TEST_CASE("container ids") {
    state::validate_id("c1");
    state::validate_id("a.b-c_d+e");
    REQUIRE_THROWS_WITH(state::validate_id("a/b"), "invalid container id \"a/b\": use letters, digits and _ + - . only");
    REQUIRE_THROWS(state::validate_id(".."));
    REQUIRE_THROWS(state::validate_id(""));
}

TEST_CASE("the store claims ids once, writes and reads records, removes them") {
    TempRoot t;
    state::Store s(t.path + "/root");
    {
        auto lock = s.claim("c1");
        REQUIRE_THROWS_WITH(s.claim("c1"), "container \"c1\" already exists");
    }
    state::Record r;
    r.oci_version = "1.0.2";
    r.id = "c1";
    r.pid = getpid();
    r.pid_start = state::process_start_time(getpid());
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.created = state::now_rfc3339();
    r.annotations["k"] = "v";
    r.hooks_json = R"({"poststop":[{"path":"/bin/true"}]})";
    r.own_pidns = true;
    r.no_new_keyring = true;
    s.write(r);
    REQUIRE(s.ids() == std::vector<std::string>{"c1"});
    auto back = s.read("c1");
    REQUIRE(back.no_new_keyring); // exec keeps the caller's keyring only then
    REQUIRE(back.pid == r.pid);
    REQUIRE(back.pid_start == r.pid_start);
    REQUIRE(back.annotations == r.annotations);
    REQUIRE(back.own_pidns);
    REQUIRE(nlohmann::json::parse(back.hooks_json) == nlohmann::json::parse(r.hooks_json));
    // We are alive and there is no exec.fifo: running.
    REQUIRE(state::status_of(s, back) == state::Status::running);
    back.pid_start += 1; // a reused pid
    REQUIRE(state::status_of(s, back) == state::Status::stopped);
    s.remove("c1");
    REQUIRE_THROWS_WITH(s.read("c1"), "container \"c1\" does not exist");
    REQUIRE_THROWS_WITH(s.lock("c1"), "container \"c1\" does not exist");
}

TEST_CASE("state JSON has runc's fields in runc's order") {
    state::Record r;
    r.oci_version = "1.0.2";
    r.id = "x";
    r.pid = 42;
    r.bundle = "/b";
    r.rootfs = "/b/r";
    r.created = "2026-01-01T00:00:00.5Z";
    auto j = state::state_json(r, state::Status::running, "", -1);
    REQUIRE(j == R"({"ociVersion":"1.0.2","id":"x","pid":42,"status":"running","bundle":"/b","rootfs":"/b/r",)"
                 R"("created":"2026-01-01T00:00:00.5Z","owner":""})");
    // A stopped container reports pid 0, as runc does.
    REQUIRE(state::state_json(r, state::Status::stopped, "", -1).find("\"pid\":0") != std::string::npos);
    auto now = state::now_rfc3339();
    REQUIRE(now.back() == 'Z');
    REQUIRE(now[10] == 'T');
}

TEST_CASE("a corrupt state.json is reported as corrupt, never as absent") {
    TempRoot t;
    state::Store s(t.path + "/root");
    { auto lock = s.claim("c1"); }
    auto write = [&](const std::string &text) { state::write_small(s.dir("c1") + "/state.json", text); };
    REQUIRE_THROWS_AS(s.read("c1"), state::NoSuchContainer); // made, not yet written
    REQUIRE_FALSE(s.exists("c1"));
    for (const char *bad : {"", "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pi", "\x01\x02garbage", "[]", "null",
                            R"({"ociVersion":"1","id":"c1","pid":-1,"pidStart":0,"bundle":"","rootfs":"","created":""})",
                            R"({"ociVersion":"1","id":"c1","pid":99999999999,"pidStart":0,"bundle":"","rootfs":"","created":""})",
                            R"({"ociVersion":"1","id":"c1","pid":"1","pidStart":0,"bundle":"","rootfs":"","created":""})"}) {
        write(bad);
        REQUIRE(s.exists("c1"));
        REQUIRE_THROWS_AS(s.read("c1"), state::CorruptState);
        REQUIRE(s.ids() == std::vector<std::string>{"c1"}); // listed, with its problem
    }
    REQUIRE_THROWS_AS(s.read("c2"), state::NoSuchContainer);
}

TEST_CASE("init.pid names the container's process whatever state.json holds") {
    TempRoot t;
    state::Store s(t.path + "/root");
    { auto lock = s.claim("c1"); }
    REQUIRE(s.remains("c1").pid == 0); // nothing recorded: nothing to kill
    state::Record r;
    r.id = "c1";
    r.pid = getpid();
    r.pid_start = state::process_start_time(getpid());
    r.own_pidns = true;
    s.write_init(r);
    state::write_small(s.dir("c1") + "/state.json", "{trunc");
    auto back = s.remains("c1");
    REQUIRE(back.pid == r.pid);
    REQUIRE(back.pid_start == r.pid_start);
    REQUIRE(back.own_pidns);
    state::write_small(s.dir("c1") + "/init.pid", "-5 1 0\n"); // never a process group
    REQUIRE(s.remains("c1").pid == 0);
    state::write_small(s.dir("c1") + "/init.pid", "garbage");
    REQUIRE(s.remains("c1").pid == 0);
    // write_small leaves no temporary file behind
    struct stat st;
    REQUIRE(stat((s.dir("c1") + "/.init.pid.tmp").c_str(), &st) < 0);
}

TEST_CASE("a failed state write leaves the old file and no temporary file") {
    TempRoot t;
    std::string path = t.path + "/f";
    state::write_small(path, "old");
    REQUIRE_THROWS_AS(state::write_small(t.path + "/no-such-dir/f", "new"), Error);
    // /dev/full: every write fails with ENOSPC, as on a full disk
    REQUIRE(symlink("/dev/full", (t.path + "/.g.tmp").c_str()) == 0);
    REQUIRE_THROWS_WITH(state::write_small(t.path + "/g", "new"), Catch::Contains("No space left on device"));
    struct stat st;
    REQUIRE(lstat((t.path + "/.g.tmp").c_str(), &st) < 0);
    REQUIRE(lstat((t.path + "/g").c_str(), &st) < 0);
}

namespace {
// What glibc's gmtime_r and strftime make of t, with `frac` before the Z.
std::string glibc_rfc3339(long long t, const char *frac) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm;
    gmtime_r(&tt, &tm);
    char want[64];
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
    return std::string(want) + frac + "Z";
}
} // namespace

TEST_CASE("rfc3339 by hand agrees with gmtime_r and strftime") {
    // 1970, leap days, century years (2000 leap, 2100 not), before the epoch, far ahead.
    for (long long t : {0LL, 951782399LL, 951782400LL, 951868800LL, 1709164800LL, 4107542399LL, 4107542400LL,
                        -1LL, -86401LL, 253402300799LL, 1796604053LL})
        REQUIRE(state::rfc3339({static_cast<time_t>(t), 120000000}) == glibc_rfc3339(t, ".12"));
    for (long long t = 0; t < 4102444800LL; t += 86400LL * 37 + 3607) // every 37 days and a bit, to 2100
        REQUIRE(state::rfc3339({static_cast<time_t>(t), 0}) == glibc_rfc3339(t, ""));
}

TEST_CASE("state.json numbers beyond 64 bits or of the wrong kind are corrupt, not undefined") {
    // nlohmann keeps 1233...678 as a double; reading it as int64 was undefined (fuzz_state).
    auto rec = [](const std::string &pid, const std::string &start) {
        return R"({"ociVersion":"1.0.2","id":"c1","pid":)" + pid + R"(,"pidStart":)" + start +
               R"(,"bundle":"/b","rootfs":"/r","created":"2026-12-07T00:00:00Z"})";
    };
    REQUIRE(state::parse_record(rec("42", "7")).pid == 42);
    REQUIRE_THROWS_AS(state::parse_record(rec("123333333333333333333333335678", "7")), std::invalid_argument);
    REQUIRE_THROWS_AS(state::parse_record(rec("4.5", "7")), std::invalid_argument);
    REQUIRE_THROWS_AS(state::parse_record(rec("42", "-1")), std::invalid_argument);
    REQUIRE_THROWS_AS(state::parse_record(rec("42", "1e30")), std::invalid_argument);
    REQUIRE_THROWS_AS(state::parse_record(rec("-3", "7")), std::invalid_argument);
}
