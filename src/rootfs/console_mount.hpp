// /dev/console for process.terminal (create and run, never exec): the
// container's pty is bound onto it, as the runtime-spec asks and runc and
// crun do. The mount point is made before pivot_root and kept as an fd; the
// bind goes onto that fd after the pty exists, so a container (a hook, a
// volume shared with another container) that swaps /dev/console for a
// symlink meanwhile cannot redirect it (runc's CVE-2025-52565). Child side:
// syscalls only, no allocation.
#pragma once
#include "rootfs/mount_exec.hpp"

#include <sys/types.h>

namespace burrow::rootfs {

struct ConsolePoint {
    int fd = -1;        // the mount point, opened without following a symlink
    dev_t dev = 0;      // the filesystem of the /dev it is in
    bool made = false;  // burrow created it (an empty regular file)
};

// Before pivot_root, with p.console: the mount point in the container's /dev.
// In its own /dev burrow makes an empty regular file (replacing a symlink);
// an existing regular file or character device is used as it is, as runc
// does. In a /dev a bind mount provides, burrow makes a regular file only
// when there is no /dev/console, and refuses anything but a file or device.
bool make_console_point(const MountPlan &p, int rootfd, ConsolePoint &out, Failure &f) noexcept;

// After the pty exists: checks the point by its fd (still the file made or
// found, not unlinked or replaced) and binds the pty (pty_fd) onto it.
bool bind_console(const ConsolePoint &pt, int pty_fd, Failure &f) noexcept;

} // namespace burrow::rootfs
