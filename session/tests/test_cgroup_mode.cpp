#include "session/cgroup_mode.hpp"

#include <catch2/catch.hpp>
#include <linux/magic.h>

using namespace burrow::session;

TEST_CASE("cgroup layouts by filesystem type") {
    REQUIRE(classify(CGROUP2_SUPER_MAGIC, 0) == CgroupMode::unified);
    REQUIRE(classify(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC) == CgroupMode::hybrid);
    REQUIRE(classify(TMPFS_MAGIC, 0) == CgroupMode::v1);
    REQUIRE(classify(TMPFS_MAGIC, TMPFS_MAGIC) == CgroupMode::v1);
    REQUIRE(classify(0, 0) == CgroupMode::none);
    REQUIRE(std::string(mode_name(CgroupMode::hybrid)) == "hybrid");
}

TEST_CASE("this host's layout is one of them") {
    auto m = detect_cgroup_mode();
    WARN("cgroup layout here: " << mode_name(m));
    REQUIRE(std::string(mode_name(m)) != "?");
}
