// check-host's output: aligned text for people, a JSON array for tools
// (stable: each element is {name, status, detail, fix}).
#include "error.hpp"
#include "checkhost/check_host.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace burrow::checkhost {

std::string format_checks(const std::vector<Check> &checks, const std::string &format) {
    if (format == "json") {
        auto a = nlohmann::ordered_json::array();
        for (auto &c : checks)
            a.push_back({{"name", c.name}, {"status", status_name(c.status)}, {"detail", c.detail}, {"fix", c.fix}});
        return a.dump(2) + "\n";
    }
    if (format != "text") throw Error("--format: \"" + format + "\" is not text or json");
    size_t w = 0;
    for (auto &c : checks) w = std::max(w, c.name.size());
    std::string out;
    for (auto &c : checks) {
        std::string st = status_name(c.status);
        out += st + std::string(8 - st.size(), ' ') + c.name + std::string(w + 2 - c.name.size(), ' ') + c.detail + "\n";
        if (!c.fix.empty()) out += std::string(8 + w + 2, ' ') + "fix: " + c.fix + "\n";
    }
    std::string blocking;
    for (auto &c : checks)
        if (c.required && c.status == CheckStatus::missing) blocking += (blocking.empty() ? "" : ", ") + c.name;
    out += blocking.empty() ? "A rootless container can run here.\n"
                            : "A rootless container cannot run here: fix " + blocking + ".\n";
    return out;
}

int check_host_report(const std::string &root, const std::string &cgroup_manager, const std::string &format,
                      std::string &out) {
    if (format != "text" && format != "json") throw Error("--format: \"" + format + "\" is not text or json");
    auto checks = check_host(real_host(root, cgroup_manager));
    out = format_checks(checks, format);
    return check_exit_status(checks);
}

} // namespace burrow::checkhost
