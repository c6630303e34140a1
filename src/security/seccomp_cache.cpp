#include "security/seccomp_cache.hpp"

#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::security {

namespace {

constexpr char kMagic[8] = {'b', 'u', 'r', 'r', 'o', 'w', 'S', '1'};
constexpr size_t kMaxInsns = 4096; // BPF_MAXINSNS

struct Header {
    char magic[8];
    uint32_t flags;
    uint32_t wants_listener;
    uint32_t count; // instructions
    uint32_t unused;
};

} // namespace

void save_seccomp_cache(const std::string &path, const SeccompProgram &p) noexcept {
    if (p.filter.empty() || p.filter.size() > kMaxInsns) return;
    Header h{};
    memcpy(h.magic, kMagic, sizeof kMagic);
    h.flags = p.flags;
    h.wants_listener = p.wants_listener;
    h.count = static_cast<uint32_t>(p.filter.size());
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return;
    size_t n = p.filter.size() * sizeof(struct sock_filter);
    bool ok = write(fd, &h, sizeof h) == static_cast<ssize_t>(sizeof h) &&
              write(fd, p.filter.data(), n) == static_cast<ssize_t>(n);
    close(fd);
    if (!ok) unlink(path.c_str());
}

std::optional<SeccompProgram> load_seccomp_cache(const std::string &path) {
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    Header h{};
    std::optional<SeccompProgram> out;
    if (read(fd, &h, sizeof h) == static_cast<ssize_t>(sizeof h) && memcmp(h.magic, kMagic, sizeof kMagic) == 0 &&
        h.count > 0 && h.count <= kMaxInsns) {
        SeccompProgram p;
        p.flags = h.flags;
        p.wants_listener = h.wants_listener != 0;
        p.filter.resize(h.count);
        size_t n = h.count * sizeof(struct sock_filter);
        char extra;
        // Exactly count instructions, and nothing after them.
        if (read(fd, p.filter.data(), n) == static_cast<ssize_t>(n) && read(fd, &extra, 1) == 0) out = std::move(p);
    }
    close(fd);
    return out;
}

} // namespace burrow::security
