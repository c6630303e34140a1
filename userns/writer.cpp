#include "userns/writer.hpp"

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "userns/helper.hpp"

namespace burrow::userns {

namespace {

// Root with the capability the kernel asks of a writer of a full map:
// CAP_SETUID for uid_map, CAP_SETGID for gid_map.
bool privileged(unsigned cap) {
    if (::geteuid() != 0) return false;
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &hdr, data) != 0) return false;
    return data[cap / 32].effective & (1u << (cap % 32));
}

// `"0 1001 1, 1 200000 65536"`, for messages.
std::string quoted(std::string_view text) {
    std::string q = "\"";
    for (char c : text.substr(0, text.find_last_not_of('\n') + 1)) {
        if (c == '\n')
            q += ", ";
        else
            q += c;
    }
    return q + '"';
}

// One open+write+close of /proc/PID/NAME; the kernel takes a map in one write.
// missing_ok: a missing file is no error (setgroups before Linux 3.19).
void write_proc(int pid, const char *name, std::string_view text, bool missing_ok = false) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (missing_ok && errno == ENOENT) return;
        throw std::system_error(errno, std::generic_category(), std::string("open ") + path);
    }
    ssize_t n = ::write(fd, text.data(), text.size());
    int err = errno;
    ::close(fd);
    if (n < 0 || static_cast<std::size_t>(n) != text.size())
        throw std::system_error(n < 0 ? err : EIO, std::generic_category(),
                                "write " + quoted(text) + " to " + path);
}

struct MapKind {
    const char *file;   // "uid_map"
    const char *helper; // "newuidmap"
    unsigned cap;       // CAP_SETUID
    bool gid;
};

// Writes the map directly, or starts the helper that writes it (returned, to be finished).
RunningHelper begin_map(const MapKind &k, int pid, const std::vector<IdMap> &maps, uint32_t own_id,
                        bool deny_setgroups) {
    if (maps.empty())
        throw std::runtime_error(std::string("no mappings to write to /proc/") + std::to_string(pid) + "/" + k.file);
    bool root = privileged(k.cap);
    bool direct = root || writable_directly(maps, own_id);
    // The kernel takes an unprivileged gid map only after setgroups is denied.
    if (k.gid && (deny_setgroups || (direct && !root))) write_proc(pid, "setgroups", "deny", true);
    if (!direct) return start_helper(k.helper, helper_argv(k.helper, pid, maps));
    write_proc(pid, k.file, format_map(maps));
    return {};
}

void write_map(const MapKind &k, int pid, const std::vector<IdMap> &maps, uint32_t own_id, bool deny_setgroups) {
    auto h = begin_map(k, pid, maps, own_id, deny_setgroups);
    if (h.pid > 0) finish_helper(h);
}

const MapKind kUid{"uid_map", "newuidmap", CAP_SETUID, false};
const MapKind kGid{"gid_map", "newgidmap", CAP_SETGID, true};

} // namespace

void write_id_maps(int pid, const std::vector<IdMap> &uid_maps, uint32_t own_uid, const std::vector<IdMap> &gid_maps,
                   uint32_t own_gid, bool deny_setgroups) {
    // Each helper costs about 1 ms (a setuid exec); both run at once.
    auto u = begin_map(kUid, pid, uid_maps, own_uid, false);
    auto g = begin_map(kGid, pid, gid_maps, own_gid, deny_setgroups);
    if (u.pid > 0) finish_helper(u);
    if (g.pid > 0) finish_helper(g);
}

void write_uid_map(int pid, const std::vector<IdMap> &maps, uint32_t own_uid) {
    write_map(kUid, pid, maps, own_uid, false);
}

void write_gid_map(int pid, const std::vector<IdMap> &maps, uint32_t own_gid, bool deny_setgroups) {
    write_map(kGid, pid, maps, own_gid, deny_setgroups);
}

} // namespace burrow::userns
