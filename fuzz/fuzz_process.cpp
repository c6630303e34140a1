// exec --process FILE: a "process" object alone.
#include "error.hpp"
#include "spec/parse.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    try {
        burrow::spec::parse_process_json(text);
    } catch (const burrow::Error &) {
    }
    try {
        burrow::spec::parse_hooks_json(text); // the hooks kept in state.json
    } catch (const burrow::Error &) {
    }
    return 0;
}
