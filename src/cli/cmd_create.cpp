// create and run share their options.
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "cli/options.hpp"
#include "lifecycle/join.hpp"
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
    // --overlay (layers/overlay.hpp)
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
    {"userns", 0, true, "keep-id: the caller's uid and gid the same inside, subordinate ids around them "
                        "(newuidmap and newgidmap: about 1 ms more); keep-id:single: the caller's ids alone, "
                        "written directly, as ch-run maps (enough unless the job changes to or chowns to other "
                        "ids)", "mode"},
    {"device", 0, true, "add a CDI device, vendor.com/class=name (repeatable)", "name"},
    // No config.json to write (lifecycle/config_edits.hpp): without --bundle,
    // --rootfs or a command after -- builds the config from the rootless template.
    {"rootfs", 0, true, "this directory as the rootfs; without --bundle: no config.json, the rootless template",
     "dir"},
    {"volume", 'v', true, "bind SRC at DST in the container, read-only with :ro (repeatable)", "src:dst[:ro]"},
    {"env", 'e', true, "set VAR=VALUE in the process's environment (repeatable)", "var=value"},
    {"env-host", 0, false, "pass the caller's environment on (SLURM_*, PMI_*, OMPI_*, ...), as ch-run does"},
    {"cwd", 0, true, "the process's working directory", "dir"},
    {"writable", 'w', false, "the rootfs or image read-write (root.readonly false), as ch-run's -w"},
};

const std::vector<Option> kRun = [] {
    auto o = kCreate;
    o.push_back({"detach", 'd', false, "return once the container runs, instead of waiting for it"});
    o.push_back({"keep", 0, false, "keep the stopped container (burrow delete removes it)"});
    o.push_back({"join", 0, false, "the ranks that run with the same id share one container (user, mount, IPC, "
                                   "pid namespaces, image mount): the first creates it, the last deletes it; "
                                   "without an id, in a Slurm step: slurm-$SLURM_JOB_ID.$SLURM_STEP_ID"});
    o.push_back({"stop-timeout", 0, true, "after passing on SIGTERM, SIGINT or SIGHUP, SIGKILL the container this "
                                          "many seconds later (batch systems)", "seconds"});
    return o;
}();

} // namespace

// For `burrow unit`, which passes run's options on (cmd_unit.cpp).
const std::vector<Option> &run_options() { return kRun; }

namespace {

// --overlay-lower is repeatable, each a directory or a colon list (top first).
layers::OverlayOptions overlay_options(const Parsed &p) {
    layers::OverlayOptions o;
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

std::vector<std::string> repeated(const std::string &joined) { // repeated values come joined by '\n'
    std::vector<std::string> v;
    for (auto list = joined; !list.empty();) {
        auto nl = list.find('\n');
        v.push_back(list.substr(0, nl));
        list = nl == std::string::npos ? "" : list.substr(nl + 1);
    }
    return v;
}

// --rootfs, -v, -e, --env-host, --cwd, -w and ID -- CMD ARGS...: without
// --bundle, --rootfs or a command means the template, not ./config.json.
lifecycle::ConfigEdits config_edits(const Parsed &p) {
    lifecycle::ConfigEdits e;
    if (p.values.count("rootfs")) {
        e.rootfs = p.get("rootfs");
        if (e.rootfs.empty()) throw Error("--rootfs: must not be empty");
        if (p.values.count("image")) throw Error("--rootfs and --image: give one of them");
        e.rootfs = canonical_path(e.rootfs, "--rootfs");
    }
    e.volumes = repeated(p.get("volume"));
    e.env = repeated(p.get("env"));
    e.env_host = p.has("env-host");
    e.cwd = p.get("cwd");
    if (p.values.count("cwd") && e.cwd.empty()) throw Error("--cwd: must not be empty");
    e.writable = p.has("writable");
    e.args.assign(p.args.begin() + 1, p.args.end());
    e.from_template = !p.values.count("bundle") && (!e.rootfs.empty() || !e.args.empty());
    if (e.from_template && e.rootfs.empty() && !p.values.count("image"))
        throw Error("a command without --bundle needs --rootfs DIR or --image FILE");
    if (e.from_template && e.args.empty()) throw Error("--rootfs without --bundle needs a command: ID -- CMD [ARGS...]");
    return e;
}

lifecycle::CreateOptions options(Context &c, const Parsed &p, const char *usage) {
    lifecycle::CreateOptions o;
    if (p.args.empty()) one_id(p, usage); // says what is missing
    o.id = c.id = p.args[0];
    o.edits = config_edits(p);
    o.bundle = canonical_path(p.get("bundle", "."), "bundle");
    o.console_socket = p.get("console-socket");
    o.pid_file = absolute(p.get("pid-file"));
    o.no_pivot = p.has("no-pivot");
    o.no_new_keyring = p.has("no-new-keyring");
    if (auto n = p.get("preserve-fds"); !n.empty()) o.preserve_fds = fd_count(n);
    o.overlay = overlay_options(p);
    o.network = p.get("network");
    o.publish = repeated(p.get("publish"));
    o.userns = p.get("userns");
    o.devices = repeated(p.get("device"));
    return o;
}

} // namespace

const CommandHelp help_create{"create", "create a container", "[command options] <container-id> [-- command [args...]]",
    "Sets up a container from the bundle's config.json: namespaces, id maps,\n"
    "mounts, hooks, capabilities and seccomp, then leaves its process waiting\n"
    "just before process.args. `burrow start` releases it. On any error nothing\n"
    "of the container is left. With --overlay the rootfs stays unchanged, and\n"
    "--network gives the container a network namespace of its own.\n"
    "With --rootfs DIR or --image FILE and a command after --, and no --bundle,\n"
    "there is no config.json to write: burrow's rootless template is used.\n",
    &kCreate};
const CommandHelp help_run{"run", "create and start a container, and wait for it",
    "[command options] <container-id> [-- command [args...]]",
    "Creates the container, starts it and, unless --detach, waits for it,\n"
    "forwarding signals, and exits with its status (128+N when killed by\n"
    "signal N). The stopped container is deleted unless --keep.\n"
    "With --rootfs DIR or --image FILE and a command after --, and no --bundle,\n"
    "there is no config.json to write: burrow's rootless template is used\n"
    "(as `burrow spec --rootless` writes it; -v, -e, --env-host, --cwd and -w\n"
    "edit it, or a bundle's config.json):\n"
    "  burrow run --image img.sqfs --env-host -v /scratch:/scratch t1 -- ./app\n"
    "--userns keep-id:single maps your own ids alone, with no setuid helper:\n"
    "the ranges of plain keep-id are worth their cost only when the job must\n"
    "switch to or chown to other ids (package managers, images with files of\n"
    "many owners that must keep them).\n"
    "--join makes the ranks that run with the same id share one container;\n"
    "in a Slurm step the id may be left out (`burrow run --join --image img.sqfs\n"
    "-- ./rank`): it is slurm-$SLURM_JOB_ID.$SLURM_STEP_ID.\n",
    &kRun};

int cmd_create(Context &c, const Args &a) {
    auto p = parse(a, kCreate);
    auto o = options(c, p, "burrow create [options] ID [-- CMD [ARGS...]]");
    return lifecycle::create(c.globals, o, lifecycle::RunMode::create, false);
}

namespace {

// run --join -- CMD: in a Slurm step the ranks of a node share one
// container without naming it; the job and step ids name it (ch-run's
// --join takes its tag from the same variables).
std::string slurm_join_id() {
    const char *job = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID");
    if (!job || !*job)
        throw Error("--join without a container id needs SLURM_JOB_ID (a Slurm step) to name the shared "
                    "container; outside Slurm give one: burrow run --join ID -- CMD");
    std::string id = std::string("slurm-") + job;
    if (step && *step) id += std::string(".") + step;
    return id;
}

} // namespace

int cmd_run(Context &c, const Args &a) {
    auto p = parse(a, kRun);
    if (p.has("join") && p.before_dashes == 0) p.args.insert(p.args.begin(), slurm_join_id());
    auto o = options(c, p, "burrow run [options] ID [-- CMD [ARGS...]]");
    if (p.has("detach") && p.has("keep")) throw Error("--keep cannot be used with --detach");
    if (auto t = p.get("stop-timeout"); !t.empty()) {
        char *end;
        long v = strtol(t.c_str(), &end, 10);
        if (*end || v < 0 || v > 86400) throw Error("--stop-timeout: \"" + t + "\" is not a number of seconds");
        if (p.has("detach")) throw Error("--stop-timeout cannot be used with --detach");
        o.stop_timeout = static_cast<int>(v);
    }
    if (p.has("join")) {
        if (p.has("detach") || p.has("keep") || !p.get("stop-timeout").empty() || !o.console_socket.empty())
            throw Error("--join cannot be used with --detach, --keep, --stop-timeout or --console-socket");
        return lifecycle::run_joined(c.globals, o);
    }
    auto mode = p.has("detach") ? lifecycle::RunMode::detached : lifecycle::RunMode::foreground;
    return lifecycle::create(c.globals, o, mode, p.has("keep"));
}

} // namespace burrow::cli
