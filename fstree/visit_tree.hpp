// Visiting every directory of a tree a container made, however deep: the
// cgroups it nested inside its own, whose processes `ps`, `kill --all` and
// `delete` must find. As remove_below, one directory is open at a time and
// the walk climbs back through "..", checked against the device and inode
// it came down from; it never follows a link. Standalone: includes nothing
// from src/.
#pragma once
#include <functional>

namespace burrow::fstree {

// Calls visit with an fd of fd's own directory, then of every directory
// below it (each parent before its children; the fd is the walk's, valid
// during the call). A directory gone meanwhile is skipped. Returns 0 or the
// first errno that stopped the walk (ESTALE: a ".." led elsewhere).
int visit_dirs(int fd, const std::function<void(int dirfd)> &visit);

} // namespace burrow::fstree
