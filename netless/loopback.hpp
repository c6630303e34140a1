// Bringing up "lo" in a fresh network namespace: the one piece of networking
// every container gets without privilege. Syscalls only (the child calls it).
#pragma once

namespace burrow::netless {

// slirp4netns's interface in the container.
inline constexpr const char *kTapName = "tap0";

// Returns 0 or -errno.
int loopback_up() noexcept;

// Makes the tap device `name` (IFF_TAP | IFF_NO_PI, as slirp4netns asks for
// it) persistent in the current network namespace, for the helper to attach
// to. Why: the last close of a non-persistent tap unregisters the device
// there and then, which waits for RCU grace periods (15-20 ms here), and the
// helper's exit, which `run` waits for, would pay it. A persistent one goes
// with the namespace instead, in the kernel's own time. Returns 0 or -errno.
int persistent_tap(const char *name) noexcept;

} // namespace burrow::netless
