#include "security/landlock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::security {
namespace {

// Rights of later ABIs than Debian 12's header knows.
constexpr uint64_t kRefer = 1ULL << 13;    // ABI 2
constexpr uint64_t kTruncate = 1ULL << 14; // ABI 3
constexpr uint64_t kIoctlDev = 1ULL << 15; // ABI 5
constexpr uint64_t kScopeSignal = 1ULL << 1; // ABI 6

constexpr uint64_t kRead = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr uint64_t kExec = LANDLOCK_ACCESS_FS_EXECUTE;
// What applies to a file that is not a directory (the kernel refuses the rest on one).
constexpr uint64_t kFileRights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                 LANDLOCK_ACCESS_FS_READ_FILE | kTruncate | kIoctlDev;

uint64_t handled_by(long abi) {
    uint64_t all = (1ULL << 13) - 1; // ABI 1: EXECUTE .. MAKE_SYM
    if (abi >= 2) all |= kRefer;
    if (abi >= 3) all |= kTruncate;
    if (abi >= 5) all |= kIoctlDev;
    return all;
}

struct RulesetAttr { // struct landlock_ruleset_attr as of ABI 6
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

} // namespace

int restrict_paths(const std::vector<PathRule> &rules) noexcept {
    long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : -errno;
    uint64_t handled = handled_by(abi);
    RulesetAttr attr{handled, 0, abi >= 6 ? kScopeSignal : 0};
    size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    int rs = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, size, 0));
    if (rs < 0) return -errno;
    for (auto &r : rules) {
        int fd = open(r.path.c_str(), O_PATH | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR || errno == EACCES) continue; // nothing there to grant
            int e = errno;
            close(rs);
            return -e;
        }
        uint64_t want = r.access == FsAccess::read ? kRead : r.access == FsAccess::read_exec ? kRead | kExec : handled;
        struct stat st;
        if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) want &= kFileRights;
        struct landlock_path_beneath_attr pb {};
        pb.allowed_access = want & handled;
        pb.parent_fd = fd;
        long ok = syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
        int e = errno;
        close(fd);
        if (ok < 0) {
            close(rs);
            return -e;
        }
    }
    long ok = syscall(SYS_landlock_restrict_self, rs, 0);
    int e = errno;
    close(rs);
    return ok < 0 ? -e : 0;
}

} // namespace burrow::security
