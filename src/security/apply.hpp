// Child side of the security module: apply what the parent prepared.
//
// Every function here runs in the child between clone and execve: noexcept,
// no allocation, no libc state beyond errno, raw syscalls only. Each returns 0
// (or a fd, see load_seccomp) on success and -errno on failure.
//
// Order in the child (src/process/child.cpp):
//   1. drop_bounding(caps.bounding, last_cap)   needs CAP_SETPCAP (uid 0 of the userns)
//   2. set_keepcaps(true); setgroups/setresgid/setresuid to process.user; set_keepcaps(false)
//      (keepcaps keeps the permitted set across the change away from uid 0;
//      the effective set is emptied by it and restored by apply_caps)
//   3. apply_caps(caps)                          inheritable must lie within the bounding set
//   4. process.noNewPrivileges: set_no_new_privs()
//   5. the executable is found and checked, cwd, AppArmor, signals reset
//   6. load_seccomp(prog), then execve and nothing else.
// Without noNewPrivileges the kernel only accepts a filter from a process with
// CAP_SYS_ADMIN in the effective set (of its user namespace). runc and crun
// load the filter before step 2 then, so it judges the runtime's own setuid,
// capset and lookups. burrow keeps CAP_SYS_ADMIN in the effective and
// permitted sets through step 3 instead: execve computes the new permitted set
// from bounding, inheritable, ambient and file capabilities, never from the
// old permitted set, so the extra capability does not survive the exec.
// With prog.wants_listener, load_seccomp returns the listener fd (O_CLOEXEC),
// which the child must pass to the parent (sendmsg, SCM_RIGHTS) before execve;
// that sendmsg already passes through the filter, so a profile that notifies
// on sendmsg (or on anything the child calls before the agent has the fd)
// would hang the child.
#pragma once
#include <cstdint>

#include "security/caps.hpp"
#include "security/seccomp.hpp"

namespace burrow::security {

// PR_CAPBSET_DROP every capability 0..last_cap not set in keep. Capabilities
// already out of the bounding set are left alone (no CAP_SETPCAP needed for
// them); EINVAL (a capability the kernel lacks) is ignored.
int drop_bounding(uint64_t keep, int last_cap) noexcept;

// PR_SET_KEEPCAPS.
int set_keepcaps(bool on) noexcept;

// capset(2), version 3, for the effective, permitted and inheritable sets;
// then clear the ambient set and raise each ambient capability
// (PR_CAP_AMBIENT). EINVAL and EPERM from the ambient calls are ignored as runc does
// (kernels before 4.3 have no ambient set).
int apply_caps(const CapSets &c) noexcept;

// PR_SET_NO_NEW_PRIVS.
int set_no_new_privs() noexcept;

// seccomp(SECCOMP_SET_MODE_FILTER, p.flags | (p.wants_listener ? NEW_LISTENER : 0)).
// Returns the listener fd (>= 0) when p.wants_listener, else 0; an empty
// program loads nothing and returns 0; -errno on failure.
int load_seccomp(const SeccompProgram &p) noexcept;

// Every procfs write of the child (sysctl, oom_score_adj, timens_offsets,
// AppArmor attrs) goes through this (CVE-2019-16884, CVE-2025-52881): "/proc"
// is opened without following a link and must be the root of a procfs mount
// (PROC_SUPER_MAGIC, inode 1); rel ("sys/kernel/domainname", "self/attr/exec")
// is opened beneath it with openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
// RESOLVE_NO_XDEV, so no mount over a procfs file (a bind of another file, a
// tmpfs over /proc/self/attr) and no magic link is crossed, and the opened fd
// is checked to be procfs again. Without openat2 (before 5.6): openat with
// O_NOFOLLOW, and the file's mount id (statx) must be /proc's.
// Returns the fd (O_CLOEXEC) or -errno (EXDEV: not the procfs file it names).
int open_proc_file(const char *rel, int flags) noexcept;

// open_proc_file + one write of len bytes + close; 0 or -errno.
int write_proc_file(const char *rel, const char *data, unsigned long len) noexcept;

} // namespace burrow::security
