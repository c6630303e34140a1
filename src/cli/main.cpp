// burrow: global options, then one command. Errors become one line,
// "burrow: <command> <id>: <what>: <why>", and exit status 1.
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "error.hpp"
#include "log.hpp"
#include "userns/rootless.hpp"

#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>
#include <seccomp.h>
#include <unistd.h>

using namespace burrow;

namespace {

const char kUsage[] =
    "usage: burrow [global options] COMMAND [options] [ID]\n"
    "\n"
    "A rootless-first OCI container runtime.\n"
    "\n"
    "Commands:\n"
    "  spec      write a starting config.json\n"
    "  create    create a container; its process waits for start\n"
    "  start     run the user process of a created container\n"
    "  run       create and start, then wait for the container\n"
    "  exec      run a new process in a running container\n"
    "  state     print a container's state as JSON\n"
    "  list      list containers\n"
    "  ps        list the processes of a container\n"
    "  kill      send a signal to a container's process\n"
    "  delete    delete a container\n"
    "  features  print the runtime's features as JSON\n"
    "  pause     freeze every process of a container\n"
    "  resume    thaw a paused container\n"
    "  update    change a container's resource limits\n"
    "  events    print a container's stats and OOM events as JSON\n"
    "  check-host  check that this host can run rootless containers\n"
    "  unit      print or install a user service that runs a container\n"
    "\n"
    "Global options:\n"
    "  --root DIR          state directory (default $XDG_RUNTIME_DIR/burrow, else $TMPDIR/burrow-UID,\n"
    "                      else /tmp/burrow-UID; /run/burrow for root)\n"
    "  --log FILE          write log messages to FILE\n"
    "  --log-format FMT    text or json\n"
    "  --debug             log debug messages\n"
    "  --systemd-cgroup    use the systemd cgroup manager\n"
    "  --cgroup-manager M  cgroupfs, systemd or disabled (default: cgroupfs when a cgroup is writable)\n"
    "  --rootless VALUE    accepted for runc's callers, and ignored (burrow decides from its ids)\n"
    "  --criu PATH         accepted for runc's callers, and ignored\n"
    "  --log-level LEVEL   accepted for crun's callers (conmon), and ignored\n"
    "  -v, --version       print the version\n"
    "  -h, --help          print this help\n"
    "\n"
    "See burrow(1) and burrow-COMMAND(1).\n";

struct Command {
    const char *name;
    int (*fn)(cli::Context &, const cli::Args &);
    const cli::CommandHelp *help = nullptr; // `burrow COMMAND --help`
};

const Command kCommands[] = {
    {"spec", cli::cmd_spec, &cli::help_spec},
    {"create", cli::cmd_create, &cli::help_create},
    {"run", cli::cmd_run, &cli::help_run},
    {"start", cli::cmd_start, &cli::help_start},
    {"exec", cli::cmd_exec, &cli::help_exec},
    {"state", cli::cmd_state, &cli::help_state},
    {"list", cli::cmd_list, &cli::help_list},
    {"ps", cli::cmd_ps, &cli::help_ps},
    {"kill", cli::cmd_kill, &cli::help_kill},
    {"delete", cli::cmd_delete, &cli::help_delete},
    {"features", cli::cmd_features, &cli::help_features},
    {"check-host", cli::cmd_check_host, &cli::help_check_host},
    {"pause", cli::cmd_pause, &cli::help_pause},
    {"resume", cli::cmd_resume, &cli::help_resume},
    {"update", cli::cmd_update, &cli::help_update},
    {"events", cli::cmd_events, &cli::help_events},
    {"unit", cli::cmd_unit, &cli::help_unit},
};

std::string default_root() {
    if (!userns::rootless()) return "/run/burrow";
    if (const char *x = getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/burrow";
    // A batch job has no login session: its own TMPDIR (Slurm, PBS) goes away with it.
    if (const char *t = getenv("TMPDIR"); t && *t == '/') return std::string(t) + "/burrow-" + std::to_string(geteuid());
    return "/tmp/burrow-" + std::to_string(geteuid());
}

// Global flags that podman, containerd, CRI-O or conmon pass to runc or crun:
// accepted, and ignored where burrow decides by itself.
bool takes_value(const std::string &n) {
    return n == "root" || n == "log" || n == "log-format" || n == "rootless" || n == "criu" ||
           n == "cgroup-manager" || n == "log-level";
}

// Any other global option is refused, as runc and crun refuse it: podman's
// --runtime-flag relies on that.
bool known_flag(const std::string &n) { return takes_value(n) || n == "debug" || n == "systemd-cgroup"; }

} // namespace

int main(int argc, char **argv) {
    // Writes to pipes (hooks' stdin) report EPIPE instead of killing us; the
    // container process and hooks get the default back before exec.
    signal(SIGPIPE, SIG_IGN);
    std::string root, logfile, logfmt = "text", cgroup_manager;
    bool debug = false;
    int i = 1;
    try {
        for (; i < argc && argv[i][0] == '-'; i++) {
            std::string a = argv[i];
            if (a == "-h" || a == "--help") {
                fputs(kUsage, stdout);
                return 0;
            }
            if (a == "-v" || a == "--version") {
                const scmp_version *v = seccomp_version();
                printf("burrow version %s\nspec: 1.2.0\nlibseccomp: %u.%u.%u\n", BURROW_VERSION, v->major, v->minor,
                       v->micro);
                return 0;
            }
            std::string name = a.substr(a[1] == '-' ? 2 : 1), value;
            bool has_value = false;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                has_value = true;
            }
            if (!known_flag(name)) throw Error("unknown global option " + a + " (see burrow --help)");
            if (takes_value(name) && !has_value) {
                if (i + 1 >= argc) throw Error("option --" + name + " needs a value");
                value = argv[++i];
            }
            if (name == "root") root = value;
            else if (name == "log") logfile = value;
            else if (name == "log-format") {
                if (value != "text" && value != "json") throw Error("--log-format: \"" + value + "\" is not text or json");
                logfmt = value;
            } else if (name == "debug") debug = !has_value || value == "true";
            else if (name == "cgroup-manager") cgroup_manager = value;
            else if (name == "systemd-cgroup" && (!has_value || value == "true")) cgroup_manager = "systemd";
            // --systemd-cgroup, --rootless, --cgroup-manager, --criu, --log-level:
            // accepted so that wrappers' command lines work.
        }
        if (!root.empty() && root[0] != '/') {
            char cwd[4096];
            if (getcwd(cwd, sizeof cwd)) root = std::string(cwd) + "/" + root;
        }
        log::init(logfile, logfmt == "json", debug);
    } catch (const std::exception &e) {
        log::error(std::string("burrow: ") + e.what());
        return 1;
    }
    if (i >= argc) { // as runc: no command is a request for help
        fputs(kUsage, stdout);
        return 0;
    }
    std::string cmd = argv[i];
    cli::Args args(argv + i + 1, argv + argc);
    cli::Context ctx;
    ctx.globals.root = root.empty() ? default_root() : root;
    ctx.globals.cgroup_manager = cgroup_manager;
    ctx.root_given = !root.empty();
    ctx.argv0 = argv[0];
    for (auto &c : kCommands) {
        if (cmd != c.name) continue;
        for (auto &a : args) {
            if (!a.empty() && a[0] != '-') break; // exec's command may have a --help of its own
            if (a == "-h" || a == "--help") {
                if (c.help) {
                    fputs(cli::format_help(*c.help).c_str(), stdout);
                    return 0;
                }
                printf("usage: burrow %s [options]%s\nSee burrow-%s(1).\n", c.name,
                       cmd == "list" || cmd == "spec" || cmd == "features" ? "" : " ID", c.name);
                return 0;
            }
        }
        try {
            return c.fn(ctx, args);
        } catch (const std::exception &e) {
            std::string where = "burrow: " + cmd + (ctx.id.empty() ? "" : " " + ctx.id) + ": ";
            // A path or value with bytes that are not UTF-8 (a bundle directory's
            // name, say), which no JSON file can hold: said so, not in nlohmann's words.
            auto *te = dynamic_cast<const nlohmann::json::type_error *>(&e);
            std::string what = e.what();
            if (te && te->id == 316)
                what = "a path or value is not UTF-8, which JSON (burrow's state and config files) cannot hold (" +
                       what.substr(what.find(']') + 2) + ")";
            log::error(where + what);
            return 1;
        }
    }
    log::error("burrow: unknown command \"" + cmd + "\" (see burrow --help)");
    return 1;
}
