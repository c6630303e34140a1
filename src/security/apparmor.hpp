// AppArmor: the profile the container's program is confined by from execve
// on (podman and CRI-O set process.apparmorProfile on AppArmor hosts).
#pragma once
#include <string>

namespace burrow::security {

bool apparmor_enabled(); // /sys/module/apparmor/parameters/enabled says Y

// Child side: "exec PROFILE" into /proc/self/attr/apparmor/exec (or the
// older /proc/self/attr/exec). 0 or -errno.
int apparmor_exec_profile(const std::string &exec_line) noexcept;

} // namespace burrow::security
