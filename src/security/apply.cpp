// Child side: raw syscalls only, no allocation, no exceptions.
#include "security/apply.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace burrow::security {
namespace {

inline int neg_errno() noexcept { return errno ? -errno : -EIO; }

inline long sys_prctl(int op, unsigned long a = 0, unsigned long b = 0, unsigned long c = 0,
                      unsigned long d = 0) noexcept {
    return ::syscall(SYS_prctl, op, a, b, c, d);
}

} // namespace

int drop_bounding(uint64_t keep, int last_cap) noexcept {
    if (last_cap > 63) last_cap = 63;
    for (int cap = 0; cap <= last_cap; ++cap) {
        if (keep & (uint64_t{1} << cap)) continue;
        // Drop first, one syscall a capability; only a refused drop (no
        // CAP_SETPCAP) asks whether there was anything to drop.
        if (sys_prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap)) == 0 || errno == EINVAL) continue;
        int err = errno;
        if (err == EPERM && sys_prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap)) == 0) continue; // already out
        errno = err;
        return neg_errno();
    }
    return 0;
}

int set_keepcaps(bool on) noexcept {
    return sys_prctl(PR_SET_KEEPCAPS, on ? 1 : 0) < 0 ? neg_errno() : 0;
}

int apply_caps(const CapSets &c) noexcept {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    data[0].effective = static_cast<uint32_t>(c.effective);
    data[1].effective = static_cast<uint32_t>(c.effective >> 32);
    data[0].permitted = static_cast<uint32_t>(c.permitted);
    data[1].permitted = static_cast<uint32_t>(c.permitted >> 32);
    data[0].inheritable = static_cast<uint32_t>(c.inheritable);
    data[1].inheritable = static_cast<uint32_t>(c.inheritable >> 32);
    if (::syscall(SYS_capset, &hdr, data) < 0) return neg_errno();

    if (sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL) < 0 && errno != EINVAL) return neg_errno();
    for (int cap = 0; cap < 64; ++cap) {
        if (!(c.ambient & (uint64_t{1} << cap))) continue;
        // EPERM: not in both permitted and inheritable. runc's own default config
        // lists ambient caps without inheritable ones, and runc skips them.
        if (sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, static_cast<unsigned long>(cap)) < 0 && errno != EINVAL &&
            errno != EPERM)
            return neg_errno();
    }
    return 0;
}

int set_no_new_privs() noexcept {
    return sys_prctl(PR_SET_NO_NEW_PRIVS, 1) < 0 ? neg_errno() : 0;
}

int load_seccomp(const SeccompProgram &p) noexcept {
    if (p.filter.empty()) return 0;
    if (p.filter.size() > 0xffff) return -EINVAL;
    struct sock_fprog prog = {static_cast<unsigned short>(p.filter.size()),
                              const_cast<struct sock_filter *>(p.filter.data())};
    unsigned flags = p.flags;
    if (p.wants_listener) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    // seccomp(2) is 3.17's (and valgrind has none): a plain filter through prctl.
    if (r < 0 && errno == ENOSYS && flags == 0) r = sys_prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, reinterpret_cast<unsigned long>(&prog));
    if (r < 0) return neg_errno();
    return p.wants_listener ? static_cast<int>(r) : 0;
}

namespace {

bool is_proc(int fd) noexcept {
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

long mount_id(int fd) noexcept {
    struct statx sx {};
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID)) return -1;
    return static_cast<long>(sx.stx_mnt_id);
}

} // namespace

int open_proc_file(const char *rel, int flags) noexcept {
    int proc = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (proc < 0) return -errno;
    struct stat st;
    if (!is_proc(proc) || fstat(proc, &st) < 0 || st.st_ino != 1) { // PROC_ROOT_INO: the mount's root
        close(proc);
        return -EXDEV;
    }
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_NOFOLLOW | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    int fd = static_cast<int>(syscall(SYS_openat2, proc, rel, &how, sizeof how));
    if (fd < 0 && errno == ENOSYS) {
        // No openat2 (before 5.6): a mount over the file shows as another mount id.
        fd = openat(proc, rel, flags | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            long want = mount_id(proc), got = mount_id(fd);
            if (want != got) {
                close(fd);
                fd = -1;
                errno = EXDEV;
            }
        }
    }
    int e = errno;
    close(proc);
    if (fd < 0) return -e;
    if (!is_proc(fd)) {
        close(fd);
        return -EXDEV;
    }
    return fd;
}

int write_proc_file(const char *rel, const char *data, unsigned long len) noexcept {
    int fd = open_proc_file(rel, O_WRONLY);
    if (fd < 0) return fd;
    ssize_t n = write(fd, data, len);
    int e = errno;
    close(fd);
    if (n < 0) return -e;
    return static_cast<unsigned long>(n) == len ? 0 : -EIO;
}

} // namespace burrow::security
