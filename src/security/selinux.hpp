// SELinux labels (process.selinuxLabel, linux.mountLabel, exec
// --process-label): burrow cannot apply them. On a host without SELinux they
// mean nothing, and are ignored as runc and crun ignore them; where SELinux
// is enabled a label that would not be applied is refused.
#pragma once
#include <string>

namespace burrow::security {

bool selinux_enabled(); // /sys/fs/selinux/enforce exists

// Nothing for an empty label; a --debug line when SELinux is off; else
// throws Error("<field>: ...").
void check_selinux_label(const std::string &field, const std::string &label);

} // namespace burrow::security
