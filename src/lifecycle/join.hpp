// run --join (lifecycle/join.cpp): the ranks that run with the same id share one container.
#pragma once
#include "lifecycle/lifecycle.hpp"

namespace burrow::lifecycle {

// Creates the container if no rank runs in it, runs o.edits.args in it as
// exec does, and deletes it when this was the last rank. The rank's exit code.
int run_joined(const Globals &g, const CreateOptions &o);

} // namespace burrow::lifecycle
