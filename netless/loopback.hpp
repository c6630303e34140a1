// Bringing up "lo" in a fresh network namespace: the one piece of networking
// every container gets without privilege. Syscalls only (the child calls it).
#pragma once

namespace burrow::netless {

// Returns 0 or -errno.
int loopback_up() noexcept;

} // namespace burrow::netless
