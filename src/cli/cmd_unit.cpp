// unit: a container as a systemd user service (src/unit/). Parses unit's own
// options and run's, which it passes on to the unit's `burrow run`.
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "cli/options.hpp"
#include "error.hpp"
#include "read_file.hpp"
#include "unit/unit.hpp"

#include <cstring>

namespace burrow::cli {
namespace {

// run's options that make no sense for a service, refused.
const char *const kNotForUnit[] = {"detach", "keep", "console-socket"};
// run's options whose values are paths: made absolute (the service runs elsewhere).
const char *const kPathOptions[] = {"pid-file", "overlay-upper", "overlay-lower", "image"};

bool listed(const char *name, const auto &names) {
    for (const char *n : names)
        if (!strcmp(n, name)) return true;
    return false;
}

const std::vector<Option> kUnit = [] {
    std::vector<Option> o = {
        {"bundle", 'b', true, "the bundle directory (default: the current directory)"},
        {"restart", 0, true, "the service's Restart=: on-failure, always or no (default: on-failure)", "policy"},
        {"notify", 0, false, "Type=notify: active once the program says READY=1 (the default)"},
        {"exec", 0, false, "Type=exec: active once burrow runs, for a program that does not notify"},
        {"systemd-cgroup", 0, false, "the container's cgroup below the service's (Delegate=yes)"},
        {"install", 0, false, "write ~/.config/systemd/user/ID.service and reload the user manager"},
        {"enable", 0, false, "install, and enable the service (it starts with the user manager)"},
    };
    // run's options, passed on; burrow-run(1) lists them.
    for (auto r : run_options()) {
        if (!strcmp(r.name, "bundle")) continue;
        r.hidden = true;
        o.push_back(r);
    }
    return o;
}();

// A colon list of paths (--overlay-lower), each made absolute.
std::string absolute_list(const std::string &v) {
    std::string out;
    for (size_t i = 0; i <= v.size();) {
        size_t j = v.find(':', i);
        if (j == std::string::npos) j = v.size();
        out += (out.empty() ? "" : ":") + absolute(v.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// run's options as given, in run's table order, for the unit's ExecStart.
std::vector<std::string> passed_on(const Parsed &p) {
    std::vector<std::string> out;
    for (auto &r : run_options()) {
        if (!strcmp(r.name, "bundle") || !p.values.count(r.name)) continue;
        if (listed(r.name, kNotForUnit))
            throw Error(std::string("--") + r.name + " cannot be used in a service (burrow unit runs `burrow run` in the foreground)");
        if (!r.takes_value) {
            if (p.has(r.name)) out.push_back(std::string("--") + r.name);
            continue;
        }
        for (std::string v = p.get(r.name); ;) { // repeated values come joined by '\n'
            auto nl = v.find('\n');
            std::string one = v.substr(0, nl);
            if (listed(r.name, kPathOptions)) one = strcmp(r.name, "overlay-lower") ? absolute(one) : absolute_list(one);
            out.push_back(std::string("--") + r.name);
            out.push_back(one);
            if (nl == std::string::npos) break;
            v = v.substr(nl + 1);
        }
    }
    return out;
}

} // namespace

const CommandHelp help_unit{"unit", "print or install a user service that runs a container",
    "[command options] <container-id>",
    "Prints a systemd user service that runs the container of the bundle with\n"
    "`burrow run`, as README's \"A container as a user service\" shows: burrow's\n"
    "absolute path, the bundle's, Type=notify (or exec), the Restart= policy,\n"
    "and ExecStopPost=burrow delete --force. The global --root and\n"
    "--systemd-cgroup (or --cgroup-manager) are passed on, and so is any option\n"
    "of burrow run but --detach, --keep and --console-socket (see burrow-run(1)).\n"
    "With --install it is written to ~/.config/systemd/user/ID.service (or under\n"
    "$XDG_CONFIG_HOME) and the user manager reloaded; --enable enables it too.\n",
    &kUnit};

int cmd_unit(Context &c, const Args &a) {
    auto p = parse(a, kUnit);
    unit::UnitSpec s;
    s.id = c.id = one_id(p, "burrow unit [options] ID");
    if (p.has("notify") && p.has("exec")) throw Error("--notify and --exec cannot be used together");
    s.notify = !p.has("exec");
    s.restart = p.get("restart", "on-failure");
    if (c.root_given) s.globals = {"--root", c.globals.root};
    s.delegate = p.has("systemd-cgroup") || c.globals.cgroup_manager == "systemd";
    if (s.delegate) s.globals.push_back("--systemd-cgroup");
    else if (!c.globals.cgroup_manager.empty()) s.globals.insert(s.globals.end(), {"--cgroup-manager", c.globals.cgroup_manager});
    s.run_args = {"--bundle", canonical_path(p.get("bundle", "."), "bundle")};
    canonical_path(s.run_args[1] + "/config.json", "bundle"); // a typo fails now, not at the service's start
    auto more = passed_on(p);
    s.run_args.insert(s.run_args.end(), more.begin(), more.end());
    s.burrow = unit::self_path(c.argv0);
    auto mode = p.has("enable") ? unit::Mode::enable : p.has("install") ? unit::Mode::install : unit::Mode::print;
    return unit::unit(s, mode);
}

} // namespace burrow::cli
