#include "fstree/remove_tree.hpp"
#include "fstree/visit_tree.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using burrow::fstree::visit_dirs;

// A tree deeper than a path can name and than the fd limit allows, with
// siblings on the way and a link out of it: every directory is visited once,
// under a soft fd limit of 32, and nothing through the link.
TEST_CASE("visit_dirs: a tree deeper than a path and the fd limit") {
    char tmpl[] = "/tmp/burrow-visit-XXXXXX";
    std::string d = mkdtemp(tmpl);
    std::string outside = d + "/outside", top = d + "/top";
    REQUIRE(mkdir(outside.c_str(), 0755) == 0);
    REQUIRE(mkdir((outside + "/not-in-the-tree").c_str(), 0755) == 0);
    REQUIRE(mkdir(top.c_str(), 0755) == 0);
    const int depth = 2100; // "d/" 2,100 times: past PATH_MAX
    int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    for (int i = 0; i < depth; i++) {
        REQUIRE(mkdirat(fd, "d", 0755) == 0);
        if (i % 500 == 0) {
            REQUIRE(mkdirat(fd, "side", 0755) == 0);
            REQUIRE(symlinkat(outside.c_str(), fd, "out") == 0);
            REQUIRE(close(openat(fd, "file", O_CREAT | O_WRONLY, 0644)) == 0);
        }
        int next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        REQUIRE(next >= 0);
        close(fd);
        fd = next;
    }
    close(fd);

    struct rlimit old;
    REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
    struct rlimit low = old;
    low.rlim_cur = 32;
    fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    int visited = 0, sides = 0, outsiders = 0;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    int err = visit_dirs(fd, [&](int dir) {
        visited++;
        struct stat st;
        if (fstatat(dir, "file", &st, 0) == 0) sides++;
        if (fstatat(dir, "not-in-the-tree", &st, 0) == 0) outsiders++;
    });
    setrlimit(RLIMIT_NOFILE, &old);
    CHECK(err == 0);
    CHECK(visited == 1 + depth + 5); // top, the chain, the five "side"s
    CHECK(sides == 5);
    CHECK(outsiders == 0);
    REQUIRE(burrow::fstree::remove_below(fd, {}) == 0);
    close(fd);
    REQUIRE(rmdir(top.c_str()) == 0);
    REQUIRE(rmdir((outside + "/not-in-the-tree").c_str()) == 0);
    REQUIRE(rmdir(outside.c_str()) == 0);
    REQUIRE(rmdir(d.c_str()) == 0);
}
