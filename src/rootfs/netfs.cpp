#include "rootfs/netfs.hpp"

#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

namespace burrow::rootfs {

const char *network_fs_name(long f_type) {
    static const struct {
        unsigned long magic;
        const char *name;
    } table[] = {
        {0x6969, "nfs"},      {0x47504653, "gpfs"}, {0x0BD00BD0, "lustre"}, {0xFF534D42, "cifs"},
        {0xFE534D42, "smb2"}, {0x517B, "smb"},      {0x00C36400, "ceph"},   {0x19830326, "beegfs"},
        {0x5346414F, "afs"},  {0x6B414653, "afs"},  {0x01021997, "9p"},     {0x65735546, "fuse"},
    };
    for (auto &e : table)
        if (static_cast<unsigned long>(f_type) == e.magic) return e.name;
    return nullptr;
}

namespace {

// The /proc/self/mountinfo line of the mount holding `dev` ("" if none).
std::string mountinfo_line(dev_t dev) {
    std::string found;
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) return found;
    char line[4096], want[32];
    snprintf(want, sizeof want, " %u:%u ", major(dev), minor(dev));
    while (fgets(line, sizeof line, f))
        if (strstr(line, want)) found = line; // the last one is on top
    fclose(f);
    return found;
}

} // namespace

NetFs network_fs_of(const std::string &path) {
    struct statfs sfs;
    struct stat st;
    if (statfs(path.c_str(), &sfs) < 0 || stat(path.c_str(), &st) < 0) return {};
    const char *name = network_fs_name(sfs.f_type);
    if (!name) return {};
    NetFs n{name, false};
    if (n.name == "fuse") {
        std::string line = mountinfo_line(st.st_dev);
        // The subtype names it better: "fuse.sshfs", "fuse.fuse-overlayfs".
        if (auto dash = line.find(" - fuse."); dash != std::string::npos)
            n.name = line.substr(dash + 3, line.find(' ', dash + 3) - dash - 3);
        n.others_refused = line.find("allow_other") == std::string::npos;
    }
    return n;
}

} // namespace burrow::rootfs
