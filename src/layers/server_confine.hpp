// The FUSE servers' confinement. squashfuse parses an image's bytes and both
// it and fuse-overlayfs answer what the container's processes ask of their
// mount, as the container's root but outside the container, in the caller's
// mount namespace: a bug in either that a hostile image or container reaches
// would otherwise let it write anything the user may write (burrow's own
// binary in ~/bin, ~/.bashrc) or talk to the user's systemd and D-Bus. So a
// server starts in a mount namespace of its own where every mount is
// read-only except the one directory it must write (the one holding
// fuse-overlayfs's upper and work directories), without CAP_SYS_ADMIN to undo that (and a user namespace
// it might make copies those mounts locked read-only), under no_new_privs and
// a seccomp filter that refuses new sockets, io_uring (whose operations
// seccomp cannot see) and the keyrings; the daemon it forks to serve is the
// first process of a pid namespace of its own, so it cannot signal the user's
// processes either. And where the kernel has Landlock, it may read only its
// layers and the system's programs and libraries, not the user's files (a
// server taken over could put ~/.ssh's keys in a file it serves the
// container), and write only below that one directory.
#pragma once
#include "rootfs/overlay.hpp"
#include "security/landlock.hpp"
#include "security/seccomp.hpp"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::layers {

struct ServerConfinement {
    std::string writable; // the absolute directory the server writes below ("": none)
    // fuse-overlayfs's layer on a tmpfs state directory: a tmpfs of the
    // server's own on writable, which ends with it (dir empty: none).
    rootfs::LayerTmpfs tmpfs;
    security::SeccompProgram filter;
    std::vector<security::PathRule> paths; // what it may reach of the file system (Landlock)
    uint64_t keep_caps = 0; // its bounding set
    int last_cap = 0;
    // Kernels without mount_setattr (before 5.12) and valgrind: each mount
    // point, read from /proc/self/mountinfo before the fork, is remounted.
    bool legacy = false;
    std::vector<std::string> mount_points;
};

// In the parent, before the server's fork. binary: the server's program;
// readable: its layers (an image file, lower directories; "/proc/self/fd/N"
// for what fd N is when it is confined). Throws Error.
ServerConfinement plan_server_confinement(const std::string &writable, const std::string &binary,
                                          const std::vector<std::string> &readable,
                                          const rootfs::LayerTmpfs &tmpfs = {});

// In the server's fork child, once it has joined the container's user
// namespace and taken its ids, before exec. Returns 0, or -errno with *what
// naming the step that failed.
int confine_server(const ServerConfinement &c, const char **what) noexcept;

} // namespace burrow::layers
