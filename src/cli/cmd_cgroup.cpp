// pause, resume, update, events: the commands on the container's cgroup.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "error.hpp"

namespace burrow::cli {

int cmd_pause(Context &c, const Args &a) {
    auto p = parse(a, {});
    c.id = one_id(p, "burrow pause ID");
    lifecycle::pause(c.globals, c.id);
    return 0;
}

int cmd_resume(Context &c, const Args &a) {
    auto p = parse(a, {});
    c.id = one_id(p, "burrow resume ID");
    lifecycle::resume(c.globals, c.id);
    return 0;
}

namespace {

const char *const kUpdateFlags[] = {"memory",     "memory-swap",   "memory-reservation", "kernel-memory",
                                    "kernel-memory-tcp", "cpu-quota", "cpu-period", "cpu-shares",
                                    "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems",
                                    "pids-limit", "blkio-weight"};

} // namespace

int cmd_update(Context &c, const Args &a) {
    std::vector<Option> opts = {{"resources", 'r', true}};
    for (auto f : kUpdateFlags) opts.push_back({f, 0, true});
    auto p = parse(a, opts);
    c.id = one_id(p, "burrow update [--memory N --cpu-quota N ... | -r resources.json|-] ID");
    std::map<std::string, std::string> flags;
    for (auto f : kUpdateFlags)
        if (p.values.count(f)) flags[f] = p.get(f);
    if (flags.empty() && !p.values.count("resources"))
        throw Error("nothing to update: give resource flags (see burrow update --help) or -r FILE");
    lifecycle::update(c.globals, c.id, p.get("resources"), flags);
    return 0;
}

int cmd_events(Context &c, const Args &a) {
    auto p = parse(a, {{"stats", 0, false}, {"interval", 0, true}});
    c.id = one_id(p, "burrow events [--stats] [--interval 5s] ID");
    long interval = lifecycle::parse_duration_ms(p.get("interval", "5s"));
    lifecycle::events(c.globals, c.id, p.has("stats"), interval, 1);
    return 0;
}

} // namespace burrow::cli
