// check-host: is this host ready for rootless containers, and if not, why.
#include "checkhost/check_host.hpp"
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "cli/options.hpp"
#include "error.hpp"

#include <cstdio>

namespace burrow::cli {
namespace {

const std::vector<Option> kCheckHost = {
    {"format", 'f', true, "text or json (default: text)"},
};

} // namespace

const CommandHelp help_check_host{"check-host", "check that this host can run rootless containers", "[command options]",
    "Probes what a rootless container needs (user namespaces, subordinate ids,\n"
    "newuidmap/newgidmap, cgroup delegation, the systemd user manager, /dev/fuse,\n"
    "/dev/net/tun, overlayfs in a user namespace, fuse-overlayfs, slirp4netns,\n"
    "pasta, seccomp, pidfd, openat2, the mount API, the state directory) and\n"
    "prints one line per check: OK, WARN or MISSING, what it means for a\n"
    "container, and the fix. Exits 1 when no rootless container can run here.\n",
    &kCheckHost};

int cmd_check_host(Context &c, const Args &a) {
    auto p = parse(a, kCheckHost);
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow check-host [--format text|json]");
    std::string out;
    int status = checkhost::check_host_report(c.globals.root, c.globals.cgroup_manager, p.get("format", "text"), out);
    fputs(out.c_str(), stdout);
    return status;
}

} // namespace burrow::cli
