// The values update and events take on the command line, as runc reads them.
#include "error.hpp"
#include "lifecycle/lifecycle.hpp"

#include <catch2/catch.hpp>

using namespace burrow::lifecycle;

TEST_CASE("sizes as runc's --memory takes them") {
    REQUIRE(parse_size("-1") == -1);
    REQUIRE(parse_size("1024") == 1024);
    REQUIRE(parse_size("64M") == 64 * 1024 * 1024);
    REQUIRE(parse_size("64m") == 64 * 1024 * 1024);
    REQUIRE(parse_size("1g") == 1024LL * 1024 * 1024);
    REQUIRE(parse_size("512kb") == 512 * 1024);
    REQUIRE(parse_size("2MiB") == 2 * 1024 * 1024);
    REQUIRE(parse_size("1.5k") == 1536);
    REQUIRE_THROWS_AS(parse_size("lots"), burrow::Error);
    REQUIRE_THROWS_AS(parse_size("1X"), burrow::Error);
    REQUIRE_THROWS_AS(parse_size(""), burrow::Error);
}

TEST_CASE("durations as Go's time.ParseDuration") {
    REQUIRE(parse_duration_ms("5s") == 5000);
    REQUIRE(parse_duration_ms("100ms") == 100);
    REQUIRE(parse_duration_ms("1m30s") == 90000);
    REQUIRE(parse_duration_ms("1.5s") == 1500);
    REQUIRE(parse_duration_ms("1h") == 3600000);
    REQUIRE_THROWS_AS(parse_duration_ms("5"), burrow::Error);
    REQUIRE_THROWS_AS(parse_duration_ms("nonsense"), burrow::Error);
    REQUIRE_THROWS_AS(parse_duration_ms("10us"), burrow::Error); // below a millisecond
}
