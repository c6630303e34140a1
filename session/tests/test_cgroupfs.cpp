// The cgroupfs managers on directories laid out like cgroup filesystems
// (plain file writes), and, as root, on a cgroup2 mounted in a private
// mount namespace.
#include <algorithm>
#include "session/cgroup_files.hpp"
#include "session/cgroupfs.hpp"
#include "fstree/remove_tree.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace burrow::session;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/burrow-cgtest.XXXXXX";
        path = mkdtemp(t);
    }
    ~TempDir() { system(("rm -rf '" + path + "'").c_str()); }
};

void put(const std::string &path, const std::string &text) {
    std::ofstream(path) << text;
}

std::string get(const std::string &path) {
    auto s = read_cgroup(path);
    REQUIRE(s);
    while (!s->empty() && s->back() == '\n') s->pop_back();
    return *s;
}

// A cgroup directory as the kernel fills it (only the files named).
void fake_cgroup(const std::string &dir, std::initializer_list<const char *> files) {
    mkdir(dir.c_str(), 0755);
    put(dir + "/cgroup.procs", "");
    for (auto f : files) put(dir + "/" + f, "");
}

} // namespace

TEST_CASE("proc cgroup lines") {
    auto m = parse_proc_cgroup("12:cpu,cpuacct:/a/b\n4:memory:/x\n1:name=systemd:/user.slice\n0::/u/v\n");
    REQUIRE(m.at("cpu") == "/a/b");
    REQUIRE(m.at("cpuacct") == "/a/b");
    REQUIRE(m.at("memory") == "/x");
    REQUIRE(m.at("") == "/u/v");
    REQUIRE(m.at("name=systemd") == "/user.slice");
    REQUIRE(join_path("/sys/fs/cgroup/", "/a//b/") == "/sys/fs/cgroup/a/b");
}

TEST_CASE("v2 writes the unified files") {
    TempDir t;
    std::string own = t.path + "/user";
    fake_cgroup(own, {"cgroup.controllers", "cgroup.subtree_control"});
    put(own + "/cgroup.controllers", "cpu io memory pids\n");
    auto m = make_cgroupfs_v2(t.path, "/user", "c1");
    REQUIRE(m->record().path == "/user/c1");
    REQUIRE(m->record().dirs == std::vector<std::string>{own + "/c1"});
    std::string c = own + "/c1";
    // What the kernel would show in it once the parent enables controllers.
    mkdir(c.c_str(), 0755);
    fake_cgroup(c, {"memory.max", "memory.swap.max", "memory.low", "pids.max", "cpu.weight", "cpu.max", "io.weight",
                    "io.max", "memory.high", "cgroup.freeze"});
    put(c + "/cgroup.events", "populated 1\nfrozen 1\n");
    m->enter(4242);
    REQUIRE(get(c + "/cgroup.procs") == "4242");
    REQUIRE(get(own + "/cgroup.subtree_control").substr(0, 5) == "+pids"); // one write per controller: the last
    m->apply(parse_resources(R"({"memory":{"limit":67108864,"swap":134217728,"reservation":1048576},
        "cpu":{"shares":1024,"quota":20000,"period":100000},"pids":{"limit":10},
        "blockIO":{"weight":500,"throttleWriteBpsDevice":[{"major":8,"minor":0,"rate":1048576}]},
        "unified":{"memory.high":"50M"}})"));
    REQUIRE(get(c + "/memory.max") == "67108864");
    REQUIRE(get(c + "/memory.swap.max") == "67108864"); // swap - memory
    REQUIRE(get(c + "/memory.low") == "1048576");
    REQUIRE(get(c + "/pids.max") == "10");
    REQUIRE(get(c + "/cpu.weight") == "39");
    REQUIRE(get(c + "/cpu.max") == "20000 100000");
    REQUIRE(get(c + "/io.weight") == "default 4950");
    REQUIRE(get(c + "/io.max") == "8:0 wbps=1048576");
    REQUIRE(get(c + "/memory.high") == "50M");
    // update --cpu-quota alone keeps the period.
    put(c + "/cpu.max", "20000 50000\n");
    m->apply(parse_resources(R"({"cpu":{"quota":10000}})"));
    REQUIRE(get(c + "/cpu.max") == "10000 50000");
    m->apply(parse_resources(R"({"memory":{"limit":-1,"swap":-1},"pids":{"limit":-1}})"));
    REQUIRE(get(c + "/memory.max") == "max");
    REQUIRE(get(c + "/pids.max") == "max");
    m->freeze(true);
    REQUIRE(get(c + "/cgroup.freeze") == "1");
    REQUIRE(m->freezer_state() == FreezerState::frozen);
    REQUIRE(m->pids() == std::vector<pid_t>{4242});
}

TEST_CASE("v2 puts the container beside a caller's cgroup that has processes") {
    TempDir t;
    fake_cgroup(t.path + "/deleg", {"cgroup.controllers", "cgroup.subtree_control"});
    fake_cgroup(t.path + "/deleg/tests", {"cgroup.subtree_control"});
    put(t.path + "/deleg/tests/cgroup.procs", "123\n");
    put(t.path + "/deleg/tests/cgroup.controllers", "memory pids\n");
    REQUIRE(make_cgroupfs_v2(t.path, "/deleg/tests", "c1")->record().path == "/deleg/c1");
    // no controllers to enable: the container may go below it
    put(t.path + "/deleg/tests/cgroup.controllers", "\n");
    REQUIRE(make_cgroupfs_v2(t.path, "/deleg/tests", "c1")->record().path == "/deleg/tests/c1");
    // an absolute cgroupsPath is taken from the root
    REQUIRE(make_cgroupfs_v2(t.path, "/deleg/tests", "/deleg/x/c2")->record().path == "/deleg/x/c2");
    REQUIRE_THROWS_AS(make_cgroupfs_v2(t.path, "/deleg/tests", "../c3"), std::invalid_argument);
}

TEST_CASE("v2 says which controller is missing") {
    TempDir t;
    fake_cgroup(t.path + "/u", {});
    auto m = make_cgroupfs_v2(t.path, "/u", "c2");
    fake_cgroup(t.path + "/u/c2", {"memory.max"});
    try {
        m->apply(parse_resources(R"({"pids":{"limit":5}})"));
        FAIL("no error");
    } catch (const std::runtime_error &e) {
        REQUIRE(std::string(e.what()).find("the pids controller is not enabled for") == 0);
    }
    REQUIRE_THROWS_WITH(m->apply(parse_resources(R"({"memory":{"swap":100}})")),
                        Catch::Contains("a swap limit needs a memory limit"));
    system(("rm -f '" + t.path + "/u/c2'/*").c_str()); // the kernel's files go with the cgroup
    m->destroy();
    struct stat st;
    REQUIRE(stat((t.path + "/u/c2").c_str(), &st) < 0);
    REQUIRE(stat((t.path + "/u").c_str(), &st) == 0); // not ours: kept
}

TEST_CASE("v2 refuses a cgroup the user cannot write") {
    if (geteuid() == 0) return; // root writes anything
    TempDir t;
    REQUIRE_THROWS(make_cgroupfs_v2("/sys/fs/cgroup", "/", "c3"));
}

// Started by root that switched to the user (slurmstepd, sudo -u), burrow sits
// in root's cgroups on every run: "none writable" is an answer, not a throw
// (a throw pages in the unwinder). Hierarchies without a cgroup.procs are
// writable by no one, root included.
TEST_CASE("no writable cgroup is a null manager and a reason, not an exception") {
    TempDir t;
    std::map<std::string, std::string> own;
    for (auto c : {"memory", "pids"}) {
        mkdir((t.path + "/" + c).c_str(), 0755);
        own[c] = "/";
    }
    std::string why;
    std::unique_ptr<CgroupManager> m;
    REQUIRE_NOTHROW(m = probe_cgroupfs_v1(t.path, own, "c1", why));
    REQUIRE(!m);
    REQUIRE(why == "no v1 controller cgroup under " + t.path + " is writable");
    REQUIRE_THROWS_WITH(make_cgroupfs_v1(t.path, own, "c1"), why);
    why.clear();
    REQUIRE_NOTHROW(m = probe_cgroupfs_v2(t.path + "/memory", "/", "c1", why));
    REQUIRE(!m);
    REQUIRE(why == "cgroup " + t.path + "/memory is not writable by this user");
    REQUIRE_THROWS_AS(probe_cgroupfs_v1(t.path, own, "../c1", why), std::invalid_argument);
}

TEST_CASE("v1 writes per-controller files") {
    TempDir t;
    std::map<std::string, std::string> own;
    for (auto c : {"memory", "pids", "cpu", "cpuset", "freezer"}) {
        mkdir((t.path + "/" + c).c_str(), 0755);
        fake_cgroup(t.path + "/" + c + "/deleg", {});
        own[c] = "/deleg";
    }
    put(t.path + "/cpuset/deleg/cpuset.cpus", "0-1\n");
    put(t.path + "/cpuset/deleg/cpuset.mems", "0\n");
    own["blkio"] = "/elsewhere"; // not writable there: left out
    mkdir((t.path + "/blkio").c_str(), 0755);
    auto m = make_cgroupfs_v1(t.path, own, "");
    REQUIRE(m->record().path == "/deleg");
    m = make_cgroupfs_v1(t.path, own, "ct/c1");
    REQUIRE(m->record().path == "/deleg/ct/c1");
    REQUIRE(m->record().controllers == std::vector<std::string>{"memory", "pids", "cpu", "cpuset", "freezer"});
    REQUIRE(m->record().dirs.size() == 10);
    for (auto &d : m->record().dirs) // as the kernel's mkdir would
        fake_cgroup(d, {"cpuset.cpus", "cpuset.mems", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
                        "memory.soft_limit_in_bytes", "cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us",
                        "pids.max", "freezer.state"});
    m->enter(77);
    std::string mem = t.path + "/memory/deleg/ct/c1";
    REQUIRE(get(mem + "/cgroup.procs") == "77");
    REQUIRE(get(t.path + "/cpuset/deleg/ct/c1/cpuset.cpus") == "0-1"); // copied down
    REQUIRE(get(t.path + "/cpuset/deleg/ct/cpuset.mems") == "0");
    m->apply(parse_resources(R"({"memory":{"limit":33554432,"swap":33554432,"reservation":1000},
        "cpu":{"shares":512,"quota":-1,"period":50000,"cpus":"1"},"pids":{"limit":3}})"));
    REQUIRE(get(mem + "/memory.limit_in_bytes") == "33554432");
    REQUIRE(get(mem + "/memory.memsw.limit_in_bytes") == "33554432");
    REQUIRE(get(mem + "/memory.soft_limit_in_bytes") == "1000");
    REQUIRE(get(t.path + "/cpu/deleg/ct/c1/cpu.shares") == "512");
    REQUIRE(get(t.path + "/cpu/deleg/ct/c1/cpu.cfs_quota_us") == "-1");
    REQUIRE(get(t.path + "/cpu/deleg/ct/c1/cpu.cfs_period_us") == "50000");
    REQUIRE(get(t.path + "/cpuset/deleg/ct/c1/cpuset.cpus") == "1");
    REQUIRE(get(t.path + "/pids/deleg/ct/c1/pids.max") == "3");
    REQUIRE_THROWS_WITH(m->apply(parse_resources(R"({"blockIO":{"weight":100}})")),
                        Catch::Contains("there is no blkio cgroup this user may write"));
    REQUIRE_THROWS_WITH(m->apply(parse_resources(R"({"unified":{"memory.high":"1"}})")),
                        Catch::Contains("needs cgroup v2"));
    put(t.path + "/freezer/deleg/ct/c1/freezer.state", "FROZEN\n");
    REQUIRE(m->freezer_state() == FreezerState::frozen);
    auto again = open_cgroupfs_v1(CgroupRecord::from_json(m->record().to_json()));
    REQUIRE(again->pids() == std::vector<pid_t>{77});
    // The fake dirs hold files the kernel's would not: empty them to rmdir.
    for (auto &d : m->record().dirs) system(("find '" + d + "' -maxdepth 1 -type f -delete").c_str());
    again->destroy();
    struct stat st;
    REQUIRE(stat((t.path + "/memory/deleg/ct").c_str(), &st) < 0);
    REQUIRE(stat((t.path + "/memory/deleg").c_str(), &st) == 0);
}

// create with a child that maps itself (Plan::own_uid_map): the cgroups are
// made before clone, so that the child can bind its own; enter() only moves.
TEST_CASE("v1 make_early makes the cgroups before the process, enter then moves it") {
    TempDir t;
    std::map<std::string, std::string> own;
    for (auto c : {"memory", "pids"}) {
        mkdir((t.path + "/" + c).c_str(), 0755);
        fake_cgroup(t.path + "/" + c + "/deleg", {});
        own[c] = "/deleg";
    }
    auto m = make_cgroupfs_v1(t.path, own, "c1");
    REQUIRE(m->make_early());
    struct stat st;
    for (auto c : {"memory", "pids"}) {
        std::string d = t.path + "/" + c + "/deleg/c1";
        REQUIRE(stat(d.c_str(), &st) == 0);
        put(d + "/cgroup.procs", ""); // as the kernel's mkdir would
    }
    m->enter(77);
    REQUIRE(get(t.path + "/memory/deleg/c1/cgroup.procs") == "77");
    REQUIRE(get(t.path + "/pids/deleg/c1/cgroup.procs") == "77");
    // A cgroup of that name that already holds processes is refused before clone.
    auto busy = make_cgroupfs_v1(t.path, own, "c1");
    REQUIRE_THROWS_WITH(busy->make_early(), Catch::Contains("already holds processes"));
}

TEST_CASE("v1 rootless: the hierarchies a container needs now, the others when update sets a limit") {
    TempDir t;
    std::map<std::string, std::string> own;
    for (auto c : {"memory", "pids", "cpu", "cpuacct", "cpuset", "freezer", "blkio", "systemd"}) {
        mkdir((t.path + "/" + c).c_str(), 0755);
        fake_cgroup(t.path + "/" + c + "/deleg", {});
        own[std::string(c) == "systemd" ? "name=systemd" : c] = "/deleg";
    }
    put(t.path + "/cpuset/deleg/cpuset.cpus", "0-1\n");
    put(t.path + "/cpuset/deleg/cpuset.mems", "0\n");
    auto m = make_cgroupfs_v1(t.path, own, "c1", v1_rootless_join(nullptr));
    REQUIRE(m->record().controllers == std::vector<std::string>{"memory", "pids", "cpu", "cpuacct", "freezer"});
    // name=systemd has no limit to ask for it: never joined rootless
    REQUIRE(m->record().joinable == std::map<std::string, std::string>{{"blkio", "/deleg/c1"}, {"cpuset", "/deleg/c1"}});
    REQUIRE(m->record().dirs.size() == 5);
    // A limit at create joins its hierarchy at once.
    auto cpus = parse_resources(R"({"cpu":{"cpus":"1"}})");
    REQUIRE(v1_controllers_for(cpus) == std::vector<std::string>{"cpuset"});
    auto m2 = make_cgroupfs_v1(t.path, own, "c2", v1_rootless_join(&cpus));
    REQUIRE(m2->record().controllers ==
            std::vector<std::string>{"memory", "pids", "cpu", "cpuacct", "cpuset", "freezer"});
    REQUIRE(m2->record().joinable == std::map<std::string, std::string>{{"blkio", "/deleg/c2"}});
    // Nothing of kV1Rootless writable: every writable hierarchy is the container's own.
    std::map<std::string, std::string> only_cpuset{{"cpuset", "/deleg"}, {"memory", "/elsewhere"}};
    REQUIRE(make_cgroupfs_v1(t.path, only_cpuset, "c3", v1_rootless_join(nullptr))->record().controllers ==
            std::vector<std::string>{"cpuset"});
    for (auto &d : m->record().dirs) fake_cgroup(d, {"pids.max", "freezer.state"});
    pid_t me = getpid(); // a process of burrow's uid (update checks)
    m->enter(me);
    // update, from the saved record: no new cgroup for a limit in a joined
    // hierarchy; cpuset's made, filled, recorded, then limited.
    auto up = open_cgroupfs_v1(CgroupRecord::from_json(m->record().to_json()));
    REQUIRE(!up->extend(parse_resources(R"({"pids":{"limit":3}})")));
    REQUIRE(up->extend(cpus));
    auto &r = up->record();
    REQUIRE(r.controllers.back() == "cpuset");
    REQUIRE(r.joinable == std::map<std::string, std::string>{{"blkio", "/deleg/c1"}});
    REQUIRE(r.dirs.back() == t.path + "/cpuset/deleg/c1");
    REQUIRE(get(t.path + "/cpuset/deleg/cgroup.procs").empty()); // nothing made or moved yet
    fake_cgroup(t.path + "/cpuset/deleg/c1", {"cpuset.cpus", "cpuset.mems"}); // as the kernel's mkdir would
    up->apply(cpus);
    REQUIRE(get(t.path + "/cpuset/deleg/c1/cgroup.procs") == std::to_string(me));
    REQUIRE(get(t.path + "/cpuset/deleg/c1/cpuset.mems") == "0"); // the parent's
    REQUIRE(get(t.path + "/cpuset/deleg/c1/cpuset.cpus") == "1");
    REQUIRE(!up->extend(cpus));
    auto again = open_cgroupfs_v1(CgroupRecord::from_json(r.to_json()));
    if (geteuid() == 0) {
        // A process of another uid could not be moved (cgroup v1): refused
        // before anything is recorded or made.
        int ready[2];
        REQUIRE(pipe(ready) == 0);
        pid_t other = fork();
        if (other == 0) {
            if (setresuid(65534, 65534, 65534) == 0) (void)!write(ready[1], "x", 1);
            pause();
            _exit(0);
        }
        char x;
        REQUIRE(read(ready[0], &x, 1) == 1);
        put(t.path + "/freezer/deleg/c1/cgroup.procs", std::to_string(other) + "\n");
        REQUIRE_THROWS_WITH(again->extend(parse_resources(R"({"blockIO":{"weight":100}})")),
                            Catch::Contains("runs as another user than burrow (uid 65534)"));
        REQUIRE(again->record().joinable.count("blkio"));
        kill(other, SIGKILL);
        waitpid(other, nullptr, 0);
        close(ready[0]);
        close(ready[1]);
    }
    for (auto &d : r.dirs) system(("find '" + d + "' -maxdepth 1 -type f -delete").c_str());
    again->destroy();
    struct stat st;
    for (auto &d : r.dirs) REQUIRE(stat(d.c_str(), &st) < 0);
}

TEST_CASE("v1 with each controller at its own path") {
    // As on this machine: memory at /process_api/X, every other controller
    // at /, and a named hierarchy (name=systemd, mounted at systemd).
    TempDir t;
    std::map<std::string, std::string> own;
    for (auto c : {"memory", "pids", "cpu", "freezer", "devices", "systemd", "unified"})
        mkdir((t.path + "/" + c).c_str(), 0755);
    mkdir((t.path + "/memory/process_api").c_str(), 0755);
    fake_cgroup(t.path + "/memory/process_api/X", {});
    for (auto c : {"pids", "cpu", "freezer", "devices", "systemd", "unified"}) put(t.path + "/" + c + "/cgroup.procs", "1\n");
    own = {{"memory", "/process_api/X"}, {"pids", "/"}, {"cpu", "/"}, {"freezer", "/"}, {"devices", "/"},
           {"name=systemd", "/"}, {"", "/"}};
    auto m = make_cgroupfs_v1(t.path, own, "c1");
    auto &r = m->record();
    // and a hybrid host's cgroup2 ("", at unified), as runc
    REQUIRE(r.controllers == std::vector<std::string>{"memory", "pids", "cpu", "freezer", "devices", "name=systemd", ""});
    REQUIRE(r.path == "/process_api/X/c1");
    REQUIRE(r.path_of("memory") == "/process_api/X/c1");
    REQUIRE(r.path_of("pids") == "/c1");
    REQUIRE(r.path_of("name=systemd") == "/c1");
    REQUIRE(r.dirs == std::vector<std::string>{t.path + "/memory/process_api/X/c1", t.path + "/pids/c1",
                                               t.path + "/cpu/c1", t.path + "/freezer/c1", t.path + "/devices/c1",
                                               t.path + "/systemd/c1", t.path + "/unified/c1"});
    for (auto &d : r.dirs)
        fake_cgroup(d, {"pids.max", "freezer.state", "devices.allow", "devices.deny", "memory.limit_in_bytes"});
    m->enter(77);
    for (auto &d : r.dirs) REQUIRE(get(d + "/cgroup.procs") == "77");
    m->apply(parse_resources(R"({"pids":{"limit":5},"memory":{"limit":1048576},
        "devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rw"}]})"));
    REQUIRE(get(t.path + "/pids/c1/pids.max") == "5");
    REQUIRE(get(t.path + "/memory/process_api/X/c1/memory.limit_in_bytes") == "1048576");
    REQUIRE(get(t.path + "/devices/c1/devices.deny") == "a");
    REQUIRE(get(t.path + "/devices/c1/devices.allow") == "c 1:3 rw");
    REQUIRE_THROWS_WITH(m->apply(parse_resources(R"({"network":{"classID":1}})")),
                        Catch::Contains("this host has no net_cls controller"));
    put(t.path + "/freezer/c1/freezer.state", "THAWED\n");
    // The record kept in the state finds every path again.
    auto again = open_cgroupfs_v1(CgroupRecord::from_json(r.to_json()));
    REQUIRE(again->record().path_of("pids") == "/c1");
    REQUIRE(again->pids() == std::vector<pid_t>{77});
    // exec --cgroup: a sub-cgroup of the container's, per hierarchy or for all.
    fake_cgroup(t.path + "/pids/c1/sub", {});
    fake_cgroup(t.path + "/memory/process_api/X/c1/sub", {});
    REQUIRE_THROWS_WITH(again->select_sub({{"", "sub"}}), Catch::Contains("no sub-cgroup " + t.path + "/cpu/c1/sub"));
    REQUIRE_THROWS_WITH(again->select_sub({{"pids", "../x"}}), Catch::Contains("leaves the container's cgroup"));
    REQUIRE_THROWS_WITH(again->select_sub({{"blkio", "sub"}}), Catch::Contains("the container has no blkio cgroup"));
    again->select_sub({{"pids", "sub"}, {"memory", "/sub/"}});
    again->join(88);
    REQUIRE(get(t.path + "/pids/c1/sub/cgroup.procs") == "88");
    REQUIRE(get(t.path + "/memory/process_api/X/c1/sub/cgroup.procs") == "88");
    REQUIRE(get(t.path + "/cpu/c1/cgroup.procs") == "88");
    // exec's child moves itself ("0") through the very files join() writes.
    auto files = again->join_files();
    REQUIRE(files.size() == again->record().controllers.size());
    for (auto &f : files) REQUIRE(get(f) == "88");
    for (auto want : {"/pids/c1/sub/cgroup.procs", "/memory/process_api/X/c1/sub/cgroup.procs", "/cpu/c1/cgroup.procs"})
        REQUIRE(std::count(files.begin(), files.end(), t.path + want) == 1);
    // An absolute cgroupsPath is taken from each hierarchy's root.
    auto abs = make_cgroupfs_v1(t.path, own, "/a/c2");
    REQUIRE(abs->record().path == "/a/c2");
    REQUIRE(abs->record().paths.empty());
    REQUIRE_THROWS_AS(make_cgroupfs_v1(t.path, own, "../c3"), std::invalid_argument);
    system(("rm -f '" + t.path + "/pids/c1/sub'/* '" + t.path + "/memory/process_api/X/c1/sub'/*").c_str());
    rmdir((t.path + "/pids/c1/sub").c_str());
    rmdir((t.path + "/memory/process_api/X/c1/sub").c_str());
    for (auto &d : r.dirs) system(("find '" + d + "' -maxdepth 1 -type f -delete").c_str());
    again->destroy();
    struct stat st;
    for (auto &d : r.dirs) REQUIRE(stat(d.c_str(), &st) < 0);
    REQUIRE(stat((t.path + "/memory/process_api/X").c_str(), &st) == 0);
}

TEST_CASE("v2 on a real cgroup2, in a private mount namespace") {
    if (geteuid() != 0) {
        WARN("skipped: needs root to mount cgroup2");
        return;
    }
    int pfd[2];
    REQUIRE(pipe(pfd) == 0);
    pid_t sleeper = fork();
    if (sleeper == 0) {
        pause();
        _exit(0);
    }
    // Made and removed out here: inside, the mount keeps it busy until the namespace ends.
    char mnt[] = "/tmp/burrow-cg2.XXXXXX";
    REQUIRE(mkdtemp(mnt));
    pid_t pid = fork();
    if (pid == 0) {
        // Any failure is an exit code, checked below.
        if (unshare(CLONE_NEWNS) < 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(2);
        if (mount("cgroup2", mnt, "cgroup2", 0, nullptr) < 0) _exit(3);
        int code = 0;
        try {
            auto own = own_cgroups().count("") ? own_cgroups().at("") : std::string();
            auto m = make_cgroupfs_v2(mnt, own, "burrow-unit-" + std::to_string(getpid()));
            m->enter(sleeper);
            if (m->pids() != std::vector<pid_t>{sleeper}) code = 4;
            m->freeze(true);
            if (m->freezer_state() != FreezerState::frozen) code = 5;
            m->freeze(false);
            if (m->freezer_state() != FreezerState::thawed) code = 6;
            kill(sleeper, SIGKILL);
            waitpid(sleeper, nullptr, 0);
            m->destroy();
            // clone3 straight into a prepared cgroup: nothing moved.
            auto m2 = make_cgroupfs_v2(mnt, own, "burrow-unit2-" + std::to_string(getpid()));
            int fd = m2->prepare_clone();
            struct clone_args a {};
            a.flags = CLONE_INTO_CGROUP;
            a.exit_signal = SIGCHLD;
            a.cgroup = static_cast<uint64_t>(fd);
            long child = syscall(SYS_clone3, &a, sizeof a);
            if (child == 0) {
                pause();
                _exit(0);
            }
            close(fd);
            if (child < 0 || m2->pids() != std::vector<pid_t>{static_cast<pid_t>(child)}) code = 8;
            if (child > 0) {
                kill(static_cast<pid_t>(child), SIGKILL);
                waitpid(static_cast<pid_t>(child), nullptr, 0);
            }
            m2->destroy();
        } catch (const std::exception &e) {
            fprintf(stderr, "%s\n", e.what());
            code = 7;
        }
        umount2(mnt, MNT_DETACH);
        _exit(code);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    rmdir(mnt);
    kill(sleeper, SIGKILL);
    waitpid(sleeper, nullptr, 0);
    REQUIRE(WIFEXITED(st));
    REQUIRE(WEXITSTATUS(st) == 0);
}

// A container's cgroups nested deeper than a path can name, with a process
// in the deepest (here plain files stand for cgroup.procs): procs_in_tree
// finds them all.
TEST_CASE("procs_in_tree: processes in cgroups deeper than a path") {
    char tmpl[] = "/tmp/burrow-procs-XXXXXX";
    std::string top = mkdtemp(tmpl);
    auto put = [](int dir, const char *text) {
        int f = openat(dir, "cgroup.procs", O_CREAT | O_WRONLY | O_TRUNC, 0644);
        REQUIRE(f >= 0);
        REQUIRE(write(f, text, strlen(text)) == static_cast<ssize_t>(strlen(text)));
        close(f);
    };
    int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    put(fd, "10\n11\n");
    for (int i = 0; i < 2100; i++) { // "a/" 2,100 times
        REQUIRE(mkdirat(fd, "a", 0755) == 0);
        int next = openat(fd, "a", O_RDONLY | O_DIRECTORY);
        REQUIRE(next >= 0);
        close(fd);
        fd = next;
        if (i == 5) put(fd, "20\n");
    }
    put(fd, "30\n");
    close(fd);
    auto pids = procs_in_tree(top);
    std::sort(pids.begin(), pids.end());
    CHECK(pids == std::vector<pid_t>{10, 11, 20, 30});
    fd = open(top.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(burrow::fstree::remove_below(fd, {}) == 0);
    close(fd);
    REQUIRE(rmdir(top.c_str()) == 0);
}
