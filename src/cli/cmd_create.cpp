// create and run share their options.
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "cli/options.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <climits>
#include <cstdlib>
#include <unistd.h>

namespace burrow::cli {
namespace {

const std::vector<Option> kCreate = {
    {"bundle", 'b', true, "the bundle directory (default: the current directory)"},
    {"console-socket", 0, true, "an AF_UNIX socket to receive the terminal's master fd (process.terminal)"},
    {"pid-file", 0, true, "write the container process's pid to this file"},
    {"no-pivot", 0, false, "enter the rootfs with chroot instead of pivot_root (a rootfs on a ramfs)"},
    {"no-new-keyring", 0, false, "keep the caller's session keyring instead of a new one"},
    {"preserve-fds", 0, true, "pass this many more fds, after stdio and LISTEN_FDS (default: 0)"},
    // Accepted for callers written for runc; burrow needs neither.
    {"no-subreaper", 0, false, nullptr, "value", true},
    {"notify-socket", 0, true, nullptr, "value", true},
};

const std::vector<Option> kRun = [] {
    auto o = kCreate;
    o.push_back({"detach", 'd', false, "return once the container runs, instead of waiting for it"});
    o.push_back({"keep", 0, false, "keep the stopped container (burrow delete removes it)"});
    return o;
}();


lifecycle::CreateOptions options(Context &c, const Parsed &p, const char *usage) {
    lifecycle::CreateOptions o;
    o.id = c.id = one_id(p, usage);
    o.bundle = canonical_path(p.get("bundle", "."), "bundle");
    o.console_socket = p.get("console-socket");
    o.pid_file = absolute(p.get("pid-file"));
    o.no_pivot = p.has("no-pivot");
    o.no_new_keyring = p.has("no-new-keyring");
    if (auto n = p.get("preserve-fds"); !n.empty()) o.preserve_fds = fd_count(n);
    return o;
}

} // namespace

const CommandHelp help_create{"create", "create a container", "[command options] <container-id>",
    "Sets up a container from the bundle's config.json: namespaces, id maps,\n"
    "mounts, hooks, capabilities and seccomp, then leaves its process waiting\n"
    "just before process.args. `burrow start` releases it. On any error nothing\n"
    "of the container is left.\n",
    &kCreate};
const CommandHelp help_run{"run", "create and start a container, and wait for it", "[command options] <container-id>",
    "Creates the container, starts it and, unless --detach, waits for it,\n"
    "forwarding signals, and exits with its status (128+N when killed by\n"
    "signal N). The stopped container is deleted unless --keep.\n",
    &kRun};

int cmd_create(Context &c, const Args &a) {
    auto p = parse(a, kCreate);
    auto o = options(c, p, "burrow create [options] ID");
    return lifecycle::create(c.globals, o, lifecycle::RunMode::create, false);
}

int cmd_run(Context &c, const Args &a) {
    auto p = parse(a, kRun);
    auto o = options(c, p, "burrow run [options] ID");
    if (p.has("detach") && p.has("keep")) throw Error("--keep cannot be used with --detach");
    auto mode = p.has("detach") ? lifecycle::RunMode::detached : lifecycle::RunMode::foreground;
    return lifecycle::create(c.globals, o, mode, p.has("keep"));
}

} // namespace burrow::cli
