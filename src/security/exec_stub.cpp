// Parent side of the exec stub (exec_stub.hpp says why).
#include "security/exec_stub.hpp"
#include "error.hpp"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if BURROW_HAVE_EXEC_STUB
#include "exec_stub_bytes.h" // kExecStubBytes, generated from exec_stub.c
#endif

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

namespace burrow::security {

bool self_writable_by_containers() {
    if (geteuid() == 0) return true; // real root, or root of a user namespace (podman rootless)
    struct stat st;
    if (stat("/proc/self/exe", &st) < 0) return true;
    return !(st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0);
}

int make_exec_stub() {
#if BURROW_HAVE_EXEC_STUB
    // MFD_EXEC (Linux 6.3) says so where vm.memfd_noexec makes memfds
    // non-executable by default; older kernels refuse the flag (EINVAL).
    int fd = memfd_create("burrow-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) fd = memfd_create("burrow-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        if (errno == EACCES)
            throw Error("memfd_create: the kernel forbids executable memfds (vm.memfd_noexec=2), which burrow "
                        "needs to start a program safely while its binary is writable by containers; install burrow "
                        "root-owned (e.g. /usr/bin) or set vm.memfd_noexec to 0 or 1");
        throw_errno("memfd_create (exec stub)");
    }
    const unsigned char *p = kExecStubBytes;
    size_t left = sizeof kExecStubBytes;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            throw Error("write the exec stub", e);
        }
        p += n, left -= static_cast<size_t>(n);
    }
    if (fchmod(fd, 0555) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL | F_SEAL_EXEC) < 0) {
        // F_SEAL_EXEC (Linux 6.3) is missing on older kernels: the other seals are what matter.
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
            int e = errno;
            close(fd);
            throw Error("seal the exec stub", e);
        }
    }
    return fd;
#else
    return -1;
#endif
}

// The native architecture, which the prefixes below check first (the stub
// exists for these two only).
#if defined(__x86_64__)
#define BURROW_STUB_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BURROW_STUB_ARCH AUDIT_ARCH_AARCH64
#endif

void allow_stub_exec(SeccompProgram &prog, int stub_fd) {
    if (prog.filter.empty() || stub_fd < 0) return;
#ifdef BURROW_STUB_ARCH
    constexpr uint32_t arch = BURROW_STUB_ARCH;
    // Little-endian: an argument's low 32 bits are at its offset; the kernel
    // reads both arguments as int, so the high bits do not matter.
    constexpr uint32_t n = 9; // instructions below; a miss jumps to the profile's first
    auto miss = [](uint32_t i) { return static_cast<uint8_t>(n - i - 1); };
    const sock_filter pre[n] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, miss(1)),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 0, miss(3)),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(stub_fd), 0, miss(5)),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[4])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AT_EMPTY_PATH, 0, miss(7)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    prog.filter.insert(prog.filter.begin(), pre, pre + n);
#endif
}

void allow_stub_hold(SeccompProgram &prog) {
    if (prog.filter.empty()) return;
#ifdef BURROW_STUB_ARCH
    constexpr uint32_t arch = BURROW_STUB_ARCH;
    // The kernel reads both arguments as int (nfds unsigned): their low 32
    // bits, at the argument's offset on these little-endian machines.
    constexpr uint32_t n = 10; // instructions below; a miss jumps to the profile's first
    auto miss = [](uint32_t i) { return static_cast<uint8_t>(n - i - 1); };
    const sock_filter pre[n] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, miss(1)),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ppoll, 0, 2), // else on to rt_sigaction (6)
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[1])), // nfds
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, miss(5)),                  // 0: allow (9)
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigaction, 0, miss(6)),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])), // the signal
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGCHLD, 0, miss(8)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    prog.filter.insert(prog.filter.begin(), pre, pre + n);
#endif
}

} // namespace burrow::security
