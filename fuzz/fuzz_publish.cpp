// --network and --publish ([hostip:]hostport:containerport[/proto]); a
// parsed value prints back to text that parses to the same.
#include "netless/options.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    try {
        auto p = burrow::netless::parse_publish(text);
        auto again = burrow::netless::publish_text(p);
        if (burrow::netless::publish_text(burrow::netless::parse_publish(again)) != again) abort();
        burrow::netless::check_distinct({p, p});
    } catch (const std::invalid_argument &) {
    }
    try {
        burrow::netless::parse_mode(text);
    } catch (const std::invalid_argument &) {
    }
    return 0;
}
