// The processes of a container: those in its cgroup, when it has one.
// Without, its pid namespace says who belongs: every process in it (the
// init's own, when the container has one); else the init and its descendants.
#pragma once
#include "state/store.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::lifecycle {

// "pid:[4026532193]": the namespace a process is in ("" when it is gone).
std::string ns_link(pid_t pid, const char *name);

// Sorted pids, the init first; empty when the container has stopped.
std::vector<pid_t> container_pids(const state::Record &r);

} // namespace burrow::lifecycle
