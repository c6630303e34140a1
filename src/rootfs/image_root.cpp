#include "rootfs/image_root.hpp"
#include "rootfs/in_root.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace burrow::rootfs {

namespace {

// path is target or below it ("" is the rootfs itself: everything is).
bool below(const std::string &path, const std::string &target) {
    if (target.empty()) return true;
    return path.compare(0, target.size(), target) == 0 && (path.size() == target.size() || path[target.size()] == '/');
}

bool covered(const MountPlan &p, size_t steps, const std::string &path) {
    for (size_t i = 0; i < steps; i++)
        if (below(path, p.steps[i].target)) return true;
    return false;
}

} // namespace

bool image_root_needs(const MountPlan &p, const std::string &cwd, std::vector<std::string> &needs) {
    needs.clear();
    for (size_t i = 0; i < p.steps.size(); i++)
        if (!covered(p, i, p.steps[i].target)) needs.push_back(p.steps[i].target);
    // Devices, links and the console point are made after every mount.
    for (auto &d : p.devices)
        if (!covered(p, p.steps.size(), d.target)) return false;
    for (auto &l : p.symlinks)
        if (!covered(p, p.steps.size(), l.target)) return false;
    if (p.console && !covered(p, p.steps.size(), "dev/console")) return false;
    if (cwd.size() > 1) {
        std::string rel = cwd.substr(1);
        while (!rel.empty() && rel.back() == '/') rel.pop_back();
        if (!covered(p, p.steps.size(), rel)) needs.push_back(rel);
    }
    return true;
}

const char *image_lacks(const OverlayMount &o) noexcept {
    int root = open(o.image_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return nullptr;
    const char *missing = "";
    for (auto &n : o.image_needs) {
        int fd = openat2_in_root(root, n.c_str(), O_PATH);
        if (fd < 0) {
            missing = n.c_str();
            break;
        }
        close(fd);
    }
    close(root);
    return missing;
}

} // namespace burrow::rootfs
