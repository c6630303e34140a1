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
    // --overlay (lifecycle/overlay.hpp)
    {"overlay", 0, false, "leave the rootfs unchanged: write to an upper layer of the container's own"},
    {"overlay-lower", 0, true, "a further read-only layer below the rootfs, or a colon list, top first (repeatable)",
     "dir"},
    {"overlay-upper", 0, true, "keep the container's changes in this directory instead of the state directory",
     "dir"},
    {"overlay-driver", 0, true, "kernel or fuse (default: the kernel's overlay, else fuse-overlayfs)", "driver"},
    // netless/
    {"network", 0, true, "none, loopback, slirp4netns or pasta[:allow_host_loopback=true] (default: config.json)",
     "mode"},
    {"publish", 'p', true, "forward [hostip:]hostport:containerport[/tcp|/udp] to the container (repeatable)",
     "value"},
    {"image", 0, true, "a squashfs image as the rootfs, with an overlay on top (implies --overlay)", "file"},
    // Shared hosts and HPC
    {"userns", 0, true, "keep-id: the caller's uid and gid the same inside, subordinate ids around them", "mode"},
    {"device", 0, true, "add a CDI device, vendor.com/class=name (repeatable)", "name"},
};

const std::vector<Option> kRun = [] {
    auto o = kCreate;
    o.push_back({"detach", 'd', false, "return once the container runs, instead of waiting for it"});
    o.push_back({"keep", 0, false, "keep the stopped container (burrow delete removes it)"});
    o.push_back({"stop-timeout", 0, true, "after passing on SIGTERM, SIGINT or SIGHUP, SIGKILL the container this "
                                          "many seconds later (batch systems)", "seconds"});
    return o;
}();

} // namespace

// For `burrow unit`, which passes run's options on (cmd_unit.cpp).
const std::vector<Option> &run_options() { return kRun; }

namespace {

// --overlay-lower is repeatable, each a directory or a colon list (top first).
lifecycle::OverlayOptions overlay_options(const Parsed &p) {
    lifecycle::OverlayOptions o;
    o.enabled = p.has("overlay");
    std::string lower = p.get("overlay-lower");
    for (size_t i = 0; i <= lower.size() && !lower.empty();) {
        size_t j = lower.find_first_of(":\n", i);
        if (j == std::string::npos) j = lower.size();
        if (j > i) o.lower.push_back(lower.substr(i, j - i));
        i = j + 1;
    }
    o.upper = absolute(p.get("overlay-upper"));
    o.driver = p.get("overlay-driver");
    if (p.values.count("overlay-upper") && o.upper.empty()) throw Error("--overlay-upper: must not be empty");
    o.image = absolute(p.get("image"));
    if (p.values.count("image") && o.image.empty()) throw Error("--image: must not be empty");
    return o;
}

lifecycle::CreateOptions options(Context &c, const Parsed &p, const char *usage) {
    lifecycle::CreateOptions o;
    o.id = c.id = one_id(p, usage);
    o.bundle = canonical_path(p.get("bundle", "."), "bundle");
    o.console_socket = p.get("console-socket");
    o.pid_file = absolute(p.get("pid-file"));
    o.no_pivot = p.has("no-pivot");
    o.no_new_keyring = p.has("no-new-keyring");
    if (auto n = p.get("preserve-fds"); !n.empty()) o.preserve_fds = fd_count(n);
    o.overlay = overlay_options(p);
    o.network = p.get("network");
    for (auto list = p.get("publish"); !list.empty();) { // repeated values come joined by '\n'
        auto nl = list.find('\n');
        o.publish.push_back(list.substr(0, nl));
        list = nl == std::string::npos ? "" : list.substr(nl + 1);
    }
    o.userns = p.get("userns");
    for (auto d = p.get("device"); !d.empty();) { // repeated: joined with '\n'
        auto nl = d.find('\n');
        o.devices.push_back(d.substr(0, nl));
        d = nl == std::string::npos ? "" : d.substr(nl + 1);
    }
    return o;
}

} // namespace

const CommandHelp help_create{"create", "create a container", "[command options] <container-id>",
    "Sets up a container from the bundle's config.json: namespaces, id maps,\n"
    "mounts, hooks, capabilities and seccomp, then leaves its process waiting\n"
    "just before process.args. `burrow start` releases it. On any error nothing\n"
    "of the container is left. With --overlay the rootfs stays unchanged, and\n"
    "--network gives the container a network namespace of its own.\n",
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
    if (auto t = p.get("stop-timeout"); !t.empty()) {
        char *end;
        long v = strtol(t.c_str(), &end, 10);
        if (*end || v < 0 || v > 86400) throw Error("--stop-timeout: \"" + t + "\" is not a number of seconds");
        if (p.has("detach")) throw Error("--stop-timeout cannot be used with --detach");
        o.stop_timeout = static_cast<int>(v);
    }
    auto mode = p.has("detach") ? lifecycle::RunMode::detached : lifecycle::RunMode::foreground;
    return lifecycle::create(c.globals, o, mode, p.has("keep"));
}

} // namespace burrow::cli
