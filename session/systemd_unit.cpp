#include "session/systemd_unit.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace burrow::session {
namespace {

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max(); // systemd's "infinity"

bool unit_chars_ok(const std::string &s) {
    if (s.empty()) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
                  c == '-' || c == '_' || c == '.' || c == '\\';
        if (!ok) return false;
    }
    return true;
}

bool ends_with(const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Property prop(const char *name, uint64_t v) { return std::string(name) + "=t:" + std::to_string(v); }

// -1 (and, for limits, anything negative) is "no limit".
uint64_t limit(int64_t v) { return v < 0 ? kInfinity : static_cast<uint64_t>(v); }

} // namespace

ScopeName scope_name(const std::string &cgroups_path, const std::string &id, bool rootless) {
    std::string slice = rootless ? "user.slice" : "system.slice", prefix = "burrow", name = id;
    if (!cgroups_path.empty()) {
        auto a = cgroups_path.find(':');
        auto b = a == std::string::npos ? a : cgroups_path.find(':', a + 1);
        if (b == std::string::npos || cgroups_path.find(':', b + 1) != std::string::npos)
            throw std::invalid_argument("linux.cgroupsPath: \"" + cgroups_path +
                                        "\" is not in the systemd form \"slice:prefix:name\"");
        if (a > 0) slice = cgroups_path.substr(0, a);
        prefix = cgroups_path.substr(a + 1, b - a - 1);
        name = cgroups_path.substr(b + 1);
        if (!ends_with(slice, ".slice"))
            throw std::invalid_argument("linux.cgroupsPath: \"" + slice + "\" is not a slice (name.slice)");
        if (name.empty()) throw std::invalid_argument("linux.cgroupsPath: the name after the last ':' is empty");
    }
    ScopeName s;
    s.slice = slice;
    s.unit = (prefix.empty() ? name : prefix + "-" + name) + ".scope";
    if (!unit_chars_ok(s.slice) || !unit_chars_ok(s.unit))
        throw std::invalid_argument("\"" + s.unit + "\" in \"" + s.slice +
                                    "\" is not a valid systemd unit name (letters, digits, : - _ . only)");
    return s;
}

std::vector<Property> scope_properties(const ScopeName &s, const std::string &description) {
    return {"Description=s:" + description, "Slice=s:" + s.slice, "Delegate=b:1", "DefaultDependencies=b:0",
            "CollectMode=s:inactive-or-failed"};
}

std::string cpuset_mask_hex(const std::string &list, const char *field) {
    std::vector<uint8_t> mask;
    auto bad = [&] { return std::invalid_argument(std::string(field) + ": \"" + list + "\" is not a CPU list (0-3,5)"); };
    size_t i = 0;
    auto number = [&]() -> unsigned long {
        size_t start = i;
        unsigned long v = 0;
        while (i < list.size() && list[i] >= '0' && list[i] <= '9') {
            v = v * 10 + static_cast<unsigned long>(list[i++] - '0');
            if (v > 8191) throw bad();
        }
        if (i == start) throw bad();
        return v;
    };
    while (i < list.size()) {
        unsigned long lo = number(), hi = lo;
        if (i < list.size() && list[i] == '-') {
            i++;
            hi = number();
            if (hi < lo) throw bad();
        }
        if (i < list.size() && (list[i++] != ',' || i == list.size())) throw bad();
        if (mask.size() <= hi / 8) mask.resize(hi / 8 + 1);
        for (unsigned long c = lo; c <= hi; c++) mask[c / 8] = static_cast<uint8_t>(mask[c / 8] | 1u << (c % 8));
    }
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : mask) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::vector<Property> resource_properties(const Resources &r) {
    std::vector<Property> p;
    const auto &m = r.memory;
    if (m.limit && *m.limit != 0) p.push_back(prop("MemoryMax", limit(*m.limit)));
    if (m.reservation && *m.reservation != 0) p.push_back(prop("MemoryLow", limit(*m.reservation)));
    if (m.swap && *m.swap != 0) {
        // OCI's swap is memory+swap; systemd's MemorySwapMax is the swap alone.
        uint64_t swap = kInfinity;
        if (*m.swap > 0) {
            if (!m.limit || *m.limit <= 0)
                throw std::invalid_argument("memory.swap: a swap limit needs a memory limit (memory.limit)");
            if (*m.swap < *m.limit)
                throw std::invalid_argument("memory.swap: must be at least memory.limit (it counts memory+swap)");
            swap = static_cast<uint64_t>(*m.swap - *m.limit);
        }
        p.push_back(prop("MemorySwapMax", swap));
    }
    if (r.pids_limit && *r.pids_limit != 0) p.push_back(prop("TasksMax", limit(*r.pids_limit)));
    const auto &c = r.cpu;
    if (c.shares && *c.shares != 0) p.push_back(prop("CPUWeight", shares_to_weight(*c.shares)));
    if ((c.quota && *c.quota != 0) || (c.period && *c.period != 0)) {
        uint64_t per_sec = kInfinity, period = c.period && *c.period ? *c.period : 100000;
        if (c.quota && *c.quota > 0) {
            // systemd keeps the quota as a percentage: round up to 10 ms per second, as runc.
            per_sec = static_cast<uint64_t>(*c.quota) * 1000000 / period;
            if (per_sec % 10000) per_sec = (per_sec / 10000 + 1) * 10000;
        }
        if (c.quota) p.push_back(prop("CPUQuotaPerSecUSec", per_sec));
        if (c.period && *c.period) p.push_back(prop("CPUQuotaPeriodUSec", *c.period));
    }
    if (!c.cpus.empty()) p.push_back("AllowedCPUs=ay:" + cpuset_mask_hex(c.cpus, "cpu.cpus"));
    if (!c.mems.empty()) p.push_back("AllowedMemoryNodes=ay:" + cpuset_mask_hex(c.mems, "cpu.mems"));
    if (r.blkio.weight && *r.blkio.weight != 0) p.push_back(prop("IOWeight", blkio_weight_to_io(*r.blkio.weight)));
    return p;
}

} // namespace burrow::session
