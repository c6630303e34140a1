// linux.resources (config.json, `update -r`): the values a cgroup gets, and
// their v1 → v2 conversions.
#include "session/cgroup_resources.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    try {
        auto r = burrow::session::parse_resources(text);
        r.empty();
        if (r.cpu.shares) burrow::session::shares_to_weight(*r.cpu.shares);
        if (r.blkio.weight) burrow::session::blkio_weight_to_io(*r.blkio.weight);
        burrow::session::cpu_max(r.cpu.quota, r.cpu.period);
        if (r.memory.limit) burrow::session::bytes_or_max(*r.memory.limit);
        if (r.memory.swap) burrow::session::bytes_or_max(*r.memory.swap);
    } catch (const std::invalid_argument &) {
    }
    return 0;
}
