#include "session/cgroup_resources.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace burrow::session {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string &field, const std::string &why) {
    throw std::invalid_argument(field + ": " + why);
}

const json *member(const json &j, const char *k) {
    auto it = j.find(k);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

template <typename T>
void get(const json &j, const char *k, std::optional<T> &out, const std::string &f) {
    auto v = member(j, k);
    if (!v) return;
    std::string field = f + "." + k;
    if constexpr (std::is_same_v<T, bool>) {
        if (!v->is_boolean()) bad(field, "must be true or false");
        out = v->get<bool>();
    } else {
        if (!v->is_number_integer()) bad(field, "must be an integer");
        if constexpr (std::is_unsigned_v<T>) {
            if (v->is_number_unsigned() ? false : v->get<int64_t>() < 0) bad(field, "must not be negative");
            uint64_t u = v->get<uint64_t>();
            if (u > std::numeric_limits<T>::max()) bad(field, "is too large");
            out = static_cast<T>(u);
        } else {
            if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) bad(field, "is too large");
            out = v->get<int64_t>();
        }
    }
}

void get_str(const json &j, const char *k, std::string &out, const std::string &f) {
    auto v = member(j, k);
    if (!v) return;
    if (!v->is_string()) bad(f + "." + k, "must be a string");
    out = v->get<std::string>();
}

const json *object(const json &j, const char *k, const std::string &f) {
    auto v = member(j, k);
    if (v && !v->is_object()) bad(f + "." + k, "must be an object");
    return v;
}

void device(const json &e, int64_t &major, int64_t &minor, const std::string &f) {
    std::optional<int64_t> ma, mi;
    get(e, "major", ma, f);
    get(e, "minor", mi, f);
    if (!ma || !mi) bad(f, "needs major and minor");
    major = *ma;
    minor = *mi;
}

void rates(const json &b, const char *k, std::vector<DeviceRate> &out, const std::string &f) {
    auto v = member(b, k);
    if (!v) return;
    std::string field = f + "." + k;
    if (!v->is_array()) bad(field, "must be an array");
    for (size_t i = 0; i < v->size(); i++) {
        std::string fi = field + "[" + std::to_string(i) + "]";
        DeviceRate r;
        device((*v)[i], r.major, r.minor, fi);
        std::optional<uint64_t> rate;
        get((*v)[i], "rate", rate, fi);
        r.rate = rate.value_or(0);
        out.push_back(r);
    }
}

} // namespace

bool Resources::empty() const {
    const auto &m = memory;
    const auto &c = cpu;
    return !m.limit && !m.reservation && !m.swap && !m.kernel && !m.kernel_tcp && !m.swappiness &&
           !m.disable_oom_killer && !c.shares && !c.quota && !c.period && !c.realtime_period &&
           !c.realtime_runtime && !c.burst && !c.idle && c.cpus.empty() && c.mems.empty() &&
           (!pids_limit || *pids_limit == 0) && !blkio.weight && !blkio.leaf_weight && blkio.weight_device.empty() &&
           blkio.throttle_read_bps.empty() && blkio.throttle_write_bps.empty() &&
           blkio.throttle_read_iops.empty() && blkio.throttle_write_iops.empty() && hugepage_limits.empty() &&
           unified.empty() && !network.class_id && network.priorities.empty();
}

std::string DeviceRule::v1_line() const {
    if (type == 'a') return "a";
    auto num = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
    return std::string(1, type) + " " + num(major) + ":" + num(minor) + " " + access;
}

void check_devices_unenforced(const std::vector<DeviceRule> &rules, const std::string &why) {
    bool allow_all = true; // a cgroup's devices start with every device allowed
    for (size_t i = 0; i < rules.size(); i++) {
        auto &d = rules[i];
        if (d.all()) {
            allow_all = d.allow;
        } else if (!d.allow && allow_all) {
            throw std::runtime_error("linux.resources.devices[" + std::to_string(i) + "]: denies \"" + d.v1_line() +
                                     "\", and " + why +
                                     " to enforce it (no device cgroup); only denying every device passes without one");
        }
    }
}

std::vector<DeviceRule> default_device_rules() {
    return {{true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},  {true, 'c', 1, 3, "rwm"},
            {true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 7, "rwm"},  {true, 'c', 5, 0, "rwm"},
            {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 9, "rwm"},  {true, 'c', 5, 2, "rwm"},
            {true, 'c', 136, -1, "rwm"}};
}

Resources parse_resources(const std::string &text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception &e) {
        throw std::invalid_argument(std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object()) bad("resources", "must be an object");
    Resources r;
    if (auto m = object(j, "memory", "memory")) {
        std::string f = "memory";
        get(*m, "limit", r.memory.limit, f);
        get(*m, "reservation", r.memory.reservation, f);
        get(*m, "swap", r.memory.swap, f);
        get(*m, "kernel", r.memory.kernel, f);
        get(*m, "kernelTCP", r.memory.kernel_tcp, f);
        get(*m, "swappiness", r.memory.swappiness, f);
        get(*m, "disableOOMKiller", r.memory.disable_oom_killer, f);
        get(*m, "useHierarchy", r.memory.use_hierarchy, f);
        get(*m, "checkBeforeUpdate", r.memory.check_before_update, f);
        for (auto *v : {&r.memory.limit, &r.memory.reservation, &r.memory.swap})
            if (*v && **v < -1) bad("memory", "limits must be -1 (unlimited) or a number of bytes");
        if (r.memory.swappiness && *r.memory.swappiness > 100) bad("memory.swappiness", "must be 0 to 100");
    }
    if (auto c = object(j, "cpu", "cpu")) {
        std::string f = "cpu";
        get(*c, "shares", r.cpu.shares, f);
        get(*c, "quota", r.cpu.quota, f);
        get(*c, "burst", r.cpu.burst, f);
        get(*c, "period", r.cpu.period, f);
        get(*c, "realtimeRuntime", r.cpu.realtime_runtime, f);
        get(*c, "realtimePeriod", r.cpu.realtime_period, f);
        get(*c, "idle", r.cpu.idle, f);
        get_str(*c, "cpus", r.cpu.cpus, f);
        get_str(*c, "mems", r.cpu.mems, f);
        for (auto &s : {r.cpu.cpus, r.cpu.mems})
            if (s.find_first_not_of("0123456789,- ") != std::string::npos)
                bad("cpu.cpus/mems", "\"" + s + "\" is not a list like 0-2,4");
    }
    if (auto p = object(j, "pids", "pids")) {
        get(*p, "limit", r.pids_limit, "pids");
        if (!member(*p, "limit")) bad("pids.limit", "is required in pids");
    }
    if (auto b = object(j, "blockIO", "blockIO")) {
        std::string f = "blockIO";
        get(*b, "weight", r.blkio.weight, f);
        get(*b, "leafWeight", r.blkio.leaf_weight, f);
        if (auto w = member(*b, "weightDevice")) {
            if (!w->is_array()) bad(f + ".weightDevice", "must be an array");
            for (size_t i = 0; i < w->size(); i++) {
                std::string fi = f + ".weightDevice[" + std::to_string(i) + "]";
                DeviceWeight d;
                device((*w)[i], d.major, d.minor, fi);
                get((*w)[i], "weight", d.weight, fi);
                get((*w)[i], "leafWeight", d.leaf_weight, fi);
                r.blkio.weight_device.push_back(d);
            }
        }
        rates(*b, "throttleReadBpsDevice", r.blkio.throttle_read_bps, f);
        rates(*b, "throttleWriteBpsDevice", r.blkio.throttle_write_bps, f);
        rates(*b, "throttleReadIOPSDevice", r.blkio.throttle_read_iops, f);
        rates(*b, "throttleWriteIOPSDevice", r.blkio.throttle_write_iops, f);
        if (r.blkio.weight && (*r.blkio.weight < 10 || *r.blkio.weight > 1000)) bad(f + ".weight", "must be 10 to 1000");
    }
    if (auto h = member(j, "hugepageLimits")) {
        if (!h->is_array()) bad("hugepageLimits", "must be an array");
        for (size_t i = 0; i < h->size(); i++) {
            std::string fi = "hugepageLimits[" + std::to_string(i) + "]";
            std::string size;
            std::optional<uint64_t> limit;
            get_str((*h)[i], "pageSize", size, fi);
            get((*h)[i], "limit", limit, fi);
            if (size.empty() || size.find('/') != std::string::npos) bad(fi + ".pageSize", "must be a size like 2MB");
            r.hugepage_limits[size] = limit.value_or(0);
        }
    }
    if (auto d = member(j, "devices")) {
        if (!d->is_array()) bad("devices", "must be an array");
        for (size_t i = 0; i < d->size(); i++) {
            std::string fi = "devices[" + std::to_string(i) + "]";
            auto &e = (*d)[i];
            if (!e.is_object()) bad(fi, "must be an object");
            DeviceRule r1;
            std::optional<bool> allow;
            get(e, "allow", allow, fi);
            if (!allow) bad(fi + ".allow", "is required");
            r1.allow = *allow;
            std::string type = "a", access = "rwm";
            get_str(e, "type", type, fi);
            if (type != "a" && type != "b" && type != "c") bad(fi + ".type", "\"" + type + "\" is not a, b or c");
            r1.type = type[0];
            std::optional<int64_t> ma, mi;
            get(e, "major", ma, fi);
            get(e, "minor", mi, fi);
            for (auto *n : {&ma, &mi})
                if (*n && **n < -1) bad(fi, "major and minor must be numbers (or -1 / null for any)");
            r1.major = ma.value_or(-1);
            r1.minor = mi.value_or(-1);
            get_str(e, "access", access, fi);
            if (access.empty()) access = "rwm";
            for (char ch : access)
                if (ch != 'r' && ch != 'w' && ch != 'm' || std::count(access.begin(), access.end(), ch) > 1)
                    bad(fi + ".access", "\"" + access + "\" is not a set of r, w and m");
            r1.access = access;
            r.devices.push_back(r1);
        }
    }
    if (auto n = object(j, "network", "network")) {
        get(*n, "classID", r.network.class_id, "network");
        if (auto p = member(*n, "priorities")) {
            if (!p->is_array()) bad("network.priorities", "must be an array");
            for (size_t i = 0; i < p->size(); i++) {
                std::string fi = "network.priorities[" + std::to_string(i) + "]";
                std::string name;
                std::optional<uint32_t> prio;
                if (!(*p)[i].is_object()) bad(fi, "must be an object");
                get_str((*p)[i], "name", name, fi);
                get((*p)[i], "priority", prio, fi);
                if (name.empty() || name.size() > 15 || name.find_first_of("/ \t\n:") != std::string::npos)
                    bad(fi + ".name", "\"" + name + "\" is not an interface name");
                if (!prio) bad(fi + ".priority", "is required");
                r.network.priorities.emplace_back(name, *prio);
            }
        }
    }
    if (auto u = object(j, "unified", "unified")) {
        for (auto &[k, v] : u->items()) {
            if (!v.is_string()) bad("unified." + k, "must be a string");
            if (k.empty() || k.find('/') != std::string::npos || k[0] == '.' || k.find('.') == std::string::npos)
                bad("unified." + k, "is not a cgroup v2 file name");
            r.unified[k] = v.get<std::string>();
        }
    }
    return r;
}

uint64_t shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io(uint64_t weight) {
    if (weight == 0) return 0;
    if (weight < 10) weight = 10;
    if (weight > 1000) weight = 1000;
    return 1 + ((weight - 10) * 9999) / 990;
}

std::string cpu_max(std::optional<int64_t> quota, std::optional<uint64_t> period) {
    std::string s = quota && *quota > 0 ? std::to_string(*quota) : "max";
    if (period && *period) s += " " + std::to_string(*period);
    return s;
}

std::string bytes_or_max(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

} // namespace burrow::session
