// config.json → launch plan: everything resolved, opened, compiled and
// checked in the parent, so the child only makes syscalls.
#pragma once
#include "lifecycle/config_edits.hpp"
#include "layers/overlay.hpp"
#include "netless/options.hpp"
#include "process/plan.hpp"
#include "security/seccomp_cache.hpp"
#include "spec/model.hpp"
#include "userns/idmap.hpp"

#include <optional>
#include <string>
#include <vector>

namespace burrow::lifecycle {

struct CreateOptions {
    std::string id;
    std::string bundle; // absolute
    std::string console_socket;
    std::string pid_file;
    bool no_pivot = false;
    bool no_new_keyring = false;
    int preserve_fds = 0;
    std::string notify_dir; // NOTIFY_SOCKET relay: bound to /run/notify in the container
    layers::OverlayOptions overlay; // --overlay, --overlay-lower, --overlay-upper, --overlay-driver
    // Networking (netless/): --network MODE and --publish SPEC...; empty: the
    // annotations io.github.burrow.network / .publish, else the spec as given.
    std::string network;
    std::vector<std::string> publish;
    // Shared hosts and HPC (issue 10)
    std::string userns;               // --userns: "" or "keep-id" (lifecycle/keep_id.hpp)
    std::vector<std::string> devices; // --device vendor/class=name: CDI devices (src/cdi/)
    std::string config_text;          // config.json with the devices' edits (set by create)
    ConfigEdits edits;                // --rootfs, -v, -e, --env-host, --cwd, -w, CMD (lifecycle/config_edits.hpp)
    int stop_timeout = 0;             // run --stop-timeout: SIGKILL this long after SIGTERM
    bool hold = false; // run --join: the process only holds the namespaces (process::use_hold_stub)
    std::string seccomp_cache; // the state root's @seccomp (security/seccomp_cache.hpp); "" = none
};

struct Launch {
    process::Plan plan;
    std::vector<userns::IdMap> uid_map, gid_map; // for a new user namespace
    bool deny_setgroups = false;
    std::vector<process::Hook> prestart, create_runtime; // run by the parent
    netless::Network network; // the mode and published ports
    std::string network_helper; // its path, found before anything is spawned
    std::optional<security::KeptSeccomp> seccomp; // linux.seccomp compiled or found, kept by create
};

// Throws Error naming the field at fault. Opens namespace files (their fds
// live in the plan until the child has joined them).
Launch make_launch(const spec::Config &c, const CreateOptions &o, netless::Network net = {});

// The network mode and published ports: --network and --publish, else the
// annotations a client wrote in config.json. Throws Error naming the source.
netless::Network plan_network(const spec::Config &c, const CreateOptions &o);

// The process part of the plan (limits, identity, capabilities, program,
// terminal), shared by create and exec. p.rootfs must be set (for HOME).
void plan_process(const spec::Process &proc, process::Plan &p, bool deny_setgroups, int preserve_fds);

// A namespace kind's CLONE_NEW* flag.
int clone_flag(spec::NsType t);

// Closes the fds make_launch opened.
void close_launch_fds(Launch &l);

} // namespace burrow::lifecycle
