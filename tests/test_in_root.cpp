#include "rootfs/in_root.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace burrow::rootfs;

namespace {

struct Tree {
    std::string root, outside;
    int rootfd = -1;
    Tree() {
        char t[] = "/tmp/burrow-inroot.XXXXXX";
        std::string base = mkdtemp(t);
        root = base + "/root";
        outside = base + "/outside";
        mkdir(root.c_str(), 0755);
        mkdir(outside.c_str(), 0755);
        mkdir((root + "/a").c_str(), 0755);
        mkdir((root + "/a/b").c_str(), 0755);
        mkdir((root + "/tmp").c_str(), 0755);
        symlink("/tmp/../../../outside", (root + "/evil").c_str());   // absolute, climbing out
        symlink("../../..", (root + "/a/up").c_str());                  // relative, climbing out
        symlink("b", (root + "/a/rel").c_str());
        symlink("/a/b", (root + "/abs").c_str());
        symlink("loop2", (root + "/loop1").c_str());
        symlink("loop1", (root + "/loop2").c_str());
        rootfd = open(root.c_str(), O_PATH | O_DIRECTORY);
    }
    ~Tree() {
        close(rootfd);
        std::system(("rm -rf " + root.substr(0, root.size() - 5)).c_str());
    }
    ino_t ino(const std::string &p) {
        struct stat st;
        return stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
    }
};

ino_t ino_of(int fd) {
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) return 0;
    close(fd);
    return st.st_ino;
}

} // namespace

TEST_CASE("paths resolve inside the root, with or without openat2") {
    Tree t;
    for (auto resolve : {&openat2_in_root, &resolve_by_hand}) {
        REQUIRE(ino_of(resolve(t.rootfd, "a/b", O_PATH)) == t.ino(t.root + "/a/b"));
        REQUIRE(ino_of(resolve(t.rootfd, "a/rel", O_PATH)) == t.ino(t.root + "/a/b"));
        REQUIRE(ino_of(resolve(t.rootfd, "abs", O_PATH)) == t.ino(t.root + "/a/b"));
        REQUIRE(ino_of(resolve(t.rootfd, "../../a", O_PATH)) == t.ino(t.root + "/a"));
        REQUIRE(ino_of(resolve(t.rootfd, "a/up", O_PATH)) == t.ino(t.root)); // ".." stops at the root
        REQUIRE(ino_of(resolve(t.rootfd, "", O_PATH | O_DIRECTORY)) == t.ino(t.root));
        // "/outside" does not exist inside the root: the host's is never reached.
        REQUIRE(resolve(t.rootfd, "evil", O_PATH) == -ENOENT);
        REQUIRE(resolve(t.rootfd, "loop1", O_PATH) == -ELOOP);
        REQUIRE(resolve(t.rootfd, "abs", O_PATH | O_DIRECTORY) >= 0);
    }
}

TEST_CASE("missing mount points are created inside the root, through dangling symlinks too") {
    Tree t;
    int fd = open_in_root(t.rootfd, "evil/sub", true, false);
    REQUIRE(fd >= 0);
    close(fd);
    REQUIRE(t.ino(t.root + "/outside/sub") != 0);   // created inside the root...
    REQUIRE(t.ino(t.outside + "/sub") == 0);        // ...and not outside it
    fd = open_in_root(t.rootfd, "x/y/file", true, true);
    REQUIRE(fd >= 0);
    close(fd);
    struct stat st;
    REQUIRE(stat((t.root + "/x/y/file").c_str(), &st) == 0);
    REQUIRE(S_ISREG(st.st_mode));
}

TEST_CASE("a magic link in procfs is refused, with or without openat2") {
    // /proc/self/fd/N of a directory: its text is the host's path of it, which
    // a walk by hand would splice and follow as an ordinary symlink.
    Tree t;
    int host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int dir = open(t.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    std::string fd_link = "proc/self/fd/" + std::to_string(dir);
    for (auto resolve : {&openat2_in_root, &resolve_by_hand}) {
        REQUIRE(resolve(host_root, fd_link.c_str(), O_PATH) == -ELOOP);
        REQUIRE(ino_of(resolve(host_root, "proc/self", O_PATH | O_DIRECTORY)) != 0); // a plain procfs link
    }
    close(dir);
    close(host_root);
}
