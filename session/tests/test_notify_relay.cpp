#include "session/notify_relay.hpp"

#include <catch2/catch.hpp>

using burrow::session::relayed_message;

TEST_CASE("notify relay: the container's lines go on, its MAINPID never") {
    bool ready = true;
    REQUIRE(relayed_message("STATUS=warming up", 42, ready) == "STATUS=warming up\n");
    REQUIRE_FALSE(ready);
    REQUIRE(relayed_message("READY=1", 42, ready) == "READY=1\nMAINPID=42\n");
    REQUIRE(ready);
    // A MAINPID of the container's own (another process of the host's, say) is dropped, first or alone.
    REQUIRE(relayed_message("MAINPID=1234\nREADY=1\nSTATUS=up", 42, ready) == "READY=1\nSTATUS=up\nMAINPID=42\n");
    REQUIRE(ready);
    REQUIRE(relayed_message("MAINPID=1234", 42, ready).empty());
    REQUIRE_FALSE(ready);
    REQUIRE(relayed_message("READY=1\nMAINPID=1234\n", 42, ready) == "READY=1\nMAINPID=42\n");
    // READY=1 only as a line of its own.
    REQUIRE(relayed_message("STATUS=READY=1", 42, ready) == "STATUS=READY=1\n");
    REQUIRE_FALSE(ready);
    REQUIRE(relayed_message("", 42, ready).empty());
}
