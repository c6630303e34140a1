// config.json: the parser, then the validator on whatever parsed.
#include "error.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    try {
        auto c = burrow::spec::parse_config(text);
        burrow::spec::validate(c);
    } catch (const burrow::Error &) {
        // a clear error is the right answer to bad input; anything else escapes and crashes
    }
    return 0;
}
