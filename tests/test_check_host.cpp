// check-host against fake hosts: /proc/sys, /etc/subuid, /etc/subgid, PATH
// and the live probes replaced, so the cases this machine cannot show are tested.
#include "checkhost/check_host.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

using namespace burrow::checkhost;

namespace {

struct FakeHost {
    std::string dir;
    HostEnv h;
    FakeHost() {
        char t[] = "/tmp/burrow-check-test.XXXXXX";
        dir = mkdtemp(t);
        for (auto d : {"/proc", "/proc/sys", "/proc/sys/kernel", "/proc/sys/user", "/bin", "/state"})
            mkdir((dir + d).c_str(), 0755);
        put("/proc/sys/user/max_user_namespaces", "1000\n");
        put("/subuid", "alice:100000:65536\n");
        put("/subgid", "alice:100000:65536\n");
        h.proc_sys = dir + "/proc/sys";
        h.subuid = dir + "/subuid";
        h.subgid = dir + "/subgid";
        h.path_env = dir + "/bin";
        h.xdg_runtime_dir = dir;
        h.state_root = dir + "/state";
        h.user = "alice";
        // Not uid 0 (root of a user namespace is a case of its own); the
        // fake XDG_RUNTIME_DIR is checked to be the user's.
        h.uid = getuid() == 0 ? 1000 : getuid();
        if (getuid() == 0 && chown(dir.c_str(), 1000, 1000) != 0) FAIL("chown");
        h.gid = 1000;
        h.rootless = true;
        auto ok = [] { return 0; };
        h.probe.userns = ok;
        h.probe.overlay_userns = ok;
        h.probe.seccomp = ok;
        h.probe.pidfd_open = ok;
        h.probe.openat2 = ok;
        h.probe.open_tree = ok;
        h.probe.open_rw = [](const std::string &) { return 0; };
        h.probe.connect_unix = [](const std::string &) { return 0; };
        h.probe.cgroup = [] { return CgroupChoice{"cgroupfs-v2", "/user/c1", {"memory", "pids"}, "test"}; };
        for (auto t : {"fuse-overlayfs", "slirp4netns", "pasta"}) put(std::string("/bin/") + t, "#!/bin/sh\n", 0755);
    }
    ~FakeHost() { std::system(("rm -rf " + dir).c_str()); }
    void put(const std::string &rel, const std::string &text, mode_t mode = 0644) {
        std::ofstream(dir + rel) << text;
        chmod((dir + rel).c_str(), mode);
    }
    const Check &get(const std::vector<Check> &cs, const std::string &name) {
        for (auto &c : cs)
            if (c.name == name) return c;
        FAIL("no check " << name);
        return cs.front();
    }
};

} // namespace

TEST_CASE("check-host: a host where everything works") {
    FakeHost f;
    auto cs = check_host(f.h);
    for (auto &c : cs)
        if (c.name != "newuidmap" && c.name != "newgidmap") // from /usr/bin: the real ones
            CHECK((c.name + ": " + status_name(c.status)) == c.name + ": OK");
    CHECK(check_exit_status(cs) == 0);
    CHECK(f.get(cs, "subuid").detail == "alice: 100000-165535 (65536 ids) in " + f.h.subuid);
    CHECK(f.get(cs, "cgroup").detail == "cgroupfs-v2 at /user/c1; delegated controllers: memory pids");
    CHECK(f.get(cs, "state-root").detail == f.h.state_root + ": writable");
}

TEST_CASE("check-host: no subordinate range says MISSING with a free range to add") {
    FakeHost f;
    f.put("/subuid", "bob:100000:65536\ncarol:165536:65536\n");
    f.put("/subgid", "");
    auto cs = check_host(f.h);
    auto &u = f.get(cs, "subuid");
    CHECK(u.status == CheckStatus::missing);
    CHECK(u.fix == "sudo usermod --add-subuids 262144-327679 alice");
    CHECK(f.get(cs, "subgid").fix == "sudo usermod --add-subgids 131072-196607 alice");
    // A container still runs with the caller's own id alone.
    CHECK(check_exit_status(cs) == 0);
}

TEST_CASE("check-host: root of a user namespace (podman's) maps from that namespace") {
    FakeHost f;
    f.put("/uid_map", "         0       1001          1\n         1     100000      65536\n");
    f.put("/gid_map", "         0       1001          1\n");
    f.h.uid_map = f.dir + "/uid_map";
    f.h.gid_map = f.dir + "/gid_map";
    f.h.uid = f.h.gid = 0;
    f.h.user = "root";
    auto cs = check_host(f.h);
    CHECK(f.get(cs, "subuid").status == CheckStatus::ok);
    CHECK_THAT(f.get(cs, "subuid").detail, Catch::StartsWith("root of a user namespace of 65537 uids"));
    CHECK(f.get(cs, "subgid").status == CheckStatus::warn);
}

TEST_CASE("check-host: a range overlapping another user's, and a short one, warn") {
    FakeHost f;
    f.put("/subuid", "alice:100000:65536\nbob:150000:65536\n");
    f.put("/subgid", "alice:100000:1000\n");
    auto cs = check_host(f.h);
    auto &u = f.get(cs, "subuid");
    CHECK(u.status == CheckStatus::warn);
    CHECK_THAT(u.detail, Catch::Contains("100000-165535 overlaps bob's 150000-215535"));
    auto &g = f.get(cs, "subgid");
    CHECK(g.status == CheckStatus::warn);
    CHECK_THAT(g.detail, Catch::Contains("fewer than 65536"));
}

TEST_CASE("check-host: user namespaces disabled by sysctl, AppArmor, or failing: exit 1") {
    FakeHost f;
    f.put("/proc/sys/kernel/unprivileged_userns_clone", "0\n");
    f.put("/proc/sys/user/max_user_namespaces", "0\n");
    f.put("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
    f.h.probe.userns = [] { return EPERM; };
    auto cs = check_host(f.h);
    CHECK(f.get(cs, "userns-sysctl").status == CheckStatus::missing);
    CHECK(f.get(cs, "userns-sysctl").fix == "sudo sysctl -w kernel.unprivileged_userns_clone=1");
    CHECK(f.get(cs, "userns-max").status == CheckStatus::missing);
    CHECK(f.get(cs, "userns-apparmor").status == CheckStatus::warn);
    auto &c = f.get(cs, "userns-create");
    CHECK(c.status == CheckStatus::missing);
    CHECK_THAT(c.detail, Catch::Contains("Operation not permitted"));
    CHECK(check_exit_status(cs) == 1);
    auto text = format_checks(cs, "text");
    CHECK_THAT(text, Catch::Contains("A rootless container cannot run here: fix userns-create."));
}

TEST_CASE("check-host: newuidmap neither setuid nor with capabilities") {
    FakeHost f;
    f.put("/bin/newuidmap", "#!/bin/sh\n", 0755);
    auto cs = check_host(f.h);
    auto &c = f.get(cs, "newuidmap");
    CHECK(c.status == CheckStatus::missing);
    CHECK(c.detail == f.dir + "/bin/newuidmap: neither setuid root nor with file capabilities: maps wider than your own id fail");
    CHECK_THAT(c.fix, Catch::StartsWith("sudo chmod u+s " + f.dir + "/bin/newuidmap"));
}

TEST_CASE("check-host: devices, helpers, kernel features and the bus missing only warn") {
    FakeHost f;
    std::system(("rm -f " + f.dir + "/bin/*").c_str());
    f.h.probe.open_rw = [](const std::string &) { return EACCES; };
    f.h.probe.connect_unix = [](const std::string &) { return ECONNREFUSED; };
    f.h.probe.overlay_userns = [] { return EINVAL; };
    f.h.probe.pidfd_open = f.h.probe.openat2 = f.h.probe.open_tree = [] { return ENOSYS; };
    f.h.probe.cgroup = [] { return CgroupChoice{"none", "", {}, "nothing writable"}; };
    auto cs = check_host(f.h);
    for (auto n : {"dev-fuse", "dev-net-tun", "overlay-userns", "fuse-overlayfs", "slirp4netns", "pasta", "pidfd",
                   "openat2", "mount-api", "cgroup", "systemd-user"})
        CHECK((n + std::string(": ") + status_name(f.get(cs, n).status)) == n + std::string(": WARN"));
    CHECK(f.get(cs, "pasta").fix == "sudo apt-get install passt");
    CHECK(f.get(cs, "systemd-user").detail.find(f.dir + "/bus: Connection refused") != std::string::npos);
    CHECK(check_exit_status(cs) == 0);
}

TEST_CASE("check-host: the state root and XDG_RUNTIME_DIR") {
    FakeHost f;
    f.h.state_root = f.dir + "/state/a/b";
    CHECK(f.get(check_host(f.h), "state-root").status == CheckStatus::ok);
    f.h.xdg_runtime_dir = "";
    f.h.dbus_session_bus = "unix:path=" + f.dir + "/bus,guid=1";
    std::string asked;
    f.h.probe.connect_unix = [&](const std::string &p) { asked = p; return 0; };
    auto cs = check_host(f.h);
    CHECK(asked == f.dir + "/bus");
    CHECK(f.get(cs, "xdg-runtime-dir").status == CheckStatus::warn);
    if (geteuid() != 0) { // root may write anywhere
        chmod((f.dir + "/state").c_str(), 0555);
        cs = check_host(f.h);
        CHECK(f.get(cs, "state-root").status == CheckStatus::missing);
        CHECK(check_exit_status(cs) == 1);
        chmod((f.dir + "/state").c_str(), 0755);
    }
}

TEST_CASE("check-host: JSON is an array of {name, status, detail, fix}") {
    FakeHost f;
    f.put("/subuid", "");
    auto cs = check_host(f.h);
    auto j = nlohmann::json::parse(format_checks(cs, "json"));
    REQUIRE(j.is_array());
    REQUIRE(j.size() == cs.size());
    for (auto &e : j) {
        CHECK(e.size() == 4);
        for (auto k : {"name", "status", "detail", "fix"}) CHECK(e.at(k).is_string());
    }
    CHECK(j[4]["name"] == "subuid");
    CHECK(j[4]["status"] == "MISSING");
    REQUIRE_THROWS_WITH(format_checks(cs, "yaml"), "--format: \"yaml\" is not text or json");
}

TEST_CASE("check-host: cgroups disabled by --cgroup-manager say which option to leave out") {
    FakeHost f;
    f.h.probe.cgroup = [] { return CgroupChoice{"none", "", {}, "cgroups disabled by --cgroup-manager disabled"}; };
    auto cs = check_host(f.h);
    auto &c = f.get(cs, "cgroup");
    CHECK(c.status == CheckStatus::warn);
    CHECK(c.fix == "leave out the global option --cgroup-manager disabled");
}
