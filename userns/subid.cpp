#include "userns/subid.hpp"

#include <cerrno>
#include <charconv>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::userns {

namespace {

// A whole field of decimal digits (no sign, no spaces) that fits in 32 bits.
bool parse_u32(std::string_view s, uint32_t &out) {
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r";
    auto b = s.find_first_not_of(space);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(space) - b + 1);
}

} // namespace

std::vector<Range> parse_subid(std::string_view text, std::string_view user, uint32_t uid) {
    std::vector<Range> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;

        auto c1 = line.find(':');
        if (c1 == std::string_view::npos) continue;
        auto c2 = line.find(':', c1 + 1);
        if (c2 == std::string_view::npos || line.find(':', c2 + 1) != std::string_view::npos) continue;
        std::string_view owner = line.substr(0, c1);
        uint32_t start, count, owner_uid;
        if (owner.empty() || !parse_u32(line.substr(c1 + 1, c2 - c1 - 1), start) ||
            !parse_u32(line.substr(c2 + 1), count))
            continue;
        if (count == 0 || uint64_t{start} + count - 1 > max_id) continue;

        bool mine = (!user.empty() && owner == user) || (parse_u32(owner, owner_uid) && owner_uid == uid);
        if (mine) out.push_back({start, count});
    }
    return out;
}

std::vector<Range> read_subid(const std::string &path, std::string_view user, uint32_t uid) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return {};
        throw std::system_error(errno, std::generic_category(), "open " + path);
    }
    std::string text;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) text.reserve(static_cast<std::size_t>(st.st_size));
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            throw std::system_error(err, std::generic_category(), "read " + path);
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return parse_subid(text, user, uid);
}

std::vector<Range> subordinate_ranges(IdKind kind, const std::string &user, uint32_t uid) {
    return read_subid(subordinate_source(kind), user, uid);
}

std::string subordinate_source(IdKind kind) { return kind == IdKind::uid ? "/etc/subuid" : "/etc/subgid"; }

} // namespace burrow::userns
