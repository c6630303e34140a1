// The container's first process between clone and execve: it executes the
// plan with syscalls only. Never returns; on failure it sends an error
// message on the sync socket and _exits.
#pragma once
#include "process/plan.hpp"

namespace burrow::process {

[[noreturn]] void child_main(const Plan &plan, int sync_sock) noexcept;

} // namespace burrow::process
