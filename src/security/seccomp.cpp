// Seccomp compiler: spec::Seccomp -> BPF via libseccomp, parent side only.
#include "security/seccomp.hpp"

#include <cerrno>
#include <cstring>
#include <linux/seccomp.h>
#include <memory>
#include <optional>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.hpp"
#include "fd.hpp"

namespace burrow::security {
namespace {

constexpr unsigned max_args = 6;   // syscall arguments 0..5
constexpr size_t max_insns = 4096; // BPF_MAXINSNS: the kernel refuses longer programs

enum class Act { kill, kill_process, kill_thread, trap, errno_, trace, allow, log, notify };

struct ActionName {
    const char *name;
    Act act;
};
constexpr ActionName actions[] = {
    {"SCMP_ACT_KILL", Act::kill},   {"SCMP_ACT_KILL_PROCESS", Act::kill_process},
    {"SCMP_ACT_KILL_THREAD", Act::kill_thread}, {"SCMP_ACT_TRAP", Act::trap},
    {"SCMP_ACT_ERRNO", Act::errno_}, {"SCMP_ACT_TRACE", Act::trace},
    {"SCMP_ACT_ALLOW", Act::allow}, {"SCMP_ACT_LOG", Act::log},
    {"SCMP_ACT_NOTIFY", Act::notify},
};

struct OpName {
    const char *name;
    scmp_compare op;
};
constexpr OpName operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

struct ArchName {
    const char *name;
    uint32_t token;
};
const ArchName archs[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_SHEB
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
#endif
};

struct FlagName {
    const char *name;
    unsigned flag;
};
constexpr FlagName flags_table[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
#endif
};

std::string quoted(const std::string &s) { return "\"" + s + "\""; }

// Does the running kernel accept this filter flag? seccomp(2) checks the
// flags before it reads the program, so a NULL program gives EFAULT for a
// known flag and EINVAL for an unknown one; nothing is installed either way.
bool kernel_has_flag(unsigned flag) {
    unsigned probe = flag;
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
    if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
#endif
    long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, nullptr);
    return r < 0 && errno == EFAULT;
}

// One action with its errno/trace value, as libseccomp encodes it.
struct Action {
    uint32_t value = 0;
    Act act = Act::kill;
};

Action parse_action(const std::string &name, const std::optional<uint32_t> &errno_ret, const std::string &field,
                    const std::string &errno_field) {
    const ActionName *found = nullptr;
    for (auto &a : actions)
        if (name == a.name) found = &a;
    if (!found) throw Error(field + ": unknown action " + quoted(name));
    if (errno_ret && found->act != Act::errno_ && found->act != Act::trace)
        throw Error(errno_field + ": only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value, not " + name);
    uint32_t ret = errno_ret.value_or(EPERM);
    if (ret > 0xffff) throw Error(errno_field + ": " + std::to_string(ret) + " is out of range (0-65535)");
    Action a;
    a.act = found->act;
    switch (found->act) {
    case Act::kill: a.value = SCMP_ACT_KILL; break;
    case Act::kill_process: a.value = SCMP_ACT_KILL_PROCESS; break;
    case Act::kill_thread: a.value = SCMP_ACT_KILL_THREAD; break;
    case Act::trap: a.value = SCMP_ACT_TRAP; break;
    case Act::errno_: a.value = SCMP_ACT_ERRNO(ret); break;
    case Act::trace: a.value = SCMP_ACT_TRACE(ret); break;
    case Act::allow: a.value = SCMP_ACT_ALLOW; break;
    case Act::log: a.value = SCMP_ACT_LOG; break;
    case Act::notify: a.value = SCMP_ACT_NOTIFY; break;
    }
    return a;
}

struct CtxDeleter {
    void operator()(void *c) const { seccomp_release(c); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;


std::vector<struct sock_filter> export_bpf(scmp_filter_ctx ctx) {
    Fd mem;
    mem.fd = ::memfd_create("burrow-seccomp", MFD_CLOEXEC);
    if (mem.fd < 0) throw_errno("linux.seccomp: memfd_create");
    // libseccomp 2.5 has no seccomp_export_bpf_mem: write to the memfd and read it back.
    if (int rc = seccomp_export_bpf(ctx, mem.fd); rc < 0) throw Error("linux.seccomp: exporting the BPF program", -rc);
    struct stat st{};
    if (::fstat(mem.fd, &st) < 0) throw_errno("linux.seccomp: fstat on the exported program");
    size_t size = static_cast<size_t>(st.st_size);
    if (size == 0 || size % sizeof(struct sock_filter))
        throw Error("linux.seccomp: libseccomp exported a program of " + std::to_string(size) + " bytes");
    std::vector<struct sock_filter> prog(size / sizeof(struct sock_filter));
    auto *p = reinterpret_cast<char *>(prog.data());
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::pread(mem.fd, p + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("linux.seccomp: reading the exported program");
        if (n == 0) throw Error("linux.seccomp: the exported program is shorter than announced");
        done += static_cast<size_t>(n);
    }
    return prog;
}

} // namespace

SeccompProgram compile_seccomp(const spec::Seccomp &s) {
    const std::string f = "linux.seccomp";
    SeccompProgram out;

    Action def = parse_action(s.default_action, s.default_errno_ret, f + ".defaultAction", f + ".defaultErrnoRet");
    if (def.act == Act::notify) throw Error(f + ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

    Ctx ctx(seccomp_init(def.value));
    if (!ctx) throw Error(f + ".defaultAction: libseccomp refused " + quoted(s.default_action));

    // The runtime sets no_new_privs itself when process.noNewPrivileges asks for
    // it; without it the filter is loaded on the strength of CAP_SYS_ADMIN in the
    // container's user namespace. (Only seccomp_load() reads this attribute; we
    // load the exported program ourselves, but keep the context honest.)
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        throw Error(f + ": clearing SCMP_FLTATR_CTL_NNP", -rc);

    for (size_t i = 0; i < s.architectures.size(); ++i) {
        const std::string &name = s.architectures[i];
        const std::string af = f + ".architectures[" + std::to_string(i) + "]";
        const ArchName *found = nullptr;
        for (auto &a : archs)
            if (name == a.name) found = &a;
        if (!found) throw Error(af + ": unknown architecture " + quoted(name));
        int rc = seccomp_arch_add(ctx.get(), found->token);
        if (rc < 0 && rc != -EEXIST) throw Error(af + ": adding " + name, -rc);
    }

    for (size_t i = 0; i < s.flags.size(); ++i) {
        const std::string &name = s.flags[i];
        const std::string ff = f + ".flags[" + std::to_string(i) + "]";
        const FlagName *found = nullptr;
        for (auto &fl : flags_table)
            if (name == fl.name) found = &fl;
        if (!found) throw Error(ff + ": unknown flag " + quoted(name));
        if (!kernel_has_flag(found->flag)) throw Error(ff + ": " + name + " is not supported by the running kernel");
        out.flags |= found->flag;
    }

    bool notify = false; // some rule uses SCMP_ACT_NOTIFY
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const spec::SeccompSyscall &sc = s.syscalls[i];
        const std::string sf = f + ".syscalls[" + std::to_string(i) + "]";
        Action act = parse_action(sc.action, sc.errno_ret, sf + ".action", sf + ".errnoRet");
        if (act.act == Act::notify) {
            if (s.listener_path.empty())
                throw Error(sf + ".action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath");
            notify = true;
        }

        std::vector<scmp_arg_cmp> conds;
        bool same_index = false;
        unsigned seen = 0; // bit per argument index
        for (size_t j = 0; j < sc.args.size(); ++j) {
            const spec::SeccompArg &a = sc.args[j];
            const std::string argf = sf + ".args[" + std::to_string(j) + "]";
            if (a.index >= max_args)
                throw Error(argf + ".index: " + std::to_string(a.index) + " is out of range (0-5)");
            const OpName *op = nullptr;
            for (auto &o : operators)
                if (a.op == o.name) op = &o;
            if (!op) throw Error(argf + ".op: unknown operator " + quoted(a.op));
            if (seen & (1u << a.index)) same_index = true;
            seen |= 1u << a.index;
            // MASKED_EQ: datum_a is the mask (value), datum_b the datum (valueTwo).
            conds.push_back(scmp_arg_cmp{a.index, op->op, a.value, a.value_two});
        }

        if (act.value == def.value) continue; // libseccomp refuses it; it would change nothing

        for (size_t j = 0; j < sc.names.size(); ++j) {
            const std::string &name = sc.names[j];
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) continue; // unknown to libseccomp: skipped, as runc and crun do
            auto add = [&](unsigned n, const scmp_arg_cmp *c) {
                int rc = seccomp_rule_add_array(ctx.get(), act.value, nr, n, c);
                const std::string nf = sf + ".names[" + std::to_string(j) + "]";
                if (rc == -EEXIST)
                    throw Error(nf + ": an earlier rule for " + quoted(name) +
                                " has the same conditions and another action");
                if (rc < 0) throw Error(nf + ": adding a rule for " + quoted(name), -rc);
            };
            if (!same_index) {
                add(static_cast<unsigned>(conds.size()), conds.data());
            } else {
                for (auto &c : conds) add(1, &c);
            }
        }
    }

    // As crun: with a listenerPath the agent gets its fd and the state even
    // when no rule notifies (it may wait for them in accept()).
    out.wants_listener = notify || !s.listener_path.empty();
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
    if ((out.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !notify)
        throw Error(f + ".flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY");
#endif
    // The kernel refuses TSYNC together with NEW_LISTENER unless told to report
    // a thread that cannot be synchronised as ESRCH (the fd is the return value).
    if ((out.flags & SECCOMP_FILTER_FLAG_TSYNC) && out.wants_listener) out.flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

    out.filter = export_bpf(ctx.get());
    if (out.filter.size() > max_insns)
        throw Error(f + ": the compiled filter has " + std::to_string(out.filter.size()) +
                    " instructions, more than the kernel's limit of " + std::to_string(max_insns));
    return out;
}

std::vector<std::string> known_actions() {
    std::vector<std::string> v;
    for (auto &a : actions) v.emplace_back(a.name);
    return v;
}

std::vector<std::string> known_operators() {
    std::vector<std::string> v;
    for (auto &o : operators) v.emplace_back(o.name);
    return v;
}

std::vector<std::string> known_archs() {
    std::vector<std::string> v;
    for (auto &a : archs) v.emplace_back(a.name);
    return v;
}

std::vector<std::string> known_flags() {
    std::vector<std::string> v;
    for (auto &fl : flags_table)
        if (kernel_has_flag(fl.flag)) v.emplace_back(fl.name);
    return v;
}

} // namespace burrow::security
