// The OCI runtime-spec config for Linux as plain structs. The parser fills
// these from config.json; the planner turns them into a launch plan. Only the
// fields burrow acts on are modelled; cgroup resources stay raw JSON text until
// the session library consumes them.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace burrow::spec {

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

enum class NsType { user, pid, network, mount, ipc, uts, cgroup, time };

struct Namespace {
    NsType type;
    std::string path; // empty: create a new one; otherwise join this one
};

struct Mount {
    std::string destination;
    std::string type;
    std::string source;
    std::vector<std::string> options;
    std::vector<IdMapping> uid_mappings, gid_mappings; // an idmapped mount's own mapping
};

struct Rlimit {
    std::string type; // "RLIMIT_NOFILE"
    int resource = 0; // resolved by the parser
    uint64_t soft = 0;
    uint64_t hard = 0;
};

struct Capabilities {
    std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
};

struct Scheduler {
    std::string policy; // SCHED_OTHER ...
    int32_t nice = 0;
    int32_t priority = 0;
    std::vector<std::string> flags;
    uint64_t runtime = 0, deadline = 0, period = 0;
};

struct IoPriority {
    std::string io_class; // IOPRIO_CLASS_RT | BE | IDLE
    int priority = 0;
};

struct ConsoleSize {
    unsigned height = 0, width = 0;
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::optional<int> oom_score_adj;
    std::optional<Scheduler> scheduler;
    std::optional<IoPriority> io_priority;
    std::string apparmor_profile;
    std::string selinux_label;
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    bool has_env = false;       // absent: the hook inherits the runtime's environment (as runc and crun)
    std::optional<int> timeout; // seconds
};

struct Hooks {
    std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart, poststop;
};

struct SeccompArg {
    unsigned index = 0;
    uint64_t value = 0;
    uint64_t value_two = 0;
    std::string op; // SCMP_CMP_EQ ...
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action; // SCMP_ACT_...
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures; // SCMP_ARCH_...
    std::vector<std::string> flags; // SECCOMP_FILTER_FLAG_...
    std::string listener_path;
    std::string listener_metadata;
    std::vector<SeccompSyscall> syscalls;
};

struct Device {
    std::string path;
    char type = 'c'; // c, b, u, p
    int64_t major = 0, minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid, gid;
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

struct Personality {
    std::string domain; // LINUX | LINUX32
    std::vector<std::string> flags;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings, gid_mappings;
    std::map<std::string, TimeOffset> time_offsets; // "monotonic", "boottime"
    std::vector<Device> devices;
    std::string cgroups_path;
    std::string resources_json; // raw, for the session library
    std::string rootfs_propagation;
    std::vector<std::string> masked_paths, readonly_paths;
    std::string mount_label;
    std::map<std::string, std::string> sysctl;
    std::optional<Seccomp> seccomp;
    std::optional<Personality> personality;

    const Namespace *find(NsType t) const {
        for (auto &n : namespaces)
            if (n.type == t) return &n;
        return nullptr;
    }
};

struct Root {
    std::string path;
    bool readonly = false;
};

struct Config {
    std::string oci_version;
    Root root;
    std::vector<Mount> mounts;
    std::optional<Process> process;
    std::string hostname, domainname;
    Hooks hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux_; // "linux" (a macro under gnu++ dialects)
};

} // namespace burrow::spec
