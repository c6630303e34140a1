// Id maps for a user namespace: checking what an unprivileged caller may map,
// the defaults of a rootless container, and the text the kernel and
// newuidmap/newgidmap take. Everything here is pure (no syscalls).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "userns/subid.hpp"

namespace burrow::userns {

// The kernel accepts at most this many lines in uid_map or gid_map.
inline constexpr std::size_t max_map_lines = 340;

// One line of /proc/PID/uid_map: container ids inside .. inside+count-1 are
// host ids outside .. outside+count-1.
struct IdMap {
    uint32_t inside = 0;
    uint32_t outside = 0;
    uint32_t count = 0;
    friend bool operator==(const IdMap &, const IdMap &) = default;
};

// Checks that an unprivileged caller with id `own_id` and subordinate ranges
// `ranges` (from `file`, for `user`) may install `maps`, and that the kernel
// would take them. Each mapping must be the caller's own id alone (count 1) or
// lie entirely inside the union of the ranges (adjacent ranges join). Also
// rejects size 0, ids past max_id, overlapping container-side or host-side
// ranges and more than max_map_lines mappings. Throws std::runtime_error with
// one line naming `field`, e.g.
//   linux.uidMappings: host ids 300000-300009 are not yours: you are uid 1001
//   and /etc/subuid gives burrowtest 200000-265535
// ("uid" becomes "gid" when field or file names gids.)
void check_entitled(const std::vector<IdMap> &maps, uint32_t own_id, const std::vector<Range> &ranges,
                    const std::string &field, const std::string &file, const std::string &user);

// True when an unprivileged process may write this map itself: exactly one
// line, count 1, outside == own_id.
bool writable_directly(const std::vector<IdMap> &maps, uint32_t own_id);

// The container's id for host id `outside` under maps, or -1 where it is unmapped.
int64_t inside_id(const std::vector<IdMap> &maps, uint32_t outside);

// The kernel's text: "0 1001 1\n1 200000 65536\n".
std::string format_map(const std::vector<IdMap> &maps);

// {"newuidmap", "1234", "0", "1001", "1", "1", "200000", "65536"}
std::vector<std::string> helper_argv(const char *helper, int pid, const std::vector<IdMap> &maps);

// The maps of a rootless container when the config gives none (as podman
// does): container 0 -> own_id, then container 1.. -> the ranges in order.
// Host ids already used (the own id, an earlier overlapping or duplicate
// range) are left out, so the result never overlaps; it stops at
// max_map_lines lines or at container id max_id.
std::vector<IdMap> default_rootless_maps(uint32_t own_id, const std::vector<Range> &ranges);

// keep-id (as podman's): own_id is the same id inside and outside, so files
// written to a shared filesystem belong to the caller. Container ids
// 0 .. own_id-1 come from the ranges in order, then own_id -> own_id, then
// own_id+1 .. from the rest of the ranges. With no ranges it is the single
// line own_id -> own_id; with too few, the ids below own_id that they cover.
// Never more than max_map_lines lines.
std::vector<IdMap> keep_id_maps(uint32_t own_id, const std::vector<Range> &ranges);

} // namespace burrow::userns
