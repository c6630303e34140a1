// burrow unit's text (src/unit/unit_file.cpp): the README's user service, with
// the command lines quoted as systemd reads them back.
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "error.hpp"
#include "unit/unit.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

using namespace burrow;

namespace {

unit::UnitSpec web() {
    unit::UnitSpec s;
    s.id = "web";
    s.burrow = "/usr/bin/burrow";
    s.globals = {"--systemd-cgroup"};
    s.run_args = {"--bundle", "/home/a/containers/web"};
    s.delegate = true;
    return s;
}

} // namespace

TEST_CASE("the unit file: the README's user service") {
    auto t = unit::render(web());
    CHECK_THAT(t, Catch::Contains("[Unit]\nDescription=web, in a burrow container\n"));
    CHECK_THAT(t, Catch::Contains("\nType=notify\nNotifyAccess=all\n"));
    CHECK_THAT(t, Catch::Contains("\nDelegate=yes\n"));
    CHECK_THAT(t, Catch::Contains(
                      "\nExecStart=/usr/bin/burrow --systemd-cgroup run --bundle /home/a/containers/web web\n"));
    CHECK_THAT(t, Catch::Contains("\nExecStopPost=/usr/bin/burrow --systemd-cgroup delete --force web\n"));
    CHECK_THAT(t, Catch::Contains("\nTimeoutStopSec=10\nRestart=on-failure\n"));
    CHECK_THAT(t, Catch::EndsWith("\n[Install]\nWantedBy=default.target\n"));
}

TEST_CASE("the unit file: --exec, --restart, no delegation") {
    auto s = web();
    s.notify = false;
    s.restart = "always";
    s.delegate = false;
    s.globals = {"--root", "/run/user/1000/b"};
    auto t = unit::render(s);
    CHECK_THAT(t, Catch::Contains("\nType=exec\n"));
    CHECK_THAT(t, !Catch::Contains("NotifyAccess"));
    CHECK_THAT(t, !Catch::Contains("Delegate"));
    CHECK_THAT(t, Catch::Contains("\nRestart=always\n"));
    CHECK_THAT(t, Catch::Contains("ExecStart=/usr/bin/burrow --root /run/user/1000/b run --bundle"));
}

TEST_CASE("the unit file: command words quoted for systemd") {
    CHECK(unit::exec_word("/plain/path") == "/plain/path");
    CHECK(unit::exec_word("a b") == "\"a b\"");
    CHECK(unit::exec_word("") == "\"\"");
    CHECK(unit::exec_word(";") == "\";\"");
    CHECK(unit::exec_word("100%") == "100%%");
    CHECK(unit::exec_word("$HOME") == "$$HOME");
    CHECK(unit::exec_word("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(unit::exec_word("a\\b") == "\"a\\\\b\"");
    CHECK(unit::exec_word("it's") == "\"it's\"");
    CHECK_THROWS_AS(unit::exec_word("a\nb"), Error);
}

TEST_CASE("the unit file: impossible units are refused") {
    auto s = web();
    s.restart = "sometimes";
    CHECK_THROWS_WITH(unit::render(s), Catch::Contains("not on-failure, always or no"));
    s = web();
    s.id = "a+b";
    CHECK_THROWS_WITH(unit::render(s), Catch::Contains("'+'"));
    s.id = "../x";
    CHECK_THROWS_WITH(unit::render(s), Catch::Contains("invalid container id"));
    s = web();
    s.burrow = "burrow";
    CHECK_THROWS_WITH(unit::render(s), Catch::Contains("not absolute"));
}

TEST_CASE("the unit file: burrow's own path") {
    // The test binary's own path, by an absolute argv[0] or through PATH; argv[0]
    // naming another file than /proc/self/exe loses to /proc/self/exe.
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    REQUIRE(n > 0);
    std::string exe(buf, static_cast<size_t>(n));
    CHECK(unit::self_path(exe.c_str()) == exe);
    CHECK(unit::self_path("/bin/sh") == exe);
    CHECK(unit::self_path("no-such-program-anywhere") == exe);
}
