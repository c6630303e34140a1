// Unit tests of the pure parts: subid parsing, entitlement, map text, defaults.
#include <catch2/catch.hpp>

#include <cstdio>
#include <stdexcept>
#include <unistd.h>

#include "userns/idmap.hpp"
#include "userns/subid.hpp"

using namespace burrow::userns;

namespace Catch {
template <> struct StringMaker<Range> {
    static std::string convert(const Range &r) {
        std::string s = "{";
        s += std::to_string(r.start) + ", " + std::to_string(r.count) + "}";
        return s;
    }
};
template <> struct StringMaker<IdMap> {
    static std::string convert(const IdMap &m) {
        std::string s = "{";
        s += std::to_string(m.inside) + ", " + std::to_string(m.outside) + ", " + std::to_string(m.count) + "}";
        return s;
    }
};
} // namespace Catch

namespace {

using Ranges = std::vector<Range>;
using Maps = std::vector<IdMap>;

// The message check_entitled throws, or "" when it accepts.
std::string entitled_error(const Maps &maps, uint32_t own, const Ranges &ranges,
                           const std::string &field = "linux.uidMappings", const std::string &file = "/etc/subuid",
                           const std::string &user = "burrowtest") {
    try {
        check_entitled(maps, own, ranges, field, file, user);
        return "";
    } catch (const std::runtime_error &e) {
        return e.what();
    }
}

} // namespace

TEST_CASE("parse_subid matches the user by name", "[subid]") {
    auto r = parse_subid("alice:100000:65536\nburrowtest:200000:65536\nbob:300000:65536\n", "burrowtest", 1001);
    CHECK(r == Ranges{{200000, 65536}});
}

TEST_CASE("parse_subid matches the user by numeric uid", "[subid]") {
    CHECK(parse_subid("1001:200000:65536\n1002:300000:10\n", "burrowtest", 1001) == Ranges{{200000, 65536}});
    // Both forms in one file, in file order.
    CHECK(parse_subid("1001:300000:10\nburrowtest:200000:5\n", "burrowtest", 1001) ==
          Ranges{{300000, 10}, {200000, 5}});
    // With no name (a uid without a passwd entry) only the number matches.
    CHECK(parse_subid(":1:2\n1001:5:6\n", "", 1001) == Ranges{{5, 6}});
    // A name is not a number: "01001" is not uid 1001's name but is its number.
    CHECK(parse_subid("01001:5:6\n", "x", 1001) == Ranges{{5, 6}});
}

TEST_CASE("parse_subid collects several ranges", "[subid]") {
    auto r = parse_subid("burrowtest:200000:65536\nother:1:1\nburrowtest:400000:1000", "burrowtest", 1001);
    CHECK(r == Ranges{{200000, 65536}, {400000, 1000}});
}

TEST_CASE("parse_subid skips comments, blank and malformed lines", "[subid]") {
    const char *text = "# burrowtest:1:1\n"
                       "\n"
                       "   \n"
                       "burrowtest:200000\n"          // two fields
                       "burrowtest:1:2:3\n"           // four fields
                       "burrowtest:x:10\n"            // not a number
                       "burrowtest:-5:10\n"           // negative
                       "burrowtest:+5:10\n"           // sign
                       "burrowtest:5: 10\n"           // space inside a field
                       "burrowtest:4294967296:1\n"    // past 32 bits
                       "burrowtest:4294967290:10\n"   // runs past the largest id
                       "burrowtest:4294967295:1\n"    // the id that is not an id
                       "burrowtest:7:0\n"             // empty
                       "burrowtest::10\n"             // empty start
                       "burrowtestx:9:9\n"            // another user
                       "burrowtest:200000:65536\r\n"  // CRLF is fine
                       "  burrowtest:300000:10  \n";  // surrounding blanks are fine
    CHECK(parse_subid(text, "burrowtest", 1001) == Ranges{{200000, 65536}, {300000, 10}});
    CHECK(parse_subid("", "burrowtest", 1001).empty());
    CHECK(parse_subid("burrowtest:4294967294:1", "burrowtest", 1001) == Ranges{{4294967294u, 1}});
}

TEST_CASE("read_subid reads a file and treats a missing one as empty", "[subid]") {
    CHECK(read_subid("/nonexistent/burrow-subuid", "burrowtest", 1001).empty());

    char path[] = "/tmp/burrow-subid-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    std::string text = "burrowtest:200000:65536\n";
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fd);
    CHECK(read_subid(path, "burrowtest", 1001) == Ranges{{200000, 65536}});
    unlink(path);

    // A directory is not a file: the error names the path.
    try {
        read_subid("/", "burrowtest", 1001);
        FAIL("no exception");
    } catch (const std::system_error &e) {
        CHECK(std::string(e.what()) == "read /: Is a directory");
    }
}

TEST_CASE("check_entitled accepts the own id and ids inside the ranges", "[idmap]") {
    Ranges r{{200000, 65536}};
    CHECK(entitled_error({{0, 1001, 1}}, 1001, r) == "");
    CHECK(entitled_error({{0, 1001, 1}}, 1001, {}) == "");
    CHECK(entitled_error({{0, 1001, 1}, {1, 200000, 65536}}, 1001, r) == "");
    CHECK(entitled_error({{0, 265535, 1}, {5, 200100, 100}}, 1001, r) == "");
    CHECK(entitled_error({}, 1001, r) == "");
}

TEST_CASE("check_entitled joins adjacent ranges", "[idmap]") {
    Ranges r{{300000, 100}, {200000, 100}, {200100, 50}};
    CHECK(entitled_error({{0, 200050, 100}}, 1001, r) == "");
    CHECK(entitled_error({{0, 200000, 150}}, 1001, r) == "");
    // 200150 is past the joined range.
    CHECK(entitled_error({{0, 200000, 151}}, 1001, r) ==
          "linux.uidMappings: host ids 200000-200150 are not yours: you are uid 1001 and /etc/subuid gives "
          "burrowtest 200000-200149, 300000-300099");
}

TEST_CASE("check_entitled rejects ids that are not the caller's", "[idmap]") {
    Ranges r{{200000, 65536}};
    CHECK(entitled_error({{0, 1001, 1}, {1, 300000, 10}}, 1001, r) ==
          "linux.uidMappings: host ids 300000-300009 are not yours: you are uid 1001 and /etc/subuid gives "
          "burrowtest 200000-265535");
    CHECK(entitled_error({{0, 1001, 1}, {1, 300000, 10}}, 1001, {}) ==
          "linux.uidMappings: host ids 300000-300009 are not yours: you are uid 1001 and /etc/subuid has no "
          "range for burrowtest");
    CHECK(entitled_error({{0, 0, 1}}, 1001, r, "linux.gidMappings", "/etc/subgid") ==
          "linux.gidMappings: host id 0 is not yours: you are gid 1001 and /etc/subgid gives burrowtest "
          "200000-265535");
    // The own id is entitled alone, not as part of a larger mapping.
    CHECK(entitled_error({{0, 1001, 2}}, 1001, {{1002, 10}}) ==
          "linux.uidMappings: host ids 1001-1002 are not yours: you are uid 1001 and /etc/subuid gives "
          "burrowtest 1002-1011");
    // Partly inside is not inside.
    CHECK(entitled_error({{0, 265000, 1000}}, 1001, r) ==
          "linux.uidMappings: host ids 265000-265999 are not yours: you are uid 1001 and /etc/subuid gives "
          "burrowtest 200000-265535");
    // No user name: the uid stands in.
    CHECK(entitled_error({{0, 5, 1}}, 1001, {}, "linux.uidMappings", "/etc/subuid", "") ==
          "linux.uidMappings: host id 5 is not yours: you are uid 1001 and /etc/subuid has no range for 1001");
}

TEST_CASE("check_entitled rejects overlaps", "[idmap]") {
    Ranges r{{200000, 65536}};
    CHECK(entitled_error({{0, 200000, 10}, {5, 200100, 10}}, 1001, r) ==
          "linux.uidMappings: container ids 0-9 and 5-14 overlap");
    CHECK(entitled_error({{0, 200000, 10}, {10, 200005, 10}}, 1001, r) ==
          "linux.uidMappings: host ids 200000-200009 and 200005-200014 overlap");
    // Order in the config does not matter; touching is fine.
    CHECK(entitled_error({{10, 200010, 10}, {0, 200000, 10}}, 1001, r) == "");
    CHECK(entitled_error({{20, 200100, 1}, {0, 200000, 100}, {10, 200200, 5}}, 1001, r) ==
          "linux.uidMappings: container ids 0-99 and 10-14 overlap");
    CHECK(entitled_error({{0, 1001, 1}, {1, 1001, 1}}, 1001, r) ==
          "linux.uidMappings: host id 1001 and 1001 overlap");
}

TEST_CASE("check_entitled rejects size 0, ids past the largest and too many lines", "[idmap]") {
    Ranges r{{200000, 65536}};
    CHECK(entitled_error({{0, 1001, 1}, {1, 200000, 0}}, 1001, r) ==
          "linux.uidMappings: the mapping of container id 1 to host id 200000 has size 0");
    CHECK(entitled_error({{4294967290u, 200000, 10}}, 1001, r) ==
          "linux.uidMappings: container ids 4294967290-4294967299 go past the largest id 4294967294");
    CHECK(entitled_error({{0, 4294967295u, 1}}, 1001, r) ==
          "linux.uidMappings: host id 4294967295 goes past the largest id 4294967294");

    Maps many;
    for (uint32_t i = 0; i < 341; ++i) many.push_back({i, 200000 + i, 1});
    CHECK(entitled_error(many, 1001, r) == "linux.uidMappings: 341 mappings, but the kernel takes at most 340");
    many.pop_back();
    CHECK(entitled_error(many, 1001, r) == "");
}

TEST_CASE("writable_directly is one line of the own id", "[idmap]") {
    CHECK(writable_directly({{0, 1001, 1}}, 1001));
    CHECK(writable_directly({{1000, 1001, 1}}, 1001));
    CHECK_FALSE(writable_directly({{0, 1001, 2}}, 1001));
    CHECK_FALSE(writable_directly({{0, 1002, 1}}, 1001));
    CHECK_FALSE(writable_directly({{0, 1001, 1}, {1, 200000, 10}}, 1001));
    CHECK_FALSE(writable_directly({}, 1001));
}

TEST_CASE("format_map gives the kernel's text", "[idmap]") {
    CHECK(format_map({{0, 1001, 1}, {1, 200000, 65536}}) == "0 1001 1\n1 200000 65536\n");
    CHECK(format_map({{4294967294u, 4294967294u, 1}}) == "4294967294 4294967294 1\n");
    CHECK(format_map({}) == "");
}

TEST_CASE("helper_argv gives newuidmap's arguments", "[idmap]") {
    CHECK(helper_argv("newuidmap", 1234, {{0, 1001, 1}, {1, 200000, 65536}}) ==
          std::vector<std::string>{"newuidmap", "1234", "0", "1001", "1", "1", "200000", "65536"});
    CHECK(helper_argv("newgidmap", 7, {}) == std::vector<std::string>{"newgidmap", "7"});
}

TEST_CASE("default_rootless_maps maps 0 to the own id and 1.. to the ranges", "[idmap]") {
    CHECK(default_rootless_maps(1001, {}) == Maps{{0, 1001, 1}});
    CHECK(default_rootless_maps(1001, {{200000, 65536}}) == Maps{{0, 1001, 1}, {1, 200000, 65536}});
    CHECK(default_rootless_maps(1001, {{300000, 10}, {200000, 5}}) ==
          Maps{{0, 1001, 1}, {1, 300000, 10}, {11, 200000, 5}});
    // A duplicate range (by name and by uid) and an overlapping one add only new ids.
    CHECK(default_rootless_maps(1001, {{200000, 100}, {200000, 100}, {200050, 100}}) ==
          Maps{{0, 1001, 1}, {1, 200000, 100}, {101, 200100, 50}});
    // The own id inside a range is not mapped twice.
    CHECK(default_rootless_maps(1001, {{1000, 5}}) ==
          Maps{{0, 1001, 1}, {1, 1000, 1}, {2, 1002, 3}});
    // A range that covers earlier ones on both sides.
    CHECK(default_rootless_maps(50, {{10, 5}, {0, 100}}) ==
          Maps{{0, 50, 1}, {1, 10, 5}, {6, 0, 10}, {16, 15, 35}, {51, 51, 49}});
    // The whole id space fits: container ids end at the largest id.
    CHECK(default_rootless_maps(1001, {{0, 4294967295u}}) ==
          Maps{{0, 1001, 1}, {1, 0, 1001}, {1002, 1002, 4294967294u - 1002 + 1}});
    // And at the kernel's line limit.
    Ranges many;
    for (uint32_t i = 0; i < 400; ++i) many.push_back({200000 + 2 * i, 1});
    auto maps = default_rootless_maps(1001, many);
    CHECK(maps.size() == max_map_lines);
    CHECK(maps.back() == IdMap{339, 200000 + 2 * 338, 1});
}

TEST_CASE("default_rootless_maps are always entitled", "[idmap]") {
    std::vector<Ranges> cases{{}, {{200000, 65536}}, {{1000, 5}}, {{10, 5}, {0, 100}}, {{5, 5}, {5, 5}, {7, 10}}};
    for (auto &r : cases) CHECK(entitled_error(default_rootless_maps(50, r), 50, r) == "");
}

TEST_CASE("keep_id_maps keep the own id and fill around it from the ranges", "[idmap][keep-id]") {
    // No ranges: the own id alone, which the caller writes directly.
    CHECK(keep_id_maps(1001, {}) == Maps{{1001, 1001, 1}});
    CHECK(writable_directly(keep_id_maps(1001, {}), 1001));
    // podman's layout: 0..uid-1 from the range, uid -> uid, the rest above.
    CHECK(keep_id_maps(1001, {{100000, 65536}}) ==
          Maps{{0, 100000, 1001}, {1001, 1001, 1}, {1002, 101001, 64535}});
    // A range split over several lines, in file order.
    CHECK(keep_id_maps(5, {{300, 3}, {200, 10}}) ==
          Maps{{0, 300, 3}, {3, 200, 2}, {5, 5, 1}, {6, 202, 8}});
    // Too few ids to reach the own id: what there is, then the own id.
    CHECK(keep_id_maps(1001, {{100000, 10}}) == Maps{{0, 100000, 10}, {1001, 1001, 1}});
    // A range that holds the own id leaves it out; duplicates count once.
    CHECK(keep_id_maps(3, {{0, 6}, {0, 6}}) == Maps{{0, 0, 3}, {3, 3, 1}, {4, 4, 2}});
    // uid 0 (root of a user namespace): nothing below.
    CHECK(keep_id_maps(0, {{100, 5}}) == Maps{{0, 0, 1}, {1, 100, 5}});
    // Never past the kernel's line limit.
    Ranges many;
    for (uint32_t i = 0; i < 400; ++i) many.push_back({200000 + 2 * i, 1});
    auto maps = keep_id_maps(1001, many);
    CHECK(maps.size() == max_map_lines);
}

TEST_CASE("keep_id_maps are always entitled", "[idmap][keep-id]") {
    std::vector<Ranges> cases{{}, {{200000, 65536}}, {{1000, 5}}, {{10, 5}, {0, 100}}, {{5, 5}, {5, 5}, {7, 10}}};
    for (auto &r : cases) CHECK(entitled_error(keep_id_maps(50, r), 50, r) == "");
}

#include "userns/nsswitch.hpp"

TEST_CASE("subid_service: the service of nsswitch.conf's subid line", "[subid]") {
    CHECK(subid_service("") == "files");
    CHECK(subid_service("passwd: files systemd\ngroup: files\n") == "files");
    CHECK(subid_service("passwd: files sss\nsubid: sss\n") == "sss");
    CHECK(subid_service("subid:\tfiles\n") == "files");
    CHECK(subid_service("  subid:   sss files # only the first counts\n") == "sss");
    CHECK(subid_service("# subid: sss\n") == "files");
    CHECK(subid_service("subid:\n") == "files");
    CHECK(subid_service("subids: sss\n") == "files");
}

TEST_CASE("parse_subid_helper: burrow-subid's lines for one kind", "[subid]") {
    const char *out = "uid 100000 65536\nuid 300000 10\ngid 200000 5\nbad line\nuid x 5\nuid 5 0\n";
    CHECK(parse_subid_helper(out, IdKind::uid) == Ranges{{100000, 65536}, {300000, 10}});
    CHECK(parse_subid_helper(out, IdKind::gid) == Ranges{{200000, 5}});
    CHECK(parse_subid_helper("", IdKind::uid).empty());
}

TEST_CASE("inside_id finds the container's id of a host id", "[idmap]") {
    std::vector<IdMap> maps = {{0, 1001, 1}, {1, 100000, 65536}};
    CHECK(inside_id(maps, 1001) == 0);
    CHECK(inside_id(maps, 100000) == 1);
    CHECK(inside_id(maps, 165535) == 65536);
    CHECK(inside_id(maps, 165536) == -1);
    CHECK(inside_id(maps, 0) == -1);
    CHECK(inside_id({}, 1001) == -1);
}
