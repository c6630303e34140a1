// Paths resolved inside the rootfs: symlinks and ".." in the image are
// followed as if the rootfs were "/", so nothing can lead outside it. openat2
// RESOLVE_IN_ROOT where the kernel has it (5.6), else the same walk by hand
// (older kernels, valgrind). Child side: syscalls only, no allocation.
#pragma once

namespace burrow::rootfs {

// An fd (flags | O_CLOEXEC, typically O_PATH) for path below rootfd, or -errno.
int openat2_in_root(int rootfd, const char *path, int flags) noexcept;

// The same without openat2 (used when it is missing; exposed for tests).
int resolve_by_hand(int rootfd, const char *path, int flags) noexcept;

// Opens (creating as needed) path below rootfd without leaving it. Returns an
// O_PATH fd or -errno. A dangling symlink on the way gets its target created,
// inside the root.
int open_in_root(int rootfd, const char *path, bool create, bool as_file) noexcept;

} // namespace burrow::rootfs
