// Running the setuid helpers newuidmap/newgidmap (internal to the library).
#pragma once
#include <string>
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

} // namespace burrow::userns
