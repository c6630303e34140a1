// exec: options as runc's, then ID COMMAND [ARGS...] (or --process FILE).
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "cli/options.hpp"
#include "error.hpp"
#include "log.hpp"
#include "read_file.hpp"
#include "security/selinux.hpp"

#include <cstdlib>

namespace burrow::cli {
namespace {

std::vector<std::string> lines(const std::string &s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (!s.empty() && i <= s.size()) {
        size_t j = s.find('\n', i);
        if (j == std::string::npos) j = s.size();
        out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

const std::vector<Option> kExec = {
    {"process", 'p', true, "a JSON file with the process (the config's process object) instead of a command"},
    {"tty", 't', false, "give the process a new terminal"},
    {"cwd", 0, true, "the working directory in the container"},
    {"env", 'e', true, "set an environment variable VAR=VALUE (repeatable)"},
    {"user", 'u', true, "run as UID[:GID] in the container"},
    {"additional-gids", 'g', true, "an additional group id (repeatable)"},
    {"cap", 'c', true, "add a capability, e.g. CAP_NET_RAW (repeatable)"},
    {"no-new-privs", 0, false, "set no_new_privs for the process"},
    {"detach", 'd', false, "return once the process runs, instead of waiting for it"},
    {"pid-file", 0, true, "write the process's pid to this file"},
    {"console-socket", 0, true, "an AF_UNIX socket to receive the terminal's master fd (with --tty and --detach)"},
    {"preserve-fds", 0, true, "pass this many more fds after stdio (default: 0)"},
    {"apparmor", 0, true, "the AppArmor profile of the process"},
    // runc's, for its callers: ignored without SELinux, refused with it, or ignored here.
    {"process-label", 0, true, "ignored where SELinux is off, refused where it is on"},
    {"cgroup", 0, true, "run in this existing sub-cgroup of the container's: SUBPATH, or CONTROLLER[,CONTROLLER]:SUBPATH (repeatable)"},
    {"ignore-paused", 0, false, "accepted for runc's callers, and ignored"},
};

} // namespace

const CommandHelp help_exec{"exec", "run a new process in a container", "[command options] <container-id> <command> [args...]",
    "Runs a command, or the process described by --process, in a created or\n"
    "running container, in its namespaces and with its security settings, and\n"
    "exits with the process's status unless --detach.\n",
    &kExec};

int cmd_exec(Context &c, const Args &a) {
    auto p = parse(a, kExec, true);
    const char *usage = "burrow exec [options] ID COMMAND [ARGS...]  or  burrow exec --process FILE ID";
    if (p.args.empty()) throw Error(std::string("missing the container id; usage: ") + usage);
    lifecycle::ExecOptions o;
    o.id = c.id = p.args[0];
    o.args.assign(p.args.begin() + 1, p.args.end());
    o.process_file = p.get("process");
    if (o.process_file.empty() && o.args.empty()) throw Error(std::string("missing the command; usage: ") + usage);
    if (!o.process_file.empty() && !o.args.empty())
        throw Error("give either --process FILE or a command, not both");
    o.tty = p.has("tty");
    o.cwd = p.get("cwd");
    o.env = lines(p.get("env"));
    o.user = p.get("user");
    for (auto &g : lines(p.get("additional-gids"))) o.additional_gids.push_back(g);
    o.caps = lines(p.get("cap"));
    o.no_new_privs = p.has("no-new-privs");
    o.detach = p.has("detach");
    o.console_socket = p.get("console-socket");
    o.apparmor = p.get("apparmor");
    o.pid_file = absolute(p.get("pid-file"));
    if (auto n = p.get("preserve-fds"); !n.empty()) o.preserve_fds = fd_count(n);
    security::check_selinux_label("--process-label", p.get("process-label"));
    o.cgroups = lines(p.get("cgroup"));
    // As runc: once the options are read, a failure to run the process is exit 255
    // (podman tells 126 and 127 apart by the message, which says why).
    try {
        return lifecycle::exec(c.globals, o);
    } catch (const std::exception &e) {
        log::error("burrow: exec " + c.id + ": " + e.what());
        return 255;
    }
}

} // namespace burrow::cli
