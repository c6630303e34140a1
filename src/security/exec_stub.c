/* The exec stub: the one program that makes the container's final execve.
 *
 * Why: a process's /proc/PID/exe names the file it was executed from. If the
 * container's program (or its interpreter, e.g. a script whose "#!" line is
 * /proc/self/exe, or an ELF whose PT_INTERP is) is loaded by a process that
 * is still burrow, the kernel loads burrow's own binary into the container,
 * and a process there can keep a handle on it and, once burrow has exited,
 * reopen it for writing (CVE-2019-5736). So burrow's child first executes
 * this stub from a sealed memfd (src/security/exec_stub.hpp), and the stub
 * executes the program: at that moment /proc/self/exe is the sealed memfd,
 * which nobody can write.
 *
 * Built freestanding (no libc, no loader, a few hundred bytes) and embedded in
 * burrow. argv: the magic word, the program's path, then the program's argv.
 * Run any other way (as an interpreter, say) it exits 126 at once.
 * After the seccomp filter: it makes no syscall but execve, and, only when
 * that fails, write to stderr and exit, as a shell would.
 *
 * Hold mode (argv: the hold word alone): the process of a `run --join`
 * container (src/lifecycle/join.cpp), which only keeps the namespaces for the
 * ranks. It ignores SIGCHLD, so the kernel reaps what it adopts as the pid
 * namespace's init, and sleeps in ppoll with no fds until it is killed. The
 * seccomp prefix of allow_stub_hold lets exactly these two calls through.
 */
#include <asm/unistd.h>

#define MAGIC "burrow-exec-stub"
#define HOLD "burrow-hold-stub"

#if defined(__x86_64__)
static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
__asm__(".text\n.globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stub_main\n\thlt\n");
#elif defined(__aarch64__)
static long sys3(long n, long a, long b, long c) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
__asm__(".text\n.globl _start\n_start:\n\tmov x0, sp\n\tbl stub_main\n\tbrk #0\n");
#else
#error "the exec stub supports x86_64 and aarch64 (meson builds burrow without it elsewhere)"
#endif

static long sys5(long n, long a, long b, long c, long d, long e) {
#if defined(__x86_64__)
    long r;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
    return r;
#else
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
#endif
}

static unsigned long len(const char *s) {
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

static void say(const char *s) { sys3(__NR_write, 2, (long)s, (long)len(s)); }

__attribute__((noreturn)) static void quit(int code) {
    for (;;) sys3(__NR_exit_group, code, 0, 0);
}

static int same(const char *a, const char *b) {
    unsigned long i = 0;
    while (a[i] && a[i] == b[i]) i++;
    return a[i] == b[i];
}

/* The kernel's struct sigaction (x86_64 and arm64 alike): SIG_IGN needs no
   restorer. */
struct ksigaction {
    unsigned long handler, flags, restorer, mask;
};

__attribute__((noreturn)) static void hold(void) {
    struct ksigaction ign = {1 /* SIG_IGN */, 0, 0, 0};
    sys5(__NR_rt_sigaction, 17 /* SIGCHLD */, (long)&ign, 0, 8, 0);
    for (;;) {
        long r = sys5(__NR_ppoll, 0, 0, 0, 0, 8);
        if (r != -4 /* EINTR */) quit(125); /* refused: never spin */
    }
}

__attribute__((noreturn, used)) void stub_main(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    if (argc == 1 && same(argv[0], HOLD)) hold();
    if (argc < 3 || !same(argv[0], MAGIC)) quit(126); /* not started by burrow: do nothing */
    long r = sys3(__NR_execve, (long)argv[1], (long)(argv + 2), (long)envp);
    /* The program was found and checked before the filter; what fails now is
       the kernel's loading of it (a missing interpreter, a bad format, the
       profile). Told on stderr, with a shell's exit codes. */
    const char *why = r == -2 ? "no such file or directory (a missing interpreter?)"
                    : r == -8 ? "exec format error"
                    : r == -13 ? "permission denied"
                    : r == -1 ? "operation not permitted"
                    : r == -40 ? "too many levels of symbolic links"
                    : "cannot execute";
    say("burrow: exec ");
    say(argv[1]);
    say(": ");
    say(why);
    say("\n");
    quit(r == -2 ? 127 : 126);
}
