// HOME when process.env has none: runc and crun take it from the container's
// /etc/passwd. The child reads it there, inside the container (after
// pivot_root, or after joining its mount namespace for exec): an image's
// root, or an overlay a container has changed, is not the host directory the
// parent could read. Syscalls and fixed buffers only.
#pragma once
#include <cstddef>
#include <cstdint>

namespace burrow::process {

// The home directory of `uid` in the passwd text read from fd, copied into
// out (NUL-terminated, at most cap bytes); "/" when uid has no entry or an
// empty home, or the text cannot be read. Lines longer than 4095 bytes are
// skipped, as a malformed entry would be; nothing past the first MiB is read.
void passwd_home(int fd, uint32_t uid, char *out, size_t cap) noexcept;

// Fills the env entry "HOME=" the planner reserved (Plan::home_capacity
// bytes after "HOME=") from /etc/passwd resolved inside the current root
// (the container's), through no procfs magic link. A FIFO, device or
// directory there is not read.
void fill_home(char *const *envp, size_t capacity, uint32_t uid) noexcept;

} // namespace burrow::process
