// The container's first process between clone and execve: it executes the
// plan with syscalls only. Never returns; on failure it sends an error
// message on the sync socket and _exits.
#pragma once
#include "process/plan.hpp"

namespace burrow::process {

[[noreturn]] void child_main(const Plan &plan, int sync_sock) noexcept;

// `exec`: enter the running container's namespaces (plan.joins), take on the
// process's identity and limits, and exec. Success is the sync socket closing
// at exec (close-on-exec); a failure is an error message on it.
[[noreturn]] void join_main(const Plan &plan, int sync_sock) noexcept;

} // namespace burrow::process
