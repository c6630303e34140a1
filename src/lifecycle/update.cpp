// update: new limits in the container's cgroup, from runc's flags and/or a
// linux.resources JSON.
#include "lifecycle/cgroup.hpp"
#include "lifecycle/lifecycle.hpp"
#include "read_file.hpp"

#include <cmath>
#include <cstring>

namespace burrow::lifecycle {

int64_t parse_size(const std::string &s) {
    if (s == "-1") return -1;
    // go-units RAMInBytes: a number, an optional unit k/m/g/t/p (binary), optional "i" and "b".
    char *end = nullptr;
    double v = strtod(s.c_str(), &end);
    if (end == s.c_str() || v < 0 || !std::isfinite(v)) throw Error("invalid size: \"" + s + "\"");
    std::string unit = end;
    if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
    for (auto &ch : unit) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
    double mult = 1;
    static const std::string units = "kmgtp";
    if (!unit.empty() && units.find(unit[0]) != std::string::npos) {
        mult = std::pow(1024.0, static_cast<double>(units.find(unit[0]) + 1));
        unit.erase(0, 1);
        if (!unit.empty() && unit[0] == 'i') unit.erase(0, 1);
    }
    if (unit == "b") unit.clear();
    if (!unit.empty()) throw Error("invalid size: \"" + s + "\"");
    return static_cast<int64_t>(v * mult);
}

void update(const Globals &g, const std::string &id, const std::string &resources_file,
            const std::map<std::string, std::string> &flags) {
    session::Resources r;
    if (!resources_file.empty()) {
        std::string text = resources_file == "-" ? read_file("/dev/stdin") : read_file(resources_file);
        try {
            r = session::parse_resources(text);
        } catch (const std::exception &e) {
            throw Error((resources_file == "-" ? std::string("resources from stdin") : resources_file) + ": " + e.what());
        }
    }
    auto num = [&](const std::string &name, const std::string &v) -> int64_t {
        char *end;
        errno = 0;
        long long n = strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end || errno) throw Error("--" + name + ": invalid value \"" + v + "\"");
        return n;
    };
    auto unsigned_num = [&](const std::string &name, const std::string &v) -> uint64_t {
        int64_t n = num(name, v);
        if (n < 0) throw Error("--" + name + ": invalid value \"" + v + "\"");
        return static_cast<uint64_t>(n);
    };
    for (auto &[name, v] : flags) {
        if (name == "memory") r.memory.limit = parse_size(v);
        else if (name == "memory-swap") r.memory.swap = parse_size(v);
        else if (name == "memory-reservation") r.memory.reservation = parse_size(v);
        else if (name == "kernel-memory") r.memory.kernel = parse_size(v);
        else if (name == "kernel-memory-tcp") r.memory.kernel_tcp = parse_size(v);
        else if (name == "cpu-quota") r.cpu.quota = num(name, v);
        else if (name == "cpu-period") r.cpu.period = unsigned_num(name, v);
        else if (name == "cpu-shares") r.cpu.shares = unsigned_num(name, v);
        else if (name == "cpu-rt-period") r.cpu.realtime_period = unsigned_num(name, v);
        else if (name == "cpu-rt-runtime") r.cpu.realtime_runtime = num(name, v);
        else if (name == "cpuset-cpus") r.cpu.cpus = v;
        else if (name == "cpuset-mems") r.cpu.mems = v;
        else if (name == "pids-limit") r.pids_limit = num(name, v);
        else if (name == "blkio-weight") {
            uint64_t w = unsigned_num(name, v);
            if (w < 10 || w > 1000) throw Error("--blkio-weight: must be 10 to 1000");
            r.blkio.weight = static_cast<uint16_t>(w);
        }
    }
    state::validate_id(id);
    state::Store store(g.root);
    auto lock = store.lock(id);
    auto c = open_container_cgroup(store, id, "update");
    if (c.status == state::Status::stopped) throw Error("cannot update a stopped container");
    // A limit in a hierarchy the container has not joined (rootless v1):
    // recorded before it is made, so delete removes it whatever happens next.
    if (cgroup_call([&] { return c.cgroup->extend(r); })) save_cgroup(store, id, c.cgroup->record());
    cgroup_call([&] {
        try {
            c.cgroup->apply(r);
        } catch (const std::invalid_argument &e) {
            throw Error(std::string("resources: ") + e.what());
        }
    });
}

} // namespace burrow::lifecycle
