// One function per command: parse its options, call one lifecycle function.
#pragma once
#include "lifecycle/lifecycle.hpp"

#include <string>
#include <vector>

namespace burrow::cli {

using Args = std::vector<std::string>;

// Each returns burrow's exit code. `id` is set as soon as it is known, for
// the error line "burrow: <command> <id>: ...".
struct Context {
    lifecycle::Globals globals;
    std::string id;
    bool root_given = false;     // the global --root was given (burrow unit passes it on)
    const char *argv0 = nullptr; // how burrow was called (burrow unit writes its path)
};

int cmd_spec(Context &c, const Args &a);
int cmd_create(Context &c, const Args &a);
int cmd_run(Context &c, const Args &a);
int cmd_start(Context &c, const Args &a);
int cmd_exec(Context &c, const Args &a);
int cmd_state(Context &c, const Args &a);
int cmd_list(Context &c, const Args &a);
int cmd_ps(Context &c, const Args &a);
int cmd_kill(Context &c, const Args &a);
int cmd_delete(Context &c, const Args &a);
int cmd_features(Context &c, const Args &a);
int cmd_pause(Context &c, const Args &a);
int cmd_resume(Context &c, const Args &a);
int cmd_update(Context &c, const Args &a);
int cmd_events(Context &c, const Args &a);
int cmd_check_host(Context &c, const Args &a);
int cmd_unit(Context &c, const Args &a);

// `burrow COMMAND --help` of each (cli/help.hpp), defined next to its option table.
struct CommandHelp;
extern const CommandHelp help_spec, help_create, help_run, help_start, help_exec, help_state, help_list, help_ps,
    help_kill, help_delete, help_features, help_check_host, help_pause, help_resume, help_update, help_events,
    help_unit;

// run's option table (cmd_create.cpp), which `unit` passes on.
struct Option;
const std::vector<Option> &run_options();

} // namespace burrow::cli
