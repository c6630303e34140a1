// cgroupfs v1: one cgroup per controller hierarchy, each under the caller's
// own (delegated) cgroup in that hierarchy. Only the writable ones are
// joined; rootless, only those a container needs (kV1Rootless and its
// limits), the others when `update` sets a limit there.
#include "session/cgroup_files.hpp"
#include "session/cgroupfs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace burrow::session {

// One stat instead of a realpath; remembered, as choosing the cgroups, making
// them and planning the container's view asked for each hierarchy 2-4 times.
std::pair<dev_t, ino_t> hierarchy_id(const std::string &p) {
    static std::vector<std::pair<std::string, std::pair<dev_t, ino_t>>> known;
    for (auto &k : known)
        if (k.first == p) return k.second;
    struct stat st;
    std::pair<dev_t, ino_t> id{0, 0};
    if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) id = {st.st_dev, st.st_ino};
    known.emplace_back(p, id);
    return id;
}

namespace {

// devices.allow and devices.deny of one cgroup, each opened once (on its
// first rule) and written one rule per write(), as write_cgroup would.
class RuleFiles {
public:
    explicit RuleFiles(std::string dir) : dir_(std::move(dir)) {}
    RuleFiles(const RuleFiles &) = delete;
    ~RuleFiles() {
        for (int fd : fd_)
            if (fd >= 0) close(fd);
    }
    void write(bool allow, const std::string &rule) {
        int &fd = fd_[allow ? 0 : 1];
        std::string path = dir_ + (allow ? "/devices.allow" : "/devices.deny");
        if (fd < 0 && (fd = open(path.c_str(), O_WRONLY | O_CLOEXEC)) < 0) {
            int e = errno;
            if (e == ENOENT)
                throw std::system_error(e, std::generic_category(), path + ": the host's cgroup has no such file");
            throw std::system_error(e, std::generic_category(), "open " + path);
        }
        if (::write(fd, rule.data(), rule.size()) < 0)
            throw std::system_error(errno, std::generic_category(), "write \"" + rule + "\" to " + path);
    }

private:
    std::string dir_;
    int fd_[2] = {-1, -1};
};

class V1 : public CgroupManager {
public:
    explicit V1(CgroupRecord r) : rec_(std::move(r)) { index(); }
    ~V1() override {
        if (oom_fd_ >= 0) close(oom_fd_);
    }
    const CgroupRecord &record() const override { return rec_; }

    void enter(pid_t pid) override {
        if (!made_) make_early();
        join(pid);
    }

    bool make_early() override {
        made_ = true;
        std::string first = hierarchies().front().second;
        bool made_first = false;
        std::vector<std::string> made;
        for (auto &d : rec_.dirs) {
            if (mkdir(d.c_str(), 0755) == 0) made_first |= d == first, made.push_back(d);
            else if (errno != EEXIST) throw std::system_error(errno, std::generic_category(), "create cgroup " + d);
        }
        fill_cpusets(rec_.dirs, made);
        // Every process of a container is in all its hierarchies: one tells
        // (one we have just made holds none).
        if (!made_first && !read_procs(first).empty())
            throw std::runtime_error("cgroup " + first + " already holds processes");
        return true;
    }

    bool extend(const Resources &r) override {
        bool changed = false;
        for (auto &c : v1_controllers_for(r)) {
            if (dir_.count(c) || !rec_.joinable.count(c)) continue; // joined, or set() says why not
            if (!changed) movable_or_throw(c);
            // The whole hierarchy (cpu and cpuacct, net_cls and net_prio may share one).
            auto top = hierarchy_id(v1_hierarchy(rec_.root, c));
            for (auto it = rec_.joinable.begin(); it != rec_.joinable.end();) {
                if (hierarchy_id(v1_hierarchy(rec_.root, it->first)) != top) {
                    ++it;
                    continue;
                }
                if (it->second != rec_.path) rec_.paths[it->first] = it->second;
                rec_.controllers.push_back(it->first);
                it = rec_.joinable.erase(it);
            }
            auto made = missing_dirs(v1_hierarchy(rec_.root, c), rec_.path_of(c));
            rec_.dirs.insert(rec_.dirs.end(), made.begin(), made.end());
            pending_.push_back(join_path(v1_hierarchy(rec_.root, c), rec_.path_of(c)));
            pending_dirs_.insert(pending_dirs_.end(), made.begin(), made.end());
            changed = true;
        }
        if (changed) index();
        return changed;
    }

    void join(pid_t pid) override {
        for (auto &h : hierarchies())
            write_cgroup(join_.count(h.second) ? join_[h.second] : h.second, "cgroup.procs", std::to_string(pid));
    }

    std::vector<std::string> join_files() const override {
        std::vector<std::string> out;
        if (join_.empty()) {
            // exec without --cgroup: no stat of each hierarchy to find which
            // controllers share one. Where cpu and cpuacct are mounted together
            // their cgroup is named twice, and the second write moves the
            // process where it already is.
            for (auto &c : rec_.controllers) {
                std::string f = dir_.at(c) + "/cgroup.procs";
                if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
            }
            return out;
        }
        for (auto &h : hierarchies()) {
            auto sub = join_.find(h.second);
            out.push_back((sub != join_.end() ? sub->second : h.second) + "/cgroup.procs");
        }
        return out;
    }

    void select_sub(const std::map<std::string, std::string> &subs) override {
        for (auto &[c, p] : subs)
            if (!c.empty() && !dir_.count(c))
                throw std::invalid_argument("--cgroup: the container has no " + c + " cgroup (it has: " +
                                            [&] {
                                                std::string l;
                                                for (auto &x : rec_.controllers) l += (l.empty() ? "" : " ") + x;
                                                return l;
                                            }() + ")");
        for (auto &h : hierarchies()) {
            // A controller named wins over the path for all; cpu and cpuacct
            // may name one hierarchy.
            const std::string *sub = nullptr;
            for (auto &[c, d] : dir_)
                if (d == h.second && subs.count(c)) sub = &subs.at(c);
            if (!sub && subs.count("")) sub = &subs.at("");
            if (!sub || sub_path(*sub).empty()) continue;
            std::string d = join_path(h.second, sub_path(*sub));
            struct stat st;
            if (stat(d.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
                throw std::invalid_argument("--cgroup: no sub-cgroup " + d);
            join_[h.second] = d;
        }
    }

    void apply(const Resources &r) override {
        if (!r.unified.empty())
            throw std::invalid_argument("unified: needs cgroup v2, and this container's cgroups are v1");
        populate();
        auto &m = r.memory;
        if (m.limit || m.swap) {
            // memsw must stay >= the limit: raising both goes memsw first.
            auto limit = [&] { set("memory", "memory.limit_in_bytes", std::to_string(*m.limit)); };
            auto swap = [&] {
                // Without swap accounting there is no memsw file: "no swap limit" and
                // "no swap" (memory+swap = memory) need none (as runc).
                bool no_file = !dir_.count("memory") || !path_exists(dir_["memory"] + "/memory.memsw.limit_in_bytes");
                if (no_file && (*m.swap == -1 || (m.limit && *m.swap == *m.limit))) return;
                set("memory", "memory.memsw.limit_in_bytes", std::to_string(*m.swap));
            };
            if (m.limit && m.swap) {
                try {
                    limit();
                } catch (const std::system_error &e) {
                    if (e.code().value() != EINVAL) throw;
                    swap();
                    limit();
                }
                swap();
            } else if (m.limit) {
                limit();
            } else {
                swap();
            }
        }
        if (m.reservation) set("memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation));
        if (m.swappiness) set("memory", "memory.swappiness", std::to_string(*m.swappiness));
        if (m.disable_oom_killer && *m.disable_oom_killer) set("memory", "memory.oom_control", "1");
        if (r.pids_limit && *r.pids_limit != 0)
            set("pids", "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
        auto &c = r.cpu;
        if (c.shares) set("cpu", "cpu.shares", std::to_string(*c.shares));
        if (c.period) set("cpu", "cpu.cfs_period_us", std::to_string(*c.period));
        if (c.quota) set("cpu", "cpu.cfs_quota_us", std::to_string(*c.quota > 0 ? *c.quota : -1));
        if (c.burst) set("cpu", "cpu.cfs_burst_us", std::to_string(*c.burst));
        if (c.realtime_period) set("cpu", "cpu.rt_period_us", std::to_string(*c.realtime_period));
        if (c.realtime_runtime) set("cpu", "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime));
        if (c.idle) set("cpu", "cpu.idle", std::to_string(*c.idle));
        if (!c.cpus.empty()) set("cpuset", "cpuset.cpus", c.cpus);
        if (!c.mems.empty()) set("cpuset", "cpuset.mems", c.mems);
        auto &b = r.blkio;
        if (b.weight) {
            bool plain = dir_.count("blkio") && path_exists(dir_["blkio"] + "/blkio.weight");
            set("blkio", plain ? "blkio.weight" : "blkio.bfq.weight", std::to_string(*b.weight));
        }
        if (b.leaf_weight) set("blkio", "blkio.leaf_weight", std::to_string(*b.leaf_weight));
        for (auto &d : b.weight_device)
            if (d.weight) set("blkio", "blkio.weight_device", dev(d.major, d.minor) + " " + std::to_string(*d.weight));
        auto rate = [&](const std::vector<DeviceRate> &v, const char *file) {
            for (auto &d : v) set("blkio", file, dev(d.major, d.minor) + " " + std::to_string(d.rate));
        };
        rate(b.throttle_read_bps, "blkio.throttle.read_bps_device");
        rate(b.throttle_write_bps, "blkio.throttle.write_bps_device");
        rate(b.throttle_read_iops, "blkio.throttle.read_iops_device");
        rate(b.throttle_write_iops, "blkio.throttle.write_iops_device");
        for (auto &[size, limit] : r.hugepage_limits)
            set("hugetlb", "hugetlb." + size + ".limit_in_bytes", std::to_string(limit));
        if (r.network.class_id) set("net_cls", "net_cls.classid", std::to_string(*r.network.class_id));
        for (auto &[name, prio] : r.network.priorities)
            set("net_prio", "net_prio.ifpriomap", name + " " + std::to_string(prio));
        if (!r.devices.empty()) {
            if (!dir_.count("devices")) {
                check_devices_unenforced(r.devices, "there is no devices cgroup this user may write");
            } else {
                // In order, each to devices.allow or devices.deny: the kernel's
                // list then ends as the config's (a deny of "a" clears it).
                // Each write is one rule, applied at once: each file is opened
                // once for all its rules (a root container has a dozen).
                RuleFiles files(dir_["devices"]);
                for (auto &d : r.devices) files.write(d.allow, d.v1_line());
            }
        }
    }

    std::vector<pid_t> pids() const override {
        // Every process of the container joined all its hierarchies: the
        // freezer's (or the first) has them all.
        std::string top = dir_.count("freezer") ? dir_.at("freezer") : hierarchies().front().second;
        std::vector<pid_t> out = procs_in_tree(top);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    void freeze(bool frozen) override {
        const char *want = frozen ? "FROZEN" : "THAWED";
        // The v1 freezer has no notification: ask again until it is there.
        for (int i = 0; i < 2000; i++) {
            if (i % 50 == 0) set("freezer", "freezer.state", want);
            if (read_cgroup(dir_.at("freezer") + "/freezer.state").value_or("").compare(0, strlen(want), want) == 0)
                return;
            usleep(i < 10 ? 100 : 1000);
        }
        throw std::runtime_error(dir_.at("freezer") + ": the cgroup did not become " + (frozen ? "frozen" : "thawed"));
    }

    FreezerState freezer_state() const override {
        auto it = dir_.find("freezer");
        if (it == dir_.end()) return FreezerState::thawed;
        auto s = read_cgroup(it->second + "/freezer.state").value_or("THAWED");
        if (s.compare(0, 6, "FROZEN") == 0) return FreezerState::frozen;
        if (s.compare(0, 8, "FREEZING") == 0) return FreezerState::freezing;
        return FreezerState::thawed;
    }

    Stats stats() const override {
        Stats s;
        std::string ca = at("cpuacct"), cpu = at("cpu"), mem = at("memory"), pids = at("pids"), blk = at("blkio");
        if (!ca.empty()) {
            s.cpu.total = read_u64(ca + "/cpuacct.usage");
            for (auto &w : words(read_cgroup(ca + "/cpuacct.usage_percpu").value_or("")))
                s.cpu.percpu.push_back(strtoull(w.c_str(), nullptr, 10));
            auto st = read_keyed(ca + "/cpuacct.stat");
            long hz = sysconf(_SC_CLK_TCK);
            s.cpu.user = st["user"] * 1000000000ull / static_cast<uint64_t>(hz > 0 ? hz : 100);
            s.cpu.kernel = st["system"] * 1000000000ull / static_cast<uint64_t>(hz > 0 ? hz : 100);
        }
        if (!cpu.empty()) {
            auto st = read_keyed(cpu + "/cpu.stat");
            s.cpu.periods = st["nr_periods"];
            s.cpu.throttled_periods = st["nr_throttled"];
            s.cpu.throttled_time = st["throttled_time"];
        }
        if (!mem.empty()) {
            auto usage = [&](const std::string &prefix, Stats::Usage &u) {
                u.usage = read_u64(mem + "/" + prefix + "usage_in_bytes");
                u.max = read_u64(mem + "/" + prefix + "max_usage_in_bytes");
                u.limit = read_u64(mem + "/" + prefix + "limit_in_bytes");
                u.failcnt = read_u64(mem + "/" + prefix + "failcnt");
            };
            usage("memory.", s.memory.usage);
            usage("memory.memsw.", s.memory.swap);
            usage("memory.kmem.", s.memory.kernel);
            for (auto &[k, v] : read_keyed(mem + "/memory.stat")) s.memory.raw.emplace_back(k, v);
        }
        if (!pids.empty()) {
            s.pids.current = read_u64(pids + "/pids.current");
            s.pids.limit = read_u64(pids + "/pids.max");
        }
        if (!blk.empty()) {
            auto entries = [&](const char *file, std::vector<Stats::Entry> &out) {
                for (auto &line : split(read_cgroup(blk + "/" + file).value_or(""), '\n')) {
                    unsigned long ma, mi;
                    char op[32];
                    unsigned long long v;
                    if (sscanf(line.c_str(), "%lu:%lu %31s %llu", &ma, &mi, op, &v) == 4)
                        out.push_back({ma, mi, op, v});
                }
            };
            entries("blkio.throttle.io_service_bytes", s.blkio.service_bytes);
            entries("blkio.throttle.io_serviced", s.blkio.serviced);
        }
        return s;
    }

    int oom_fd() override {
        if (oom_fd_ >= 0) return oom_fd_;
        std::string mem = at("memory");
        if (mem.empty()) return -1;
        // memory.oom_control's eventfd notification, registered through cgroup.event_control.
        int ctl = open((mem + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC);
        if (ctl < 0) throw std::system_error(errno, std::generic_category(), "open " + mem + "/memory.oom_control");
        oom_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        try {
            if (oom_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
            write_cgroup(mem, "cgroup.event_control", std::to_string(oom_fd_) + " " + std::to_string(ctl));
        } catch (...) {
            close(ctl);
            throw;
        }
        close(ctl);
        oom_seen_ = oom_kills();
        return oom_fd_;
    }

    unsigned oom_events() override {
        uint64_t n = 0;
        if (oom_fd_ < 0 || read(oom_fd_, &n, sizeof n) != sizeof n) return 0;
        // Removing the cgroup signals too: then it was no OOM.
        if (!path_exists(at("memory"))) return 0;
        uint64_t kills = oom_kills();
        if (kills > oom_seen_) n = kills - oom_seen_;
        oom_seen_ = kills;
        return static_cast<unsigned>(n);
    }

    void destroy() override { destroy_except(""); }

    bool remove_if_empty() override {
        // The hierarchy pids() reads has every process of the container: once
        // its directory goes (rmdir refuses one with processes or children),
        // the others are empty too.
        std::string top = dir_.count("freezer") ? dir_.at("freezer") : hierarchies().front().second;
        if (rmdir(top.c_str()) < 0 && errno != ENOENT) return false;
        destroy_except(top);
        return true;
    }

private:
    // removed: a directory already gone (remove_if_empty's).
    void destroy_except(const std::string &removed) {
        // The usual end: each cgroup goes with one rmdir, without a stat of
        // each hierarchy to tell which controllers share one (cpu and cpuacct
        // may: the second rmdir finds it gone).
        std::vector<std::string> gone;
        bool all = true;
        for (auto &cd : dir_) {
            const std::string &d = cd.second;
            if (std::find(gone.begin(), gone.end(), d) != gone.end()) continue;
            if (d == removed || rmdir(d.c_str()) == 0 || errno == ENOENT) gone.push_back(d);
            else all = false;
        }
        if (all) return remove_dirs(rec_.dirs, {}, gone);
        gone.clear();
        std::vector<std::string> leaves;
        for (auto &h : hierarchies()) {
            // Most containers make no cgroup inside theirs: one rmdir, no
            // listing (a cgroup directory lists every control file).
            if (h.second == removed || rmdir(h.second.c_str()) == 0 || errno == ENOENT) {
                gone.push_back(h.second);
                continue;
            }
            remove_sub_cgroups(h.second);
            if (std::find(rec_.dirs.begin(), rec_.dirs.end(), h.second) == rec_.dirs.end() && path_exists(h.second))
                leaves.push_back(h.second);
        }
        remove_dirs(rec_.dirs, leaves, gone);
    }

    void index() {
        dir_.clear();
        hier_.clear();
        // Each hierarchy has the container at its own path (records from
        // before per-controller paths have one path for all).
        for (auto &c : rec_.controllers) dir_[c] = join_path(v1_hierarchy(rec_.root, c), rec_.path_of(c));
    }

    // A new cpuset is empty and takes no process until given cpus and mems:
    // each one of `dirs` that is empty gets its parent's. One we have just
    // made (`fresh`) is not read: it is empty, or has its parent's already
    // (cgroup.clone_children), which writing them again leaves as they are.
    void fill_cpusets(const std::vector<std::string> &dirs, const std::vector<std::string> &fresh = {}) {
        if (!dir_.count("cpuset")) return;
        std::string top = v1_hierarchy(rec_.root, "cpuset");
        for (auto &d : dirs) {
            if (d.compare(0, top.size() + 1, top + "/") != 0) continue;
            bool made = std::find(fresh.begin(), fresh.end(), d) != fresh.end();
            for (const char *f : {"cpuset.cpus", "cpuset.mems"}) {
                auto mine = made ? std::string() : read_cgroup(d + "/" + f).value_or("");
                if (mine.find_first_not_of(" \n") != std::string::npos) continue;
                auto up = read_cgroup(d.substr(0, d.rfind('/')) + "/" + f).value_or("");
                while (!up.empty() && up.back() == '\n') up.pop_back();
                write_cgroup(d, f, up);
            }
        }
    }

    // cgroup v1 lets a user move only a process whose real or saved uid is
    // its own: one of the container's that switched to another id could not
    // follow. Refused before anything is made (populate() still reports a
    // process that switches meanwhile).
    void movable_or_throw(const std::string &c) const {
        std::string me = std::to_string(geteuid());
        for (pid_t p : pids()) {
            auto status = read_cgroup("/proc/" + std::to_string(p) + "/status");
            if (!status) continue; // gone
            auto at = status->find("\nUid:");
            if (at == std::string::npos) continue;
            auto ids = words(status->substr(at + 5, status->find('\n', at + 1) - at - 5));
            if (ids.size() >= 3 && (ids[0] == me || ids[2] == me)) continue;
            throw std::runtime_error("the container has no " + c + " cgroup, and cannot get one now: its process " +
                                     std::to_string(p) + " runs as another user than burrow (uid " +
                                     (ids.empty() ? "?" : ids[0]) + "), and cgroup v1 lets a user move only its "
                                     "own processes; give this limit in config.json's linux.resources at create");
        }
    }

    // update: the cgroups extend() added are made and get every process of
    // the container, before any limit is written there. Processes fork
    // meanwhile (a child forked before its parent moved stays behind): ask
    // again until none is outside. cgroup v1 moves only a process of the
    // writer's uid: one that switched to another id cannot be taken along.
    void populate() {
        if (pending_.empty()) return;
        for (auto &d : pending_dirs_)
            if (mkdir(d.c_str(), 0755) < 0 && errno != EEXIST)
                throw std::system_error(errno, std::generic_category(), "create cgroup " + d);
        fill_cpusets(pending_dirs_);
        for (auto &dir : pending_) {
            for (int round = 0;; round++) {
                auto in = read_procs(dir);
                std::sort(in.begin(), in.end());
                std::vector<pid_t> outside;
                for (pid_t p : pids())
                    if (!std::binary_search(in.begin(), in.end(), p)) outside.push_back(p);
                if (outside.empty()) break;
                if (round == 1000)
                    throw std::runtime_error("the container's processes keep appearing outside " + dir);
                for (pid_t p : outside) try {
                        write_cgroup(dir, "cgroup.procs", std::to_string(p));
                    } catch (const std::system_error &e) {
                        if (e.code().value() == ESRCH) continue; // gone meanwhile
                        if (e.code().value() == EACCES)
                            throw std::runtime_error(
                                "cannot move process " + std::to_string(p) + " of the container into " + dir +
                                ": it runs as another user than burrow (cgroup v1 lets a user move only its "
                                "own processes); set this limit in config.json's linux.resources at create");
                        throw;
                    }
            }
        }
        pending_.clear();
        pending_dirs_.clear();
    }

    // One entry per hierarchy (cpu and cpuacct may share one): a stat of
    // each hierarchy, so only when asked (start, state and delete never are).
    const std::vector<std::pair<std::string, std::string>> &hierarchies() const {
        if (hier_.empty()) {
            std::vector<std::pair<dev_t, ino_t>> seen;
            for (auto &c : rec_.controllers) {
                auto top = hierarchy_id(v1_hierarchy(rec_.root, c));
                if (std::find(seen.begin(), seen.end(), top) != seen.end()) continue;
                seen.push_back(top);
                hier_.emplace_back(c, dir_.at(c));
            }
        }
        return hier_;
    }
    std::string at(const std::string &c) const {
        auto it = dir_.find(c);
        return it == dir_.end() ? "" : it->second;
    }
    void set(const std::string &controller, const std::string &file, const std::string &value) {
        auto it = dir_.find(controller);
        if (it == dir_.end() && !path_exists(v1_hierarchy(rec_.root, controller)))
            throw std::runtime_error("this host has no " + controller + " controller (no " +
                                     v1_hierarchy(rec_.root, controller) + ")");
        if (it == dir_.end())
            throw std::runtime_error("there is no " + controller + " cgroup this user may write (" + controller +
                                     " under " + rec_.root + " is not delegated)");
        write_cgroup(it->second, file, value);
    }
    uint64_t oom_kills() const { return read_keyed(at("memory") + "/memory.oom_control")["oom_kill"]; }
    static std::string dev(int64_t ma, int64_t mi) { return std::to_string(ma) + ":" + std::to_string(mi); }

    CgroupRecord rec_;
    std::map<std::string, std::string> dir_; // controller -> the container's cgroup
    mutable std::vector<std::pair<std::string, std::string>> hier_; // (controller, cgroup), one per hierarchy
    std::map<std::string, std::string> join_; // exec --cgroup: a hierarchy's cgroup -> the sub-cgroup joined
    std::vector<std::string> pending_;      // update: cgroups extend() added, to fill with the container's processes
    std::vector<std::string> pending_dirs_; // and the directories to make for them
    int oom_fd_ = -1;
    bool made_ = false; // make_early() ran: enter() only moves
    uint64_t oom_seen_ = 0;
};

} // namespace

std::string v1_hierarchy(const std::string &root, const std::string &controller) {
    // A named hierarchy ("name=systemd") is mounted at its name ("systemd");
    // a hybrid host's cgroup2 ("") at unified.
    if (controller.empty()) return root + "/unified";
    return root + "/" + (controller.compare(0, 5, "name=") == 0 ? controller.substr(5) : controller);
}

std::vector<std::string> v1_controllers_for(const Resources &r) {
    std::vector<std::string> out;
    auto &m = r.memory;
    if (m.limit || m.reservation || m.swap || m.swappiness || m.disable_oom_killer) out.push_back("memory");
    if (r.pids_limit && *r.pids_limit != 0) out.push_back("pids");
    auto &c = r.cpu;
    if (c.shares || c.period || c.quota || c.burst || c.realtime_period || c.realtime_runtime || c.idle)
        out.push_back("cpu");
    if (!c.cpus.empty() || !c.mems.empty()) out.push_back("cpuset");
    auto &b = r.blkio;
    if (b.weight || b.leaf_weight || !b.weight_device.empty() || !b.throttle_read_bps.empty() ||
        !b.throttle_write_bps.empty() || !b.throttle_read_iops.empty() || !b.throttle_write_iops.empty())
        out.push_back("blkio");
    if (!r.hugepage_limits.empty()) out.push_back("hugetlb");
    if (r.network.class_id) out.push_back("net_cls");
    if (!r.network.priorities.empty()) out.push_back("net_prio");
    return out;
}

std::vector<std::string> v1_rootless_join(const Resources *r) {
    std::vector<std::string> out(std::begin(kV1Rootless), std::end(kV1Rootless));
    if (r)
        for (auto &c : v1_controllers_for(*r))
            if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    return out;
}

std::unique_ptr<CgroupManager> make_cgroupfs_v1(const std::string &root, const std::map<std::string, std::string> &own,
                                                const std::string &cgroups_path, const std::vector<std::string> &join) {
    std::string why;
    auto m = probe_cgroupfs_v1(root, own, cgroups_path, why, join);
    if (!m) throw std::runtime_error(why);
    return m;
}

std::unique_ptr<CgroupManager> probe_cgroupfs_v1(const std::string &root, const std::map<std::string, std::string> &own,
                                                 const std::string &cgroups_path, std::string &why,
                                                 const std::vector<std::string> &join) {
    CgroupRecord r;
    r.kind = ManagerKind::cgroupfs_v1;
    r.root = root;
    bool absolute = !cgroups_path.empty() && cgroups_path[0] == '/';
    if (absolute && join_path("", cgroups_path).empty())
        throw std::invalid_argument("cgroupsPath: must name a cgroup below the root");
    // As runc: the container's cgroup in each hierarchy is below the caller's
    // own there (/proc/self/cgroup: memory at /a, pids at /), or cgroupsPath
    // from each hierarchy's root when absolute.
    std::vector<std::string> wanted(std::begin(kV1Controllers), std::end(kV1Controllers));
    wanted.push_back(""); // a hybrid host's cgroup2 too, as runc (no controller of its own here)
    std::map<std::string, std::string> deepest; // per controller: the deepest existing directory on its path
    std::vector<std::pair<std::string, std::string>> writable; // (controller, its path)
    bool as_root = geteuid() == 0;
    for (auto &c : wanted) {
        auto it = own.find(c);
        std::string top = v1_hierarchy(root, c);
        // A hierarchy not mounted at its place fails the access() below.
        if (it == own.end()) continue;
        std::string path = absolute ? join_path("", cgroups_path) : join_path(it->second, cgroups_path);
        if (path.empty() || path == "/") throw std::invalid_argument("cgroupsPath: must name a cgroup below the root");
        nested_dirs(top, path); // refuses ".."
        // The deepest existing directory on the path, and whether it takes
        // ours: access() tells a missing one (ENOENT) from a refused one.
        // As root only its cgroup.procs is asked (every cgroup directory has
        // one): root writes the directory where it may write that file.
        // Rootless the directory is asked, and its cgroup.procs only where it
        // is the container's own: a cgroup we make has files of ours, and v1
        // asks nothing of the parent's cgroup.procs for a move into it.
        std::string probe = join_path(top, path);
        int ok;
        if (as_root) {
            while ((ok = access((probe + "/cgroup.procs").c_str(), W_OK)) < 0 && errno == ENOENT &&
                   probe.size() > top.size())
                probe = probe.substr(0, probe.rfind('/'));
            if (ok < 0) continue;
        } else {
            size_t full = probe.size();
            while ((ok = access(probe.c_str(), W_OK)) < 0 && errno == ENOENT && probe.size() > top.size())
                probe = probe.substr(0, probe.rfind('/'));
            if (ok < 0 || (probe.size() == full && access((probe + "/cgroup.procs").c_str(), W_OK) < 0)) continue;
        }
        deepest[c] = probe;
        writable.emplace_back(c, path);
    }
    // Joined: each hierarchy one of `join` is on (all of them when `join` is
    // empty, or when none of those is writable: a container is in a cgroup of
    // its own wherever the host delegates one).
    std::vector<std::pair<dev_t, ino_t>> joined;
    for (auto &[c, path] : writable)
        if (!c.empty() && std::find(join.begin(), join.end(), c) != join.end())
            joined.push_back(hierarchy_id(v1_hierarchy(root, c)));
    for (auto &[c, path] : writable) {
        if (!join.empty() && !joined.empty() &&
            std::find(joined.begin(), joined.end(), hierarchy_id(v1_hierarchy(root, c))) == joined.end()) {
            // Kept for update where a limit can name it (not devices: see v1_controllers_for).
            static const char *const limited[] = {"memory", "pids",    "cpu",     "cpuset",
                                                  "blkio",  "hugetlb", "net_cls", "net_prio"};
            if (std::find(std::begin(limited), std::end(limited), c) != std::end(limited)) r.joinable[c] = path;
            continue;
        }
        if (r.controllers.empty()) r.path = path;
        else if (path != r.path) r.paths[c] = path;
        r.controllers.push_back(c);
    }
    if (r.controllers.empty() || r.controllers == std::vector<std::string>{""}) {
        why = "no v1 controller cgroup under " + root + " is writable";
        return nullptr;
    }
    std::vector<std::pair<dev_t, ino_t>> seen;
    for (auto &c : r.controllers) {
        auto top = hierarchy_id(v1_hierarchy(root, c));
        if (std::find(seen.begin(), seen.end(), top) != seen.end()) continue;
        seen.push_back(top);
        // Below the deepest existing directory all are missing (no stat each again).
        for (auto &d : nested_dirs(v1_hierarchy(root, c), r.path_of(c)))
            if (d.size() > deepest[c].size()) r.dirs.push_back(d);
    }
    return std::make_unique<V1>(std::move(r));
}

std::unique_ptr<CgroupManager> open_cgroupfs_v1(const CgroupRecord &r) { return std::make_unique<V1>(r); }

} // namespace burrow::session
