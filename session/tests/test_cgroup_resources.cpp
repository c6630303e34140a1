#include "session/cgroup_manager.hpp"
#include "session/cgroup_resources.hpp"

#include <catch2/catch.hpp>

using namespace burrow::session;

TEST_CASE("linux.resources parse") {
    auto r = parse_resources(R"({"memory":{"limit":1048576,"swap":-1,"reservation":524288},
        "cpu":{"shares":1024,"quota":50000,"period":100000,"cpus":"0-1","mems":"0"},
        "pids":{"limit":32},"blockIO":{"weight":500,"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1000}]},
        "hugepageLimits":[{"pageSize":"2MB","limit":4194304}],"unified":{"memory.high":"100M"},
        "devices":[{"allow":false,"access":"rwm"}]})");
    REQUIRE(*r.memory.limit == 1048576);
    REQUIRE(*r.memory.swap == -1);
    REQUIRE(*r.cpu.shares == 1024);
    REQUIRE(r.cpu.cpus == "0-1");
    REQUIRE(*r.pids_limit == 32);
    REQUIRE(*r.blkio.weight == 500);
    REQUIRE(r.blkio.throttle_read_bps.size() == 1);
    REQUIRE(r.blkio.throttle_read_bps[0].rate == 1000);
    REQUIRE(r.hugepage_limits.at("2MB") == 4194304);
    REQUIRE(r.unified.at("memory.high") == "100M");
    REQUIRE(!r.empty());
}

TEST_CASE("only device rules need no cgroup") {
    REQUIRE(parse_resources(R"({"devices":[{"allow":false,"access":"rwm"}]})").empty());
    REQUIRE(parse_resources("{}").empty());
    REQUIRE(parse_resources(R"({"pids":{"limit":0}})").empty());
}

TEST_CASE("bad resources name the field") {
    auto msg = [](const char *j) {
        try {
            parse_resources(j);
        } catch (const std::invalid_argument &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    REQUIRE(msg(R"({"memory":{"limit":"1G"}})") == "memory.limit: must be an integer");
    REQUIRE(msg(R"({"memory":{"limit":-5}})").find("memory") == 0);
    REQUIRE(msg(R"({"cpu":{"shares":-1}})") == "cpu.shares: must not be negative");
    REQUIRE(msg(R"({"cpu":{"cpus":"all"}})").find("cpu.cpus") == 0);
    REQUIRE(msg(R"({"pids":{}})") == "pids.limit: is required in pids");
    REQUIRE(msg(R"({"blockIO":{"weight":5}})") == "blockIO.weight: must be 10 to 1000");
    REQUIRE(msg(R"({"unified":{"../x":"1"}})").find("unified.") == 0);
    REQUIRE(msg(R"([1])") == "resources: must be an object");
}

TEST_CASE("v1 values convert to v2 as runc and crun do") {
    REQUIRE(shares_to_weight(0) == 0);
    REQUIRE(shares_to_weight(2) == 1);
    REQUIRE(shares_to_weight(1024) == 39);
    REQUIRE(shares_to_weight(262144) == 10000);
    REQUIRE(blkio_weight_to_io(10) == 1);
    REQUIRE(blkio_weight_to_io(500) == 4950);
    REQUIRE(blkio_weight_to_io(1000) == 10000);
    REQUIRE(cpu_max(50000, 100000) == "50000 100000");
    REQUIRE(cpu_max(-1, 100000) == "max 100000");
    REQUIRE(cpu_max(std::nullopt, std::nullopt) == "max");
    REQUIRE(bytes_or_max(-1) == "max");
    REQUIRE(bytes_or_max(4096) == "4096");
}

TEST_CASE("the state's cgroup record round-trips") {
    CgroupRecord r;
    r.kind = ManagerKind::cgroupfs_v1;
    r.path = "/burrowtest/c1";
    r.dirs = {"/sys/fs/cgroup/memory/burrowtest/c1"};
    r.root = "/sys/fs/cgroup";
    r.controllers = {"memory", "pids"};
    auto b = CgroupRecord::from_json(r.to_json());
    REQUIRE(b.kind == ManagerKind::cgroupfs_v1);
    REQUIRE(b.path == r.path);
    REQUIRE(b.dirs == r.dirs);
    REQUIRE(b.controllers == r.controllers);
    REQUIRE(kind_from_name("systemd") == ManagerKind::systemd);
    REQUIRE(preference_from_name("disabled") == Preference::disabled);
    REQUIRE_THROWS_AS(preference_from_name("bogus"), std::invalid_argument);
}

TEST_CASE("disabled: no cgroup, and a clear line for what needs one") {
    CgroupRequest q;
    q.id = "c1";
    q.preference = Preference::disabled;
    std::string why;
    auto m = choose_manager(q, why);
    REQUIRE(m->record().kind == ManagerKind::none);
    REQUIRE(why.find("disabled") != std::string::npos);
    m->apply(parse_resources(R"({"devices":[]})")); // nothing to enforce: fine
    try {
        m->apply(parse_resources(R"({"memory":{"limit":1000000}})"));
        FAIL("no error");
    } catch (const std::runtime_error &e) {
        REQUIRE(std::string(e.what()).find("linux.resources needs a cgroup") == 0);
    }
    REQUIRE_THROWS(m->freeze(true));
}

TEST_CASE("devices and network rules parse") {
    auto r = parse_resources(R"({"devices":[{"allow":false,"access":"rwm"},
        {"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},{"allow":true,"type":"b","major":8}],
        "network":{"classID":1048577,"priorities":[{"name":"eth0","priority":5}]}})");
    REQUIRE(r.devices.size() == 3);
    REQUIRE(r.devices[0].v1_line() == "a");
    REQUIRE(r.devices[1].v1_line() == "c 10:229 rw");
    REQUIRE(r.devices[2].v1_line() == "b 8:* rwm");
    REQUIRE(*r.network.class_id == 1048577);
    REQUIRE(r.network.priorities == std::vector<std::pair<std::string, uint32_t>>{{"eth0", 5}});
    REQUIRE(!r.empty()); // network rules need a cgroup
    REQUIRE_THROWS_WITH(parse_resources(R"({"devices":[{"access":"rwm"}]})"), "devices[0].allow: is required");
    REQUIRE_THROWS_WITH(parse_resources(R"({"devices":[{"allow":true,"type":"x"}]})"),
                        Catch::Contains("devices[0].type"));
    REQUIRE_THROWS_WITH(parse_resources(R"({"devices":[{"allow":true,"access":"rwx"}]})"),
                        Catch::Contains("devices[0].access"));
    REQUIRE_THROWS_WITH(parse_resources(R"({"network":{"classID":-1}})"), Catch::Contains("network.classID"));
    REQUIRE_THROWS_WITH(parse_resources(R"({"network":{"priorities":[{"name":"a/b","priority":1}]}})"),
                        Catch::Contains("network.priorities[0].name"));
}

TEST_CASE("device rules that pass without a device cgroup") {
    auto rules = [](const char *j) { return parse_resources(j).devices; };
    // deny all, then allow: what a user namespace gives anyway
    REQUIRE_NOTHROW(check_devices_unenforced(rules(R"({"devices":[{"allow":false,"access":"rwm"},
        {"allow":true,"type":"c","major":1,"minor":3},{"allow":false,"type":"c","major":10,"minor":229}]})"), "x"));
    REQUIRE_NOTHROW(check_devices_unenforced(rules(R"({"devices":[{"allow":true,"access":"rwm"}]})"), "x"));
    // one device denied while the rest is allowed: cannot be enforced
    REQUIRE_THROWS_WITH(
        check_devices_unenforced(rules(R"({"devices":[{"allow":false,"type":"c","major":10,"minor":229}]})"),
                                 "no cgroup"),
        Catch::StartsWith("linux.resources.devices[0]: denies \"c 10:229 rwm\", and no cgroup"));
    REQUIRE_THROWS(check_devices_unenforced(rules(R"({"devices":[{"allow":false,"access":"rwm"},
        {"allow":true,"access":"rwm"},{"allow":false,"type":"b"}]})"), "x"));
}
