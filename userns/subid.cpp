#include "userns/subid.hpp"

#include <cerrno>
#include <charconv>
#include <system_error>

#include <stdexcept>

#include "userns/nsswitch.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
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

std::vector<Range> parse_subid_helper(std::string_view text, IdKind kind) {
    std::vector<Range> out;
    const std::string_view want = kind == IdKind::uid ? "uid" : "gid";
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto s1 = line.find(' '), s2 = line.find(' ', s1 + 1);
        uint32_t start, count;
        if (s1 == std::string_view::npos || s2 == std::string_view::npos || line.substr(0, s1) != want ||
            !parse_u32(line.substr(s1 + 1, s2 - s1 - 1), start) || !parse_u32(line.substr(s2 + 1), count))
            continue;
        if (count && uint64_t{start} + count - 1 <= max_id) out.push_back({start, count});
    }
    return out;
}

namespace {

// nsswitch.conf's subid service, read once ("files" when it cannot be read).
const std::string &service() {
    static const std::string s = [] {
        int fd = ::open("/etc/nsswitch.conf", O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::string("files");
        std::string text;
        char buf[4096];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
        ::close(fd);
        return subid_service(text);
    }();
    return s;
}

#ifndef BURROW_LIBEXEC_FROM_BIN
#define BURROW_LIBEXEC_FROM_BIN "../libexec/burrow"
#endif

// burrow-subid next to this executable (or at bin/../libexec/burrow: an
// installed tree moved or staged), else in the installed libexec directory.
std::string helper_path() {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<size_t>(n));
        dir.resize(dir.rfind('/') + 1);
        if (::access((dir + "burrow-subid").c_str(), X_OK) == 0) return dir + "burrow-subid";
        std::string rel = dir + BURROW_LIBEXEC_FROM_BIN "/burrow-subid";
        if (::access(rel.c_str(), X_OK) == 0) return rel;
    }
    return BURROW_LIBEXECDIR "/burrow-subid";
}

// The output of burrow-subid USER (the caller's environment, so that
// LD_LIBRARY_PATH reaches libsubid's module), per kind.
const std::string &helper_output(const std::string &user) {
    static std::string cached_user, cached;
    if (!cached.empty() && cached_user == user) return cached;
    std::string path = helper_path();
    if (::access(path.c_str(), X_OK) != 0)
        throw std::runtime_error("/etc/nsswitch.conf: subid: " + service() + ": " + path +
                                 " (which asks libsubid) is not installed");
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) < 0) throw std::system_error(errno, std::generic_category(), "pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    std::string arg0 = "burrow-subid";
    char *argv[] = {arg0.data(), const_cast<char *>(user.c_str()), nullptr};
    pid_t pid;
    int err = posix_spawn(&pid, path.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(pipefd[1]);
    if (err) {
        ::close(pipefd[0]);
        throw std::system_error(err, std::generic_category(), "run " + path);
    }
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(pipefd[0]);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        throw std::runtime_error("/etc/nsswitch.conf: subid: " + service() + ": " + path + " " + user + " failed");
    cached_user = user;
    cached = out.empty() ? "\n" : out;
    return cached;
}

} // namespace

std::vector<Range> subordinate_ranges(IdKind kind, const std::string &user, uint32_t uid) {
    if (service() == "files") return read_subid(subordinate_source(kind), user, uid);
    return parse_subid_helper(helper_output(user.empty() ? std::to_string(uid) : user), kind);
}

std::string subordinate_source(IdKind kind) {
    if (service() != "files") return "subid: " + service() + " (/etc/nsswitch.conf)";
    return kind == IdKind::uid ? "/etc/subuid" : "/etc/subgid";
}

} // namespace burrow::userns
