#include <catch2/catch.hpp>

#include "process/env.hpp"

using burrow::process::last_value_wins;
using V = std::vector<std::string>;

TEST_CASE("env: a variable given twice keeps its last value, where it last appears") {
    CHECK(last_value_wins({"PATH=/bundle", "TERM=xterm", "HOME=/root", "PATH=/job", "SLURM_JOB_ID=7"}) ==
          V{"TERM=xterm", "HOME=/root", "PATH=/job", "SLURM_JOB_ID=7"});
    CHECK(last_value_wins({"A=1", "A=2", "A=3"}) == V{"A=3"});
    CHECK(last_value_wins({"A=", "A=x"}) == V{"A=x"});
}

TEST_CASE("env: distinct names, prefixes and entries without '=' are kept") {
    CHECK(last_value_wins({"A=1", "AB=2", "B=3"}) == V{"A=1", "AB=2", "B=3"});
    CHECK(last_value_wins({"NOEQ", "NOEQ", "X=1"}) == V{"NOEQ", "NOEQ", "X=1"});
    CHECK(last_value_wins({}).empty());
}
