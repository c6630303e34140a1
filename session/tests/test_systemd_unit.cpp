#include "session/systemd_unit.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>

using namespace burrow::session;

namespace {
bool has(const std::vector<Property> &p, const std::string &x) { return std::find(p.begin(), p.end(), x) != p.end(); }
} // namespace

TEST_CASE("scope names from cgroupsPath, as runc") {
    auto d = scope_name("", "c1", true);
    CHECK(d.slice == "user.slice");
    CHECK(d.unit == "burrow-c1.scope");
    CHECK(scope_name("", "c1", false).slice == "system.slice");
    auto s = scope_name("machine.slice:libpod:abc", "c1", true);
    CHECK(s.slice == "machine.slice");
    CHECK(s.unit == "libpod-abc.scope");
    CHECK(scope_name(":burrow:x", "c1", true).slice == "user.slice");
    CHECK(scope_name("a.slice::x", "c1", true).unit == "x.scope");
    CHECK_THROWS_AS(scope_name("/a/b", "c1", true), std::invalid_argument);
    CHECK_THROWS_AS(scope_name("a:b:c:d", "c1", true), std::invalid_argument);
    CHECK_THROWS_AS(scope_name("notaslice:p:n", "c1", true), std::invalid_argument);
    CHECK_THROWS_AS(scope_name("a.slice:p:", "c1", true), std::invalid_argument);
    CHECK_THROWS_AS(scope_name("", "c+1", true), std::invalid_argument);
}

TEST_CASE("scopes are delegated and in their slice") {
    auto p = scope_properties(scope_name("", "c1", true), "burrow container c1");
    CHECK(has(p, "Delegate=b:1"));
    CHECK(has(p, "Slice=s:user.slice"));
    CHECK(has(p, "Description=s:burrow container c1"));
}

TEST_CASE("cpu lists become systemd's bit masks") {
    CHECK(cpuset_mask_hex("0", "cpu.cpus") == "01");
    CHECK(cpuset_mask_hex("0-3,5", "cpu.cpus") == "2f");
    CHECK(cpuset_mask_hex("8", "cpu.cpus") == "0001");
    CHECK(cpuset_mask_hex("1,9-10", "cpu.cpus") == "0206");
    CHECK_THROWS_AS(cpuset_mask_hex("3-1", "cpu.cpus"), std::invalid_argument);
    CHECK_THROWS_AS(cpuset_mask_hex("a", "cpu.cpus"), std::invalid_argument);
    CHECK_THROWS_AS(cpuset_mask_hex("1,", "cpu.cpus"), std::invalid_argument);
}

TEST_CASE("resources become unit properties, as runc converts them") {
    Resources r;
    r.memory.limit = 64 << 20;
    r.memory.swap = 96 << 20;
    r.memory.reservation = 32 << 20;
    r.pids_limit = 20;
    r.cpu.shares = 1024;
    r.cpu.quota = 50000;
    r.cpu.period = 100000;
    r.cpu.cpus = "0";
    r.blkio.weight = 500;
    auto p = resource_properties(r);
    CHECK(has(p, "MemoryMax=t:67108864"));
    CHECK(has(p, "MemorySwapMax=t:33554432"));
    CHECK(has(p, "MemoryLow=t:33554432"));
    CHECK(has(p, "TasksMax=t:20"));
    CHECK(has(p, "CPUWeight=t:" + std::to_string(shares_to_weight(1024))));
    CHECK(has(p, "CPUQuotaPerSecUSec=t:500000"));
    CHECK(has(p, "CPUQuotaPeriodUSec=t:100000"));
    CHECK(has(p, "AllowedCPUs=ay:01"));
    CHECK(has(p, "IOWeight=t:" + std::to_string(blkio_weight_to_io(500))));

    Resources u;
    u.memory.limit = -1;
    u.pids_limit = -1;
    u.cpu.quota = 12345; // 123450 us/s: rounded up to 10 ms
    auto q = resource_properties(u);
    CHECK(has(q, "MemoryMax=t:18446744073709551615"));
    CHECK(has(q, "TasksMax=t:18446744073709551615"));
    CHECK(has(q, "CPUQuotaPerSecUSec=t:130000"));

    Resources bad;
    bad.memory.swap = 1 << 20;
    CHECK_THROWS_AS(resource_properties(bad), std::invalid_argument);
    bad.memory.limit = 2 << 20;
    CHECK_THROWS_AS(resource_properties(bad), std::invalid_argument);
    CHECK(resource_properties(Resources{}).empty());
}
