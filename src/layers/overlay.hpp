// --overlay, the parent's side (the child's mount is rootfs/overlay.hpp):
// options and annotations resolved into layers, the upper and work
// directories made and removed, fuse-overlayfs started on the FUSE fd the
// child mounted, and what the container got recorded in its state.
#pragma once
#include "layers/server_confine.hpp"
#include "rootfs/overlay.hpp"

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::layers {

struct OverlayOptions {
    bool enabled = false;
    std::vector<std::string> lower; // layers below the bundle's rootfs, top first
    std::string upper;              // kept after delete; empty: in the state directory
    std::string driver;             // "" (kernel, else fuse), "kernel", "fuse"
    std::string image;              // --image FILE.sqfs: the lowest layer, root.path unused (layers/image.hpp)
    std::string image_from = "--image"; // or its annotation, for errors
};

// The annotations a client that only writes config.json can use instead.
inline constexpr const char *kOverlayAnnotation = "io.github.burrow.overlay"; // "true"
inline constexpr const char *kOverlayLowerAnnotation = "io.github.burrow.overlay.lower"; // colon list
inline constexpr const char *kOverlayUpperAnnotation = "io.github.burrow.overlay.upper";
inline constexpr const char *kOverlayDriverAnnotation = "io.github.burrow.overlay.driver";

struct OverlayLayers {
    std::vector<std::string> lower; // canonical, top first: the bundle's rootfs, then the others
    std::string upper, work;
    bool own_upper = true;   // in the state directory (removed with it)
    bool made_upper = false; // --overlay-upper made by this create (removed if it fails)
    std::string fuse_overlayfs; // the binary; empty when FUSE is not to be used
    std::string state_dir;
    std::string image, squashfuse; // --image: the file and the binary; lower.back() is its mount
    rootfs::LayerTmpfs layer_tmpfs; // own layer on a tmpfs state directory: fuse-overlayfs's (rootfs/overlay.hpp)
};

// Who owns a layer directory the parent makes, as the container sees it: the
// caller's ids in its user namespace (-1: unmapped). Unknown (a user
// namespace the config joins): the layer stays a directory of the parent's.
struct LayerOwner {
    bool known = false;
    int64_t uid = -1, gid = -1;
};

// Command-line options over the config's annotations. Throws Error naming the flag or annotation.
OverlayOptions overlay_options(const OverlayOptions &cli, const std::map<std::string, std::string> &annotations);

// Checks the layers (before anything is made) and fills m except its option string.
OverlayLayers plan_overlay(const OverlayOptions &o, const std::string &rootfs, const std::string &state_dir,
                           rootfs::OverlayMount &m);

// After the state directory is claimed: makes upper and work, completes m's
// options (userxattr when the container is in a user namespace). Where
// --image's shared mount may be the rootfs itself (m.image_as_root, see
// layers/image.hpp's plan_image_root, called first) the directories are left
// for make_later_overlay_dirs, which the child asks for if it needs the
// overlay after all (m.dirs_later).
// private_mounts: the container's mounts cannot propagate to the host (its
// root is rslave or rprivate), so a tmpfs for the layer may be its own.
void make_overlay_dirs(OverlayLayers &l, rootfs::OverlayMount &m, bool in_userns, bool private_mounts,
                       const LayerOwner &owner = {});
void make_later_overlay_dirs(const OverlayLayers &l, const rootfs::OverlayMount &m);

// Handshake step 3a: runs fuse-overlayfs on the /dev/fuse fd the child
// mounted, from inside the child's user namespace; returns once it serves
// (its daemon's pid), or throws Error with fuse-overlayfs's own words.
// image_fd (--image): the image's mount, which is in the child's (or the
// holder's) mount namespace only, opened O_PATH: fuse-overlayfs gets it as
// its fd 4 and opens its lowest layer as /proc/self/fd/4, its own, where
// /proc/CHILD/root would need it to be allowed to ptrace the child (not so
// once the child became a subordinate id, keep-id's root, nor for a server
// without capabilities, keep-id:single's).
pid_t start_fuse_overlayfs(const OverlayLayers &l, pid_t child, int fuse_fd, int userns_fd, int image_fd);

// What start_fuse_overlayfs does for any FUSE server taking the fd as
// /dev/fd/3 (args[0] names it and its daemon's comm), confined so that it
// can write only below the directory `writable` ("": nowhere;
// layers/server_confine.hpp), and read only its programs and the
// `readable` layers. userns_fd: the child's
// user namespace, opened while the child still had the caller's ids (-1:
// /proc/CHILD/ns/user now, which fails once the child became a subordinate
// id and non-dumpable, as with --userns keep-id). extra_fd: passed on as fd 4.
// env: "NAME=VALUE" added to its environment (empty: none). tmpfs: the
// writable directory is a tmpfs of the server's own (fuse-overlayfs's layer
// on a tmpfs state directory).
pid_t start_fuse_server(const std::string &binary, std::vector<std::string> args, const std::string &writable,
                        const std::vector<std::string> &readable, pid_t child, int fuse_fd, int userns_fd = -1,
                        int extra_fd = -1, const std::string &env = "", const rootfs::LayerTmpfs &tmpfs = {});

// What the container got, for `burrow state` and for delete.
void record_overlay(const OverlayLayers &l, rootfs::OverlayDriver d, pid_t fuse_pid,
                    std::map<std::string, std::string> &annotations);

// The keys record_overlay writes that only burrow may set (a config's
// annotations must not name a directory for delete to remove).
void forget_overlay_keys(std::map<std::string, std::string> &annotations);

// delete (and a failed create): waits for fuse-overlayfs to end (its FUSE
// connection went with the container's mount namespace), then removes the
// work directory and an upper directory of the state directory. Files in
// them owned by subordinate ids are removed from a user namespace with the
// user's whole mapping.
void remove_overlay(const std::string &state_dir, const std::map<std::string, std::string> &annotations);

// The tree at path, gone (the fallback above). Exposed for remove_overlay's callers.
void remove_tree_as_owner(const std::string &path);

} // namespace burrow::layers
