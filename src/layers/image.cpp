#include "layers/image.hpp"
#include "error.hpp"
#include "log.hpp"
#include "read_file.hpp"
#include "rootfs/image_root.hpp"
#include "state/store.hpp"
#include "userns/helper.hpp"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::layers {

std::string image_rootfs(const std::string &state_dir) { return state_dir + "/overlay/root"; }

void plan_image(const std::string &image, const std::string &from, const std::string &state_dir, OverlayLayers &l,
                rootfs::OverlayMount &m) {
    int fd = open(image.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(from + ": " + image, errno);
    struct stat st;
    char magic[4] = {};
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, magic, 4, 0) == 4;
    close(fd);
    if (!ok || memcmp(magic, "hsqs", 4) != 0) throw Error(from + ": " + image + ": not a squashfs image");
    l.image = canonical_path(image, from);
    l.squashfuse = userns::find_helper("squashfuse");
    if (l.squashfuse.empty()) throw Error(from + ": squashfuse not found: install the squashfuse package");
    m.image_dir = state_dir + "/overlay/image";
    l.lower.push_back(m.image_dir);
}

void plan_image_root(const OverlayLayers &l, const OverlayOptions &o, const spec::Hooks &hooks, const std::string &cwd,
                     rootfs::MountPlan &m) {
    auto &ov = m.overlay;
    ov.image_as_root = false;
    if (l.image.empty() || l.lower.size() != 1 || !m.readonly_root || !o.upper.empty() || !o.driver.empty()) return;
    // Such a hook may write to the rootfs (an ld.so.cache, a device's libraries).
    if (!hooks.prestart.empty() || !hooks.create_runtime.empty() || !hooks.create_container.empty()) return;
    if (!rootfs::image_root_needs(m, cwd, ov.image_needs)) return;
    ov.image_root = l.lower.back();
    ov.image_as_root = true;
}

void make_image_dirs(const OverlayLayers &l, const rootfs::OverlayMount &m) {
    // (The overlay's own directory is there already with an upper layer in the state directory.)
    for (auto &d : {l.own_upper ? std::string() : l.state_dir + "/overlay", m.image_dir, image_rootfs(l.state_dir)})
        if (!d.empty() && mkdir(d.c_str(), 0755) < 0 && errno != EEXIST) throw_errno("mkdir " + d);
}

pid_t start_squashfuse(const OverlayLayers &l, pid_t child, int fuse_fd, int userns_fd) {
    // The kernel's squashfs needs a loop device, which a user namespace cannot have.
    log::debug("image: squashfuse serves " + l.image + " (not the kernel's squashfs: it needs a loop device)");
    // squashfuse decompresses each block into a buffer of its size (128 KB by
    // default), which glibc's malloc takes from a fresh mmap and gives back at
    // once: every block read was 32 page faults and an munmap. Kept in the
    // heap instead: a first run's reads cost 0.6x the CPU (743 -> 123 faults).
    // The caller's own GLIBC_TUNABLES come after ours and win.
    std::string tunables = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=16777216";
    if (const char *t = getenv("GLIBC_TUNABLES"); t && *t) tunables += std::string(":") + t;
    return start_fuse_server(l.squashfuse, {"squashfuse", l.image, "/dev/fd/3"}, "", {l.image}, child, fuse_fd,
                             userns_fd, -1, tunables);
}

void record_image(const OverlayLayers &l, pid_t fuse_pid, std::map<std::string, std::string> &a) {
    if (l.image.empty()) return;
    a[kImageAnnotation] = l.image;
    a["io.github.burrow.image.driver"] = "squashfuse";
    if (fuse_pid > 0)
        a["io.github.burrow.image.fuse-pid"] =
            std::to_string(fuse_pid) + ":" + std::to_string(state::process_start_time(fuse_pid));
}

void forget_image_keys(std::map<std::string, std::string> &a) {
    a.erase("io.github.burrow.image.driver");
    a.erase("io.github.burrow.image.fuse-pid");
    a.erase("io.github.burrow.image.holder");
}

} // namespace burrow::layers
