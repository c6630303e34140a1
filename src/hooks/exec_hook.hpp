// Runs one hook: the state JSON on its stdin, its timeout enforced. noexcept
// and allocation-free, so the child uses it for createContainer and
// startContainer hooks as the parent does for the others.
#pragma once
#include "process/plan.hpp"

#include <cstddef>

namespace burrow::hooks {

struct HookResult {
    int err = 0;       // errno of a failed fork/exec/wait, or ETIMEDOUT
    int status = 0;    // wait status when it ran
    bool ok() const noexcept { return err == 0 && status == 0; }
};

// Each hook leads a process group of its own and dies with its runner
// (PR_SET_PDEATHSIG): a runner killed mid-hook (a SIGKILLed create) leaves no
// hook running on. group_record (or null): a file that names the group
// ("PGID START") while the hook runs, so `delete --force` ends what the hook
// started too (end_recorded_group); written before the hook is released to
// exec, removed when it ends.
HookResult run_hook(const process::Hook &h, const char *state, size_t len, const char *group_record = nullptr) noexcept;

// SIGKILLs the process group a group_record names, if its leader is gone or
// is still the same process; removes the record.
void end_recorded_group(const std::string &group_record);

// "hook /usr/bin/x exited with status 2" / "... timed out after 5s" into buf.
void describe(const process::Hook &h, const HookResult &r, char *buf, size_t size) noexcept;

} // namespace burrow::hooks
