// events: runc's JSON lines, stats every interval and OOM kills as they come.
#include "lifecycle/cgroup.hpp"
#include "lifecycle/lifecycle.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace burrow::lifecycle {
namespace {

using json = nlohmann::ordered_json;

json usage_json(const session::Stats::Usage &u) {
    json j;
    j["limit"] = u.limit;
    if (u.usage) j["usage"] = u.usage;
    if (u.max) j["max"] = u.max;
    j["failcnt"] = u.failcnt;
    return j;
}

json entries_json(const std::vector<session::Stats::Entry> &v) {
    json a = json::array();
    for (auto &e : v) {
        json j;
        if (e.major) j["major"] = e.major;
        if (e.minor) j["minor"] = e.minor;
        if (!e.op.empty()) j["op"] = e.op;
        if (e.value) j["value"] = e.value;
        a.push_back(j);
    }
    return a;
}

// runc's events "data" for stats (types.Stats), with Go's omitempty.
json stats_json(const session::Stats &s) {
    json cpu, usage, thr;
    if (s.cpu.total) usage["total"] = s.cpu.total;
    if (!s.cpu.percpu.empty()) usage["percpu"] = s.cpu.percpu;
    usage["kernel"] = s.cpu.kernel;
    usage["user"] = s.cpu.user;
    cpu["usage"] = usage;
    thr = json::object();
    if (s.cpu.periods) thr["periods"] = s.cpu.periods;
    if (s.cpu.throttled_periods) thr["throttledPeriods"] = s.cpu.throttled_periods;
    if (s.cpu.throttled_time) thr["throttledTime"] = s.cpu.throttled_time;
    cpu["throttling"] = thr;
    json mem;
    for (auto &[k, v] : s.memory.raw)
        if (k == "cache" && v) mem["cache"] = v;
    mem["usage"] = usage_json(s.memory.usage);
    mem["swap"] = usage_json(s.memory.swap);
    mem["kernel"] = usage_json(s.memory.kernel);
    mem["kernelTCP"] = usage_json({});
    if (!s.memory.raw.empty()) {
        json raw = json::object();
        for (auto &[k, v] : s.memory.raw) raw[k] = v;
        mem["raw"] = raw;
    }
    json pids = json::object();
    if (s.pids.current) pids["current"] = s.pids.current;
    if (s.pids.limit) pids["limit"] = s.pids.limit;
    json blkio = json::object();
    if (!s.blkio.service_bytes.empty()) blkio["ioServiceBytesRecursive"] = entries_json(s.blkio.service_bytes);
    if (!s.blkio.serviced.empty()) blkio["ioServicedRecursive"] = entries_json(s.blkio.serviced);
    json d;
    d["cpu"] = cpu;
    d["cpuset"] = json::object();
    d["memory"] = mem;
    d["pids"] = pids;
    d["blkio"] = blkio;
    d["hugetlb"] = json::object();
    d["intel_rdt"] = json::object();
    d["network_interfaces"] = nullptr;
    return d;
}

void emit(int fd, const json &j) {
    std::string s = j.dump() + "\n";
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_errno("write events");
        off += static_cast<size_t>(n);
    }
}

json event(const char *type, const std::string &id) {
    json j;
    j["type"] = type;
    j["id"] = id;
    return j;
}

long now_ms() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

} // namespace

long parse_duration_ms(const std::string &s) {
    // Go's time.ParseDuration, down to milliseconds.
    static const std::pair<const char *, double> units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1},
                                                            {"s", 1000},  {"m", 60000}, {"h", 3600000}};
    double total = 0;
    const char *p = s.c_str();
    if (!*p) throw Error("invalid duration \"" + s + "\"");
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0) throw Error("invalid duration \"" + s + "\"");
        p = end;
        bool found = false;
        for (auto &[u, ms] : units) {
            size_t n = strlen(u);
            if (strncmp(p, u, n) == 0 && !(n == 1 && *u == 'm' && p[1] == 's')) {
                total += v * ms;
                p += n;
                found = true;
                break;
            }
        }
        if (!found) throw Error("invalid duration \"" + s + "\" (e.g. 5s, 100ms, 1m)");
    }
    if (total < 1) throw Error("duration must be at least 1ms: \"" + s + "\"");
    return static_cast<long>(total);
}

void events(const Globals &g, const std::string &id, bool stats, long interval_ms, int out_fd) {
    state::Store store(g.root);
    auto c = open_container_cgroup(store, id, "events");
    if (c.status == state::Status::stopped) throw Error("container with id " + id + " is not running");
    if (stats) {
        auto j = event("stats", id);
        j["data"] = stats_json(cgroup_call([&] { return c.cgroup->stats(); }));
        emit(out_fd, j);
        return;
    }
    int oom = cgroup_call([&] { return c.cgroup->oom_fd(); });
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, c.rec.pid, 0));
    long next = now_ms();
    for (;;) {
        long now = now_ms();
        if (now >= next) {
            auto j = event("stats", id);
            j["data"] = stats_json(cgroup_call([&] { return c.cgroup->stats(); }));
            emit(out_fd, j);
            next = now + interval_ms;
        }
        struct pollfd p[2] = {{oom, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int n = poll(p, 2, static_cast<int>(next - now_ms() > 0 ? next - now_ms() : 0));
        if (n < 0 && errno != EINTR) throw_errno("poll");
        if (n <= 0) continue;
        if (oom >= 0 && (p[0].revents & POLLIN))
            for (unsigned k = c.cgroup->oom_events(); k > 0; k--) emit(out_fd, event("oom", id));
        if (pidfd >= 0 && (p[1].revents & POLLIN)) {
            // The container stopped: what the kernel still had to say, then done.
            if (oom >= 0)
                for (unsigned k = c.cgroup->oom_events(); k > 0; k--) emit(out_fd, event("oom", id));
            close(pidfd);
            return;
        }
    }
}

} // namespace burrow::lifecycle
