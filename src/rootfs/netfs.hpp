// Network and FUSE filesystems (NFS, GPFS, Lustre, CIFS, CephFS, BeeGFS,
// FUSE): they decide access by the HOST id of the caller, so a container
// user mapped to a subordinate id is a stranger there. A FUSE mount without
// allow_other refuses every id but its owner's outright; the network ones
// give a subordinate id only what is world-readable and nothing of yours.
#pragma once
#include <string>

namespace burrow::rootfs {

// The name of the filesystem with statfs(2) magic `f_type` if it is a
// network or FUSE one ("nfs", "fuse", ...), else nullptr. Pure.
const char *network_fs_name(long f_type);

struct NetFs {
    std::string name;         // "" when the path is on a local filesystem
    bool others_refused = false; // FUSE without allow_other: only its owner gets in
};

// statfs of `path` (and, for FUSE, its mount options). A path that cannot
// be looked at counts as local: the mount itself reports that error later.
NetFs network_fs_of(const std::string &path);

} // namespace burrow::rootfs
