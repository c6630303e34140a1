// The state JSON that hooks receive on stdin.
#pragma once
#include "state/store.hpp"

#include <string>
#include <sys/types.h>

namespace burrow::lifecycle {

std::string hooks_state(const state::Record &r, const char *status);

// The containerProcessState sent with a seccomp notify fd to the agent at
// linux.seccomp.listenerPath; pid is the process the filter belongs to.
std::string agent_state(const std::string &oci_version, const std::string &state_json, pid_t pid,
                        const std::string &metadata);

} // namespace burrow::lifecycle
