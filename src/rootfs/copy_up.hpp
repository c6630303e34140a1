// tmpcopyup (a tmpfs mount option of crun's and runc's, which podman sets):
// the tmpfs mounted over an image directory starts with that directory's
// content. Child side: syscalls only, no allocation.
#pragma once

namespace burrow::rootfs {

// Copies the tree under the directory fd `from` into the directory fd `to`:
// directories, regular files, symlinks and FIFOs, with their modes and (where
// allowed) owners. Returns 0 or -errno.
int copy_tree(int from, int to) noexcept;

} // namespace burrow::rootfs
