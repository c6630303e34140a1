// state.json as a crash, a full disk or an edit may leave it.
#include "state/store.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    try {
        auto r = burrow::state::parse_record(text);
        if (r.pid < 0) __builtin_trap(); // never a process group to kill
    } catch (const std::invalid_argument &) {
    }
    return 0;
}
