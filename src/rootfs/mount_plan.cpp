#include "rootfs/mount_plan.hpp"
#include "error.hpp"

#include <algorithm>
#include <string_view>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace burrow::rootfs {
namespace {

// string_view names: a comparison is a length check first (a run compares
// each of its 25 options with these tables: 64,000 instructions as strcmp's).
struct Word {
    std::string_view name;
    bool clear; // the word clears the flag ("rw", "suid", ...)
    unsigned long flag;
};

constexpr Word kFlags[] = {
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},      {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},        {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},      {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},   {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},      {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},  {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},  {"nolazytime", true, MS_LAZYTIME},
    {"nosymfollow", false, MS_NOSYMFOLLOW}, {"symfollow", true, MS_NOSYMFOLLOW},
    {"silent", false, MS_SILENT},      {"loud", true, MS_SILENT},
};

constexpr std::pair<std::string_view, unsigned long> kPropagation[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

std::string relative(const std::string &abs) {
    size_t i = 0;
    while (i < abs.size() && abs[i] == '/') i++;
    std::string r = abs.substr(i);
    while (!r.empty() && r.back() == '/') r.pop_back();
    return r;
}

// Already clean: absolute, no empty, "." or ".." component, no trailing slash.
bool is_clean(const std::string &p) {
    if (p.size() < 2 || p[0] != '/' || p.back() == '/') return false;
    for (size_t i = 0; i < p.size(); i++) {
        if (p[i] != '/') continue;
        size_t j = i + 1;
        if (p[j] == '/') return false;
        if (p[j] == '.' && (j + 1 == p.size() || p[j + 1] == '/' ||
                            (p[j + 1] == '.' && (j + 2 == p.size() || p[j + 2] == '/'))))
            return false;
    }
    return true;
}

// Clean an absolute container path lexically: no "." or ".." survives, so the
// child's in-root resolution only ever deals with real names. field() names
// it in an error (made only then).
template <typename Field> std::string clean(const std::string &p, Field field) {
    if (p.empty() || p[0] != '/') throw Error(field() + ": \"" + p + "\" is not an absolute path");
    if (is_clean(p)) return p; // the common case: no parts to split and join
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        std::string c = p.substr(i, j - i);
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!c.empty() && c != ".") {
            parts.push_back(c);
        }
        i = j + 1;
    }
    std::string out;
    for (auto &c : parts) out += "/" + c;
    return out.empty() ? "/" : out;
}

uint64_t to_attr(unsigned long ms) {
    uint64_t a = 0;
    if (ms & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV) a |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NOSYMFOLLOW) a |= MOUNT_ATTR_NOSYMFOLLOW;
    if (ms & MS_NOATIME) a |= MOUNT_ATTR_NOATIME;
    else if (ms & MS_STRICTATIME) a |= MOUNT_ATTR_STRICTATIME;
    else if (ms & MS_RELATIME) a |= MOUNT_ATTR_RELATIME;
    if (ms & MS_NODIRATIME) a |= MOUNT_ATTR_NODIRATIME;
    return a;
}

// "containerID hostID size" lines, as /proc/PID/uid_map takes them.
std::string map_text(const std::vector<spec::IdMapping> &m) {
    std::string t;
    for (auto &e : m)
        t += std::to_string(e.container_id) + " " + std::to_string(e.host_id) + " " + std::to_string(e.size) + "\n";
    return t;
}

std::string without_option(const std::string &data, const std::string &prefix) {
    std::string out;
    size_t i = 0;
    while (i <= data.size()) {
        size_t j = data.find(',', i);
        if (j == std::string::npos) j = data.size();
        std::string w = data.substr(i, j - i);
        if (!w.empty() && w.rfind(prefix, 0) != 0) out += (out.empty() ? "" : ",") + w;
        i = j + 1;
    }
    return out;
}

void add_device(MountPlan &plan, const std::string &path, char type, int64_t major, int64_t minor, mode_t perm,
                uid_t uid, gid_t gid) {
    std::string rel = relative(path);
    for (auto &d : plan.devices)
        if (d.target == rel) return; // the config's own entry wins
    DeviceNode n;
    n.target = rel;
    auto slash = rel.rfind('/');
    n.parent = slash == std::string::npos ? "." : rel.substr(0, slash);
    n.name = slash == std::string::npos ? rel : rel.substr(slash + 1);
    n.host = path;
    // "u" (unbuffered) is a character device to the kernel, as runc takes it.
    mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
    n.mode = kind | (perm & 07777);
    n.dev = makedev(static_cast<unsigned>(major), static_cast<unsigned>(minor));
    n.uid = uid;
    n.gid = gid;
    plan.devices.push_back(n);
}

// True when the last mount covering rel (or rel itself) is a bind: that
// directory belongs to whoever owns the source (a host /dev bound in), and
// burrow makes no device node or link in it, as runc makes no devices in a
// bound /dev (only the mount points later mounts need, as runc makes them).
bool borrowed(const std::vector<MountStep> &steps, const std::string &rel) {
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        const std::string &t = it->target;
        if (rel == t || (rel.size() > t.size() && rel.compare(0, t.size(), t) == 0 && rel[t.size()] == '/'))
            return it->kind == StepKind::bind;
    }
    return false;
}

} // namespace

ParsedOptions parse_mount_options(const std::vector<std::string> &options, const std::string &field) {
    ParsedOptions o;
    for (auto &word : options) {
        std::string_view w = word;
        if (w == "bind") {
            o.bind = true;
            continue;
        }
        if (w == "rbind") {
            o.bind = o.recursive = true;
            continue;
        }
        bool known = false;
        for (auto &f : kFlags)
            if (w == f.name) {
                if (f.clear) {
                    o.flags &= ~f.flag;
                    o.clear |= f.flag;
                } else {
                    o.flags |= f.flag;
                    o.clear &= ~f.flag;
                }
                known = true;
                break; // each word once in the table
            }
        if (!known)
            for (auto &[n, p] : kPropagation)
                if (w == n) {
                    o.propagation = p;
                    known = true;
                    break;
                }
        if (known) continue;
        if (w == "idmap" || w == "ridmap") {
            o.idmap = true;
            o.idmap_recursive = o.idmap_recursive || w == "ridmap";
            continue;
        }
        if (w == "tmpcopyup") {
            o.copy_up = true;
            continue;
        }
        if (w == "copy-symlink") continue; // crun's, for bind sources that are symlinks: harmless to ignore
        if (w.empty()) throw Error(field + ": empty option");
        if (!o.data.empty()) o.data += ',';
        o.data += w;
    }
    return o;
}

MountPlan plan_mounts(const spec::Config &c, const HostFacts &host) {
    MountPlan plan;
    const spec::Linux *lx = c.linux_ ? &*c.linux_ : nullptr;

    plan.root_propagation = MS_REC | MS_SLAVE;
    if (lx && !lx->rootfs_propagation.empty()) {
        bool found = false;
        for (auto &[n, p] : kPropagation)
            if (lx->rootfs_propagation == n) {
                plan.final_propagation = p;
                found = true;
            }
        if (!found) throw Error("linux.rootfsPropagation: unknown propagation \"" + lx->rootfs_propagation + "\"");
        // As runc: the root gets it before the mounts (rshared keeps the host's
        // peers; the mount holding the rootfs alone is made private for
        // pivot_root), and the new root once inside. An unbindable root could
        // not be bound as the rootfs: it stays a slave until then.
        if (!(plan.final_propagation & MS_UNBINDABLE)) plan.root_propagation = plan.final_propagation;
    }
    plan.readonly_root = c.root.readonly;
    plan.bind_devices = host.in_userns;
    plan.steps.reserve(c.mounts.size());

    for (size_t i = 0; i < c.mounts.size(); i++) {
        auto &m = c.mounts[i];
        std::string field = "mounts[" + std::to_string(i) + "]";
        std::string dest = clean(m.destination, [&] { return field + ".destination"; });
        if (dest == "/") throw Error(field + ".destination: cannot mount over the root; use root.path");
        auto o = parse_mount_options(m.options, field + ".options");
        MountStep s;
        s.target = relative(dest);
        s.source = m.source;
        s.propagation = o.propagation;
        if (m.type == "bind" || o.bind) {
            if (m.source.empty()) throw Error(field + ".source: a bind mount needs a source");
            s.kind = StepKind::bind;
            s.recursive = o.recursive;
            s.attr_set = to_attr(o.flags);
            if (s.attr_set & MOUNT_ATTR__ATIME) s.attr_clr |= MOUNT_ATTR__ATIME;
            // Filesystem data ("mode=755,size=1k") means nothing to a bind: ignored, as runc and crun do.
            if (o.idmap || !m.uid_mappings.empty() || !m.gid_mappings.empty()) {
                // The mount's own mapping, else the container's (runtime-spec 1.2, as crun).
                auto &um = !m.uid_mappings.empty() ? m.uid_mappings : lx ? lx->uid_mappings : m.uid_mappings;
                auto &gm = !m.gid_mappings.empty() ? m.gid_mappings : lx ? lx->gid_mappings : m.gid_mappings;
                if (um.empty() || gm.empty())
                    throw Error(field + ": an idmapped mount needs uidMappings and gidMappings (its own or the "
                                        "container's user namespace's)");
                s.idmap_uid = map_text(um);
                s.idmap_gid = map_text(gm);
                s.idmap_recursive = o.idmap_recursive;
            }
        } else {
            if (m.type.empty()) throw Error(field + ".type: required for a non-bind mount");
            if (o.idmap || !m.uid_mappings.empty() || !m.gid_mappings.empty())
                throw Error(field + ": idmapped mounts are bind mounts only here (as runc)");
            s.kind = StepKind::fs;
            s.fstype = m.type;
            s.flags = o.flags;
            s.data = o.data;
            s.copy_up = o.copy_up && m.type == "tmpfs"; // as runc: only a tmpfs copies up
            if (m.type == "sysfs" && !host.new_netns) {
                // Only the owner of a network namespace may mount sysfs: bind the host's.
                s.kind = StepKind::bind;
                s.source = "/sys";
                s.recursive = true;
                s.attr_set = to_attr(o.flags);
            } else if (m.type == "sysfs") {
                s.sysfs_fallback = true;
            } else if (m.type == "cgroup" || m.type == "cgroup2") {
                if (host.cgroup2_host && (host.new_cgroupns || !host.in_userns)) {
                    s.fstype = "cgroup2";
                    s.source = "cgroup2";
                    s.data.clear();
                    s.cgroup_fallback = true;
                } else {
                    // cgroup v1 or hybrid, or v2 without a cgroup namespace of our own:
                    // the host's, narrowed to the container's own cgroups once they are
                    // known (own_cgroup_mounts).
                    s.kind = StepKind::bind;
                    s.source = "/sys/fs/cgroup";
                    s.recursive = true;
                    s.attr_set = to_attr(o.flags | MS_NOSUID | MS_NODEV | MS_NOEXEC);
                    s.own_cgroups = true;
                }
            } else if (m.type == "devpts" && host.in_userns && s.data.find("gid=") != std::string::npos) {
                s.data_fallback = without_option(s.data, "gid=");
            }
        }
        plan.steps.push_back(std::move(s));
    }

    // The config's devices first (they win over the defaults), then the defaults.
    if (lx)
        for (size_t i = 0; i < lx->devices.size(); i++) {
            auto &d = lx->devices[i];
            std::string field = "linux.devices[" + std::to_string(i) + "]";
            std::string path = clean(d.path, [&] { return field + ".path"; });
            if (path == "/") throw Error(field + ".path: \"" + d.path + "\" is the root");
            add_device(plan, path, d.type, d.major, d.minor, d.file_mode.value_or(0666), d.uid.value_or(0),
                       d.gid.value_or(0));
            plan.devices.back().from_config = true;
        }
    add_device(plan, "/dev/null", 'c', 1, 3, 0666, 0, 0);
    add_device(plan, "/dev/zero", 'c', 1, 5, 0666, 0, 0);
    add_device(plan, "/dev/full", 'c', 1, 7, 0666, 0, 0);
    add_device(plan, "/dev/random", 'c', 1, 8, 0666, 0, 0);
    add_device(plan, "/dev/urandom", 'c', 1, 9, 0666, 0, 0);
    add_device(plan, "/dev/tty", 'c', 5, 0, 0666, 0, 0);

    plan.symlinks = {{"dev/fd", "/proc/self/fd"},
                     {"dev/stdin", "/proc/self/fd/0"},
                     {"dev/stdout", "/proc/self/fd/1"},
                     {"dev/stderr", "/proc/self/fd/2"},
                     {"dev/ptmx", "pts/ptmx"}};
    for (auto &d : plan.devices)
        if (d.from_config && borrowed(plan.steps, d.target)) plan.skipped_devices.push_back("/" + d.target);
    std::erase_if(plan.devices, [&](const DeviceNode &d) { return borrowed(plan.steps, d.target); });
    std::erase_if(plan.symlinks, [&](const Symlink &l) { return borrowed(plan.steps, l.target); });
    plan.console = c.process && c.process->terminal;
    plan.console_borrowed = borrowed(plan.steps, "dev/console");

    if (lx) {
        for (size_t i = 0; i < lx->masked_paths.size(); i++)
            plan.masked.push_back(clean(lx->masked_paths[i], [&] { return "linux.maskedPaths[" + std::to_string(i) + "]"; }));
        for (size_t i = 0; i < lx->readonly_paths.size(); i++)
            plan.readonly.push_back(
                clean(lx->readonly_paths[i], [&] { return "linux.readonlyPaths[" + std::to_string(i) + "]"; }));
    }
    return plan;
}

} // namespace burrow::rootfs
