#include "process/env.hpp"

#include <string_view>
#include <unordered_set>

namespace burrow::process {

std::vector<std::string> last_value_wins(const std::vector<std::string> &env) {
    std::vector<std::string> out;
    out.reserve(env.size());
    std::unordered_set<std::string_view> seen;
    // From the end, so the first time a name is seen is its last occurrence.
    for (auto it = env.rbegin(); it != env.rend(); ++it) {
        auto eq = it->find('=');
        if (eq != std::string::npos && !seen.insert(std::string_view(*it).substr(0, eq)).second) continue;
        out.push_back(*it);
    }
    return {out.rbegin(), out.rend()};
}

} // namespace burrow::process
