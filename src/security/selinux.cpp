#include "security/selinux.hpp"
#include "error.hpp"
#include "log.hpp"

#include <unistd.h>

namespace burrow::security {

bool selinux_enabled() { return access("/sys/fs/selinux/enforce", F_OK) == 0; }

void check_selinux_label(const std::string &field, const std::string &label) {
    if (label.empty()) return;
    if (selinux_enabled())
        throw Error(field + ": SELinux is enabled on this host, and burrow cannot apply SELinux labels");
    log::debug(field + " \"" + label + "\" ignored: SELinux is not enabled on this host");
}

} // namespace burrow::security
