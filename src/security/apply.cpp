// Child side: raw syscalls only, no allocation, no exceptions.
#include "security/apply.hpp"

#include <cerrno>
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
        long in = sys_prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap));
        if (in == 0) continue; // already dropped
        if (in < 0) {
            if (errno == EINVAL) continue;
            return neg_errno();
        }
        if (sys_prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap)) < 0 && errno != EINVAL) return neg_errno();
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
    if (r < 0) return neg_errno();
    return p.wants_listener ? static_cast<int>(r) : 0;
}

} // namespace burrow::security
