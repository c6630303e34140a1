// Removing a tree a container made, however deep: its overlay layer, the
// cgroups it nested inside its own. A container can nest directories deeper
// than a path can name or than a process may hold fds open for, and what it
// made must still go. So the walk holds one directory open at a time,
// descends into the first directory that is not empty, and climbs back
// through "..", checked against the device and inode it came down from (a
// ".." that leads elsewhere stops it rather than remove anything there). It
// never follows a link. Standalone: includes nothing from src/.
#pragma once
#include <string>

namespace burrow::fstree {

struct Removal {
    bool files = true;           // unlink what is not a directory (false: leave it, a cgroup's control files)
    bool make_searchable = true; // give a directory without u+rwx those bits first (a layer's mode-000 ones)
    int busy_ms = 0;             // a directory rmdir finds busy (a cgroup whose processes are leaving) is tried this long
};

// Removes everything below the open directory fd, not fd's directory
// itself. Returns 0 or the first errno; *where then names the entry that
// failed below fd ("a/b", or ".../b" for a deep one).
int remove_below(int fd, const Removal &how, std::string *where = nullptr);

} // namespace burrow::fstree
