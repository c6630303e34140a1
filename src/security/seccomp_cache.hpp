// The container's compiled seccomp filter, kept in its state directory
// (seccomp.bpf) by create: exec loads it instead of compiling the profile
// again with libseccomp, which for podman's default profile is about 3 ms,
// three times the rest of an exec (a liveness probe's exec every few
// seconds pays it each time). crun keeps it the same way. The filter is the
// container's from create, as runc's and crun's exec apply the config the
// container was made with, not the bundle's as it may read now.
#pragma once
#include "security/seccomp.hpp"

#include <optional>
#include <string>

namespace burrow::security {

// Written once, into the container's new directory; a failure leaves no
// file (exec then compiles the profile, as before).
void save_seccomp_cache(const std::string &path, const SeccompProgram &p) noexcept;

// The filter saved by save_seccomp_cache; nothing when there is no such
// file or it is not one (another version's, cut short).
std::optional<SeccompProgram> load_seccomp_cache(const std::string &path);

} // namespace burrow::security
