// Reading and writing cgroup files, and where the caller's own cgroups are
// (/proc/self/cgroup). Errors are std::system_error naming the file.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::session {

// Writes value to dir/name in one write(2) (cgroup files take one value per write).
void write_cgroup(const std::string &dir, const std::string &name, const std::string &value);
// The file's text, or nullopt when it cannot be read.
std::optional<std::string> read_cgroup(const std::string &path);
// A number file ("max" reads as 0); 0 when missing.
uint64_t read_u64(const std::string &path);
// "key value" lines (cpu.stat, memory.stat, memory.events): key -> value.
std::map<std::string, uint64_t> read_keyed(const std::string &path);
// cgroup.procs of one directory.
std::vector<pid_t> read_procs(const std::string &dir);

// /proc/self/cgroup text -> controller ("" for cgroup2, "name=systemd", "memory", ...) -> path.
// "4:cpu,cpuacct:/a" gives cpu and cpuacct both "/a".
std::map<std::string, std::string> parse_proc_cgroup(const std::string &text);
// The caller's cgroups, read the first time asked (burrow never moves itself).
const std::map<std::string, std::string> &own_cgroups();

// No iostreams here: the first stream a static binary makes sets up its
// locale, about 1 MiB of peak memory on every container start (bench/).
// s split at sep, empty parts dropped; and at blanks and newlines.
std::vector<std::string> split(const std::string &s, char sep);
std::vector<std::string> words(const std::string &s);
// under/a, under/a/b, ... for rel "a/b" (throws for "..").
std::vector<std::string> nested_dirs(const std::string &under, const std::string &rel);
// mkdir dir, and its missing parents below `under` (which must exist); returns
// the directories made, outermost first.
std::vector<std::string> make_dirs(const std::string &under, const std::string &rel);
// The caller may write this cgroup (create children, move processes in).
bool writable_cgroup(const std::string &dir);

// The processes in dir and in every cgroup below it (made by the container
// inside its own), however deep: a process a container hid in a cgroup
// deeper than a path can name must still be listed by ps and killed by kill
// --all and delete. One directory is open at a time (fstree::visit_dirs).
std::vector<pid_t> procs_in_tree(const std::string &dir);
// Removes every cgroup below dir (not dir), however deep: a container can
// nest its cgroups deeper than a path can name (or a process hold fds for),
// and its own must still go. One directory is open at a time; a cgroup whose
// processes are still leaving is tried again for a while. Throws
// std::system_error naming the cgroup it could not remove.
void remove_sub_cgroups(const std::string &dir);
bool path_exists(const std::string &p);

// Joins "/sys/fs/cgroup/memory" + "/a/b" without doubled slashes.
std::string join_path(const std::string &a, const std::string &b);

} // namespace burrow::session
