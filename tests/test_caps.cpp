// Capabilities: name resolution, and the child-side helpers in a forked child.
#include <catch2/catch.hpp>
#include "in_child.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <linux/capability.h>
#include <string>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.hpp"
#include "security/apply.hpp"
#include "security/caps.hpp"

using namespace burrow;
using namespace burrow::security;

namespace {

constexpr uint64_t bit(int cap) { return uint64_t{1} << cap; }

// The names resolve_caps skipped.
std::vector<std::string> skipped(const spec::Capabilities &c, uint64_t *bounding = nullptr) {
    std::vector<std::string> out;
    auto s = resolve_caps(c, &out);
    if (bounding) *bounding = s.bounding;
    return out;
}

// "CapBnd" -> its mask from /proc/self/status (in the calling process).
bool status_mask(const char *key, uint64_t &out) {
    FILE *f = std::fopen("/proc/self/status", "re");
    if (!f) return false;
    char line[256];
    bool found = false;
    size_t klen = std::strlen(key);
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, key, klen) == 0 && line[klen] == ':') {
            unsigned long long v = 0;
            found = std::sscanf(line + klen + 1, "%llx", &v) == 1;
            out = v;
            break;
        }
    }
    std::fclose(f);
    return found;
}

// Is this id mapped in our user namespace (/proc/self/uid_map or gid_map)?
bool id_mapped(const char *map, unsigned id) {
    std::ifstream f(map);
    unsigned inside = 0, outside = 0, count = 0;
    while (f >> inside >> outside >> count)
        if (id >= inside && id - inside < count) return true;
    return false;
}

bool have_setpcap() {
    uint64_t eff = 0;
    return status_mask("CapEff", eff) && (eff & bit(CAP_SETPCAP)) && (eff & bit(CAP_SETUID)) &&
           (eff & bit(CAP_SETGID));
}

} // namespace

TEST_CASE("caps: names resolve to bits", "[caps]") {
    spec::Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_KILL"};
    c.effective = {"CAP_CHOWN"};
    c.inheritable = {};
    c.permitted = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
    c.ambient = {"CAP_NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE"};
    auto s = resolve_caps(c);
    REQUIRE(s.bounding == (bit(CAP_CHOWN) | bit(CAP_SYS_ADMIN) | bit(CAP_KILL)));
    REQUIRE(s.effective == bit(0));
    REQUIRE(s.inheritable == 0);
    REQUIRE(s.permitted == (bit(0) | bit(10)));
    REQUIRE(s.ambient == bit(CAP_NET_BIND_SERVICE));

    spec::Capabilities all;
    all.bounding = known_caps();
    auto a = resolve_caps(all);
    REQUIRE(a.bounding == (last_cap() == 63 ? ~uint64_t{0} : (bit(last_cap() + 1) - 1)));
}

TEST_CASE("caps: unknown names are skipped, as runc and crun skip them", "[caps]") {
    using V = std::vector<std::string>;
    spec::Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_FOO"};
    uint64_t bnd = 0;
    REQUIRE(skipped(c, &bnd) == V{"CAP_FOO"});
    REQUIRE(bnd == bit(CAP_CHOWN));

    c = {};
    c.effective = {"chown", "cap_chown", "CAP_0"}; // runc requires the prefix, in upper case
    c.ambient = {"", "chown"};                     // each name once
    REQUIRE(skipped(c) == V{"chown", "cap_chown", "CAP_0", ""});

    // A capability libcap knows but the running kernel does not.
    if (last_cap() < CAP_CHECKPOINT_RESTORE) {
        c = {};
        c.permitted = {"CAP_CHECKPOINT_RESTORE"};
        REQUIRE(skipped(c) == V{"CAP_CHECKPOINT_RESTORE"});
    }
}

TEST_CASE("caps: last_cap and known_caps", "[caps]") {
    std::ifstream f("/proc/sys/kernel/cap_last_cap");
    int proc = -1;
    f >> proc;
    REQUIRE(last_cap() == proc);
    REQUIRE(last_cap() >= 37); // CAP_AUDIT_READ: Linux 3.16

    auto names = known_caps();
    REQUIRE(names.size() <= static_cast<size_t>(last_cap() + 1));
    REQUIRE(names.size() >= 38);
    REQUIRE(names[0] == "CAP_CHOWN");
    REQUIRE(names[CAP_SYS_ADMIN] == "CAP_SYS_ADMIN");
    REQUIRE(names[CAP_AUDIT_READ] == "CAP_AUDIT_READ");
}

TEST_CASE("caps: drop_bounding in a child", "[caps][fork]") {
    if (!have_setpcap()) {
        WARN("skipped: needs CAP_SETPCAP, CAP_SETUID and CAP_SETGID");
        return;
    }
    uint64_t before = 0;
    REQUIRE(status_mask("CapBnd", before));
    const uint64_t keep = bit(CAP_CHOWN) | bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE) | bit(CAP_SETPCAP);
    const int last = last_cap();
    int status = in_child([&]() -> int {
        if (drop_bounding(keep, last) != 0) return 1;
        uint64_t bnd = 0;
        if (!status_mask("CapBnd", bnd)) return 2;
        if (bnd != (keep & before)) return 3;
        // Dropping again is a no-op, even for capabilities already gone.
        if (drop_bounding(keep, last) != 0) return 4;
        // Now drop CAP_SETPCAP too: the already dropped ones need no CAP_SETPCAP.
        if (drop_bounding(bit(CAP_CHOWN), last) != 0) return 5;
        if (!status_mask("CapBnd", bnd) || bnd != (bit(CAP_CHOWN) & before)) return 6;
        // CAP_SETPCAP left the bounding set but is still effective: CHOWN can go too.
        if (drop_bounding(0, last) != 0) return 7;
        return 0;
    });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("caps: keepcaps, setuid and apply_caps in a child", "[caps][fork]") {
    if (!have_setpcap()) {
        WARN("skipped: needs CAP_SETPCAP, CAP_SETUID and CAP_SETGID");
        return;
    }
    spec::Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"};
    c.effective = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
    c.permitted = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"};
    c.inheritable = {"CAP_NET_BIND_SERVICE"};
    c.ambient = {"CAP_NET_BIND_SERVICE"};
    const CapSets caps = resolve_caps(c);
    const int last = last_cap();
    // Become uid 1000 on the way when it exists here (not in a one-id user namespace).
    const bool switch_user = id_mapped("/proc/self/uid_map", 1000) && id_mapped("/proc/self/gid_map", 1000);
    if (!switch_user) WARN("uid/gid 1000 not mapped: applying caps as root only");
    int status = in_child([&]() -> int {
        if (drop_bounding(caps.bounding, last) != 0) return 1;
        if (set_keepcaps(true) != 0) return 2;
        if (switch_user) {
            if (::syscall(SYS_setresgid, 1000, 1000, 1000) != 0) return 3;
            if (::syscall(SYS_setresuid, 1000, 1000, 1000) != 0) return 4;
            // keepcaps kept the permitted set; the effective one is empty until apply_caps.
            uint64_t v = ~uint64_t{0};
            if (!status_mask("CapEff", v) || v != 0) return 64;
        }
        if (set_keepcaps(false) != 0) return 5;
        if (int r = apply_caps(caps); r != 0) return 10 + (-r % 50);
        uint64_t v = 0;
        if (!status_mask("CapEff", v) || v != caps.effective) return 6;
        if (!status_mask("CapPrm", v) || v != caps.permitted) return 7;
        if (!status_mask("CapInh", v) || v != caps.inheritable) return 8;
        if (!status_mask("CapAmb", v) || v != caps.ambient) return 9;
        if (!status_mask("CapBnd", v) || v != caps.bounding) return 60;
        if (set_no_new_privs() != 0) return 61;
        if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 62;
        // An ambient capability outside the inheritable set cannot be raised:
        // skipped, as runc does with `runc spec`'s own config.
        CapSets skip = caps;
        skip.ambient |= bit(CAP_KILL);
        if (apply_caps(skip) != 0) return 63;
        if (!status_mask("CapAmb", v) || v != caps.ambient) return 65;
        return 0;
    });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}
