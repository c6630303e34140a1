#include "cli/help.hpp"

#include <algorithm>

namespace burrow::cli {
namespace {

// "--bundle value, -b value" (runc puts the long form first).
std::string flag_text(const Option &o) {
    std::string v = o.takes_value ? std::string(" ") + o.value_name : "";
    std::string s = std::string("--") + o.name + v;
    if (o.short_name) s += std::string(", -") + o.short_name + v;
    return s;
}

// Each line of text indented by three spaces, as runc does.
std::string indent(const std::string &text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        size_t j = text.find('\n', i);
        if (j == std::string::npos) j = text.size();
        std::string line = text.substr(i, j - i);
        out += (line.empty() ? "" : "   ") + line + "\n";
        i = j + 1;
    }
    return out;
}

} // namespace

std::string format_help(const CommandHelp &h) {
    std::string out = "NAME:\n   burrow " + std::string(h.name) + " - " + h.summary + "\n\n";
    out += "USAGE:\n   burrow " + std::string(h.name) + (*h.usage ? " " : "") + h.usage + "\n";
    if (h.description && *h.description) out += "\nDESCRIPTION:\n" + indent(h.description);
    std::vector<std::pair<std::string, const char *>> rows;
    for (auto &o : *h.options)
        if (!o.hidden) rows.emplace_back(flag_text(o), o.help ? o.help : "");
    rows.emplace_back("--help, -h", "show help");
    size_t w = 0;
    for (auto &r : rows) w = std::max(w, r.first.size());
    out += "\nOPTIONS:\n";
    for (auto &[flag, text] : rows)
        out += "   " + flag + std::string(w + 2 - flag.size(), ' ') + text + "\n";
    return out;
}

} // namespace burrow::cli
