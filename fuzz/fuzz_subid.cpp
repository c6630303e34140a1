// /etc/subuid and /etc/subgid, and the libsubid helper's output.
#include "userns/subid.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    try {
        burrow::userns::parse_subid(text, "user", 1000);
        burrow::userns::parse_subid(text, "", 0);
    } catch (const std::invalid_argument &) {
    }
    try {
        burrow::userns::parse_subid_helper(text, burrow::userns::IdKind::uid);
    } catch (const std::exception &) {
    }
    return 0;
}
