#include "fstree/remove_tree.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using burrow::fstree::Removal;
using burrow::fstree::remove_below;

namespace {

// depth levels of "d" below top, each made by level(fd, i) first.
void nest(const std::string &top, int depth, const std::function<void(int, int)> &level) {
    int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    for (int i = 0; i < depth; i++) {
        REQUIRE(mkdirat(fd, "d", 0755) == 0);
        level(fd, i);
        int next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        REQUIRE(next >= 0);
        close(fd);
        fd = next;
    }
    close(fd);
}

// remove_below(top) under a soft fd limit of 32: its errno.
int remove_with_few_fds(const std::string &top, const Removal &how) {
    struct rlimit old;
    REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
    struct rlimit low = old;
    low.rlim_cur = 32;
    int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    int err = remove_below(fd, how);
    setrlimit(RLIMIT_NOFILE, &old);
    close(fd);
    return err;
}

} // namespace

// A layer (files, links, a mode-000 directory) 200 levels deep: all of it
// goes, and what a link points to stays.
TEST_CASE("remove_below: a layer deeper than the fd limit") {
    char tmpl[] = "/tmp/burrow-tree-XXXXXX";
    std::string d = mkdtemp(tmpl);
    std::string outside = d + "/outside", top = d + "/upper";
    REQUIRE(mkdir(outside.c_str(), 0755) == 0);
    REQUIRE(close(open((outside + "/keep").c_str(), O_CREAT | O_WRONLY, 0644)) == 0);
    REQUIRE(mkdir(top.c_str(), 0755) == 0);
    nest(top, 200, [&](int fd, int i) {
        REQUIRE(close(openat(fd, "f", O_CREAT | O_WRONLY, 0644)) == 0);
        REQUIRE(symlinkat(outside.c_str(), fd, "l") == 0);
        if (i == 100) {
            REQUIRE(mkdirat(fd, "z", 0755) == 0);
            REQUIRE(mkdirat(fd, "z/y", 0755) == 0);
            REQUIRE(fchmodat(fd, "z", 0, 0) == 0);
        }
    });
    CHECK(remove_with_few_fds(top, {}) == 0);
    struct stat st;
    CHECK(lstat((top + "/d").c_str(), &st) < 0);
    CHECK(stat((outside + "/keep").c_str(), &st) == 0);
    CHECK(rmdir(top.c_str()) == 0);
    unlink((outside + "/keep").c_str());
    rmdir(outside.c_str());
    rmdir(d.c_str());
}

// Cgroups a container nested deeper than a path can name (2,500 levels of
// "d/" are longer than PATH_MAX): directories only, files left alone (a
// cgroup's control files cannot be unlinked), the top stays. Empty
// directories of a tmpfs behave as cgroups do here: rmdir removes a leaf.
TEST_CASE("remove_below: directories only, deeper than a path can name") {
    char tmpl[] = "/tmp/burrow-tree-XXXXXX";
    std::string top = mkdtemp(tmpl);
    nest(top, 2500, [](int fd, int i) {
        if (i == 1000) REQUIRE(mkdirat(fd, "b", 0755) == 0);
    });
    REQUIRE(close(open((top + "/control").c_str(), O_CREAT | O_WRONLY, 0644)) == 0);
    CHECK(remove_with_few_fds(top, {false, false, 100}) == 0);
    struct stat st;
    CHECK(stat((top + "/d").c_str(), &st) < 0);
    CHECK(stat((top + "/control").c_str(), &st) == 0);
    unlink((top + "/control").c_str());
    CHECK(rmdir(top.c_str()) == 0);
}

// What cannot go is named: a file in a directory of files=false's.
TEST_CASE("remove_below: the entry that failed is named") {
    char tmpl[] = "/tmp/burrow-tree-XXXXXX";
    std::string top = mkdtemp(tmpl);
    nest(top, 3, [](int fd, int i) {
        if (i == 2) REQUIRE(close(openat(fd, "d/file", O_CREAT | O_WRONLY, 0644)) == 0);
    });
    int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    std::string where;
    CHECK(remove_below(fd, {false, false, 0}, &where) == ENOTEMPTY);
    CHECK(where == ".../d/d");
    CHECK(remove_below(fd, {}, &where) == 0);
    close(fd);
    CHECK(rmdir(top.c_str()) == 0);
}
