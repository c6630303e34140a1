// The OCI linux.resources a cgroup manager applies, parsed from their JSON
// (config.json's linux.resources, or `update -r`), and the conversions of
// v1-style values to cgroup v2 files (the same formulas runc and crun use).
// Pure: no syscalls. Errors are std::invalid_argument naming the field
// ("memory.limit: must be an integer").
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace burrow::session {

struct DeviceWeight {
    int64_t major = 0, minor = 0;
    std::optional<uint16_t> weight, leaf_weight;
};

struct DeviceRate {
    int64_t major = 0, minor = 0;
    uint64_t rate = 0;
};

// linux.resources.devices[i]: a device cgroup rule.
struct DeviceRule {
    bool allow = false;
    char type = 'a';               // 'a' (all), 'c', 'b'
    int64_t major = -1, minor = -1; // -1: any
    std::string access = "rwm";
    // cgroup v1's devices.allow/deny line: "a", "c 10:229 rwm", "c *:* m".
    std::string v1_line() const;
    bool all() const { return type == 'a'; } // every device, every access (the kernel's "a")
};

struct Resources {
    struct {
        std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp; // bytes; -1: unlimited
        std::optional<uint64_t> swappiness;
        std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
    } memory;
    struct {
        std::optional<uint64_t> shares, period, realtime_period, burst;
        std::optional<int64_t> quota, realtime_runtime; // quota -1: unlimited
        std::optional<int64_t> idle;
        std::string cpus, mems;
    } cpu;
    std::optional<int64_t> pids_limit; // -1 or 0: unlimited (as runc)
    struct {
        std::optional<uint16_t> weight, leaf_weight;
        std::vector<DeviceWeight> weight_device;
        std::vector<DeviceRate> throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
    } blkio;
    std::map<std::string, uint64_t> hugepage_limits; // page size ("2MB") -> bytes
    std::map<std::string, std::string> unified;       // cgroup v2 file -> value
    std::vector<DeviceRule> devices;                  // in order; the last matching rule wins
    struct {
        std::optional<uint32_t> class_id;                         // net_cls.classid
        std::vector<std::pair<std::string, uint32_t>> priorities; // net_prio.ifpriomap: interface, priority
    } network;

    // Nothing a cgroup must enforce: no manager is needed. (devices rules do
    // not count: a rootless container has no device cgroup and gets its
    // devices by bind mount; check_devices_unenforced says which rules may
    // pass without one.)
    bool empty() const;
};

// Without a device cgroup (rootless, cgroup v2, no cgroup) a rule list
// passes only when it takes nothing away that the container could otherwise
// open: allow rules, and denials of every device (the container's devices
// are then those of linux.devices, bound in; runc and crun skip the device
// cgroup rootless). A denial of one device under "allow all" would pass
// silently: refused, naming the rule and `why`.
void check_devices_unenforced(const std::vector<DeviceRule> &rules, const std::string &why);

// runc's rules added to a config's (so that /dev/null and the pts still
// work under a deny-all): mknod of any node, the default devices, the pts.
std::vector<DeviceRule> default_device_rules();

// linux.resources JSON (an object). Unknown members are ignored, as runc does.
Resources parse_resources(const std::string &json);

// v1 → v2 conversions.
uint64_t shares_to_weight(uint64_t shares);        // cpu.shares 2..262144 -> cpu.weight 1..10000
uint64_t blkio_weight_to_io(uint64_t weight);      // blkio.weight 10..1000 -> io.weight 1..10000
std::string cpu_max(std::optional<int64_t> quota, std::optional<uint64_t> period); // "max 100000", "50000 100000"
std::string bytes_or_max(int64_t v);               // -1 -> "max"

} // namespace burrow::session
