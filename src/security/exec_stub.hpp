// The exec stub (exec_stub.c): the container's program is executed by a tiny
// program run from a sealed memfd, never by a process whose /proc/self/exe is
// burrow's own binary, so that nothing in the container can get a handle on
// that binary and write it once burrow has exited (CVE-2019-5736; docs/security.md).
//
// runc and crun copy their whole binary into a sealed memfd and re-execute
// it; burrow's binary is 4.5 MB and the copy alone costs more than a whole
// run (bench/README.md), so only the 1 KB stub is sealed, and the child
// executes it as its last step: execveat(stub, "", [magic, path, argv...]).
#pragma once
#include "security/seccomp.hpp"

namespace burrow::security {

// The stub's argv[0]; run with any other, it exits 126 at once (so a
// container that finds it, as the interpreter of a script say, gets nothing).
inline constexpr const char kExecStubMagic[] = "burrow-exec-stub";
// Its argv[0], alone, for hold mode: a process that only keeps its
// namespaces, sleeping until killed (run --join's, lifecycle/join.cpp).
inline constexpr const char kExecStubHold[] = "burrow-hold-stub";

// Whether this build has the stub (x86_64 and aarch64).
constexpr bool exec_stub_built() { return BURROW_HAVE_EXEC_STUB; }

// Whether a process in a container could write burrow's binary: false only
// when burrow runs rootless and its binary is root's and writable by no group
// or other (an installed /usr/bin/burrow): no user namespace a rootless user
// makes maps host uid 0, so neither the owner's rights nor CAP_DAC_OVERRIDE
// or CAP_FOWNER reach it. Then the stub is not needed.
bool self_writable_by_containers();

// A sealed (write, grow, shrink, seal) memfd holding the stub, O_CLOEXEC; -1
// when this build has no stub (an architecture it does not support). Throws
// burrow::Error when the kernel refuses an executable memfd.
int make_exec_stub();

// Prepends to a non-empty filter an ALLOW for execveat(stub_fd, ...,
// AT_EMPTY_PATH) on the native architecture: the child's last syscall. It
// gives the container nothing execve does not (the fd is closed by then, and
// execveat of a fd is execve of /proc/self/fd/N); a filter that denies execve
// still stops the program itself.
void allow_stub_exec(SeccompProgram &prog, int stub_fd);

// Prepends to a non-empty filter what hold mode needs on the native
// architecture: ppoll with no fds (a sleep) and rt_sigaction of SIGCHLD
// (ignored, so adopted children are reaped). Only for the holder's filter:
// a profile that denies them must not kill it; they give it nothing.
void allow_stub_hold(SeccompProgram &prog);

} // namespace burrow::security
