// cgroupfs v2: the container's cgroup under the caller's delegated one; the
// controllers its parent offers are enabled down to it.
#include "session/cgroup_files.hpp"
#include "session/cgroupfs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace burrow::session {
namespace {

std::string dirname_of(const std::string &p) {
    auto s = p.rfind('/');
    return s == 0 || s == std::string::npos ? "/" : p.substr(0, s);
}

class V2 : public CgroupManager {
public:
    explicit V2(CgroupRecord r) : rec_(std::move(r)), dir_(join_path(rec_.root, rec_.path)) {}
    ~V2() override {
        if (oom_fd_ >= 0) close(oom_fd_);
    }
    const CgroupRecord &record() const override { return rec_; }

    void enter(pid_t pid) override {
        make();
        join(pid);
    }

    int prepare_clone() override {
        make();
        int fd = open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + dir_);
        return fd;
    }

    int clone_target() const override { return open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC); }

    void make() {
        std::string base = rec_.dirs.empty() ? dir_ : dirname_of(rec_.dirs.front());
        make_dirs(base, dir_.substr(base.size()));
        // Enable down the made chain what each parent offers (the container's
        // own cgroup is a leaf: nothing enabled in it).
        for (std::string d = base; d.size() < dir_.size(); d = dir_.substr(0, dir_.find('/', d.size() + 1))) {
            auto offered = read_cgroup(d + "/cgroup.controllers").value_or("");
            for (auto &c : words(offered)) try {
                    write_cgroup(d, "cgroup.subtree_control", "+" + c);
                } catch (const std::system_error &) {
                    // EBUSY: d has processes of its own; the controller stays off and
                    // apply() says so if a resource needs it.
                }
        }
        if (!read_procs(dir_).empty()) throw std::runtime_error("cgroup " + dir_ + " already holds processes");
    }

    void join(pid_t pid) override { write_cgroup(dir_, "cgroup.procs", std::to_string(pid)); }
    std::vector<std::string> join_files() const override { return {dir_ + "/cgroup.procs"}; }

    void select_sub(const std::map<std::string, std::string> &subs) override {
        for (auto &[c, p] : subs)
            if (!c.empty()) throw std::invalid_argument("--cgroup: \"" + c + ":\" names a controller, and cgroup v2 has one hierarchy: give the path alone");
        std::string d = join_path(dir_, sub_path(subs.at("")));
        struct stat st;
        if (stat(d.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
            throw std::invalid_argument("--cgroup: no sub-cgroup " + d);
        dir_ = d; // only for join() and clone_target(): this manager is exec's
    }

    void apply(const Resources &r) override {
        if (r.memory.limit) set("memory.max", bytes_or_max(*r.memory.limit), "memory");
        if (r.memory.swap) {
            int64_t limit = r.memory.limit.value_or(0);
            int64_t swap = *r.memory.swap;
            // Without swap accounting there is no memory.swap.max: "no swap
            // limit" and "no swap" need none (as runc).
            bool no_file = !path_exists(dir_ + "/memory.swap.max");
            if (swap == -1) {
                if (!no_file) set("memory.swap.max", "max", "memory");
            } else if (swap > 0) {
                if (limit <= 0) {
                    // update --memory-swap alone: against the limit in force.
                    auto cur = read_cgroup(dir_ + "/memory.max").value_or("max");
                    if (cur.compare(0, 3, "max") == 0 || cur.find_first_of("0123456789") != 0)
                        throw std::invalid_argument("memory.swap: a swap limit needs a memory limit");
                    limit = static_cast<int64_t>(strtoull(cur.c_str(), nullptr, 10));
                }
                if (swap < limit) throw std::invalid_argument("memory.swap: memory+swap must not be less than memory");
                if (!(no_file && swap == limit)) set("memory.swap.max", std::to_string(swap - limit), "memory");
            }
        }
        if (r.memory.reservation) set("memory.low", bytes_or_max(*r.memory.reservation), "memory");
        if (r.pids_limit && *r.pids_limit != 0)
            set("pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max", "pids");
        if (r.cpu.shares) set("cpu.weight", std::to_string(shares_to_weight(*r.cpu.shares)), "cpu");
        if (r.cpu.quota || r.cpu.period) {
            auto quota = r.cpu.quota;
            auto period = r.cpu.period;
            // One of them alone keeps the other as it is.
            auto cur = words(read_cgroup(dir_ + "/cpu.max").value_or("max 100000"));
            std::string q = cur.empty() ? "max" : cur[0];
            uint64_t p = cur.size() > 1 ? strtoull(cur[1].c_str(), nullptr, 10) : 100000;
            if (!quota) quota = q == "max" ? -1 : std::stoll(q);
            if (!period) period = p;
            set("cpu.max", cpu_max(quota, period), "cpu");
        }
        if (r.cpu.burst) set("cpu.max.burst", std::to_string(*r.cpu.burst), "cpu");
        if (r.cpu.idle) set("cpu.idle", std::to_string(*r.cpu.idle), "cpu");
        if (!r.cpu.cpus.empty()) set("cpuset.cpus", r.cpu.cpus, "cpuset");
        if (!r.cpu.mems.empty()) set("cpuset.mems", r.cpu.mems, "cpuset");
        if (r.blkio.weight) {
            if (path_exists(dir_ + "/io.weight"))
                set("io.weight", "default " + std::to_string(blkio_weight_to_io(*r.blkio.weight)), "io");
            else set("io.bfq.weight", std::to_string(*r.blkio.weight), "io");
        }
        for (auto &d : r.blkio.weight_device)
            if (d.weight)
                set("io.weight", dev(d.major, d.minor) + " " + std::to_string(blkio_weight_to_io(*d.weight)), "io");
        auto io_max = [&](const std::vector<DeviceRate> &v, const char *key) {
            for (auto &d : v) set("io.max", dev(d.major, d.minor) + " " + key + "=" + std::to_string(d.rate), "io");
        };
        io_max(r.blkio.throttle_read_bps, "rbps");
        io_max(r.blkio.throttle_write_bps, "wbps");
        io_max(r.blkio.throttle_read_iops, "riops");
        io_max(r.blkio.throttle_write_iops, "wiops");
        for (auto &[size, limit] : r.hugepage_limits) set("hugetlb." + size + ".max", std::to_string(limit), "hugetlb");
        if (r.network.class_id || !r.network.priorities.empty())
            throw std::invalid_argument("network: cgroup v2 has no net_cls or net_prio controller");
        check_devices_unenforced(r.devices, "burrow has no device program for cgroup v2");
        for (auto &[file, value] : r.unified) {
            if (!path_exists(dir_ + "/" + file))
                throw std::invalid_argument("unified." + file + ": no such file in " + dir_);
            write_cgroup(dir_, file, value);
        }
    }

    std::vector<pid_t> pids() const override {
        std::vector<pid_t> out = procs_in_tree(dir_); // those in sub-cgroups it made too
        std::sort(out.begin(), out.end());
        return out;
    }

    void freeze(bool frozen) override {
        write_cgroup(dir_, "cgroup.freeze", frozen ? "1" : "0");
        // cgroup.events changes (and polls POLLPRI) when the state is reached.
        std::string events = dir_ + "/cgroup.events";
        int fd = open(events.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + events);
        for (int i = 0; i < 100; i++) {
            char buf[256];
            ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
            if (n < 0) break;
            buf[n] = 0;
            bool now = strstr(buf, "frozen 1") != nullptr;
            if (now == frozen) {
                close(fd);
                return;
            }
            struct pollfd p = {fd, POLLPRI, 0};
            poll(&p, 1, 100);
        }
        close(fd);
        throw std::runtime_error(dir_ + ": the cgroup did not become " + (frozen ? "frozen" : "thawed"));
    }

    FreezerState freezer_state() const override {
        if (read_cgroup(dir_ + "/cgroup.freeze").value_or("0")[0] != '1') return FreezerState::thawed;
        return read_keyed(dir_ + "/cgroup.events")["frozen"] ? FreezerState::frozen : FreezerState::freezing;
    }

    Stats stats() const override {
        Stats s;
        auto cpu = read_keyed(dir_ + "/cpu.stat");
        s.cpu.total = cpu["usage_usec"] * 1000;
        s.cpu.user = cpu["user_usec"] * 1000;
        s.cpu.kernel = cpu["system_usec"] * 1000;
        s.cpu.periods = cpu["nr_periods"];
        s.cpu.throttled_periods = cpu["nr_throttled"];
        s.cpu.throttled_time = cpu["throttled_usec"] * 1000;
        s.memory.usage.usage = read_u64(dir_ + "/memory.current");
        s.memory.usage.max = read_u64(dir_ + "/memory.peak");
        s.memory.usage.limit = read_u64(dir_ + "/memory.max");
        s.memory.usage.failcnt = read_keyed(dir_ + "/memory.events")["max"];
        s.memory.swap.usage = read_u64(dir_ + "/memory.swap.current") + s.memory.usage.usage;
        uint64_t swap_max = read_u64(dir_ + "/memory.swap.max");
        s.memory.swap.limit = swap_max && s.memory.usage.limit ? swap_max + s.memory.usage.limit : 0;
        for (auto &[k, v] : read_keyed(dir_ + "/memory.stat")) s.memory.raw.emplace_back(k, v);
        s.pids.current = read_u64(dir_ + "/pids.current");
        s.pids.limit = read_u64(dir_ + "/pids.max");
        for (auto &line : split(read_cgroup(dir_ + "/io.stat").value_or(""), '\n')) {
            auto w = words(line);
            unsigned long ma = 0, mi = 0;
            if (w.empty() || sscanf(w[0].c_str(), "%lu:%lu", &ma, &mi) != 2) continue;
            for (size_t i = 1; i < w.size(); i++) {
                const std::string &kv = w[i];
                auto eq = kv.find('=');
                if (eq == std::string::npos) continue;
                std::string k = kv.substr(0, eq);
                uint64_t v = strtoull(kv.c_str() + eq + 1, nullptr, 10);
                if (k == "rbytes") s.blkio.service_bytes.push_back({ma, mi, "Read", v});
                else if (k == "wbytes") s.blkio.service_bytes.push_back({ma, mi, "Write", v});
                else if (k == "rios") s.blkio.serviced.push_back({ma, mi, "Read", v});
                else if (k == "wios") s.blkio.serviced.push_back({ma, mi, "Write", v});
            }
        }
        return s;
    }

    int oom_fd() override {
        if (oom_fd_ >= 0) return oom_fd_;
        if (!path_exists(dir_ + "/memory.events")) return -1;
        oom_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (oom_fd_ < 0) throw std::system_error(errno, std::generic_category(), "inotify");
        if (inotify_add_watch(oom_fd_, (dir_ + "/memory.events").c_str(), IN_MODIFY) < 0)
            throw std::system_error(errno, std::generic_category(), "watch " + dir_ + "/memory.events");
        oom_seen_ = oom_count();
        return oom_fd_;
    }

    unsigned oom_events() override {
        char buf[4096];
        while (oom_fd_ >= 0 && read(oom_fd_, buf, sizeof buf) > 0) {
        }
        uint64_t now = oom_count();
        unsigned n = now > oom_seen_ ? static_cast<unsigned>(now - oom_seen_) : 0;
        oom_seen_ = now;
        return n;
    }

    void destroy() override {
        std::vector<std::string> leaves, gone;
        // Most containers make no cgroup inside theirs: one rmdir, no listing.
        if (rmdir(dir_.c_str()) < 0 && errno != ENOENT) {
            remove_sub_cgroups(dir_);
            if (rec_.dirs.empty() || rec_.dirs.back() != dir_) leaves.push_back(dir_);
        } else {
            gone.push_back(dir_);
        }
        remove_dirs(rec_.dirs, leaves, gone);
    }

    bool remove_if_empty() override {
        // rmdir refuses a cgroup with processes or children in it.
        if (rmdir(dir_.c_str()) < 0 && errno != ENOENT) return false;
        remove_dirs(rec_.dirs, {}, {dir_});
        return true;
    }

private:
    void set(const std::string &file, const std::string &value, const char *controller) {
        if (!path_exists(dir_ + "/" + file))
            throw std::runtime_error("the " + std::string(controller) + " controller is not enabled for " + dir_ +
                                     " (no " + file + "; its parent's cgroup.subtree_control lacks it, or the parent "
                                     "has processes of its own)");
        write_cgroup(dir_, file, value);
    }
    static std::string dev(int64_t ma, int64_t mi) { return std::to_string(ma) + ":" + std::to_string(mi); }
    uint64_t oom_count() const {
        auto ev = read_keyed(dir_ + "/memory.events");
        return ev.count("oom_kill") ? ev["oom_kill"] : ev["oom"];
    }

    CgroupRecord rec_;
    std::string dir_;
    int oom_fd_ = -1;
    uint64_t oom_seen_ = 0;
};

} // namespace

std::vector<std::string> missing_dirs(const std::string &under, const std::string &rel) {
    std::vector<std::string> out;
    for (auto &d : nested_dirs(under, rel))
        if (!path_exists(d)) out.push_back(d);
    return out;
}

void remove_dirs(const std::vector<std::string> &dirs, const std::vector<std::string> &leaves,
                 const std::vector<std::string> &gone) {
    auto rm = [](const std::string &d) {
        // A killed process leaves its cgroup a moment after its pidfd says it is gone.
        for (int i = 0, wait = 50; i < 100; i++, wait = std::min(wait * 2, 20000)) {
            if (rmdir(d.c_str()) == 0 || errno == ENOENT) return;
            if (errno != EBUSY) break;
            usleep(static_cast<useconds_t>(wait));
        }
        throw std::system_error(errno, std::generic_category(), "remove cgroup " + d);
    };
    for (auto &l : leaves) rm(l);
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
        if (std::find(gone.begin(), gone.end(), *it) == gone.end()) rm(*it);
}

std::unique_ptr<CgroupManager> make_cgroupfs_v2(const std::string &root, const std::string &own,
                                                const std::string &cgroups_path) {
    std::string why;
    auto m = probe_cgroupfs_v2(root, own, cgroups_path, why);
    if (!m) throw std::runtime_error(why);
    return m;
}

std::unique_ptr<CgroupManager> probe_cgroupfs_v2(const std::string &root, const std::string &own,
                                                 const std::string &cgroups_path, std::string &why) {
    CgroupRecord r;
    r.kind = ManagerKind::cgroupfs_v2;
    r.root = root;
    std::string base = own;
    if (!cgroups_path.empty() && cgroups_path[0] == '/') {
        base = "/";
        r.path = join_path("", cgroups_path);
    } else {
        // A cgroup with processes of its own cannot enable controllers for
        // children (no internal processes): then put the container beside
        // the caller's cgroup, when the caller owns the parent too.
        std::string own_dir = join_path(root, own);
        std::string parent = dirname_of(own);
        if (own != "/" && !read_procs(own_dir).empty() &&
            read_cgroup(own_dir + "/cgroup.subtree_control").value_or("").find_first_not_of(" \n") ==
                std::string::npos &&
            read_cgroup(own_dir + "/cgroup.controllers").value_or("").find_first_not_of(" \n") != std::string::npos &&
            writable_cgroup(join_path(root, parent)))
            base = parent;
        r.path = join_path(base, cgroups_path);
    }
    if (r.path.empty() || r.path == "/") throw std::invalid_argument("cgroupsPath: must name a cgroup below the root");
    // The deepest existing ancestor must be ours to write.
    std::string probe = join_path(root, r.path);
    while (!path_exists(probe) && probe.size() > root.size()) probe = dirname_of(probe);
    if (!writable_cgroup(probe)) {
        why = "cgroup " + probe + " is not writable by this user";
        return nullptr;
    }
    r.dirs = missing_dirs(root, r.path);
    return std::make_unique<V2>(std::move(r));
}

std::unique_ptr<CgroupManager> open_cgroupfs_v2(const CgroupRecord &r) { return std::make_unique<V2>(r); }

} // namespace burrow::session
