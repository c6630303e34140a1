// --userns keep-id (or the annotation io.github.burrow.userns=keep-id): the
// caller's uid and gid are the same inside the container as outside, so what
// it writes to a shared filesystem belongs to the user.
#pragma once
#include "spec/model.hpp"

#include <map>
#include <string>

namespace burrow::lifecycle {

inline constexpr char kUsernsAnnotation[] = "io.github.burrow.userns";
// keep-id with the caller's own uid and gid alone (as ch-run maps): no
// subordinate ranges, so no setuid helper; the map is written directly.
inline constexpr char kKeepIdSingle[] = "keep-id:single";

inline bool is_keep_id(const std::string &mode) { return mode == "keep-id" || mode == kKeepIdSingle; }

// The user namespace mode asked for: the --userns flag, else the annotation.
// "" (the config's own maps), "keep-id" or "keep-id:single"; throws Error for anything else.
std::string userns_mode(const std::string &flag, const std::map<std::string, std::string> &annotations);

// Rewrites a rootless config for keep-id: the maps become keep_id_maps of
// the caller's ids and subordinate ranges (with no ranges, the own ids alone
// and one warning of what that cannot do), and a process.user of 0:0 becomes
// the caller's uid:gid. Throws Error when the config joins a user namespace
// or burrow runs as real root. single: the own ids alone (keep-id:single).
void apply_keep_id(spec::Config &c, bool single = false);

// exec in a keep-id container: the same change of process.user.
void keep_id_user(spec::User &u);

} // namespace burrow::lifecycle
