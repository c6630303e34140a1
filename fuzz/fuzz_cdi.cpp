// A CDI spec file (JSON): checked, then its edits applied to a config and the
// result parsed as config.json would be.
#include "cdi/cdi.hpp"
#include "error.hpp"
#include "spec/parse.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) return 0; // the JSON library's own errors are not ours to find
    try {
        auto spec = burrow::cdi::parse_spec(j, "fuzz.json");
        nlohmann::json config = {{"ociVersion", "1.0.2"},
                                 {"root", {{"path", "rootfs"}}},
                                 {"process", {{"args", {"sh"}}, {"cwd", "/"}, {"env", {"A=1"}}}},
                                 {"linux", nlohmann::json::object()}};
        if (!spec.edits.is_null()) burrow::cdi::apply_edits(config, spec.edits, "fuzz.json");
        for (auto &[name, edits] : spec.devices) burrow::cdi::apply_edits(config, edits, "fuzz.json: " + name);
        burrow::spec::parse_config(config.dump());
    } catch (const burrow::Error &) {
    }
    try {
        burrow::cdi::parse_device_name(std::string(reinterpret_cast<const char *>(data), size));
    } catch (const burrow::Error &) {
    }
    return 0;
}
