// /etc/passwd lookups without NSS: burrow is linked statically (start-up
// cost), and a container image's own passwd file must be read as a file anyway.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace burrow::userns {

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
};

// One line of passwd-format text, as views into it.
struct PasswdLine {
    std::string_view name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string_view home;
};

// Pure, allocates nothing (a container's child reads its /etc/passwd with
// it): false for a line with too few fields or a uid or gid not a number.
bool parse_passwd_line(std::string_view line, PasswdLine &out) noexcept;

// Pure: the first line of passwd-format text whose uid matches.
std::optional<PasswdEntry> find_uid(std::string_view text, uint32_t uid);

// The name of uid in the host's /etc/passwd, or "" when it has none.
std::string user_name(uint32_t uid);

} // namespace burrow::userns
