#include "error.hpp"
#include "rootfs/cgroup_mount.hpp"
#include "rootfs/image_root.hpp"
#include "rootfs/mount_plan.hpp"
#include "spec/parse.hpp"

#include <catch2/catch.hpp>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

using namespace burrow;

namespace {

spec::Config config(const std::string &mounts, const std::string &linux_extra = "") {
    return spec::parse_config(R"({"ociVersion": "1.0.2", "root": {"path": "r"}, "process": {"args": ["x"]},
        "mounts": )" + mounts + R"(, "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}])" + linux_extra + "}}");
}

} // namespace

TEST_CASE("mount options split into flags, propagation and data") {
    auto o = rootfs::parse_mount_options({"nosuid", "ro", "mode=755", "rw", "rslave", "size=1k"}, "m");
    REQUIRE(o.flags == MS_NOSUID);
    REQUIRE(o.clear == MS_RDONLY);
    REQUIRE(o.propagation == (MS_SLAVE | MS_REC));
    REQUIRE(o.data == "mode=755,size=1k");
    REQUIRE(rootfs::parse_mount_options({"rbind"}, "m").recursive);
    auto id = rootfs::parse_mount_options({"rbind", "idmap"}, "mounts[0].options");
    REQUIRE((id.idmap && !id.idmap_recursive && id.recursive));
    REQUIRE(rootfs::parse_mount_options({"ridmap"}, "mounts[0].options").idmap_recursive);
}

TEST_CASE("mounts keep their order and become steps relative to the rootfs") {
    rootfs::HostFacts host;
    auto p = rootfs::plan_mounts(config(R"([
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev//pts/", "type": "devpts", "source": "devpts", "options": ["newinstance", "gid=5", "mode=0620"]},
        {"destination": "/data/../mnt", "type": "bind", "source": "/tmp", "options": ["rbind", "ro", "nosuid"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro"]}])"),
                                 host);
    REQUIRE(p.steps.size() == 4);
    REQUIRE(p.steps[0].target == "proc");
    REQUIRE(p.steps[0].kind == rootfs::StepKind::fs);
    REQUIRE(p.steps[1].target == "dev/pts");
    REQUIRE(p.steps[1].data == "newinstance,gid=5,mode=0620");
    REQUIRE(p.steps[1].data_fallback == "newinstance,mode=0620");
    REQUIRE(p.steps[2].target == "mnt");
    REQUIRE(p.steps[2].kind == rootfs::StepKind::bind);
    REQUIRE(p.steps[2].recursive);
    REQUIRE(p.steps[2].attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID));
    // No network namespace of our own: sysfs becomes a bind of the host's /sys.
    REQUIRE(p.steps[3].kind == rootfs::StepKind::bind);
    REQUIRE(p.steps[3].source == "/sys");
    REQUIRE(p.bind_devices);
}

TEST_CASE("sysfs is mounted in a network namespace of our own, with a fallback") {
    rootfs::HostFacts host;
    host.new_netns = true;
    auto p = rootfs::plan_mounts(config(R"([{"destination": "/sys", "type": "sysfs", "source": "sysfs"}])"), host);
    REQUIRE(p.steps[0].kind == rootfs::StepKind::fs);
    REQUIRE(p.steps[0].sysfs_fallback);
}

TEST_CASE("default devices, config devices and /dev links") {
    rootfs::HostFacts host;
    host.in_userns = false;
    auto p = rootfs::plan_mounts(
        config("[]", R"(, "devices": [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
                                       {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229},
                                       {"path": "/dev/net/tun", "type": "u", "major": 10, "minor": 200},
                                       {"path": "/dev/fifo", "type": "p", "fileMode": 384}])"),
        host);
    REQUIRE_FALSE(p.bind_devices);
    REQUIRE(p.devices.size() == 9); // null (config), fuse, tun, fifo, and the five other defaults
    REQUIRE(p.devices[0].mode == (S_IFCHR | 0666));
    REQUIRE(p.devices[1].target == "dev/fuse");
    REQUIRE(p.devices[1].parent == "dev");
    REQUIRE(p.devices[1].name == "fuse");
    REQUIRE(p.devices[1].dev == makedev(10, 229));
    REQUIRE(p.devices[2].parent == "dev/net");
    REQUIRE(p.devices[2].mode == (S_IFCHR | 0666)); // "u": unbuffered, a character device all the same
    REQUIRE(p.devices[3].mode == (S_IFIFO | 0600));
    REQUIRE(p.symlinks.size() == 5);
    REQUIRE(p.devices[0].from_config);
    REQUIRE_FALSE(p.devices[4].from_config);
    // Outside /dev, where the config says (as runc and crun).
    auto q = rootfs::plan_mounts(config("[]", R"(, "devices": [{"path": "/etc/x", "type": "c", "major": 1, "minor": 3},
                                                                  {"path": "/top", "type": "c", "major": 1, "minor": 5}])"),
                                 host);
    REQUIRE(q.devices[0].parent == "etc");
    REQUIRE(q.devices[0].name == "x");
    REQUIRE(q.devices[1].parent == ".");
    REQUIRE(q.devices[1].name == "top");
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config("[]", R"(, "devices": [{"path": "/", "type": "c"}])"), host),
                        "linux.devices[0].path: \"/\" is the root");
}

TEST_CASE("a /dev bound in from the host is left alone") {
    rootfs::HostFacts host;
    host.in_userns = false;
    auto p = rootfs::plan_mounts(
        config(R"([{"destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind"]},
                   {"destination": "/dev/pts", "type": "devpts", "source": "devpts"}])",
               R"(, "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229},
                                {"path": "/etc/x", "type": "c", "major": 1, "minor": 3}])"),
        host);
    // No device node and no link in it; a device elsewhere is still made.
    REQUIRE(p.devices.size() == 1);
    REQUIRE(p.devices[0].target == "etc/x");
    REQUIRE(p.symlinks.empty());
    REQUIRE(p.skipped_devices == std::vector<std::string>{"/dev/fuse"});
    // A tmpfs mounted over the bound /dev is burrow's again; a bind of one file provides that file.
    auto q = rootfs::plan_mounts(
        config(R"([{"destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind"]},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
                   {"destination": "/dev/null", "type": "bind", "source": "/dev/null"}])"),
        host);
    REQUIRE(q.devices.size() == 5);
    for (auto &d : q.devices) REQUIRE(d.target != "dev/null");
    REQUIRE(q.symlinks.size() == 5);
}

TEST_CASE("bad mounts are refused") {
    rootfs::HostFacts host;
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config(R"([{"destination": "tmp", "type": "tmpfs"}])"), host),
                        "mounts[0].destination: \"tmp\" is not an absolute path");
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config(R"([{"destination": "/x", "type": "bind"}])"), host),
                        "mounts[0].source: a bind mount needs a source");
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config(R"([{"destination": "/", "type": "tmpfs"}])"), host),
                        "mounts[0].destination: cannot mount over the root; use root.path");
}

TEST_CASE("a bind ignores filesystem data options, as runc and crun do") {
    rootfs::HostFacts host;
    auto p = rootfs::plan_mounts(
        config(R"([{"destination": "/x", "source": "/y", "options": ["bind", "ro", "mode=755", "size=1k"]}])"), host);
    REQUIRE(p.steps.size() == 1);
    REQUIRE(p.steps[0].kind == rootfs::StepKind::bind);
    REQUIRE(p.steps[0].data.empty());
    REQUIRE((p.steps[0].attr_set & MOUNT_ATTR_RDONLY));
}

TEST_CASE("masked and read-only paths, root propagation") {
    rootfs::HostFacts host;
    auto p = rootfs::plan_mounts(config("[]", R"(, "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys/"],
                                                 "rootfsPropagation": "rprivate")"),
                                 host);
    REQUIRE(p.masked == std::vector<std::string>{"/proc/kcore"});
    REQUIRE(p.readonly == std::vector<std::string>{"/proc/sys"});
    REQUIRE(p.final_propagation == (MS_PRIVATE | MS_REC));
    REQUIRE(p.root_propagation == (MS_PRIVATE | MS_REC));
    // As runc: the root gets the asked propagation before the mounts (rshared
    // keeps the host's peers), rslave by default; an unbindable one only inside.
    REQUIRE(rootfs::plan_mounts(config("[]"), host).root_propagation == (MS_SLAVE | MS_REC));
    auto shared = rootfs::plan_mounts(config("[]", R"(, "rootfsPropagation": "rshared")"), host);
    REQUIRE(shared.root_propagation == (MS_SHARED | MS_REC));
    REQUIRE(shared.final_propagation == (MS_SHARED | MS_REC));
    auto unbindable = rootfs::plan_mounts(config("[]", R"(, "rootfsPropagation": "runbindable")"), host);
    REQUIRE(unbindable.root_propagation == (MS_SLAVE | MS_REC));
    REQUIRE(unbindable.final_propagation == (MS_UNBINDABLE | MS_REC));
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config("[]", R"(, "rootfsPropagation": "odd")"), host),
                        "linux.rootfsPropagation: unknown propagation \"odd\"");
}

TEST_CASE("/dev/console with a terminal only, in a /dev of its own or bound in") {
    rootfs::HostFacts host;
    auto tmpfs = R"([{"destination": "/dev", "type": "tmpfs", "source": "tmpfs"}])";
    auto plain = rootfs::plan_mounts(config(tmpfs), host);
    REQUIRE_FALSE(plain.console); // as runc: no /dev/console without a terminal
    auto c = config(tmpfs);
    c.process->terminal = true;
    auto own = rootfs::plan_mounts(c, host);
    REQUIRE(own.console);
    REQUIRE_FALSE(own.console_borrowed);
    auto b = config(R"([{"destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind"]}])");
    b.process->terminal = true;
    auto bound = rootfs::plan_mounts(b, host);
    REQUIRE(bound.console);
    REQUIRE(bound.console_borrowed); // the host's /dev: no node made there
}

TEST_CASE("idmapped binds carry their uid and gid maps: the mount's own, else the container's") {
    rootfs::HostFacts host;
    const char *maps = R"(, "uidMappings": [{"containerID": 0, "hostID": 300000, "size": 65536}],
                           "gidMappings": [{"containerID": 0, "hostID": 400000, "size": 10}])";
    auto p = rootfs::plan_mounts(
        config(R"([{"destination": "/a", "type": "bind", "source": "/x", "options": ["rbind", "idmap"]},
                   {"destination": "/b", "type": "bind", "source": "/x", "options": ["ridmap"]},
                   {"destination": "/c", "type": "bind", "source": "/x", "options": ["bind"],
                    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}, {"containerID": 1, "hostID": 2000, "size": 5}],
                    "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]},
                   {"destination": "/d", "type": "bind", "source": "/x", "options": ["bind"]}])",
               maps),
        host);
    REQUIRE(p.steps[0].idmap_uid == "0 300000 65536\n");
    REQUIRE(p.steps[0].idmap_gid == "0 400000 10\n");
    REQUIRE((p.steps[0].recursive && !p.steps[0].idmap_recursive));
    REQUIRE(p.steps[1].idmap_recursive);
    REQUIRE(p.steps[2].idmap_uid == "0 1000 1\n1 2000 5\n");
    REQUIRE(p.steps[2].idmap_gid == "0 1000 1\n");
    REQUIRE(p.steps[3].idmap_uid.empty());
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config(R"([{"destination": "/a", "type": "bind", "source": "/x",
                                                        "options": ["bind", "idmap"]}])"),
                                            host),
                        "mounts[0]: an idmapped mount needs uidMappings and gidMappings (its own or the "
                        "container's user namespace's)");
    REQUIRE_THROWS_WITH(rootfs::plan_mounts(config(R"([{"destination": "/t", "type": "tmpfs", "source": "tmpfs",
                                                        "options": ["idmap"]}])",
                                                   maps),
                                            host),
                        "mounts[0]: idmapped mounts are bind mounts only here (as runc)");
}

TEST_CASE("/sys/fs/cgroup shows the container's own cgroups only") {
    rootfs::HostFacts host; // in a user namespace, on a v1 or hybrid host
    auto cfg = config(R"([{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
        "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}])");
    auto p = rootfs::plan_mounts(cfg, host);
    REQUIRE(p.steps.size() == 1);
    REQUIRE(p.steps[0].own_cgroups);
    rootfs::CgroupView v;
    v.hierarchies = {{"memory", "/sys/fs/cgroup/memory/a/c1"}, {"pids", "/sys/fs/cgroup/pids/c1"}};
    rootfs::own_cgroup_mounts(p, v);
    // a tmpfs, one bind per hierarchy (not recursive: no sibling's mounts), then the tmpfs made read-only
    REQUIRE(p.steps.size() == 4);
    REQUIRE(p.steps[0].fstype == "tmpfs");
    REQUIRE(p.steps[0].target == "sys/fs/cgroup");
    REQUIRE(!(p.steps[0].flags & MS_RDONLY));
    REQUIRE(p.steps[1].kind == rootfs::StepKind::bind);
    REQUIRE(p.steps[1].source == "/sys/fs/cgroup/memory/a/c1");
    REQUIRE(p.steps[1].target == "sys/fs/cgroup/memory");
    REQUIRE(!p.steps[1].recursive);
    REQUIRE((p.steps[1].attr_set & MOUNT_ATTR_RDONLY));
    REQUIRE(p.steps[2].target == "sys/fs/cgroup/pids");
    REQUIRE(p.steps[3].remount);
    REQUIRE((p.steps[3].flags & MS_RDONLY));
    // rw in the config: the binds and the tmpfs stay writable
    auto rw = rootfs::plan_mounts(config(R"([{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
        "options": ["rw"]}])"), host);
    auto rw2 = rw;
    rootfs::own_cgroup_mounts(rw, v);
    REQUIRE(rw.steps.size() == 3);
    REQUIRE(!(rw.steps[1].attr_set & MOUNT_ATTR_RDONLY));
    // but not the user's own cgroup in a hierarchy the container did not join
    v.hierarchies.emplace_back("cpuset", "/sys/fs/cgroup/cpuset/user");
    v.read_only = {"cpuset"};
    rootfs::own_cgroup_mounts(rw2, v);
    REQUIRE(rw2.steps.size() == 4);
    REQUIRE(!(rw2.steps[2].attr_set & MOUNT_ATTR_RDONLY));
    REQUIRE(rw2.steps[3].target == "sys/fs/cgroup/cpuset");
    REQUIRE((rw2.steps[3].attr_set & MOUNT_ATTR_RDONLY));
    // cgroup v2 without a cgroup namespace: the container's cgroup alone
    auto u = rootfs::plan_mounts(cfg, host);
    rootfs::CgroupView v2;
    v2.unified = "/sys/fs/cgroup/user/c1";
    rootfs::own_cgroup_mounts(u, v2);
    REQUIRE(u.steps.size() == 1);
    REQUIRE(u.steps[0].source == "/sys/fs/cgroup/user/c1");
    REQUIRE(!u.steps[0].recursive);
}

TEST_CASE("an image is the rootfs itself where it has what the plan needs") {
    rootfs::HostFacts host;
    auto p = rootfs::plan_mounts(config(R"([
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts"},
        {"destination": "/sys", "type": "bind", "source": "/sys", "options": ["rbind"]},
        {"destination": "/sys/fs/cgroup", "type": "bind", "source": "/sys/fs/cgroup", "options": ["rbind"]},
        {"destination": "/devices", "type": "bind", "source": "/tmp", "options": ["rbind"]},
        {"destination": "/data/in", "type": "bind", "source": "/tmp", "options": ["rbind"]}])"),
                                 host);
    std::vector<std::string> needs;
    // Below a mount of the plan is that mount's business ("devices" is not below "dev").
    REQUIRE(rootfs::image_root_needs(p, "/", needs));
    REQUIRE(needs == std::vector<std::string>{"proc", "dev", "sys", "devices", "data/in"});
    REQUIRE(rootfs::image_root_needs(p, "/work/dir/", needs));
    REQUIRE(needs.back() == "work/dir");
    REQUIRE(rootfs::image_root_needs(p, "/dev/shm", needs));
    REQUIRE(needs.back() == "data/in");
    // No /dev of the plan's own: the devices and their links would be made in the image.
    auto q = rootfs::plan_mounts(config(R"([{"destination": "/proc", "type": "proc", "source": "proc"}])"), host);
    REQUIRE_FALSE(rootfs::image_root_needs(q, "/", needs));
}
