#include "security/seccomp_cache.hpp"
#include "error.hpp"
#include "name_hash.hpp"
#include "read_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <seccomp.h>
#include <string_view>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace burrow::security {

namespace {

constexpr char kMagic[8] = {'b', 'u', 'r', 'r', 'o', 'w', 'S', '2'};
constexpr size_t kMaxInsns = 4096;      // BPF_MAXINSNS
constexpr size_t kMaxKey = size_t{1} << 20; // a profile's text, with room to spare

struct Header {
    char magic[8];
    uint32_t flags;
    uint32_t wants_listener;
    uint32_t count;   // instructions, after the key
    uint32_t key_len; // bytes of the key, after the header
};

// Length-prefixed, so that no two profiles read the same.
void put(std::string &k, const std::string &s) {
    k += std::to_string(s.size());
    k += ':';
    k += s;
    k += ';';
}
void put(std::string &k, uint64_t v) {
    k += std::to_string(v);
    k += ';';
}
void put(std::string &k, const std::optional<uint32_t> &v) {
    if (v) put(k, uint64_t{*v});
    else k += "-;";
}

// The program after the header and key; `want_key` (when given) must be the key.
std::optional<SeccompProgram> read_program(const std::string &path, const std::string *want_key) {
    // O_NONBLOCK: a FIFO put there is not waited on (and then not taken).
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    // Written by us: root using a state root another user can write to must
    // not take a filter that user wrote (or linked) there.
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) || !S_ISREG(st.st_mode)) {
        close(fd);
        return std::nullopt;
    }
    std::string text;
    try {
        text = read_fd(fd, path, sizeof(Header) + kMaxKey + kMaxInsns * sizeof(struct sock_filter));
    } catch (const Error &) {
        return std::nullopt;
    }
    Header h{};
    if (text.size() < sizeof h) return std::nullopt;
    memcpy(&h, text.data(), sizeof h);
    size_t bytes = size_t{h.count} * sizeof(struct sock_filter);
    // Exactly the key and count instructions, nothing after them.
    if (memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.count == 0 || h.count > kMaxInsns ||
        h.key_len > kMaxKey || text.size() != sizeof h + h.key_len + bytes)
        return std::nullopt;
    if (want_key && std::string_view(text).substr(sizeof h, h.key_len) != *want_key) return std::nullopt;
    SeccompProgram p;
    p.flags = h.flags;
    p.wants_listener = h.wants_listener != 0;
    p.filter.resize(h.count);
    memcpy(p.filter.data(), text.data() + sizeof h + h.key_len, bytes);
    return p;
}

bool write_program(const std::string &path, const KeptSeccomp &k) {
    const auto &p = k.program;
    if (p.filter.empty() || p.filter.size() > kMaxInsns || k.key.size() > kMaxKey) return false;
    Header h{};
    memcpy(h.magic, kMagic, sizeof kMagic);
    h.flags = p.flags;
    h.wants_listener = p.wants_listener;
    h.count = static_cast<uint32_t>(p.filter.size());
    h.key_len = static_cast<uint32_t>(k.key.size());
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    struct iovec v[3] = {{&h, sizeof h},
                         {const_cast<char *>(k.key.data()), k.key.size()},
                         {const_cast<sock_filter *>(p.filter.data()), p.filter.size() * sizeof(sock_filter)}};
    size_t total = v[0].iov_len + v[1].iov_len + v[2].iov_len;
    bool ok = writev(fd, v, 3) == static_cast<ssize_t>(total);
    close(fd);
    if (!ok) unlink(path.c_str());
    return ok;
}

void unlink_same_inode(const std::string &dir, const struct stat &st) {
    DIR *d = opendir(dir.c_str());
    if (!d) return;
    while (auto *e = readdir(d))
        if (e->d_ino == st.st_ino && e->d_name[0] != '.') {
            struct stat sh;
            if (fstatat(dirfd(d), e->d_name, &sh, AT_SYMLINK_NOFOLLOW) == 0 && sh.st_ino == st.st_ino &&
                sh.st_dev == st.st_dev)
                unlinkat(dirfd(d), e->d_name, 0);
        }
    closedir(d);
}

} // namespace

std::string seccomp_key(const spec::Seccomp &s) {
    std::string k = "burrow seccomp\n";
    put(k, std::string(BURROW_VERSION));
    const scmp_version *v = seccomp_version();
    put(k, uint64_t{v->major}), put(k, uint64_t{v->minor}), put(k, uint64_t{v->micro});
    struct utsname u {};
    uname(&u);
    put(k, std::string(u.release)), put(k, std::string(u.machine));
    k += '\n';
    put(k, s.default_action);
    put(k, s.default_errno_ret);
    put(k, uint64_t{s.architectures.size()});
    for (auto &a : s.architectures) put(k, a);
    put(k, uint64_t{s.flags.size()});
    for (auto &f : s.flags) put(k, f);
    put(k, s.listener_path);
    put(k, s.listener_metadata);
    put(k, uint64_t{s.syscalls.size()});
    for (auto &c : s.syscalls) {
        put(k, uint64_t{c.names.size()});
        for (auto &n : c.names) put(k, n);
        put(k, c.action);
        put(k, c.errno_ret);
        put(k, uint64_t{c.args.size()});
        for (auto &a : c.args) put(k, uint64_t{a.index}), put(k, a.value), put(k, a.value_two), put(k, a.op);
    }
    return k;
}

KeptSeccomp seccomp_for(const spec::Seccomp &s, const std::string &cache_dir) {
    KeptSeccomp k;
    k.key = seccomp_key(s);
    if (!cache_dir.empty()) {
        k.shared = cache_dir + "/" + name_hash(k.key);
        if (auto p = read_program(k.shared, &k.key)) {
            k.program = std::move(*p);
            k.found = true;
            return k;
        }
    }
    k.program = compile_seccomp(s);
    return k;
}

void keep_seccomp(const std::string &path, const KeptSeccomp &k, const std::string &cache_dir) noexcept {
    try {
        if (k.found && link(k.shared.c_str(), path.c_str()) == 0) return;
        if (!write_program(path, k) || k.shared.empty()) return;
        if (mkdir(cache_dir.c_str(), 0700) < 0 && errno != EEXIST) return;
        link(path.c_str(), k.shared.c_str()); // EEXIST: another container's is there; ours stays its own
    } catch (...) {
    }
}

void drop_seccomp(const std::string &path, const std::string &cache_dir) noexcept {
    try {
        struct stat st;
        if (lstat(path.c_str(), &st) < 0) return;
        // Ours and the shared entry: the last container of that profile takes
        // the entry (found by its inode) and the directory, once empty.
        if (st.st_nlink == 2 && S_ISREG(st.st_mode) && !cache_dir.empty()) {
            unlink_same_inode(cache_dir, st);
            rmdir(cache_dir.c_str());
        }
        unlink(path.c_str());
    } catch (...) {
    }
}

std::optional<SeccompProgram> load_seccomp_cache(const std::string &path) { return read_program(path, nullptr); }

} // namespace burrow::security
