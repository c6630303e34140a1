// One image mount per user and node, shared (--image). The first container
// of an image file starts a holder: a small process (comm "burrow-image")
// with a user namespace (the container's id maps) and a mount namespace of
// its own, in which squashfuse serves the image on STATE_ROOT/@images/KEY.mnt.
// Every container of that image (the same file and id maps) then joins the
// holder's user namespace and makes its mount namespace as a copy of the
// holder's, so its overlay sits on the same FUSE mount: one squashfuse and
// one cache of decompressed blocks per node, however many tasks of a job
// array run. No daemon to start, no setuid part: the holder is burrow's own
// fork, in the caller's session and cgroup (the batch system's job).
//
// The holder ends once no process has been in its user namespace for the
// idle time (BURROW_IMAGE_IDLE seconds, default 30); running containers keep
// their copy of the mount (and squashfuse) until they end. A lock file
// orders the two: a container takes it shared from finding the holder until
// it has joined; the holder ends only with it taken exclusively.
// BURROW_IMAGE_SHARE=0 gives each container its own squashfuse, as before.
#pragma once
#include "layers/overlay.hpp"
#include "process/plan.hpp"
#include "userns/idmap.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::layers {

struct SharedImage {
    pid_t holder = 0;
    int userns = -1, mntns = -1; // the holder's namespaces, to join
    int lock = -1;               // held shared until the container has joined
    std::string mount_dir;       // the image's mount point in the holder's (and container's) mount namespace
    SharedImage() = default;
    SharedImage(const SharedImage &) = delete;
    ~SharedImage();
    void release_lock();
};

// Whether containers share image mounts (BURROW_IMAGE_SHARE is not "0").
bool image_sharing_enabled();

// Finds the holder of l.image with these maps, or starts one. Throws Error.
void share_image(const std::string &state_root, const OverlayLayers &l, const std::vector<userns::IdMap> &uid_map,
                 const std::vector<userns::IdMap> &gid_map, bool deny_setgroups, SharedImage &out);

// The container joins the holder's user namespace and makes its own mount
// namespace (and the others) after it, as a copy of the holder's; it does not
// mount the image itself.
void join_shared_image(process::Plan &plan, const SharedImage &s);

} // namespace burrow::layers
