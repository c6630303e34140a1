#include "error.hpp"
#include "layers/overlay.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace burrow::layers;

TEST_CASE("overlay options: the command line over the annotations") {
    OverlayOptions cli;
    REQUIRE_FALSE(overlay_options(cli, {}).enabled);
    auto o = overlay_options(cli, {{"io.github.burrow.overlay", "true"},
                                   {"io.github.burrow.overlay.lower", "/a:/b::/c"},
                                   {"io.github.burrow.overlay.driver", "fuse"}});
    REQUIRE(o.enabled);
    REQUIRE(o.lower == std::vector<std::string>{"/a", "/b", "/c"});
    REQUIRE(o.driver == "fuse");
    cli.enabled = true;
    cli.driver = "kernel";
    cli.lower = {"/x"};
    o = overlay_options(cli, {{"io.github.burrow.overlay.lower", "/a"}, {"io.github.burrow.overlay.driver", "fuse"}});
    REQUIRE(o.driver == "kernel");
    REQUIRE(o.lower == std::vector<std::string>{"/x"});
    REQUIRE_THROWS_WITH(overlay_options(cli, {{"io.github.burrow.overlay", "yes"}}),
                        "config.json: annotations: io.github.burrow.overlay: \"yes\": must be true or false");
    cli.driver = "zfs";
    REQUIRE_THROWS_WITH(overlay_options(cli, {}), "--overlay-driver: \"zfs\": must be kernel or fuse");
    OverlayOptions no;
    no.upper = "/u";
    REQUIRE_THROWS_WITH(overlay_options(no, {}), "--overlay-lower, --overlay-upper and --overlay-driver need --overlay or --image");
    // --image (or its annotation) implies the overlay, and allows its options.
    REQUIRE(overlay_options(no, {{"io.github.burrow.image", "img.sqfs"}}).enabled);
    REQUIRE(overlay_options(no, {{"io.github.burrow.image", "img.sqfs"}}).image == "img.sqfs");
}

TEST_CASE("overlay layers: checked before anything is made") {
    char tmpl[] = "/tmp/burrow-ov-XXXXXX";
    std::string d = mkdtemp(tmpl);
    std::string root = d + "/rootfs", low = d + "/low";
    mkdir(root.c_str(), 0755);
    mkdir(low.c_str(), 0755);
    burrow::rootfs::OverlayMount m;
    OverlayOptions o;
    o.enabled = true;
    o.lower = {low};
    o.driver = "kernel";
    auto l = plan_overlay(o, root, d + "/state/c1", m);
    REQUIRE(l.lower == std::vector<std::string>{root, low});
    REQUIRE(l.upper == d + "/state/c1/overlay/upper");
    REQUIRE(l.own_upper);
    REQUIRE(m.enabled);
    REQUIRE(m.try_kernel);
    REQUIRE_FALSE(m.allow_fuse);

    o.upper = root + "/up";
    REQUIRE_THROWS_WITH(plan_overlay(o, root, d + "/state/c1", m),
                        "--overlay-upper: " + root + "/up is inside the rootfs " + root);
    o.upper = d;
    REQUIRE_THROWS_WITH(plan_overlay(o, root, d + "/state/c1", m),
                        "--overlay-upper: the rootfs " + root + " is inside " + d);
    o.upper = d + "/up";
    l = plan_overlay(o, root, d + "/state/c1", m);
    REQUIRE(l.upper == d + "/up");
    REQUIRE_FALSE(l.own_upper);
    o.lower = {d + "/missing"};
    REQUIRE_THROWS_WITH(plan_overlay(o, root, d + "/state/c1", m),
                        Catch::Contains("--overlay-lower: " + d + "/missing"));
    o.lower = {};
    o.upper = d + "/a,b";
    REQUIRE_THROWS_WITH(plan_overlay(o, root, d + "/state/c1", m), Catch::Contains("cannot contain"));
    rmdir(root.c_str());
    rmdir(low.c_str());
    rmdir(d.c_str());
}

// The work directory sits beside an --overlay-upper, also on the state
// directory's file system: fuse-overlayfs renames between the two, and the
// one directory it may write (layers/server_confine.hpp) is the upper's.
TEST_CASE("overlay layers: the work directory beside an --overlay-upper") {
    char tmpl[] = "/tmp/burrow-ov-XXXXXX";
    std::string d = mkdtemp(tmpl);
    std::string root = d + "/rootfs", state = d + "/state/c1";
    mkdir(root.c_str(), 0755);
    mkdir((d + "/state").c_str(), 0700);
    mkdir(state.c_str(), 0700);
    burrow::rootfs::OverlayMount m;
    OverlayOptions o;
    o.enabled = true;
    o.driver = "kernel";
    o.upper = d + "/layers/up";
    mkdir((d + "/layers").c_str(), 0755);
    auto l = plan_overlay(o, root, state, m);
    make_overlay_dirs(l, m, true, true);
    REQUIRE(l.work == d + "/layers/.up.work-c1");
    struct stat st;
    REQUIRE(stat(l.work.c_str(), &st) == 0);
    REQUIRE(stat(l.upper.c_str(), &st) == 0);
    for (auto p : {l.work, l.upper, d + "/layers", state, d + "/state", root, d}) rmdir(p.c_str());
}

// A layer nested deeper than the fd limit allows (here a soft limit of 32),
// with a link out, a mode-000 directory and files on the way: removed whole,
// and what the link points to untouched.
TEST_CASE("overlay layers: a tree deeper than the fd limit is removed") {
    char tmpl[] = "/tmp/burrow-ov-XXXXXX";
    std::string d = mkdtemp(tmpl);
    std::string outside = d + "/outside", top = d + "/upper";
    REQUIRE(mkdir(outside.c_str(), 0755) == 0);
    REQUIRE(close(open((outside + "/keep").c_str(), O_CREAT | O_WRONLY, 0644)) == 0);
    REQUIRE(mkdir(top.c_str(), 0755) == 0);
    int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    for (int i = 0; i < 200; i++) {
        REQUIRE(mkdirat(fd, "d", 0755) == 0);
        REQUIRE(close(openat(fd, "f", O_CREAT | O_WRONLY, 0644)) == 0);
        REQUIRE(symlinkat(outside.c_str(), fd, "l") == 0);
        if (i == 100) {
            REQUIRE(mkdirat(fd, "z", 0755) == 0);
            REQUIRE(mkdirat(fd, "z/y", 0755) == 0);
            REQUIRE(fchmodat(fd, "z", 0, 0) == 0);
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
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    bool threw = false;
    try {
        remove_tree_as_owner(top);
    } catch (const std::exception &) {
        threw = true;
    }
    setrlimit(RLIMIT_NOFILE, &old);
    CHECK_FALSE(threw);
    struct stat st;
    CHECK(lstat(top.c_str(), &st) < 0);
    CHECK(stat((outside + "/keep").c_str(), &st) == 0);
    unlink((outside + "/keep").c_str());
    rmdir(outside.c_str());
    rmdir(d.c_str());
}
