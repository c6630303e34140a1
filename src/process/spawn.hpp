// The parent's side of create: clone the child into its namespaces and lead
// the handshake (handshake.hpp) until the child is ready to exec.
#pragma once
#include "process/plan.hpp"

#include <functional>
#include <string>
#include <sys/types.h>

namespace burrow::process {

struct SpawnHooks {
    // right after clone, before any message: the child's host ids are still
    // the caller's (a map it writes itself is of those) and its new user
    // namespace is already its own.
    std::function<void(pid_t)> cloned;
    // step 0, right after clone, while the child still has the caller's ids
    // (it waits for its maps): into the container's cgroup, limits applied.
    // Not called when the child was cloned into plan.cgroup_fd.
    std::function<void(pid_t)> join_cgroup;
    std::function<void(pid_t)> write_maps;                 // step 1 (not with Plan::own_uid_map)
    std::function<void(pid_t)> start_network;              // step 3: the network helper, not waited for
    std::function<void()> wait_network;                    // step 4c: until it is up
    // step 4b: fuse-overlayfs on the child's /dev/fuse fd (owned by the callee);
    // kernel_err: why the kernel's overlayfs was not used (0: not tried)
    std::function<void(pid_t, int fuse_fd, int kernel_err)> serve_overlay;
    // step 4a: squashfuse on the child's /dev/fuse fd; image_fd: the mount,
    // O_PATH (both owned by the callee)
    std::function<void(pid_t, int fuse_fd, int image_fd)> serve_image;
    // step 4': the overlay's directories, not made before (OverlayMount::dirs_later);
    // missing: the path the image lacks, relative to the rootfs
    std::function<void(const char *missing)> make_overlay_dirs;
    // step 5: runs them; returns the state JSONs for createContainer ("creating")
    // and startContainer ("created") hooks, and the seccomp agent's
    // containerProcessState.
    std::function<std::vector<std::string>(pid_t)> runtime_hooks;
};

// A spawned container process. Until release(), destruction kills and reaps it.
class Spawned {
public:
    Spawned() = default;
    Spawned(pid_t pid, int sock) : pid_(pid), sock_(sock) {}
    Spawned(Spawned &&o) noexcept : pid_(o.pid_), sock_(o.sock_), image_is_root_(o.image_is_root_) { o.pid_ = -1, o.sock_ = -1; }
    Spawned &operator=(Spawned &&) = delete;
    ~Spawned();
    pid_t pid() const { return pid_; }
    int sock() const { return sock_; }
    void release(); // keep the process; closes the socket
    void close_sock();
    void set_pid(pid_t p) { pid_ = p; }
    // What `ready` said: the image's mount is the rootfs, no overlay (rootfs/image_root.hpp).
    bool image_is_root() const { return image_is_root_; }
    void set_image_is_root(bool v) { image_is_root_ = v; }

private:
    pid_t pid_ = -1;
    int sock_ = -1;
    bool image_is_root_ = false;
};

// Clones and runs the handshake up to "ready". Throws Error with the child's
// own account of what failed. Takes both socket ends: the child's is closed
// here, the parent's belongs to the returned Spawned.
Spawned spawn(const Plan &plan, int child_sock, int parent_sock, const SpawnHooks &hooks);

} // namespace burrow::process
