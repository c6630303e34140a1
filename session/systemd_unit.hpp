// The systemd side of a container's cgroup, pure: the scope's name and slice
// from linux.cgroupsPath, and linux.resources as unit properties, in the
// typed text form the helper (burrow-systemd) turns into D-Bus values.
// Errors are std::invalid_argument naming the field.
#pragma once
#include "session/cgroup_resources.hpp"

#include <string>
#include <vector>

namespace burrow::session {

struct ScopeName {
    std::string slice; // "user.slice"
    std::string unit;  // "burrow-c1.scope"
};

// runc's "slice:prefix:name" (slice "" = the default slice); "" gives the
// default, "user.slice:burrow:ID" rootless and "system.slice:burrow:ID" as root.
ScopeName scope_name(const std::string &cgroups_path, const std::string &id, bool rootless);

// One unit property: "Name=TYPE:VALUE", TYPE one of t (uint64), b (0/1),
// s (string), ay (bytes, in hex). For StartTransientUnit and SetUnitProperties.
using Property = std::string;

// The properties of every container scope: Delegate=yes, the slice, no
// default dependencies, collected even when failed.
std::vector<Property> scope_properties(const ScopeName &s, const std::string &description);

// linux.resources as properties (MemoryMax, MemoryLow, MemorySwapMax,
// TasksMax, CPUWeight, CPUQuotaPerSecUSec, CPUQuotaPeriodUSec, AllowedCPUs,
// AllowedMemoryNodes, IOWeight), converted as runc does.
std::vector<Property> resource_properties(const Resources &r);

// "0-3,5" -> the little-endian bit mask systemd's AllowedCPUs takes, in hex.
std::string cpuset_mask_hex(const std::string &list, const char *field);

} // namespace burrow::session
