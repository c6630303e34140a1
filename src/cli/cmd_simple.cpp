// The commands with at most a flag or two.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "error.hpp"
#include "lifecycle/signals.hpp"
#include "userns/rootless.hpp"

#include <unistd.h>

namespace burrow::cli {
namespace {

void print(const std::string &s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = write(1, s.data() + off, s.size() - off);
        if (n <= 0) throw_errno("write to stdout");
        off += static_cast<size_t>(n);
    }
}

} // namespace

int cmd_spec(Context &, const Args &a) {
    auto p = parse(a, {{"bundle", 'b', true}, {"rootless", 0, false}, {"keep-id", 0, false}});
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow spec [--rootless] [--keep-id] [-b DIR]");
    // An unprivileged caller can only use the rootless variant.
    bool rootless = p.has("rootless") || userns::rootless();
    if (p.has("keep-id") && !rootless) throw Error("--keep-id: only with --rootless");
    lifecycle::write_spec(p.get("bundle", "."), rootless, p.has("keep-id"));
    return 0;
}

int cmd_start(Context &c, const Args &a) {
    auto p = parse(a, {});
    c.id = one_id(p, "burrow start ID");
    lifecycle::start(c.globals, c.id);
    return 0;
}

int cmd_state(Context &c, const Args &a) {
    auto p = parse(a, {});
    c.id = one_id(p, "burrow state ID");
    print(lifecycle::state_text(c.globals, c.id));
    return 0;
}

int cmd_list(Context &c, const Args &a) {
    auto p = parse(a, {{"format", 'f', true}, {"quiet", 'q', false}});
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow list [--format table|json] [-q]");
    print(lifecycle::list(c.globals, p.get("format", "table"), p.has("quiet")));
    return 0;
}

int cmd_ps(Context &c, const Args &a) {
    auto p = parse(a, {{"format", 'f', true}}, true);
    if (p.args.empty()) throw Error("missing the container id; usage: burrow ps [--format table|json] ID [PS OPTIONS]");
    c.id = p.args[0];
    print(lifecycle::ps(c.globals, c.id, p.get("format", "table"), {p.args.begin() + 1, p.args.end()}));
    return 0;
}

int cmd_kill(Context &c, const Args &a) {
    auto p = parse(a, {{"all", 'a', false}, {"signal", 's', true}});
    if (p.args.empty() || p.args.size() > 2) throw Error("usage: burrow kill [--all] ID [SIGNAL]");
    c.id = p.args[0];
    std::string sig = p.args.size() == 2 ? p.args[1] : p.get("signal", "SIGTERM");
    lifecycle::kill(c.globals, c.id, lifecycle::parse_signal(sig), p.has("all"));
    return 0;
}

int cmd_delete(Context &c, const Args &a) {
    auto p = parse(a, {{"force", 'f', false}});
    c.id = one_id(p, "burrow delete [--force] ID");
    lifecycle::remove(c.globals, c.id, p.has("force"));
    return 0;
}

int cmd_features(Context &, const Args &a) {
    auto p = parse(a, {});
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow features");
    print(lifecycle::features());
    return 0;
}

} // namespace burrow::cli
