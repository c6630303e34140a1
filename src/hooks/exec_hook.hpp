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

HookResult run_hook(const process::Hook &h, const char *state, size_t len) noexcept;

// "hook /usr/bin/x exited with status 2" / "... timed out after 5s" into buf.
void describe(const process::Hook &h, const HookResult &r, char *buf, size_t size) noexcept;

} // namespace burrow::hooks
