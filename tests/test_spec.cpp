#include "error.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"

#include <catch2/catch.hpp>

using namespace burrow;

namespace {

const char *kMinimal = R"({
  "ociVersion": "1.0.2",
  "root": {"path": "rootfs", "readonly": true},
  "process": {"args": ["/bin/true"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
  "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}, {"type": "pid"}]}
})";

std::string error_of(const std::string &text) {
    try {
        spec::validate(spec::parse_config(text));
    } catch (const Error &e) {
        return e.what();
    }
    return "";
}

std::string with(const std::string &from, const std::string &to) {
    std::string s = kMinimal;
    auto p = s.find(from);
    REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
}

} // namespace

TEST_CASE("a minimal config parses and validates") {
    auto c = spec::parse_config(kMinimal);
    spec::validate(c);
    REQUIRE(c.process->args == std::vector<std::string>{"/bin/true"});
    REQUIRE(c.root.readonly);
    REQUIRE(c.linux_->namespaces.size() == 3);
    REQUIRE(c.linux_->find(spec::NsType::pid));
    REQUIRE_FALSE(c.linux_->find(spec::NsType::network));
}

TEST_CASE("every process field is read") {
    auto c = spec::parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "r"},
      "process": {"terminal": true, "consoleSize": {"height": 24, "width": 80},
        "user": {"uid": 1000, "gid": 100, "umask": 18, "additionalGids": [5, 6]},
        "args": ["sh"], "env": ["A=b"], "cwd": "/tmp",
        "capabilities": {"bounding": ["CAP_KILL"], "ambient": []},
        "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 20}],
        "noNewPrivileges": true, "oomScoreAdj": 100,
        "scheduler": {"policy": "SCHED_BATCH", "nice": 5},
        "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4}},
      "hostname": "h", "annotations": {"a": "b"},
      "hooks": {"poststop": [{"path": "/bin/true", "args": ["true"], "timeout": 3}]},
      "linux": {"namespaces": [{"type": "uts"}], "sysctl": {"kernel.hostname": "x"},
        "timeOffsets": {"monotonic": {"secs": 10}},
        "personality": {"domain": "LINUX32"},
        "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]}})");
    auto &p = *c.process;
    REQUIRE(p.terminal);
    REQUIRE(p.console_size->width == 80);
    REQUIRE(p.user.uid == 1000);
    REQUIRE(*p.user.umask == 18);
    REQUIRE(p.user.additional_gids == std::vector<uint32_t>{5, 6});
    REQUIRE(p.rlimits[0].soft == 10);
    REQUIRE(p.capabilities->bounding == std::vector<std::string>{"CAP_KILL"});
    REQUIRE(p.no_new_privileges);
    REQUIRE(*p.oom_score_adj == 100);
    REQUIRE(p.scheduler->nice == 5);
    REQUIRE(p.io_priority->priority == 4);
    REQUIRE(c.hooks.poststop[0].timeout == 3);
    REQUIRE(c.linux_->time_offsets.at("monotonic").secs == 10);
    REQUIRE(c.linux_->personality->domain == "LINUX32");
    REQUIRE(c.annotations.at("a") == "b");
}

TEST_CASE("bad configs are rejected with the field named") {
    REQUIRE(error_of("{") .rfind("invalid JSON: ", 0) == 0);
    // A number beyond a double: nlohmann throws out_of_range, not parse_error
    // (fuzz_process found it ending burrow with std::terminate).
    REQUIRE(error_of(R"({"ociVersion": 1e999})") == "invalid JSON: number overflow parsing '1e999'");
    REQUIRE_THROWS_AS(spec::parse_process_json(R"({"prestart":[8888880034451733508388888e888888888888888]})"),
                      burrow::Error);
    REQUIRE(error_of(with(R"(["/bin/true"])", "[]")) == "process.args: must not be empty");
    REQUIRE(error_of(with(R"(["/bin/true"])", "[1]")) == "process.args[0]: expected a string");
    REQUIRE(error_of(with(R"({"type": "pid"})", R"({"type": "pidx"})")) ==
            "linux.namespaces[2].type: unknown namespace type \"pidx\"");
    REQUIRE(error_of(with(R"({"type": "pid"})", R"({"type": "user"})")) ==
            "linux.namespaces[2].type: namespace \"user\" is given twice");
    REQUIRE(error_of(with(R"("cwd": "/")", R"("cwd": "tmp")")) == "process.cwd: \"tmp\" is not an absolute path");
    REQUIRE(error_of(with(R"("uid": 0)", R"("uid": -1)")) == "process.user.uid: must not be negative");
    REQUIRE(error_of(with(R"("1.0.2")", R"("2.0.0")")) == "ociVersion: \"2.0.0\" is not a 1.x version");
    REQUIRE(error_of(with(R"("root": {"path": "rootfs", "readonly": true},)", "")) == "root.path: is required");
    REQUIRE(error_of(with(R"("cwd": "/",)", R"("cwd": "/", "rlimits": [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}],)")) ==
            "process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"");
    REQUIRE(error_of(with(R"("ociVersion": "1.0.2",)", R"("ociVersion": "1.0.2", "hostname": "x",)")) ==
            "hostname: needs a uts namespace");
    REQUIRE(error_of(with(R"({"type": "pid"}])", R"({"type": "pid"}], "sysctl": {"net.ipv4.ip_forward": "1"})")) ==
            "linux.sysctl.net.ipv4.ip_forward: needs a network namespace");
    REQUIRE(error_of(with(R"({"type": "pid"}])",
                          R"({"type": "pid"}, {"type": "uts", "path": "/nonexistent/ns/uts"}],
                             "sysctl": {"kernel.hostname": "x"})")) ==
            "linux.sysctl.kernel.hostname: needs a uts namespace of the container's own, not a joined one "
            "(/nonexistent/ns/uts)");
    REQUIRE(error_of(with(R"({"type": "pid"}])", R"({"type": "pid"}], "sysctl": {"kernel.domainname": "x"})")) ==
            "linux.sysctl.kernel.domainname: needs a uts namespace");
    REQUIRE(error_of(with(R"({"type": "pid"}])", R"({"type": "pid"}], "sysctl": {"vm.swappiness": "1"})")) ==
            "linux.sysctl.vm.swappiness: is not namespaced: it would change the host");
    REQUIRE(error_of(with(R"({"type": "pid"}])", R"({"type": "pid"}], "timeOffsets": {"monotonic": {"secs": 1}})")) ==
            "linux.timeOffsets: needs a new time namespace");
}

TEST_CASE("hooks kept in the state parse back") {
    auto h = spec::parse_hooks_json(R"({"poststart": [{"path": "/a"}], "poststop": [{"path": "/b", "args": ["b", "1"]}]})");
    REQUIRE(h.poststart.size() == 1);
    REQUIRE(h.poststop[0].args[1] == "1");
    REQUIRE(spec::parse_hooks_json("").poststop.empty());
}

// Found by fuzz/fuzz_process: malformed hooks JSON escaped as nlohmann's
// parse_error (not an Error), which nothing above main expects.
TEST_CASE("fuzz: malformed hooks JSON is an Error") {
    REQUIRE_THROWS_AS(spec::parse_hooks_json(R"({"prestart":[{"path":"/bin/true","args":["true"],"timeout":1}],)"
                                             R"("poststop":[{"path":"/x,"env":["A=1"]}]})"),
                      Error);
    REQUIRE_THROWS_AS(spec::parse_hooks_json("{"), Error);
}

// config.json goes from nlohmann's SAX parser into burrow's own tree of
// views (spec/parse.cpp), not nlohmann's DOM: it must read what the DOM read.
TEST_CASE("config.json: repeated names, numbers at the edges, escapes, UTF-8 and bad text read as nlohmann's DOM reads them") {
    // The same config plain, and with an escape in a string that does not
    // matter.
    std::string plain = R"({"ociVersion":"1.0.2","root":{"path":"r"},"hostname":"h",
      "process":{"args":["/bin/x","a b"],"env":["A=1"],"user":{"uid":0,"gid":0},"oomScoreAdj":-5},
      "annotations":{"b":"2","a":"1","b":"3"},
      "linux":{"namespaces":[{"type":"user"},{"type":"mount"}],"sysctl":{"net.b":"1","net.a":"2"},
               "resources":{"pids":{"limit":10},"memory":{"limit":4096}},
               "uidMappings":[{"containerID":0,"hostID":1000,"size":1}],
               "timeOffsets":{"monotonic":{"secs":-3,"nanosecs":7}}}})";
    std::string escaped = plain;
    escaped.replace(escaped.find("\"h\""), 3, "\"\\u0068\"");
    for (auto &text : {plain, escaped}) {
        auto c = spec::parse_config(text);
        REQUIRE(c.hostname == "h");
        REQUIRE(c.process->args == std::vector<std::string>{"/bin/x", "a b"});
        REQUIRE(c.process->oom_score_adj == -5);
        // A name given twice: the last, as nlohmann keeps it.
        REQUIRE(c.annotations == std::map<std::string, std::string>{{"a", "1"}, {"b", "3"}});
        REQUIRE(c.linux_->sysctl.begin()->first == "net.a");
        // The session library's text: nlohmann's, keys in order.
        REQUIRE(c.linux_->resources_json == R"({"memory":{"limit":4096},"pids":{"limit":10}})");
        REQUIRE(c.linux_->uid_mappings.at(0).host_id == 1000);
        REQUIRE(c.linux_->time_offsets.at("monotonic").secs == -3);
    }
    // Numbers at and past the edges, floats, a member given twice whose last is
    // null (absent): the same errors with and without an escape in the text.
    auto both = [&](const std::string &from, const std::string &to) {
        std::string a = with(from, to), b = with(from, to);
        b.replace(b.find("\"rootfs\""), 8, "\"\\u0072ootfs\"");
        auto ea = error_of(a), eb = error_of(b);
        REQUIRE(ea == eb);
        return ea;
    };
    REQUIRE(both(R"("uid": 0)", R"("uid": 4294967296)") == "process.user.uid: out of range");
    REQUIRE(both(R"("uid": 0)", R"("uid": 18446744073709551616)") == "process.user.uid: expected an integer");
    REQUIRE(both(R"("uid": 0)", R"("uid": -0)") == "");
    REQUIRE(both(R"("uid": 0)", R"("uid": -1)") == "process.user.uid: must not be negative");
    REQUIRE(both(R"("uid": 0)", R"("uid": 1.0)") == "process.user.uid: expected an integer");
    REQUIRE(both(R"("uid": 0)", R"("uid": 1e2)") == "process.user.uid: expected an integer");
    REQUIRE(both(R"("cwd": "/")", R"("cwd": "/", "cwd": null)") == "");
    REQUIRE(both(R"("cwd": "/")", R"("cwd": 1, "cwd": "/")") == "");
    REQUIRE(both(R"("cwd": "/")", R"("cwd": "/", "cwd": 1)") == "process.cwd: expected a string");
    // Text that is not JSON: nlohmann's words, line and column.
    REQUIRE(error_of(with(R"("uid": 0)", R"("uid": 01)")).rfind("invalid JSON: parse error at line 4, column", 0) == 0);
    REQUIRE(error_of("{\"ociVersion\": \"1.0.2\"} x").rfind("invalid JSON: parse error at line 1, column 25", 0) == 0);
    // A raw tab or newline inside a string is a control byte, not whitespace.
    REQUIRE(error_of(with(R"("cwd": "/")", "\"cwd\": \"/\t\"")).rfind("invalid JSON: parse error at line 4", 0) == 0);
    REQUIRE(error_of(with(R"("cwd": "/")", "\"cwd\": \"/\n\"")).rfind("invalid JSON: parse error at line 5, column 0", 0) == 0);
    // UTF-8, a byte order mark, and nesting deeper than any field a config has.
    REQUIRE(spec::parse_config("\xEF\xBB\xBF{\"ociVersion\":\"1.0.2\",\"hostname\":\"h\xC3\xA9\"}").hostname == "h\xC3\xA9");
    REQUIRE(spec::parse_config("{\"ociVersion\":\"1.0.2\",\"x\":" + std::string(100, '[') + std::string(100, ']') + "}")
                .oci_version == "1.0.2");
}
