// Capability names -> masks, parent side only (libcap, allocation, exceptions).
#include "security/caps.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "error.hpp"
#include "log.hpp"

#include <algorithm>

namespace burrow::security {
namespace {

int read_last_cap() {
    // libcap probed the bounding set at start-up (PR_CAPBSET_READ): its
    // answer costs no /proc read.
    cap_value_t bits = cap_max_bits();
    if (bits > 0 && bits <= 64) return static_cast<int>(bits) - 1;
    int fd = ::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[32];
        ssize_t n;
        do n = ::read(fd, buf, sizeof buf - 1);
        while (n < 0 && errno == EINTR);
        ::close(fd);
        if (n > 0) {
            buf[n] = '\0';
            char *end = nullptr;
            long v = std::strtol(buf, &end, 10);
            if (end != buf && v >= 0 && v < 64) return static_cast<int>(v);
        }
    }
    // No /proc: the bounding set answers EINVAL above the kernel's last cap.
    int cap = 0;
    while (cap < 63 && ::prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) ++cap;
    return cap;
}

// "CAP_SYS_ADMIN" (exactly: prefix and upper case) -> its number, or -1.
int cap_number(const std::string &name) {
    if (name.size() <= 4 || name.compare(0, 4, "CAP_") != 0) return -1;
    for (char ch : name)
        if (!(std::isupper(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_'))
            return -1;
    cap_value_t v;
    if (cap_from_name(name.c_str(), &v) != 0 || v < 0 || v > 63) return -1;
    return v;
}

// Names this libcap or this kernel does not know (a config made for a newer
// kernel) are skipped and gathered in *unknown, as runc and crun skip them.
uint64_t resolve_set(const std::vector<std::string> &names, std::vector<std::string> &unknown) {
    uint64_t mask = 0;
    const int last = last_cap();
    for (auto &name : names) {
        int v = cap_number(name);
        if (v < 0 || v > last) {
            if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) unknown.push_back(name);
            continue;
        }
        mask |= uint64_t{1} << v;
    }
    return mask;
}

} // namespace

int last_cap() {
    static const int cached = read_last_cap();
    return cached;
}

CapSets resolve_caps(const spec::Capabilities &c, std::vector<std::string> *unknown_out) {
    std::vector<std::string> unknown;
    CapSets s;
    s.bounding = resolve_set(c.bounding, unknown);
    s.effective = resolve_set(c.effective, unknown);
    s.inheritable = resolve_set(c.inheritable, unknown);
    s.permitted = resolve_set(c.permitted, unknown);
    s.ambient = resolve_set(c.ambient, unknown);
    if (!unknown.empty()) {
        std::string list;
        for (auto &n : unknown) list += (list.empty() ? "" : " ") + n;
        log::warn("process.capabilities: ignoring unknown or unavailable capabilities: " + list);
    }
    if (unknown_out) *unknown_out = unknown;
    return s;
}

std::vector<std::string> known_caps() {
    std::vector<std::string> v;
    for (int cap = 0; cap <= last_cap(); ++cap) {
        char *n = cap_to_name(static_cast<cap_value_t>(cap));
        if (!n) continue;
        std::string name(n);
        cap_free(n);
        if (name.compare(0, 4, "cap_") != 0) continue; // libcap names it by number: too new for it
        for (auto &ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        v.push_back(std::move(name));
    }
    return v;
}

} // namespace burrow::security
