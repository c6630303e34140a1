#include "error.hpp"
#include "lifecycle/signals.hpp"

#include <catch2/catch.hpp>
#include <csignal>

using burrow::lifecycle::parse_signal;

TEST_CASE("signals by name, with or without SIG, and by number") {
    REQUIRE(parse_signal("TERM") == SIGTERM);
    REQUIRE(parse_signal("SIGTERM") == SIGTERM);
    REQUIRE(parse_signal("sigkill") == SIGKILL);
    REQUIRE(parse_signal("15") == 15);
    REQUIRE(parse_signal("9") == SIGKILL);
    REQUIRE(parse_signal("RTMIN") == SIGRTMIN);
    REQUIRE(parse_signal("SIGRTMIN+3") == SIGRTMIN + 3);
    REQUIRE(parse_signal("RTMAX-1") == SIGRTMAX - 1);
    REQUIRE_THROWS_WITH(parse_signal("FOO"), "unknown signal \"FOO\"");
    REQUIRE(parse_signal("0") == 0); // kill ID 0: does the process exist?
    REQUIRE_THROWS_WITH(parse_signal("99"), "unknown signal \"99\"");
    REQUIRE_THROWS_WITH(parse_signal("RTMIN+99"), "unknown signal \"RTMIN+99\"");
}
