// The parent/child handshake of `create`. Every message is one fixed-size
// Message on a SOCK_SEQPACKET socketpair (hooks_done carries the state JSON
// after it). Any error message ends the handshake; the parent then kills the
// child and undoes what it made.
//
// | # | child -> parent                     | parent does                            | parent -> child        |
// |---|-------------------------------------|----------------------------------------|------------------------|
// | 0 | - (just cloned, caller's ids still) | into the container's cgroup, limits    | go (only v1 without a  |
// |   |                                     |   (cgroup v2: cloned into it instead)  |   new userns: the child|
// |   |                                     |                                        |   waits for it)        |
// | 1 | maps_wanted (in its new userns; not | write uid/gid maps (direct or helper)  | maps_done              |
// |   |   when it maps the caller's own ids |                                        |                        |
// |   |   itself: Plan::own_uid_map)        |                                        |                        |
// | 2 | pid (after the extra fork for a pid | remember the container's real pid      | -                      |
// |   |   or time namespace)                |                                        |                        |
// | 3 | network_wanted (namespaces made,    | start slirp4netns or pasta on the      | - (the child goes on   |
// |   |   loopback up, the helper's tap     |   child's netns; do not wait for it    |   with its mounts; the |
// |   |   made persistent; only with        |                                        |   helper starts beside)|
// |   |   --network slirp4netns or pasta)   |                                        |                        |
// | 4a| image_fuse + the /dev/fuse fd, then | start squashfuse on the fd as in 4b,   | image_ready            |
// |   |   the mount's O_PATH fd (only for   |   with the image file; note its pid    |                        |
// |   |   --image: mounted read-only on the |   for delete; keep the mount's fd for  |                        |
// |   |   overlay's lowest layer's dir)     |   fuse-overlayfs                       |                        |
// | 4'| overlay_dirs + the path (only for   | make the overlay's upper and work      | overlay_dirs_made      |
// |   |   --image with a read-only root that|   directories (layers/overlay.hpp)     |                        |
// |   |   could have been the image's mount,|                                        |                        |
// |   |   but the image lacks a path the    |                                        |                        |
// |   |   plan needs: text names it)        |                                        |                        |
// | 4b| overlay_fuse + the /dev/fuse fd     | start fuse-overlayfs on the fd from    | overlay_ready          |
// |   |   (only for --overlay on FUSE:      |   inside the child's user namespace;   |                        |
// |   |   mounted on the rootfs, not yet    |   wait until it serves (its foreground |                        |
// |   |   used; err = why the kernel's      |   process exits); note the daemon's    |                        |
// |   |   overlayfs was refused)            |   pid for delete                       |                        |
// | 4c| network_wait (mounts made, before   | wait the helper's ready fd (or its     | network_ready          |
// |   |   hooks, pivot_root and ids)        |   launcher's exit); publish the ports  |                        |
// | 5 | hooks_wanted (namespaces and mounts | run prestart + createRuntime hooks;    | hooks_done + 3 JSONs:  |
// |   |   made; only when hooks or a        |   make the state JSONs                 |  creating, created, and|
// |   |   seccomp agent exist)              |                                        |  the seccomp agent's   |
// | 6 | ready (pivoted, ids and caps set,   | write state "created"; create returns  | -                      |
// |   |   waiting on the start fd; value 1: |                                        |                        |
// |   |   --image's mount is the rootfs,    |                                        |                        |
// |   |   no overlay over it)               |                                        |                        |
// | 7 | -                                   | start: one byte on exec.fifo (run:     | go -> startContainer   |
// |   |                                     |   on this socket)                      |   hooks, seccomp, exec |
// | * | error {step text, errno}            | report it as the create error          | -                      |
#pragma once
#include <cstdint>
#include <cstddef>

namespace burrow::process {

// The handshake of `exec` (src/lifecycle/exec.cpp, join_main) is shorter:
//
// | # | child -> parent                     | parent does                            | parent -> child        |
// |---|-------------------------------------|----------------------------------------|------------------------|
// | 0 | - (only a cgroup manager whose join | write the child's pid into the cgroup  | go                     |
// |   |   is the parent's: systemd; else    |                                        |                        |
// |   |   the child moves itself)           |                                        |                        |
// | 1 | pid (after the extra fork into a    | remember the process's real pid        | -                      |
// |   |   pid or time namespace)            |                                        |                        |
// | 2 | agent_wanted (only with a seccomp   | make the containerProcessState         | agent_state + its JSON |
// |   |   agent; namespaces joined)         |                                        |                        |
// | * | error {step text, errno}            | report it as the exec error (after     | -                      |
// |   |                                     |   vfork_join, once the pid came too)   |                        |
// The socket closes at exec (CLOEXEC): that is exec's success. With
// vfork_join (process/child.hpp: no go, no agent) the parent sleeps until
// the process has executed or died, then reads: an error of the process
// forked into the pid namespace comes before the pid.
enum class MsgType : uint32_t {
    maps_wanted = 1,
    maps_done,
    pid,
    hooks_wanted,
    hooks_done,
    ready,
    go,
    error,
    agent_wanted,
    agent_state,
    overlay_fuse,
    overlay_ready,
    network_wanted,
    network_ready,
    image_fuse,
    image_ready,
    network_wait,
    overlay_dirs,
    overlay_dirs_made
};

struct Message {
    MsgType type;
    int32_t value; // pid for MsgType::pid, payload count for hooks_done
    int32_t err;   // errno for MsgType::error
    char text[500];
};

// noexcept helpers used on both sides.
bool send_msg(int sock, MsgType t, int32_t value = 0, int32_t err = 0, const char *text = nullptr) noexcept;
// Receives into m; returns false on EOF or error.
bool recv_msg(int sock, Message &m) noexcept;

constexpr size_t kMaxStateJson = 65536;

} // namespace burrow::process
