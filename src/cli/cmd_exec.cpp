// exec: options as runc's, then ID COMMAND [ARGS...] (or --process FILE).
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "error.hpp"
#include "log.hpp"
#include "read_file.hpp"

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

} // namespace

int cmd_exec(Context &c, const Args &a) {
    auto p = parse(a,
                   {{"process", 'p', true},   {"tty", 't', false},        {"cwd", 0, true},
                    {"env", 'e', true},       {"user", 'u', true},        {"additional-gids", 'g', true},
                    {"cap", 'c', true},       {"no-new-privs", 0, false}, {"detach", 'd', false},
                    {"pid-file", 0, true},    {"console-socket", 0, true}, {"preserve-fds", 0, true},
                    {"apparmor", 0, true},    {"process-label", 0, true}, {"ignore-paused", 0, false},
                    {"cgroup", 0, true}},
                   true);
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
    if (!p.get("process-label").empty()) throw Error("--process-label: SELinux labels are not supported by burrow");
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
