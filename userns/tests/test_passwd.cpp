#include "userns/passwd.hpp"

#include <catch2/catch.hpp>

using burrow::userns::find_uid;

TEST_CASE("passwd lines are found by uid") {
    const char *text = "root:x:0:0:root:/root:/bin/sh\n# comment\nbroken line\nuser:x:1000:100::/home/user:/bin/sh\n"
                       "nohome:x:7:7\n";
    auto u = find_uid(text, 1000);
    REQUIRE(u);
    REQUIRE(u->name == "user");
    REQUIRE(u->gid == 100);
    REQUIRE(u->home == "/home/user");
    REQUIRE(find_uid(text, 0)->home == "/root");
    REQUIRE_FALSE(find_uid(text, 7));   // too few fields
    REQUIRE_FALSE(find_uid(text, 42));
    REQUIRE_FALSE(find_uid("", 0));
    REQUIRE(find_uid("a:x:5:5::/h:/s", 5)->home == "/h"); // no trailing newline
}

#include "userns/rootless.hpp"

TEST_CASE("the initial user namespace's map") {
    using burrow::userns::is_initial_map;
    REQUIRE(is_initial_map("         0          0 4294967295\n"));
    REQUIRE_FALSE(is_initial_map("         0       1001          1\n"));
    REQUIRE_FALSE(is_initial_map("         0          0 4294967295\n         1 2 3\n"));
    REQUIRE_FALSE(is_initial_map(""));
}
