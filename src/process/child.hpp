// The container's first process between clone and execve: it executes the
// plan with syscalls only. Never returns; on failure it sends an error
// message on the sync socket and _exits.
#pragma once
#include "process/plan.hpp"

#include <sys/types.h>

namespace burrow::process {

[[noreturn]] void child_main(const Plan &plan, int sync_sock) noexcept;

// `exec`: enter the running container's namespaces (plan.joins), take on the
// process's identity and limits, and exec. Success is the sync socket closing
// at exec (close-on-exec); a failure is an error message on it.
[[noreturn]] void join_main(const Plan &plan, int sync_sock) noexcept;

// Whether join_main never waits for the parent with this plan (no "go", no
// seccomp agent's state) and may run as vfork_join() runs it: no time
// namespace to join (setns refuses a process sharing its memory: EUSERS).
// (oom_score_adj stays the vfork child's own: the kernel gives it to every
// process sharing the memory except a vfork child's, t-exec checks it.)
bool can_vfork_join(const Plan &plan) noexcept;

// Starts join_main in a child that shares our memory (CLONE_VM) while we
// sleep until it has executed the program or died (CLONE_VFORK), and so
// does its fork into a joined pid namespace: nothing of burrow's memory is
// copied, and nothing of it is touched while the child runs (we are
// asleep). other_end (our end of the sync socket) is closed in the child.
// born_inside: we entered the container's pid namespace for our children
// (the memory is made non-dumpable before the child exists). Returns the
// child's pid, or -1 with errno (nothing started).
pid_t vfork_join(const Plan &plan, int sync_sock, int other_end, bool born_inside) noexcept;

} // namespace burrow::process
