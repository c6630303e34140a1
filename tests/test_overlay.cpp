#include "error.hpp"
#include "layers/overlay.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
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
