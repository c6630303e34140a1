// Capabilities: resolve process.capabilities into bit masks, in the parent.
// The child applies the masks with the raw-syscall helpers in apply.hpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "spec/model.hpp"

namespace burrow::security {

// One bit per capability number (bit 0 = CAP_CHOWN).
struct CapSets {
    uint64_t bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
};

// Names are resolved with libcap and must carry the "CAP_" prefix in upper
// case, as runc requires. A name that is not a capability, or one the running
// kernel does not have (above last_cap()), is skipped with one warning in the
// log, as runc and crun do: a config made for a newer kernel still runs.
// The skipped names go to *unknown when given.
CapSets resolve_caps(const spec::Capabilities &c, std::vector<std::string> *unknown = nullptr);

// The highest capability number the running kernel knows
// (/proc/sys/kernel/cap_last_cap; probed with PR_CAPBSET_READ if /proc is not
// readable). Read once and cached.
int last_cap();

// "CAP_CHOWN" ... every capability up to last_cap() that libcap can name.
std::vector<std::string> known_caps();

} // namespace burrow::security
