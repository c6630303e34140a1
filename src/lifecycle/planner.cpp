#include "lifecycle/planner.hpp"
#include "error.hpp"
#include "netless/helper.hpp"
#include "read_file.hpp"
#include "rootfs/bind_source.hpp"
#include "rootfs/idmap_source.hpp"
#include "hooks/run_hooks.hpp"
#include "process/env.hpp"
#include "rootfs/host_device.hpp"
#include "rootfs/netfs.hpp"
#include "userns/subid.hpp"

#include <climits>
#include <fcntl.h>
#include "log.hpp"
#include "netless/helper.hpp"
#include "security/apparmor.hpp"
#include "security/selinux.hpp"
#include "session/cgroup_mode.hpp"
#include "session/notify_relay.hpp"
#include "userns/passwd.hpp"
#include "userns/rootless.hpp"
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <algorithm>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace burrow::lifecycle {

using namespace layers; // the overlay's and the image's parent side (src/layers/)

int clone_flag(spec::NsType t) {
    switch (t) {
    case spec::NsType::user: return CLONE_NEWUSER;
    case spec::NsType::pid: return CLONE_NEWPID;
    case spec::NsType::network: return CLONE_NEWNET;
    case spec::NsType::mount: return CLONE_NEWNS;
    case spec::NsType::ipc: return CLONE_NEWIPC;
    case spec::NsType::uts: return CLONE_NEWUTS;
    case spec::NsType::cgroup: return CLONE_NEWCGROUP;
    case spec::NsType::time: return CLONE_NEWTIME;
    }
    return 0;
}

namespace {

std::vector<userns::IdMap> to_maps(const std::vector<spec::IdMapping> &m) {
    std::vector<userns::IdMap> out;
    for (auto &x : m) out.push_back({x.container_id, x.host_id, x.size});
    return out;
}

bool mapped(const std::vector<userns::IdMap> &maps, uint32_t id) {
    for (auto &m : maps)
        if (id >= m.inside && id - m.inside < m.count) return true;
    return false;
}

std::string user_name(uid_t uid) {
    auto name = userns::user_name(uid);
    return name.empty() ? std::to_string(uid) : name;
}

// Devices a bind mount's directory provides are not made; config devices
// bound from the host (in a user namespace) need the host's node of that number.
void plan_host_devices(rootfs::MountPlan &m) {
    for (auto &d : m.skipped_devices) log::warn("linux.devices: " + d + " not made: a bind mount provides its directory");
    if (!m.bind_devices) return;
    for (auto &d : m.devices) {
        if (!d.from_config || S_ISFIFO(d.mode)) continue;
        d.host = rootfs::find_host_node(d.host, d.mode & S_IFMT, d.dev);
        if (d.host.empty())
            throw Error("linux.devices: /" + d.target + ": the host has no " + (S_ISBLK(d.mode) ? "block" : "character") +
                        " device " + std::to_string(major(d.dev)) + ":" + std::to_string(minor(d.dev)) +
                        " to bind (in a user namespace devices are bound from the host, not made)");
    }
}

void plan_user_namespace(const spec::Config &c, Launch &l, bool new_userns) {
    auto &p = l.plan;
    if (!new_userns) return;
    const auto &lx = *c.linux_;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    bool root = uid == 0;
    l.uid_map = to_maps(lx.uid_mappings);
    l.gid_map = to_maps(lx.gid_mappings);
    if (root) {
        if (l.uid_map.empty()) throw Error("linux.uidMappings: required with a new user namespace");
        if (l.gid_map.empty()) throw Error("linux.gidMappings: required with a new user namespace");
    } else {
        if (l.uid_map.empty()) l.uid_map = {{0, uid, 1}};
        if (l.gid_map.empty()) l.gid_map = {{0, gid, 1}};
        // The caller's own ids are always theirs: /etc/passwd and the
        // subordinate ids (/etc/subuid, or libsubid's service through
        // burrow-subid) are looked up only for wider maps (not on the common path).
        if (!userns::writable_directly(l.uid_map, uid) || !userns::writable_directly(l.gid_map, gid)) {
            std::string name = user_name(uid);
            using userns::IdKind;
            auto subuid = userns::subordinate_ranges(IdKind::uid, name, uid);
            auto subgid = userns::subordinate_ranges(IdKind::gid, name, uid);
            userns::check_entitled(l.uid_map, uid, subuid, "linux.uidMappings", userns::subordinate_source(IdKind::uid), name);
            userns::check_entitled(l.gid_map, gid, subgid, "linux.gidMappings", userns::subordinate_source(IdKind::gid), name);
        }
        // The kernel refuses an unprivileged gid map unless setgroups is denied.
        l.deny_setgroups = userns::writable_directly(l.gid_map, gid);
    }
    p.setup_as_root = mapped(l.uid_map, 0) && mapped(l.gid_map, 0);
    auto &u = c.process->user;
    if (!mapped(l.uid_map, u.uid))
        throw Error("process.user.uid: " + std::to_string(u.uid) + " is not mapped in linux.uidMappings");
    if (!mapped(l.gid_map, u.gid))
        throw Error("process.user.gid: " + std::to_string(u.gid) + " is not mapped in linux.gidMappings");
    for (auto g : u.additional_gids)
        if (!mapped(l.gid_map, g))
            throw Error("process.user.additionalGids: " + std::to_string(g) + " is not mapped in linux.gidMappings");
}

// A network or FUSE filesystem checks host ids, and a subordinate id is a
// stranger there. burrow's own work on the rootfs and bind sources (mounts,
// mount points) is then done as the caller's own id rather than as the
// container's root; a container user that is a subordinate id is refused
// with the fix (FUSE without allow_other) or warned about (NFS, ...) before
// the program meets EACCES there.
void check_network_filesystems(const spec::Config &c, Launch &l, const std::string &bundle) {
    if (!l.plan.new_userns || !userns::rootless()) return;
    uint32_t uid = c.process->user.uid;
    uint64_t host = UINT64_MAX;
    for (auto &m : l.uid_map)
        if (uid >= m.inside && uid - m.inside < m.count) host = uint64_t{m.outside} + (uid - m.inside);
    std::vector<std::pair<std::string, std::string>> paths = {{"root.path", l.plan.rootfs}};
    for (size_t i = 0; i < c.mounts.size(); i++) {
        auto &m = c.mounts[i];
        bool bind = m.type == "bind";
        for (auto &o : m.options) bind |= o == "bind" || o == "rbind";
        if (bind && !m.source.empty())
            paths.push_back({"mounts[" + std::to_string(i) + "].source",
                             m.source[0] == '/' ? m.source : bundle + "/" + m.source});
    }
    for (auto &[field, path] : paths) {
        if (path.empty()) continue; // --image: the rootfs is the image's mount, made later
        auto fs = rootfs::network_fs_of(path);
        if (fs.name.empty()) continue;
        if (l.plan.setup_as_root && l.uid_map != std::vector<userns::IdMap>{{0, static_cast<uint32_t>(geteuid()), 1}}) {
            log::debug(field + ": on " + fs.name + ": setting up as uid " + std::to_string(geteuid()) + ", not as root");
            l.plan.setup_as_root = false;
        }
        if (host == geteuid()) continue;
        std::string what = field + ": " + path + " is on " + fs.name + ", where process.user.uid " +
                           std::to_string(uid) + " is host uid " + std::to_string(host) + ", a subordinate id";
        std::string fix = ": run as your own uid (--userns keep-id), or keep the files on a local disk "
                          "(a copy, or --overlay with its upper directory there)";
        if (fs.others_refused)
            throw Error(what + " that " + fs.name + " refuses (it is mounted without allow_other)" + fix);
        log::warn(what + ": it can read only what is world-readable there and write none of your files" + fix);
    }
}

void plan_namespaces(const spec::Config &c, Launch &l, bool &new_userns, bool &in_userns, bool &new_net,
                     bool &new_cgroupns) {
    bool force_net = l.network.own_netns();
    auto &p = l.plan;
    new_userns = in_userns = new_net = new_cgroupns = false;
    if (!c.linux_) return;
    const auto &lx = *c.linux_;
    bool join_user = false;
    // The user namespace goes first: the others are owned by it.
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < lx.namespaces.size(); i++) {
            auto &n = lx.namespaces[i];
            if ((n.type == spec::NsType::user) != (pass == 0)) continue;
            int flag = clone_flag(n.type);
            if (n.path.empty()) {
                if (n.type == spec::NsType::user) new_userns = in_userns = true;
                if (n.type == spec::NsType::network) new_net = true;
                if (n.type == spec::NsType::cgroup) new_cgroupns = true;
                p.clone_flags |= static_cast<unsigned long>(flag);
                continue;
            }
            std::string field = "linux.namespaces[" + std::to_string(i) + "].path";
            int fd = open(n.path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw Error(field + ": " + n.path, errno);
            p.joins.push_back({fd, flag, n.path});
            if (n.type == spec::NsType::user) join_user = in_userns = true;
            if (n.type == spec::NsType::pid || n.type == spec::NsType::time) p.needs_fork = true;
        }
    p.new_userns = new_userns;
    if (force_net && !new_net) {
        // --network asks for a namespace of the container's own.
        for (auto &j : p.joins)
            if (j.nstype == CLONE_NEWNET)
                throw Error("linux.namespaces: joins " + j.path + ", but --network " +
                            netless::mode_name(l.network.mode) + " makes a network namespace: drop one of them");
        p.clone_flags |= CLONE_NEWNET;
        new_net = true;
    }
    // clone(2) creates all new namespaces at once in the common case. A
    // joined user namespace must be entered first, so the rest is unshared
    // after it; time namespaces are only reachable through unshare(2).
    unsigned long later = p.clone_flags & static_cast<unsigned long>(CLONE_NEWTIME);
    if (join_user) later = p.clone_flags;
    // The process that forks into a new time namespace must not be the init of
    // a new pid namespace (its exit would end it): both are unshared then.
    if (later & CLONE_NEWTIME) later |= p.clone_flags & CLONE_NEWPID;
    p.clone_flags &= ~later;
    p.unshare_flags = later;
    if (p.unshare_flags & (CLONE_NEWPID | CLONE_NEWTIME)) p.needs_fork = true;
    for (auto &[clock, off] : lx.time_offsets)
        p.timens_offsets += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    p.bring_up_loopback = new_net && l.network.mode != netless::Mode::none;
    p.want_network = l.network.has_helper();
    if (p.want_network && new_net) p.persistent_tap = l.network.tap;
}

} // namespace

netless::Network plan_network(const spec::Config &c, const CreateOptions &o) {
    auto annotation = [&](const char *key) {
        auto it = c.annotations.find(key);
        return it == c.annotations.end() ? std::string() : it->second;
    };
    netless::Network n;
    std::string mode = o.network, where = "--network";
    if (mode.empty()) mode = annotation(netless::kNetworkAnnotation), where = std::string("config.json: annotations.") + netless::kNetworkAnnotation;
    try {
        if (!mode.empty()) n = netless::parse_mode(mode);
    } catch (const std::invalid_argument &e) {
        throw Error(where + ": " + e.what());
    }
    std::vector<std::string> publish = o.publish;
    where = "--publish";
    if (publish.empty()) {
        where = std::string("config.json: annotations.") + netless::kPublishAnnotation;
        std::string list = annotation(netless::kPublishAnnotation);
        for (size_t i = 0; i < list.size();) {
            size_t j = list.find(',', i);
            if (j == std::string::npos) j = list.size();
            if (j > i) publish.push_back(list.substr(i, j - i));
            i = j + 1;
        }
    }
    try {
        for (auto &s : publish) n.publish.push_back(netless::parse_publish(s));
        netless::check_distinct(n.publish);
    } catch (const std::invalid_argument &e) {
        throw Error(where + ": " + e.what());
    }
    n.tap = netless::helper_interface(n);
    return n;
}

namespace {

unsigned long personality_of(const spec::Personality &pe) {
    if (!pe.flags.empty()) throw Error("linux.personality.flags: no flags are supported");
    return pe.domain == "LINUX32" ? PER_LINUX32 : PER_LINUX;
}

void plan_scheduler(const spec::Scheduler &s, process::Plan &p) {
    static const std::pair<const char *, uint32_t> policies[] = {
        {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2}, {"SCHED_BATCH", 3},
        {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
    };
    static const std::pair<const char *, uint64_t> flags[] = {
        {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},     {"SCHED_FLAG_DL_OVERRUN", 0x04},
        {"SCHED_FLAG_KEEP_POLICY", 0x08},   {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
        {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
    };
    bool found = false;
    for (auto &[n, v] : policies)
        if (s.policy == n) p.sched.policy = v, found = true;
    if (!found) throw Error("process.scheduler.policy: unknown policy \"" + s.policy + "\"");
    for (auto &f : s.flags) {
        bool ok = false;
        for (auto &[n, v] : flags)
            if (f == n) p.sched.flags |= v, ok = true;
        if (!ok) throw Error("process.scheduler.flags: unknown flag \"" + f + "\"");
    }
    if (s.nice < -20 || s.nice > 19) throw Error("process.scheduler.nice: must be between -20 and 19");
    p.sched.nice = s.nice;
    p.sched.priority = static_cast<uint32_t>(s.priority);
    p.sched.runtime = s.runtime;
    p.sched.deadline = s.deadline;
    p.sched.period = s.period;
    p.has_scheduler = true;
}

int ioprio_of(const spec::IoPriority &io) {
    int cls = io.io_class == "IOPRIO_CLASS_RT" ? 1 : io.io_class == "IOPRIO_CLASS_BE" ? 2
            : io.io_class == "IOPRIO_CLASS_IDLE" ? 3 : 0;
    if (!cls) throw Error("process.ioPriority.class: unknown class \"" + io.io_class + "\"");
    if (io.priority < 0 || io.priority > 7) throw Error("process.ioPriority.priority: must be between 0 and 7");
    return cls << 13 | io.priority;
}

std::string resolve_rootfs(const spec::Config &c, const std::string &bundle) {
    std::string path = c.root.path[0] == '/' ? c.root.path : bundle + "/" + c.root.path;
    std::string real = canonical_path(path, "root.path");
    struct stat st;
    if (stat(real.c_str(), &st) < 0) throw Error("root.path: " + path, errno);
    if (!S_ISDIR(st.st_mode)) throw Error("root.path: " + path + " is not a directory");
    return real;
}

} // namespace

// What execve would refuse with E2BIG, said before anything is made: one
// string over the kernel's MAX_ARG_STRLEN (32 pages), or all of them over
// ARG_MAX (a quarter of the stack limit; unknown when the config sets its own).
void check_exec_size(const process::Plan &p, bool own_stack_limit) {
    size_t total = 0;
    for (auto *v : {&p.args, &p.env})
        for (auto &s : *v) {
            if (s.size() >= 32 * 4096)
                throw Error(std::string(v == &p.args ? "process.args" : "process.env") + ": a string of " +
                            std::to_string(s.size()) + " bytes: longer than execve takes (131072)");
            total += s.size() + 1 + sizeof(char *);
        }
    long max = sysconf(_SC_ARG_MAX);
    if (!own_stack_limit && max > 0 && total > static_cast<size_t>(max))
        throw Error("process.args and process.env: " + std::to_string(total) + " bytes: more than execve takes (" +
                    std::to_string(max) + ", ARG_MAX)");
}

void plan_process(const spec::Process &proc, process::Plan &p, bool deny_setgroups, int preserve_fds) {
    for (auto &r : proc.rlimits) p.rlimits.push_back({r.resource, {r.soft, r.hard}, r.type});
    if (proc.oom_score_adj) p.oom_score_adj = std::to_string(*proc.oom_score_adj);
    if (proc.scheduler) plan_scheduler(*proc.scheduler, p);
    if (proc.io_priority) p.ioprio = ioprio_of(*proc.io_priority);

    p.uid = proc.user.uid;
    p.gid = proc.user.gid;
    p.groups.assign(proc.user.additional_gids.begin(), proc.user.additional_gids.end());
    p.set_groups = !deny_setgroups;
    if (deny_setgroups && !p.groups.empty())
        throw Error("process.user.additionalGids: a single-id gid map denies setgroups; "
                    "map a range from /etc/subgid to use additional groups");
    if (proc.user.umask) p.umask = static_cast<mode_t>(*proc.user.umask);
    if (proc.capabilities) {
        p.caps = security::resolve_caps(*proc.capabilities);
        p.last_cap = security::last_cap();
    }
    p.no_new_privs = proc.no_new_privileges;
    security::check_selinux_label("process.selinuxLabel", proc.selinux_label);
    if (!proc.apparmor_profile.empty()) {
        if (!security::apparmor_enabled())
            throw Error("process.apparmorProfile: AppArmor is not enabled on this host");
        p.apparmor_exec = "exec " + proc.apparmor_profile;
    }

    p.cwd = proc.cwd.empty() ? "/" : proc.cwd;
    p.args = proc.args;
    p.env = process::last_value_wins(proc.env);
    bool has_home = false;
    for (auto &e : p.env) has_home |= e.rfind("HOME=", 0) == 0;
    if (!has_home) { // as runc: from the container's /etc/passwd, which the child reads there
        p.home_capacity = 4096;
        p.home_uid = proc.user.uid;
        p.env.push_back("HOME=" + std::string(p.home_capacity, '\0'));
    }
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (auto &e : p.env)
        if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    for (size_t i = 0; i <= path.size();) {
        size_t j = path.find(':', i);
        if (j == std::string::npos) j = path.size();
        p.path_dirs.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    p.terminal = proc.terminal;
    if (proc.console_size) {
        p.console_rows = static_cast<unsigned short>(proc.console_size->height);
        p.console_cols = static_cast<unsigned short>(proc.console_size->width);
    }
    p.preserve_fds = preserve_fds;

    check_exec_size(p, std::any_of(proc.rlimits.begin(), proc.rlimits.end(),
                                   [](const spec::Rlimit &r) { return r.type == "RLIMIT_STACK"; }));
    p.argv = process::c_array(p.args);
    p.envp = process::c_array(p.env);
}

Launch make_launch(const spec::Config &c, const CreateOptions &o, netless::Network net) {
    Launch l;
    auto &p = l.plan;
    auto &proc = *c.process;

    if (o.overlay.image.empty()) p.rootfs = resolve_rootfs(c, o.bundle); // else create sets it (layers/image.hpp)
    bool new_userns, in_userns, new_net, new_cgroupns;
    l.network = std::move(net);
    try {
        plan_namespaces(c, l, new_userns, in_userns, new_net, new_cgroupns);
        // uid 0 of a user namespace (podman's rootless mode) is already in one.
        bool host_userns = userns::rootless() && geteuid() == 0;
        if (userns::rootless() && !in_userns && !host_userns)
            throw Error("linux.namespaces: a rootless container needs a user namespace "
                        "(add {\"type\": \"user\"}, or make the config with `burrow spec --rootless`)");
        if (!(p.clone_flags & CLONE_NEWNS) && !(p.unshare_flags & CLONE_NEWNS))
            throw Error("linux.namespaces: a mount namespace is required");
        plan_user_namespace(c, l, new_userns);
        check_network_filesystems(c, l, o.bundle);

        rootfs::HostFacts host;
        host.in_userns = in_userns || host_userns;
        host.new_netns = new_net;
        host.new_cgroupns = new_cgroupns;
        // cgroups are not managed yet: their layout only decides how /sys/fs/cgroup is mounted.
        auto cg = session::detect_cgroup_mode();
        host.cgroup2_host = cg == session::CgroupMode::unified;
        log::debug(std::string("cgroup layout: ") + session::mode_name(cg));
        p.mounts = rootfs::plan_mounts(c, host);
        if (c.linux_) security::check_selinux_label("linux.mountLabel", c.linux_->mount_label);
        plan_host_devices(p.mounts);
        p.no_pivot = o.no_pivot;

        p.hostname = c.hostname;
        p.set_hostname = !c.hostname.empty();
        p.domainname = c.domainname;
        p.set_domainname = !c.domainname.empty();
        if (c.linux_) {
            auto &lx = *c.linux_;
            for (auto &[k, v] : lx.sysctl) {
                std::string path = "/proc/sys/" + k;
                for (size_t i = 10; i < path.size(); i++)
                    if (path[i] == '.') path[i] = '/';
                p.sysctl.push_back({path, v});
            }
            if (lx.personality) p.personality = personality_of(*lx.personality);
            if (lx.seccomp) {
                l.seccomp = security::seccomp_for(*lx.seccomp, o.seccomp_cache);
                p.seccomp = l.seccomp->program;
                if (l.seccomp->found) log::debug("seccomp: compiled already, for a container of the same profile: " + l.seccomp->shared);
            }
        }
        plan_process(proc, p, l.deny_setgroups, o.preserve_fds);
        if (!o.notify_dir.empty()) {
            // The service manager's socket stays outside; the program gets one of ours.
            // Read-only (as runc binds it): sending to a socket needs no
            // writable mount, and the directory is in the state directory,
            // where the container must not make files (a full runtime
            // directory, a subdirectory delete cannot enter).
            rootfs::MountStep s;
            s.kind = rootfs::StepKind::bind;
            s.source = o.notify_dir;
            s.target = session::kNotifyDirInContainer + 1;
            s.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
            p.mounts.steps.push_back(s);
            std::erase_if(p.env, [](const std::string &e) { return e.rfind("NOTIFY_SOCKET=", 0) == 0; });
            p.env.push_back(std::string("NOTIFY_SOCKET=") + session::kNotifySocketInContainer);
            p.envp = process::c_array(p.env);
        }
        if (const char *lf = getenv("LISTEN_FDS")) {
            // Socket activation: the fds go on to the container's init, as runc does.
            int n = atoi(lf);
            if (n > 0) {
                p.preserve_fds += n;
                p.env.push_back("LISTEN_FDS=" + std::to_string(n));
                // Its pid is known in advance only as the init of its own pid namespace.
                if ((p.clone_flags | p.unshare_flags) & CLONE_NEWPID) p.env.push_back("LISTEN_PID=1");
                p.argv = process::c_array(p.args);
                p.envp = process::c_array(p.env);
            }
        }
        if (!o.no_new_keyring) {
            p.keyring = "_ses." + o.id;
            p.keyring_searchable = in_userns;
        }
        if (o.hold) process::use_hold_stub(p);
        else process::use_exec_stub(p); // last: needs the final argv and filter

        l.prestart = hooks::prepare(c.hooks.prestart);
        l.create_runtime = hooks::prepare(c.hooks.create_runtime);
        p.create_container_hooks = hooks::prepare(c.hooks.create_container);
        p.start_container_hooks = hooks::prepare(c.hooks.start_container);
        p.runtime_hooks = !l.prestart.empty() || !l.create_runtime.empty();
        rootfs::open_idmapped_sources(p.mounts, userns::rootless());
        // Root giving the container a user namespace: the child turns into a
        // mapped id before it mounts, so the sources are opened here.
        if (geteuid() == 0 && !userns::rootless() && in_userns) {
            uid_t host_uid = static_cast<uid_t>(-1);
            gid_t host_gid = static_cast<gid_t>(-1);
            for (auto &m : l.uid_map)
                if (m.inside == 0) host_uid = m.outside;
            for (auto &m : l.gid_map)
                if (m.inside == 0) host_gid = m.outside;
            rootfs::open_bind_sources(p.mounts, host_uid, host_gid);
        }
        if (in_userns || host_userns) rootfs::keep_locked_atime(p.mounts);

    } catch (...) {
        close_launch_fds(l);
        throw;
    }
    return l;
}

void close_launch_fds(Launch &l) {
    rootfs::close_bind_sources(l.plan.mounts);
    for (auto &j : l.plan.joins)
        if (j.fd >= 0) close(j.fd), j.fd = -1;
    if (l.plan.exec_stub_fd >= 0) close(l.plan.exec_stub_fd), l.plan.exec_stub_fd = -1;
}

} // namespace burrow::lifecycle
