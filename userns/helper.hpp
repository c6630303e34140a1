// Running the setuid helpers newuidmap/newgidmap (internal to the library).
#pragma once
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::userns {

// The helper `name` from the absolute directories of PATH, else /usr/bin;
// empty when there is none.
std::string find_helper(const char *name);

// Runs helper `name` (found by find_helper) with `argv` (argv[0] included),
// an empty environment, stdin from /dev/null, stdout and stderr captured and
// every other fd closed; waits for it. Throws std::runtime_error with the
// command line and the helper's own output when it fails, or
// "newuidmap not found: install the uidmap package to use subordinate id ranges".
void run_helper(const char *name, const std::vector<std::string> &argv);

// run_helper in two halves, so that newuidmap and newgidmap run side by side:
// start_helper spawns it; finish_helper reads its output, waits for it and
// throws as run_helper does. A RunningHelper never finished is waited for.
struct RunningHelper {
    pid_t pid = -1;
    int out = -1;
    std::string name;
    std::vector<std::string> argv;
    RunningHelper() = default;
    RunningHelper(RunningHelper &&o) noexcept : pid(o.pid), out(o.out), name(std::move(o.name)), argv(std::move(o.argv)) {
        o.pid = -1;
        o.out = -1;
    }
    RunningHelper(const RunningHelper &) = delete;
    ~RunningHelper();
};
RunningHelper start_helper(const char *name, const std::vector<std::string> &argv);
void finish_helper(RunningHelper &r);

} // namespace burrow::userns
