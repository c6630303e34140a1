// pause, resume, update, events: the commands on the container's cgroup.
#include "cli/commands.hpp"
#include "cli/help.hpp"
#include "cli/options.hpp"
#include "error.hpp"

namespace burrow::cli {
namespace {

// Each flag of update is one resource of linux.resources; the rest of the
// table is generated from this list so the parser and --help agree.
struct UpdateFlag {
    const char *name, *help, *value_name;
};
const UpdateFlag kUpdateFlags[] = {
    {"memory", "memory limit in bytes, or with a k, m or g suffix", "size"},
    {"memory-swap", "limit on memory and swap together (-1: no limit)", "size"},
    {"memory-reservation", "soft memory limit (memory.low on cgroup v2)", "size"},
    {"kernel-memory", "accepted and ignored: kernels no longer limit kernel memory apart", "size"},
    {"kernel-memory-tcp", "accepted and ignored, as --kernel-memory", "size"},
    {"cpu-quota", "CPU time in microseconds allowed per period (-1: no limit)", "us"},
    {"cpu-period", "the period of --cpu-quota in microseconds", "us"},
    {"cpu-shares", "relative CPU weight", "n"},
    {"cpu-rt-period", "real-time scheduling period in microseconds (cgroup v1)", "us"},
    {"cpu-rt-runtime", "real-time runtime in microseconds per period (cgroup v1)", "us"},
    {"cpuset-cpus", "the CPUs allowed, as 0-2,4", "list"},
    {"cpuset-mems", "the memory nodes allowed, as 0-2,4", "list"},
    {"pids-limit", "most processes the container may have (-1: no limit)", "n"},
    {"blkio-weight", "block I/O weight, 10 to 1000", "n"},
};

const std::vector<Option> kUpdate = [] {
    std::vector<Option> o = {
        {"resources", 'r', true, "read linux.resources as JSON from this file, or - for standard input", "file"}};
    for (auto &f : kUpdateFlags) o.push_back({f.name, 0, true, f.help, f.value_name});
    return o;
}();

const std::vector<Option> kEvents = {
    {"stats", 0, false, "print one stats event and exit"},
    {"interval", 0, true, "time between stats events, as 5s, 500ms or 1m30s (default: 5s)", "duration"},
};

} // namespace

const CommandHelp help_pause{"pause", "freeze every process of a container", "<container-id>",
    "Freezes the container's cgroup: its processes stop being scheduled until\n"
    "`burrow resume`. Needs the container to have a cgroup.\n",
    &kNoOptions};
const CommandHelp help_resume{"resume", "thaw a paused container", "<container-id>",
    "Thaws the cgroup of a container that `burrow pause` froze.\n", &kNoOptions};
const CommandHelp help_update{"update", "change a container's resource limits", "[command options] <container-id>",
    "Writes new limits to the container's cgroup while it runs, from the flags\n"
    "or from a linux.resources object of config.json given with --resources\n"
    "(flags win over the file). Limits not given are left as they are.\n",
    &kUpdate};
const CommandHelp help_events{"events", "print a container's stats and OOM events as JSON", "[command options] <container-id>",
    "Prints one JSON object per line: a stats event every --interval, and an oom\n"
    "event each time the kernel's OOM killer acts in the container's cgroup,\n"
    "until the container stops.\n",
    &kEvents};

int cmd_pause(Context &c, const Args &a) {
    auto p = parse(a, kNoOptions);
    c.id = one_id(p, "burrow pause ID");
    lifecycle::pause(c.globals, c.id);
    return 0;
}

int cmd_resume(Context &c, const Args &a) {
    auto p = parse(a, kNoOptions);
    c.id = one_id(p, "burrow resume ID");
    lifecycle::resume(c.globals, c.id);
    return 0;
}

int cmd_update(Context &c, const Args &a) {
    auto p = parse(a, kUpdate);
    c.id = one_id(p, "burrow update [--memory N --cpu-quota N ... | -r resources.json|-] ID");
    std::map<std::string, std::string> flags;
    for (auto &f : kUpdateFlags)
        if (p.values.count(f.name)) flags[f.name] = p.get(f.name);
    if (flags.empty() && !p.values.count("resources"))
        throw Error("nothing to update: give resource flags (see burrow update --help) or -r FILE");
    lifecycle::update(c.globals, c.id, p.get("resources"), flags);
    return 0;
}

int cmd_events(Context &c, const Args &a) {
    auto p = parse(a, kEvents);
    c.id = one_id(p, "burrow events [--stats] [--interval 5s] ID");
    long interval = lifecycle::parse_duration_ms(p.get("interval", "5s"));
    lifecycle::events(c.globals, c.id, p.has("stats"), interval, 1);
    return 0;
}

} // namespace burrow::cli
