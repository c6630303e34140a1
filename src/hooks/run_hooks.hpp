// The hooks the runtime runs itself, in its own namespaces: prestart and
// createRuntime (during create), poststart (after start), poststop (delete).
#pragma once
#include "process/plan.hpp"
#include "spec/model.hpp"

#include <string>
#include <vector>

namespace burrow::hooks {

std::vector<process::Hook> prepare(const std::vector<spec::Hook> &hooks);

// Runs each in order with the state on stdin. Throws Error("<stage>: hook X
// exited with status N") on the first failure.
// group_record: see run_hook (empty: none).
void run_all(const std::vector<process::Hook> &hooks, const std::string &state, const char *stage,
             const std::string &group_record = "");

// As run_all, but a failure is only logged and the rest still run (poststart, poststop).
void run_all_warn(const std::vector<process::Hook> &hooks, const std::string &state, const char *stage,
                  const std::string &group_record = "");

} // namespace burrow::hooks
