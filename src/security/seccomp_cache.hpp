// Compiling a seccomp profile with libseccomp costs about 3 ms for podman's
// default one (its rule database is rebuilt and sorted at every rule added),
// more than the rest of a rootless create and three times the rest of an
// exec, which a liveness probe repeats every few seconds. So the program is
// compiled once and kept:
// - in the container's state directory (seccomp.bpf), which exec loads, as
//   crun does; the filter is the container's from create, as runc's and
//   crun's exec apply the config the container was made with, not the
//   bundle's as it may read now;
// - shared by the containers of one state root with the same profile: the
//   root's @seccomp/HASH is a hard link of such a container's file, found
//   by the next create (its whole profile text compared, not only the hash,
//   with burrow's, libseccomp's and the kernel's versions), and removed with
//   the last container that links it. Nothing outlives the containers.
#pragma once
#include "security/seccomp.hpp"

#include <optional>
#include <string>

namespace burrow::security {

// The shared entries' directory in a state root (no container id has an @).
inline constexpr const char *kSeccompCache = "@seccomp";

struct KeptSeccomp {
    SeccompProgram program;
    std::string key;     // the profile as text, with the versions it was compiled by
    std::string shared;  // the state root's entry for it
    bool found = false;  // read from that entry, not compiled
};

// The program for profile s: the entry under cache_dir (the state root's
// @seccomp) when a container kept one for the same key, else compiled.
KeptSeccomp seccomp_for(const spec::Seccomp &s, const std::string &cache_dir);

// Once the container exists: its file (path, in its state directory), linked
// from the shared entry or written and then linked there. A failure only
// leaves exec to compile the profile, as before.
void keep_seccomp(const std::string &path, const KeptSeccomp &k, const std::string &cache_dir) noexcept;

// When the container's state goes: its file, and the shared entry when no
// other container links it (then cache_dir too, once empty).
void drop_seccomp(const std::string &path, const std::string &cache_dir) noexcept;

// exec: the program in a container's file; nothing when there is no such
// file or it is not one (another version's, cut short).
std::optional<SeccompProgram> load_seccomp_cache(const std::string &path);

// The key seccomp_for compares (exposed for tests).
std::string seccomp_key(const spec::Seccomp &s);

} // namespace burrow::security
