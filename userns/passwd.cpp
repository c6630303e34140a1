#include "userns/passwd.hpp"

#include <charconv>
#include <fcntl.h>
#include <unistd.h>

namespace burrow::userns {

bool parse_passwd_line(std::string_view line, PasswdLine &out) noexcept {
    // name:passwd:uid:gid:gecos:home:shell
    std::string_view f[7];
    size_t n = 0;
    while (n < 7) {
        auto c = line.find(':');
        f[n++] = line.substr(0, c);
        if (c == std::string_view::npos) break;
        line = line.substr(c + 1);
    }
    if (n < 6) return false;
    auto r1 = std::from_chars(f[2].data(), f[2].data() + f[2].size(), out.uid);
    auto r2 = std::from_chars(f[3].data(), f[3].data() + f[3].size(), out.gid);
    if (r1.ec != std::errc() || r1.ptr != f[2].data() + f[2].size() || r2.ec != std::errc()) return false;
    out.name = f[0];
    out.home = f[5];
    return true;
}

std::optional<PasswdEntry> find_uid(std::string_view text, uint32_t uid) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        PasswdLine l;
        if (parse_passwd_line(line, l) && l.uid == uid) return PasswdEntry{std::string(l.name), l.uid, l.gid, std::string(l.home)};
    }
    return std::nullopt;
}

std::string user_name(uint32_t uid) {
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    std::string text;
    char buf[16384];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(fd);
    auto e = find_uid(text, uid);
    return e ? e->name : "";
}

} // namespace burrow::userns
