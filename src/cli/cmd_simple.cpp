// The commands with at most a flag or two.
#include "cli/commands.hpp"
#include "cli/help.hpp"
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

const std::vector<Option> kSpec = {
    {"bundle", 'b', true, "write config.json into this directory (default: the current directory)"},
    {"rootless", 0, false, "a configuration for an unprivileged user (the default when not root)"},
    {"keep-id", 0, false, "with --rootless: the caller's uid and gid the same inside the container"},
};
const std::vector<Option> kList = {
    {"format", 'f', true, "table or json (default: table)"},
    {"quiet", 'q', false, "print only the container ids"},
};
const std::vector<Option> kPs = {
    {"format", 'f', true, "table (ps(1)'s output) or json (the pids) (default: table)"},
};
const std::vector<Option> kKill = {
    {"all", 'a', false, "signal every process of the container, not only its init"},
    {"signal", 's', true, "the signal, when not given as an argument", "value", true},
};
const std::vector<Option> kDelete = {
    {"force", 'f', false, "kill a running container (SIGKILL) and delete it"},
};

} // namespace

const CommandHelp help_spec{"spec", "write a starting config.json", "[command options]",
    "Writes config.json for a bundle: a shell (sh) as the process, the usual\n"
    "namespaces, mounts and a minimal capability set. Edit it, then put the root\n"
    "filesystem in the bundle's rootfs/ directory.\n",
    &kSpec};
const CommandHelp help_start{"start", "run the program of a created container", "<container-id>",
    "Releases the process that `burrow create` left waiting: it executes\n"
    "process.args. Returns at once, or once the program said READY=1 when\n"
    "NOTIFY_SOCKET is set.\n",
    &kNoOptions};
const CommandHelp help_state{"state", "print a container's state as JSON", "<container-id>",
    "Prints the OCI state of the container: its id, status (created, running,\n"
    "stopped), the pid of its process, the bundle and the annotations.\n",
    &kNoOptions};
const CommandHelp help_list{"list", "list the containers", "[command options]",
    "Lists the containers of the state directory (the global --root).\n", &kList};
const CommandHelp help_ps{"ps", "list the processes of a container", "[command options] <container-id> [ps options]",
    "Runs ps(1) with the given options (default: -ef) and keeps the lines of the\n"
    "container's processes, or prints their pids as a JSON array.\n",
    &kPs};
const CommandHelp help_kill{"kill", "send a signal to a container", "[command options] <container-id> [signal]",
    "Sends the signal (a name such as KILL or SIGKILL, or a number; default\n"
    "SIGTERM) to the container's init process, or with --all to all of its\n"
    "processes.\n",
    &kKill};
const CommandHelp help_delete{"delete", "delete a container", "[command options] <container-id>",
    "Removes a stopped (or, with --force, a running) container and all that was\n"
    "made for it, and runs its poststop hooks.\n",
    &kDelete};
const CommandHelp help_features{"features", "print the runtime's features as JSON", "",
    "Prints the OCI runtime features document: the hooks, mount options,\n"
    "namespaces, capabilities and seccomp actions this build supports.\n",
    &kNoOptions};

int cmd_spec(Context &, const Args &a) {
    auto p = parse(a, kSpec);
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow spec [--rootless] [--keep-id] [-b DIR]");
    // An unprivileged caller can only use the rootless variant.
    bool rootless = p.has("rootless") || userns::rootless();
    if (p.has("keep-id") && !rootless) throw Error("--keep-id: only with --rootless");
    lifecycle::write_spec(p.get("bundle", "."), rootless, p.has("keep-id"));
    return 0;
}

int cmd_start(Context &c, const Args &a) {
    auto p = parse(a, kNoOptions);
    c.id = one_id(p, "burrow start ID");
    lifecycle::start(c.globals, c.id);
    return 0;
}

int cmd_state(Context &c, const Args &a) {
    auto p = parse(a, kNoOptions);
    c.id = one_id(p, "burrow state ID");
    print(lifecycle::state_text(c.globals, c.id));
    return 0;
}

int cmd_list(Context &c, const Args &a) {
    auto p = parse(a, kList);
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow list [--format table|json] [-q]");
    print(lifecycle::list(c.globals, p.get("format", "table"), p.has("quiet")));
    return 0;
}

int cmd_ps(Context &c, const Args &a) {
    auto p = parse(a, kPs, true);
    if (p.args.empty()) throw Error("missing the container id; usage: burrow ps [--format table|json] ID [PS OPTIONS]");
    c.id = p.args[0];
    print(lifecycle::ps(c.globals, c.id, p.get("format", "table"), {p.args.begin() + 1, p.args.end()}));
    return 0;
}

int cmd_kill(Context &c, const Args &a) {
    auto p = parse(a, kKill);
    if (p.args.empty() || p.args.size() > 2) throw Error("usage: burrow kill [--all] ID [SIGNAL]");
    c.id = p.args[0];
    std::string sig = p.args.size() == 2 ? p.args[1] : p.get("signal", "SIGTERM");
    lifecycle::kill(c.globals, c.id, lifecycle::parse_signal(sig), p.has("all"));
    return 0;
}

int cmd_delete(Context &c, const Args &a) {
    auto p = parse(a, kDelete);
    c.id = one_id(p, "burrow delete [--force] ID");
    lifecycle::remove(c.globals, c.id, p.has("force"));
    return 0;
}

int cmd_features(Context &, const Args &a) {
    auto p = parse(a, kNoOptions);
    if (!p.args.empty()) throw Error("too many arguments; usage: burrow features");
    print(lifecycle::features());
    return 0;
}

} // namespace burrow::cli
