#include "spec/validate.hpp"
#include "error.hpp"

#include <sys/stat.h>

namespace burrow::spec {
namespace {

[[noreturn]] void bad(const std::string &field, const std::string &why) { throw Error(field + ": " + why); }

bool has_new(const Linux *l, NsType t) {
    if (!l) return false;
    auto *n = l->find(t);
    return n != nullptr;
}

// The namespace a config entry gives the container is the caller's own (a
// path naming the namespace we are in): a sysctl set there changes the host.
bool is_callers(const Namespace *n, const char *name) {
    if (!n || n->path.empty()) return false;
    struct stat theirs, ours;
    std::string self = std::string("/proc/self/ns/") + name;
    return stat(n->path.c_str(), &theirs) == 0 && stat(self.c_str(), &ours) == 0 && theirs.st_dev == ours.st_dev &&
           theirs.st_ino == ours.st_ino;
}

void check_sysctl(const Linux &l) {
    for (auto &[k, v] : l.sysctl) {
        std::string f = "linux.sysctl." + k;
        if (k.empty() || k.find("..") != std::string::npos || k[0] == '/' || k[0] == '.') bad(f, "invalid name");
        bool net = k.rfind("net.", 0) == 0;
        bool ipc = k.rfind("kernel.msg", 0) == 0 || k.rfind("kernel.sem", 0) == 0 || k.rfind("kernel.shm", 0) == 0 ||
                   k.rfind("fs.mqueue.", 0) == 0;
        bool uts = k == "kernel.hostname" || k == "kernel.domainname";
        if (net) {
            // A joined one is fine too (podman makes the network namespace itself).
            if (!l.find(NsType::network)) bad(f, "needs a network namespace");
            if (is_callers(l.find(NsType::network), "net")) bad(f, "not allowed in the host's network namespace");
        } else if (ipc) {
            if (!l.find(NsType::ipc)) bad(f, "needs an ipc namespace");
            if (is_callers(l.find(NsType::ipc), "ipc")) bad(f, "not allowed in the host's ipc namespace");
        } else if (uts) {
            // Only a new one: in a joined namespace the name is another's
            // (the host's, another container's), as runc sees it.
            auto *n = l.find(NsType::uts);
            if (!n) bad(f, "needs a uts namespace");
            if (is_callers(n, "uts")) bad(f, "not allowed in the host's uts namespace");
            if (!n->path.empty()) bad(f, "needs a uts namespace of the container's own, not a joined one (" + n->path + ")");
        } else {
            bad(f, "is not namespaced: it would change the host");
        }
    }
}

} // namespace

void validate(const Config &c) {
    if (c.oci_version.rfind("1.", 0) != 0) bad("ociVersion", "\"" + c.oci_version + "\" is not a 1.x version");
    if (c.root.path.empty()) bad("root.path", "is required");
    if (!c.process) bad("process", "is required");
    auto &p = *c.process;
    if (p.args.empty()) bad("process.args", "must not be empty");
    if (p.args[0].empty()) bad("process.args[0]", "must not be empty");
    if (!p.cwd.empty() && p.cwd[0] != '/') bad("process.cwd", "\"" + p.cwd + "\" is not an absolute path");
    for (size_t i = 0; i < p.env.size(); i++)
        if (p.env[i].find('=') == std::string::npos)
            bad("process.env[" + std::to_string(i) + "]", "\"" + p.env[i] + "\" is not NAME=value");
    if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
        bad("process.oomScoreAdj", "must be between -1000 and 1000");
    if (p.user.umask && *p.user.umask > 0777) bad("process.user.umask", "must be at most 0777");
    for (auto &r : p.rlimits)
        if (r.soft > r.hard) bad("process.rlimits", r.type + ": soft limit above the hard limit");
    if (p.terminal && p.console_size && (p.console_size->height > 65535 || p.console_size->width > 65535))
        bad("process.consoleSize", "out of range");
    // process.selinuxLabel and linux.mountLabel: checked against the host by the planner (security/selinux.hpp).

    auto hooks_ok = [](const std::vector<Hook> &hs, const char *name) {
        for (size_t i = 0; i < hs.size(); i++) {
            std::string f = std::string("hooks.") + name + "[" + std::to_string(i) + "]";
            if (hs[i].path.empty() || hs[i].path[0] != '/') bad(f + ".path", "must be an absolute path");
            if (hs[i].timeout && *hs[i].timeout <= 0) bad(f + ".timeout", "must be greater than zero");
        }
    };
    hooks_ok(c.hooks.prestart, "prestart");
    hooks_ok(c.hooks.create_runtime, "createRuntime");
    hooks_ok(c.hooks.create_container, "createContainer");
    hooks_ok(c.hooks.start_container, "startContainer");
    hooks_ok(c.hooks.poststart, "poststart");
    hooks_ok(c.hooks.poststop, "poststop");

    const Linux *l = c.linux_ ? &*c.linux_ : nullptr;
    if (!c.hostname.empty() && !has_new(l, NsType::uts)) bad("hostname", "needs a uts namespace");
    if (!c.domainname.empty() && !has_new(l, NsType::uts)) bad("domainname", "needs a uts namespace");
    if (!l) return;
    for (size_t i = 0; i < l->namespaces.size(); i++) {
        auto &n = l->namespaces[i];
        if (!n.path.empty() && n.path[0] != '/')
            bad("linux.namespaces[" + std::to_string(i) + "].path", "\"" + n.path + "\" is not an absolute path");
    }
    if ((!l->uid_mappings.empty() || !l->gid_mappings.empty()) && !l->find(NsType::user))
        bad("linux.uidMappings", "mappings need a user namespace");
    if (!l->time_offsets.empty()) {
        auto *t = l->find(NsType::time);
        if (!t || !t->path.empty()) bad("linux.timeOffsets", "needs a new time namespace");
    }
    check_sysctl(*l);
    if (l->personality && l->personality->domain != "LINUX" && l->personality->domain != "LINUX32")
        bad("linux.personality.domain", "\"" + l->personality->domain + "\" is not LINUX or LINUX32");
}

} // namespace burrow::spec
