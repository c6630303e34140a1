#include "userns/nsswitch.hpp"

namespace burrow::userns {

std::string subid_service(std::string_view text) {
    constexpr std::string_view space = " \t\r";
    std::string service = "files";
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        auto b = line.find_first_not_of(space);
        if (b == std::string_view::npos) continue;
        line = line.substr(b);
        if (line.substr(0, 6) != "subid:") continue;
        line = line.substr(6);
        b = line.find_first_not_of(space);
        if (b == std::string_view::npos) continue;
        line = line.substr(b);
        service = std::string(line.substr(0, line.find_first_of(space)));
    }
    return service;
}

} // namespace burrow::userns
