#include "rootfs/host_device.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace burrow::rootfs {
namespace {

bool is_node(const std::string &path, mode_t type, dev_t dev) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_rdev == dev;
}

std::string scan(const std::string &dir, mode_t type, dev_t dev, int depth) {
    DIR *d = opendir(dir.c_str());
    if (!d) return "";
    std::string found;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir + "/" + name;
        if (e->d_type == DT_CHR || e->d_type == DT_BLK) {
            if (is_node(path, type, dev)) {
                found = path;
                break;
            }
        } else if (e->d_type == DT_DIR && depth > 0) {
            found = scan(path, type, dev, depth - 1);
            if (!found.empty()) break;
        }
    }
    closedir(d);
    return found;
}

} // namespace

std::string find_host_node(const std::string &preferred, mode_t type, dev_t dev) {
    if (is_node(preferred, type, dev)) return preferred;
    std::string by_number = std::string(type == S_IFBLK ? "/dev/block/" : "/dev/char/") +
                            std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
    if (is_node(by_number, type, dev)) return by_number;
    return scan("/dev", type, dev, 1);
}

} // namespace burrow::rootfs
