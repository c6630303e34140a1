// Subordinate id ranges: the /etc/subuid and /etc/subgid files that
// newuidmap/newgidmap consult to let an unprivileged user map more ids than
// its own into a user namespace.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace burrow::userns {

// The largest id a map may name: (uint32_t)-1 is "no id" to the kernel.
inline constexpr uint32_t max_id = 4294967294u;

// A run of host ids from one line of /etc/subuid: start .. start+count-1.
struct Range {
    uint32_t start = 0;
    uint32_t count = 0;
    friend bool operator==(const Range &, const Range &) = default;
};

// Parses the text of /etc/subuid or /etc/subgid. A line is
// "name_or_uid:start:count" and belongs to the caller when its first field is
// `user` (if not empty) or the decimal `uid`. Comments (#), blank lines,
// malformed lines (not three fields, not decimal, past max_id) and count 0 are
// skipped, as newuidmap skips them. Ranges come back in file order.
std::vector<Range> parse_subid(std::string_view text, std::string_view user, uint32_t uid);

// Reads and parses the file. A missing file gives an empty vector; any other
// read failure throws std::system_error naming the path.
std::vector<Range> read_subid(const std::string &path, std::string_view user, uint32_t uid);

enum class IdKind { uid, gid };

// The output of burrow-subid ("uid 100000 65536\ngid ...") for one kind. Pure.
std::vector<Range> parse_subid_helper(std::string_view text, IdKind kind);

// The caller's subordinate ranges, from where the system keeps them: the
// files /etc/subuid and /etc/subgid (parsed here, no library, the common
// case), or the service /etc/nsswitch.conf names on its `subid:` line (SSSD),
// asked through libsubid by the small dynamically linked helper burrow-subid
// (userns/subid_helper.cpp). Throws std::runtime_error when that fails.
std::vector<Range> subordinate_ranges(IdKind kind, const std::string &user, uint32_t uid);

// Where the ranges came from, for messages: "/etc/subuid", or "subid: sss".
std::string subordinate_source(IdKind kind);

} // namespace burrow::userns
