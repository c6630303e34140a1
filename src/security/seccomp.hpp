// Seccomp: compile linux.seccomp into a classic-BPF program, in the parent.
//
// compile_seccomp() does all the libseccomp work (name resolution, the
// per-architecture dispatch, the rule tree) before clone and hands back plain
// data; the child only passes that data to seccomp(2) (see apply.hpp).
#pragma once
#include <linux/filter.h> // struct sock_filter
#include <string>
#include <vector>

#include "spec/model.hpp"

namespace burrow::security {

struct SeccompProgram {
    std::vector<struct sock_filter> filter; // the BPF program, ready for seccomp(2); empty: no filter
    unsigned flags = 0;                     // SECCOMP_FILTER_FLAG_* from linux.seccomp.flags
    bool wants_listener = false;            // listenerPath is set: load with SECCOMP_FILTER_FLAG_NEW_LISTENER, fd to the agent
};

// Compile the profile. Throws burrow::Error naming the offending field, e.g.
//   linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"
// Behaviour shared with runc and crun:
//  - syscall names neither the kernel headers nor libseccomp know are skipped
//    (profiles list syscalls newer than the library);
//  - a rule whose action equals the default action is skipped (libseccomp
//    refuses it, and it would change nothing);
//  - conditions on different argument indexes are ANDed in one rule; when a
//    rule has several conditions on the same index, every condition becomes a
//    rule of its own (ORed), as libseccomp rejects a repeated index.
// The filter attributes are chosen so the program can be loaded without
// no_new_privs by a process holding CAP_SYS_ADMIN in its user namespace.
SeccompProgram compile_seccomp(const spec::Seccomp &s);

// For `burrow features`.
std::vector<std::string> known_actions();   // SCMP_ACT_* the runtime-spec defines
std::vector<std::string> known_operators(); // SCMP_CMP_*
std::vector<std::string> known_archs();     // SCMP_ARCH_* libseccomp knows
std::vector<std::string> known_flags();     // SECCOMP_FILTER_FLAG_* this build and the running kernel support

} // namespace burrow::security
