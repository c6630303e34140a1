// create and run: config → plan → clone + handshake → state "created".
#include "cdi/cdi.hpp"
#include "console/console.hpp"
#include "error.hpp"
#include "fd.hpp"
#include "read_file.hpp"
#include "hooks/run_hooks.hpp"
#include "lifecycle/cgroup.hpp"
#include "lifecycle/hooks_state.hpp"
#include "lifecycle/keep_id.hpp"
#include "lifecycle/lifecycle.hpp"
#include "layers/image.hpp"
#include "layers/image_share.hpp"
#include "layers/overlay.hpp"
#include "lifecycle/pid_file.hpp"
#include "lifecycle/state_guard.hpp"
#include "lifecycle/supervise.hpp"
#include "log.hpp"
#include "netless/helper.hpp"
#include "process/handshake.hpp"
#include "process/spawn.hpp"
#include "rootfs/mount_exec.hpp"
#include "session/cgroup_files.hpp"
#include "session/notify_relay.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"
#include "security/seccomp_cache.hpp"
#include "state/store.hpp"
#include "userns/rootless.hpp"
#include "userns/writer.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sched.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::lifecycle {

using namespace layers; // the overlay's and the image's parent side (src/layers/)
namespace {

std::string kept_hooks(const spec::Config &c, const std::string &bundle, const std::string &config_text) {
    // start runs poststart and delete runs poststop: keep them with the state.
    if (c.hooks.poststart.empty() && c.hooks.poststop.empty()) return "";
    auto j = nlohmann::json::parse(config_text.empty() ? read_file(bundle + "/config.json") : config_text);
    nlohmann::json h;
    for (const char *k : {"poststart", "poststop"})
        if (j["hooks"].contains(k)) h[k] = j["hooks"][k];
    return h.dump();
}

// The fds the child inherits to talk to the world: the sync socket, the
// start fd (exec.fifo, or the sync socket for `run`), the console socket
// (or our own end of it for a foreground `run`), the seccomp agent's socket.
struct Endpoints {
    Fd parent_sock, child_sock, fifo, console, console_peer, agent;
};

void open_endpoints(Endpoints &e, process::Plan &plan, const spec::Config &cfg, const CreateOptions &o,
                    RunMode mode, const std::string &fifo_path) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    e.parent_sock.fd = sv[0];
    e.child_sock.fd = sv[1];
    if (mode == RunMode::foreground) {
        plan.start_fd = e.child_sock.fd;
    } else {
        if (mkfifo(fifo_path.c_str(), 0600) < 0) throw_errno("mkfifo " + fifo_path);
        e.fifo.fd = open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (e.fifo.fd < 0) throw_errno("open " + fifo_path);
        plan.start_fd = e.fifo.fd;
    }

    // The pty master goes to --console-socket, or to us when `run` attaches
    // the container to our own terminal.
    if (plan.terminal) {
        if (o.console_socket.empty() && mode != RunMode::foreground)
            throw Error("config.json: process.terminal: needs --console-socket to receive the pty");
        auto ends = console::console_ends(o.console_socket);
        e.console.fd = ends.to_child;
        e.console_peer.fd = ends.peer;
        plan.console_socket = e.console.fd;
    }

    // The seccomp agent: connected here, where listenerPath means the host's path.
    if (plan.seccomp && plan.seccomp->wants_listener) {
        e.agent.fd = with_context("config.json: linux.seccomp.listenerPath",
                                  [&] { return console::connect_socket(cfg.linux_->seccomp->listener_path); });
        plan.seccomp_listener = e.agent.fd;
    }
}

state::Record new_record(const spec::Config &cfg, const CreateOptions &o, const process::Plan &plan) {
    state::Record rec;
    rec.oci_version = cfg.oci_version;
    rec.id = o.id;
    rec.bundle = o.bundle;
    rec.rootfs = plan.rootfs;
    rec.created = state::now_rfc3339();
    rec.annotations = cfg.annotations;
    if (!o.userns.empty()) rec.annotations[kUsernsAnnotation] = o.userns; // for exec
    rec.hooks_json = kept_hooks(cfg, o.bundle, o.config_text);
    rec.own_pidns = (plan.clone_flags | plan.unshare_flags) & CLONE_NEWPID;
    rec.no_new_keyring = o.no_new_keyring;
    return rec;
}

// `state` shows the network mode and published ports as annotations, in the
// form the annotations themselves take.
void annotate_network(state::Record &rec, const netless::Network &n) {
    if (n.mode == netless::Mode::spec) return;
    std::string mode = netless::mode_name(n.mode);
    if (n.allow_host_loopback) mode += ":allow_host_loopback=true";
    rec.annotations[netless::kNetworkAnnotation] = mode;
    std::string ports;
    for (auto &p : n.publish) {
        if (!ports.empty()) ports += ",";
        ports += netless::publish_text(p);
    }
    if (!ports.empty()) rec.annotations[netless::kPublishAnnotation] = ports;
}

// Step 4 of the handshake: prestart and createRuntime hooks, and the state
// JSONs for the child (createContainer, startContainer, the seccomp agent).
std::vector<std::string> runtime_hooks(const Launch &l, const spec::Config &cfg, state::Record &rec, pid_t pid,
                                       const std::string &group_record) {
    rec.pid = pid;
    // As crun, and as the runtime-spec's lifecycle has it (the environment
    // is made: step 2 is over), every hook of create reads "created"; runc
    // 1.1 passes "creating" to prestart, createRuntime and createContainer.
    std::string st = hooks_state(rec, "created");
    hooks::run_all(l.prestart, st, "prestart", group_record);
    hooks::run_all(l.create_runtime, st, "createRuntime", group_record);
    std::vector<std::string> states = {st, st, ""};
    if (l.plan.seccomp_listener >= 0)
        states[2] = agent_state(rec.oci_version, hooks_state(rec, "creating"), pid,
                                cfg.linux_->seccomp->listener_metadata);
    return states;
}

// --overlay: the layers, what the child mounted, and undoing it if create fails
// (after the container is gone, which ends fuse-overlayfs).
struct Overlay {
    std::optional<OverlayLayers> layers;
    rootfs::OverlayDriver driver = rootfs::OverlayDriver::none;
    pid_t fuse_pid = 0;
    pid_t image_pid = 0; // squashfuse (--image)
    bool committed = false;
    Overlay() = default;
    Overlay(const Overlay &) = delete;
    ~Overlay() {
        if (!layers || committed) return;
        try {
            std::map<std::string, std::string> a;
            record_overlay(*layers, driver, fuse_pid, a);
            record_image(*layers, image_pid, a);
            remove_overlay(layers->state_dir, a);
            if (layers->made_upper) remove_tree_as_owner(layers->upper);
        } catch (const std::exception &e) {
            log::warn(std::string("overlay: ") + e.what());
        }
    }
};

// `run` without --detach: release the process, stay with it, clean up after.
int run_foreground(process::Spawned &child, Endpoints &e, state::Lock lock, const state::Store &store,
                   const state::Record &rec, bool keep, StateGuard &guard, const std::string &notify_dir,
                   const std::string &notify_host, netless::Helper &helper, session::CgroupManager &cgroup,
                   CgroupGuard &cgroup_guard, int stop_timeout, bool kept_seccomp) {
    int master = -1;
    if (e.console_peer.fd >= 0) {
        master = console::receive_master(e.console_peer.fd);
        copy_terminal_size(master); // before the program starts and asks for it
    }
    auto hooks = spec::parse_hooks_json(rec.hooks_json);
    Relay relay;
    if (!notify_dir.empty()) {
        relay.fd = session::bind_notify_socket(notify_dir);
        relay.host = notify_host;
    }
    block_forwarded_signals();
    if (!process::send_msg(child.sock(), process::MsgType::go)) throw_errno("start the container process");
    pid_t pid = child.pid();
    child.release();
    bool had_helper = helper.pid() > 0;
    helper.release();
    guard.commit();
    cgroup_guard.commit();
    { auto unlocked = std::move(lock); } // others may kill or delete it now
    std::string group_record = store.dir(rec.id) + "/hooks.pgid";
    // The state JSON only for hooks that read it (ordered_json: 15,000 instructions each).
    if (!hooks.poststart.empty())
        hooks::run_all_warn(hooks::prepare(hooks.poststart), hooks_state(rec, "running"), "poststart", group_record);
    int code = supervise(pid, master, relay, stop_timeout);
    if (had_helper) netless::stop_helper(store.dir(rec.id)); // at once: its pidfd would end it a moment later
    if (master >= 0) close(master);
    if (relay.fd >= 0) close(relay.fd);
    if (!hooks.poststop.empty())
        hooks::run_all_warn(hooks::prepare(hooks.poststop), hooks_state(rec, "stopped"), "poststop", group_record);
    if (!keep) {
        // What the program left running in its cgroup goes with it, then its overlay.
        destroy_cgroup(cgroup);
        remove_overlay(store.dir(rec.id), rec.annotations);
        if (kept_seccomp) security::drop_seccomp(store.dir(rec.id) + "/seccomp.bpf", store.dir(security::kSeccompCache));
        store.remove(rec.id);
    }
    return code;
}

// A record left by a foreground `run` that was killed (a service manager's
// SIGKILL after TimeoutStopSec): that run, which would have deleted it, and
// the container's process are gone for good, so nobody else will ever delete
// it. runc keeps such a record and fails the next run with "already exists";
// burrow deletes it first, as `delete` would (poststop hooks, cgroup), so a
// service's next start or Restart= works. Records of create, run --detach and
// run --keep are never touched: those are the user's to delete.
void remove_stale(const Globals &g, const state::Store &store, const std::string &id) {
    if (!store.exists(id)) return;
    state::Record r;
    try {
        r = store.read(id);
    } catch (const std::exception &) {
        return; // being written or removed right now: claim() will say
    }
    if (r.runner == 0 || state::process_start_time(r.runner) == r.runner_start) return;
    if (state::status_of(store, r) != state::Status::stopped) return;
    log::debug("run " + id + ": removing the record its killed `run` (pid " + std::to_string(r.runner) + ") left");
    try {
        remove(g, id, false);
    } catch (const std::exception &e) {
        log::debug("run " + id + ": " + e.what());
    }
}

// config.json (or the template, for run --rootfs/--image -- CMD), with the
// command line's edits and those of the CDI devices --device names.
spec::Config load_with_devices(CreateOptions &o) {
    if (o.devices.empty() && !o.edits.any()) return spec::load_config(o.bundle);
    const char *what = o.edits.from_template ? "the config (burrow's rootless template)" : "config.json";
    // The template with its edits in (their errors name the option): text
    // that is parsed once, or edited as JSON only for CDI devices.
    std::string text = o.edits.from_template ? template_config(o.edits, userns::rootless()) : std::string();
    if (o.edits.from_template && o.devices.empty()) {
        o.config_text = std::move(text);
        return with_context(what, [&] { return spec::parse_config(o.config_text); });
    }
    auto j = with_context(what, [&] {
        return spec::parse_json_text<nlohmann::ordered_json>(o.edits.from_template ? text
                                                                                   : read_file(o.bundle + "/config.json"));
    });
    if (!o.edits.from_template) apply_config_edits(j, o.edits);
    if (!o.devices.empty()) {
        nlohmann::json plain = j;
        cdi::inject(plain, o.devices, cdi::spec_dirs());
        o.config_text = spec::dump_json_text(plain);
    } else {
        o.config_text = spec::dump_json_text(j);
    }
    return with_context(std::string(what) + (o.devices.empty() ? "" : " (with the CDI devices' edits)"),
                        [&] { return spec::parse_config(o.config_text); });
}

void write_config_copy(const std::string &path, const std::string &text) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("create " + path);
    bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    if (!ok) throw_errno("write " + path);
}

// --userns: the config as if it said so itself.
void apply_host_options(spec::Config &cfg, CreateOptions &o) {
    o.userns = userns_mode(o.userns, cfg.annotations);
    if (is_keep_id(o.userns)) apply_keep_id(cfg, o.userns == kKeepIdSingle);
}

} // namespace

int create(const Globals &g, const CreateOptions &opts, RunMode mode, bool keep) {
    state::validate_id(opts.id);
    state::Store store(g.root);
    CreateOptions o = opts;
    std::string notify_host = session::host_notify_socket();
    // (Not for run --join's holder, which never says READY=1: start would wait for it.)
    if (!notify_host.empty() && !o.hold) o.notify_dir = store.dir(o.id) + "/notify";
    o.seccomp_cache = store.dir(security::kSeccompCache);
    spec::Config cfg = load_with_devices(o);
    o.overlay = overlay_options(o.overlay, cfg.annotations);
    if (!o.overlay.image.empty()) { // root.path is not used (layers/image.hpp)
        if (o.overlay.image[0] != '/') o.overlay.image = o.bundle + "/" + o.overlay.image;
        if (cfg.root.path.empty()) cfg.root.path = ".";
    }
    netless::Network net = plan_network(cfg, o);
    Launch l = with_context("config.json", [&] {
        spec::validate(cfg);
        apply_host_options(cfg, o);
        return make_launch(cfg, o, net);
    });
    struct FdCloser {
        Launch &l;
        ~FdCloser() { close_launch_fds(l); }
    } ns_fds{l};
    try { // the helper's binary, /dev/net/tun, the host ports: before anything is made
        l.network_helper = netless::preflight(l.network);
    } catch (const std::runtime_error &err) {
        throw Error(err.what());
    }
    auto &plan = l.plan;
    if (!plan.terminal && !o.console_socket.empty())
        throw Error("--console-socket: process.terminal is false in config.json: there is no pty to send");
    remove_stale(g, store, o.id);
    auto &overlay_opts = o.overlay;
    if (!overlay_opts.image.empty()) plan.rootfs = image_rootfs(store.dir(o.id));
    std::optional<OverlayLayers> layers; // checked before anything is made
    if (overlay_opts.enabled) layers = plan_overlay(overlay_opts, plan.rootfs, store.dir(o.id), plan.mounts.overlay);
    session::Resources resources = config_resources(cfg);
    auto cgroup = choose_cgroup(g, o.id, cfg, resources);
    rootfs::own_cgroup_mounts(plan.mounts, cgroup_view(cgroup->record()));

    auto lock = store.claim(o.id);
    StateGuard guard(store, o.id);
    // The record's JSON made once: cgroup.json now, state.json's copy later
    // (nlohmann's ordered_json, about 40,000 instructions each time).
    session::CgroupRecord saved_cgroup = cgroup->record();
    std::string cgroup_json = saved_cgroup.to_json();
    save_cgroup_text(store, o.id, cgroup_json);
    CgroupGuard cgroup_guard(cgroup.get());
    plan.state_lock_fd = lock.fd();
    Overlay ov; // undone before the state directory goes
    ov.layers = std::move(layers);
    // --image: one mount per user and node, in a holder's namespaces
    // (layers/image_share.hpp), which the container joins.
    SharedImage shared;
    if (ov.layers && !ov.layers->image.empty() && plan.new_userns && userns::rootless() && image_sharing_enabled()) {
        share_image(g.root, *ov.layers, l.uid_map, l.gid_map, l.deny_setgroups, shared);
        join_shared_image(plan, shared);
        ov.layers->lower.back() = shared.mount_dir;
    }
    if (ov.layers) {
        ov.driver = rootfs::OverlayDriver::kernel; // unless the child asks for FUSE
        bool in_userns = plan.new_userns || userns::rootless() ||
                         std::any_of(plan.joins.begin(), plan.joins.end(),
                                     [](const process::NsJoin &j) { return j.nstype == CLONE_NEWUSER; });
        plan_image_root(*ov.layers, overlay_opts, cfg.hooks, plan.cwd, plan.mounts);
        // Who owns the layer there: the caller's ids in the container (its
        // maps, new or the image holder's); a user namespace of the config's
        // own is not looked into.
        LayerOwner owner;
        if (!in_userns) owner = {true, geteuid(), getegid()};
        else if (!l.uid_map.empty() && !l.gid_map.empty())
            owner = {true, userns::inside_id(l.uid_map, geteuid()), userns::inside_id(l.gid_map, getegid())};
        make_overlay_dirs(*ov.layers, plan.mounts.overlay, in_userns, !rootfs::may_share(plan.mounts.root_propagation),
                          owner);
    }
    if (!o.notify_dir.empty()) session::make_notify_dir(o.notify_dir);
    Endpoints e;
    open_endpoints(e, plan, cfg, o, mode, store.dir(o.id) + "/exec.fifo");
    state::Record rec = new_record(cfg, o, plan);
    rec.cgroup = std::move(cgroup_json);
    annotate_network(rec, l.network);
    netless::Helper helper; // ended and its files removed if create fails (before the guard removes the dir)
    if (mode == RunMode::foreground && !keep) {
        rec.runner = getpid();
        rec.runner_start = state::process_start_time(rec.runner);
    }

    uid_t uid = geteuid();
    gid_t gid = getegid();
    process::SpawnHooks sh;
    auto cgroup_step = [&](auto &&f) {
        try {
            f();
        } catch (const std::invalid_argument &e) {
            throw Error(std::string("config.json: linux.resources.") + e.what());
        } catch (const std::exception &e) {
            throw Error(std::string("cgroup: ") + e.what());
        }
    };
    // cgroup v2: made and limited before clone, which puts the child in it.
    Fd cgroup_fd;
    cgroup_step([&] {
        cgroup_fd.fd = cgroup->prepare_clone();
        if (cgroup_fd.fd >= 0) cgroup->apply(resources);
    });
    plan.cgroup_fd = cgroup_fd.fd;
    // cgroup v1 lets us move a process only while it has our uid, and a
    // child born outside the cgroup must not make its devices before the
    // rules are written. With a new user namespace it waits for its maps,
    // which we write after this (a child that maps only our own ids keeps
    // our uid throughout, and has no device rules: it does not wait); without
    // one it waits for our word (go).
    plan.wait_for_cgroup = cgroup->record().kind == session::ManagerKind::cgroupfs_v1 && !plan.new_userns;
    sh.join_cgroup = [&](pid_t pid) {
        cgroup_step([&] {
            if (cgroup_fd.fd >= 0) return cgroup->join(pid); // the kernel had no clone3 into it
            cgroup->enter(pid);
            cgroup->apply(resources);
        });
    };
    // The child's user namespace for the FUSE servers, opened now: once the
    // child becomes a subordinate id (keep-id's root) it is not ours to open.
    Fd child_userns;
    if (shared.holder) child_userns.fd = fcntl(shared.userns, F_DUPFD_CLOEXEC, 0);
    Fd image_mount; // --image: its mount, for fuse-overlayfs (the child's, or the holder's)
    if (ov.layers && plan.new_userns)
        sh.cloned = [&](pid_t pid) {
            child_userns.fd = open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
        };
    // The caller's own ids alone: the child maps itself (Plan::own_uid_map),
    // unless it forks into a pid or time namespace: that fork must wait until
    // the parent has moved it into the cgroup, which the maps' wait gives.
    // And the child binds its cgroup into its own /sys/fs/cgroup: the cgroup
    // must exist before it goes on, made now (CgroupManager::make_early).
    bool own_maps = plan.new_userns && uid != 0 && !plan.needs_fork && userns::writable_directly(l.uid_map, uid) &&
                    userns::writable_directly(l.gid_map, gid);
    if (own_maps && cgroup_fd.fd < 0) cgroup_step([&] { own_maps = cgroup->make_early(); });
    if (own_maps) {
        plan.own_uid_map = userns::format_map(l.uid_map);
        plan.own_gid_map = userns::format_map(l.gid_map);
    }
    sh.write_maps = [&](pid_t pid) { userns::write_id_maps(pid, l.uid_map, uid, l.gid_map, gid, l.deny_setgroups); };
    sh.runtime_hooks = [&](pid_t pid) { return runtime_hooks(l, cfg, rec, pid, store.dir(o.id) + "/hooks.pgid"); };
    sh.serve_overlay = [&](pid_t pid, int fuse_fd, int kernel_err) {
        Fd owned;
        owned.fd = fuse_fd;
        if (!ov.layers) throw Error("the container process asked for fuse-overlayfs without --overlay", EPROTO);
        if (kernel_err)
            log::debug(std::string("overlay: the kernel's overlayfs refused the mount (") + strerror(kernel_err) +
                       "): fuse-overlayfs instead");
        ov.driver = rootfs::OverlayDriver::fuse;
        if (shared.holder && !ov.layers->image.empty()) {
            // The holder is the caller's, and dumpable: ours to open.
            std::string mnt = "/proc/" + std::to_string(shared.holder) + "/root" + shared.mount_dir;
            image_mount.fd = open(mnt.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (image_mount.fd < 0) throw_errno("open " + mnt);
        }
        ov.fuse_pid = start_fuse_overlayfs(*ov.layers, shared.holder ? shared.holder : pid, fuse_fd, child_userns.fd,
                                           image_mount.fd);
        image_mount.reset();
    };
    sh.make_overlay_dirs = [&](const char *missing) {
        log::debug(std::string("image: /") + missing + " is not in it: an overlay over it, as with -w");
        if (ov.layers) make_later_overlay_dirs(*ov.layers, plan.mounts.overlay);
    };
    sh.serve_image = [&](pid_t pid, int fuse_fd, int image_fd) {
        Fd owned, dir;
        owned.fd = fuse_fd;
        dir.fd = image_fd;
        if (!ov.layers || ov.layers->image.empty())
            throw Error("the container process asked for squashfuse without --image", EPROTO);
        ov.image_pid = start_squashfuse(*ov.layers, pid, fuse_fd, child_userns.fd);
        std::swap(image_mount.fd, dir.fd);
    };
    sh.start_network = [&](pid_t pid) {
        log::debug("create " + o.id + ": starting " + netless::mode_name(l.network.mode));
        try {
            helper = netless::Helper::launch(l.network, l.network_helper, pid, store.dir(o.id));
        } catch (const std::runtime_error &err) {
            throw Error(err.what());
        }
    };
    sh.wait_network = [&] {
        try {
            helper.wait_ready();
        } catch (const std::runtime_error &err) {
            throw Error(err.what());
        }
        log::debug("create " + o.id + ": " + netless::mode_name(l.network.mode) + " is up");
    };
    log::debug("create " + o.id + ": spawning");
    int child_sock = e.child_sock.fd;
    e.child_sock.fd = -1; // spawn closes it
    process::Spawned child = process::spawn(plan, child_sock, e.parent_sock.fd, sh);
    e.parent_sock.fd = -1; // child owns it now
    image_mount.reset(); // fuse-overlayfs has its own: ours must not keep the image's mount alive
    shared.release_lock(); // the container is in the holder's namespaces: it may end when they are unused
    close_launch_fds(l);
    cgroup_fd.reset();
    e.fifo.reset();
    e.console.reset();
    e.agent.reset();

    rec.pid = child.pid();
    rec.pid_start = state::process_start_time(rec.pid);
    forget_overlay_keys(rec.annotations);
    if (child.image_is_root()) ov.driver = rootfs::OverlayDriver::none;
    if (ov.layers) {
        record_overlay(*ov.layers, ov.driver, ov.fuse_pid, rec.annotations);
        record_image(*ov.layers, ov.image_pid, rec.annotations);
        if (shared.holder) rec.annotations["io.github.burrow.image.holder"] = std::to_string(shared.holder);
        if (ov.driver == rootfs::OverlayDriver::none)
            log::debug("image: its read-only mount is the rootfs, no overlay (the image has every mount point)");
        else
            log::debug(std::string("overlay: ") + (ov.driver == rootfs::OverlayDriver::fuse ? "fuse-overlayfs" : "kernel overlayfs") +
                       " on " + plan.rootfs + ", upper " + ov.layers->upper);
    }
    if (cgroup->record() != saved_cgroup) { // known once entered (systemd: the scope's cgroup)
        rec.cgroup = cgroup->record().to_json();
        save_cgroup(store, o.id, cgroup->record());
    }
    // exec reads the config: keep what create built or edited, the bundle's may differ or not exist.
    if (!o.config_text.empty()) write_config_copy(store.dir(o.id) + "/config.json", o.config_text);
    // The child no longer dies with us: what delete --force finds it by,
    // whatever becomes of state.json.
    store.write_init(rec);
    store.write(rec);
    if (!o.pid_file.empty()) write_pid_file(o.pid_file, rec.pid);
    // Last, with nothing left to fail: a create that fails leaves no shared entry.
    if (l.seccomp) security::keep_seccomp(store.dir(o.id) + "/seccomp.bpf", *l.seccomp, o.seccomp_cache);
    log::debug("create " + o.id + ": created, pid " + std::to_string(rec.pid));

    ov.committed = true; // the state records it now: delete removes it
    if (mode == RunMode::foreground)
        return run_foreground(child, e, std::move(lock), store, rec, keep, guard, o.notify_dir, notify_host, helper,
                              *cgroup, cgroup_guard, o.stop_timeout, l.seccomp.has_value());
    // A holder (run --join) is started at once, and is ready once it has
    // executed the stub: then its /proc/PID/ns are the caller's to open, also
    // where it became another id on the way (keep-id's root). The sync
    // socket, close-on-exec in the child, tells us: it ends at that exec.
    Fd exec_done;
    if (plan.hold) exec_done.fd = fcntl(child.sock(), F_DUPFD_CLOEXEC, 0);
    child.release();
    helper.release();
    cgroup_guard.commit();
    guard.commit();
    if (mode == RunMode::detached) {
        { auto unlocked = std::move(lock); }
        start(g, o.id);
        char byte;
        if (exec_done.fd >= 0)
            while (recv(exec_done.fd, &byte, 1, 0) < 0 && errno == EINTR) {
            }
    }
    return 0;
}

} // namespace burrow::lifecycle
