#include "cli/options.hpp"
#include "error.hpp"

#include <catch2/catch.hpp>

using namespace burrow::cli;

TEST_CASE("options as Go's flag package takes them") {
    std::vector<Option> o = {{"bundle", 'b', true}, {"detach", 'd', false}, {"pid-file", 0, true}};
    auto p = parse({"-b", "/x", "--detach", "id1", "--pid-file=/p"}, o);
    REQUIRE(p.get("bundle") == "/x");
    REQUIRE(p.has("detach"));
    REQUIRE(p.get("pid-file") == "/p");
    REQUIRE(p.args == std::vector<std::string>{"id1"});
    REQUIRE(parse({"-bundle", "/y", "id"}, o).get("bundle") == "/y");
    REQUIRE_FALSE(parse({"--detach=false", "id"}, o).has("detach"));
    REQUIRE(parse({"--", "-id"}, o).args == std::vector<std::string>{"-id"});
    REQUIRE_THROWS_WITH(parse({"--nope"}, o), "unknown option --nope");
    REQUIRE_THROWS_WITH(parse({"--bundle"}, o), "option --bundle needs a value");
    REQUIRE_THROWS_WITH(parse({"--detach=maybe"}, o), "option --detach takes true or false, not \"maybe\"");
    REQUIRE_THROWS_WITH(one_id(parse({}, o), "burrow start ID"), "missing the container id; usage: burrow start ID");
}
