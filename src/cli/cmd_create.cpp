// create and run share their options.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <climits>
#include <cstdlib>
#include <unistd.h>

namespace burrow::cli {
namespace {

const std::vector<Option> kCreate = {
    {"bundle", 'b', true},        {"console-socket", 0, true}, {"pid-file", 0, true},
    {"no-pivot", 0, false},       {"no-new-keyring", 0, false}, {"preserve-fds", 0, true},
    {"no-subreaper", 0, false},   {"notify-socket", 0, true},
    // --overlay (lifecycle/overlay.hpp)
    {"overlay", 0, false},        {"overlay-lower", 0, true},  {"overlay-upper", 0, true},
    {"overlay-driver", 0, true},
    {"image", 0, true}, // --image FILE.sqfs (lifecycle/image.hpp)
    {"network", 0, true},         {"publish", 'p', true}, // netless/
    // Shared hosts and HPC
    {"userns", 0, true},          {"device", 0, true},
};

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

int cmd_create(Context &c, const Args &a) {
    auto p = parse(a, kCreate);
    auto o = options(c, p, "burrow create [options] ID");
    return lifecycle::create(c.globals, o, lifecycle::RunMode::create, false);
}

int cmd_run(Context &c, const Args &a) {
    auto opts = kCreate;
    opts.push_back({"detach", 'd', false});
    opts.push_back({"keep", 0, false});
    opts.push_back({"stop-timeout", 0, true}); // batch use: SIGKILL this long after SIGTERM
    auto p = parse(a, opts);
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
