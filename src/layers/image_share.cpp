#include "layers/image_share.hpp"
#include "layers/image.hpp"
#include "console/pass_fd.hpp"
#include "error.hpp"
#include "log.hpp"
#include "name_hash.hpp"
#include "process/handshake.hpp"
#include "rootfs/fuse_mount.hpp"
#include "state/store.hpp"
#include "userns/writer.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::layers {
namespace {

int idle_seconds() {
    const char *v = getenv("BURROW_IMAGE_IDLE");
    if (!v || !*v) return 30;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 0 || n > 86400 ? 30 : static_cast<int>(n);
}

struct Paths {
    std::string dir, lock, record, mnt;
};

bool alive(pid_t pid, uint64_t start) { return pid > 0 && start && state::process_start_time(pid) == start; }

// The holder's record: "PID START SQUASHFUSE-PID SQUASHFUSE-START". No
// record (the first container of an image, and the ones that wait for its
// holder) is an answer, not a throw: a first throw in a process costs about
// 2 ms here, the unwinder sorting its tables.
bool read_record(const Paths &p, pid_t &pid) {
    char text[128];
    int fd = open(p.record.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return false;
    text[n] = 0;
    long long h = 0, s = 0;
    unsigned long long hs = 0, ss = 0;
    if (sscanf(text, "%lld %llu %lld %llu", &h, &hs, &s, &ss) != 4) return false;
    if (!alive(static_cast<pid_t>(h), hs) || !alive(static_cast<pid_t>(s), ss)) return false;
    pid = static_cast<pid_t>(h);
    return true;
}

bool open_namespaces(pid_t pid, SharedImage &out) {
    std::string base = "/proc/" + std::to_string(pid) + "/ns/";
    int u = open((base + "user").c_str(), O_RDONLY | O_CLOEXEC);
    if (u < 0) return false;
    int m = open((base + "mnt").c_str(), O_RDONLY | O_CLOEXEC);
    if (m < 0) {
        close(u);
        return false;
    }
    out.holder = pid;
    out.userns = u;
    out.mntns = m;
    return true;
}

bool in_userns(pid_t pid, const char *want) {
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", static_cast<int>(pid));
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n <= 0) return false;
    link[n] = 0;
    return strcmp(link, want) == 0;
}

// Any process but ours and squashfuse's in the user namespace `ino`? The one
// found last time is asked first: while a job runs, a look a second costs one
// readlink, not one for every process on the node.
bool in_use(ino_t ino, pid_t self, pid_t server, pid_t &last) {
    char want[64];
    snprintf(want, sizeof want, "user:[%lu]", static_cast<unsigned long>(ino));
    if (last > 0 && in_userns(last, want)) return true;
    last = 0;
    DIR *d = opendir("/proc");
    if (!d) return true;
    while (auto *e = readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        pid_t pid = static_cast<pid_t>(atoi(e->d_name));
        if (pid != self && pid != server && in_userns(pid, want)) {
            last = pid;
            break;
        }
    }
    closedir(d);
    return last > 0;
}

// The holder, forked from burrow: its namespaces, the FUSE mount, then
// waiting until it is no longer used. Never returns.
[[noreturn]] void holder_main(int sock, const Paths &p, int idle) {
    prctl(PR_SET_NAME, "burrow-image");
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int null = open("/dev/null", O_RDWR);
    if (dup2(sock, 3) < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(1);
    sock = 3;
    syscall(SYS_close_range, 4, ~0U, 0);
    if (chdir("/") < 0) _exit(1);
    auto die = [&](const char *what) {
        process::send_msg(sock, process::MsgType::error, 0, errno, what);
        _exit(1);
    };
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) die("burrow-image: unshare the user and mount namespaces");
    process::send_msg(sock, process::MsgType::maps_wanted, getpid());
    process::Message m;
    if (!process::recv_msg(sock, m) || m.type != process::MsgType::maps_done) _exit(1);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) die("burrow-image: make / private");
    rootfs::Failure f;
    int fd = rootfs::mount_fuse("squashfuse", "fuse.squashfuse", p.mnt.c_str(), MS_RDONLY | MS_NODEV | MS_NOSUID, f);
    if (fd < 0) {
        errno = f.err;
        die("burrow-image: mount fuse.squashfuse");
    }
    process::send_msg(sock, process::MsgType::image_fuse);
    if (console::send_fd(sock, fd, "fuse") < 0) _exit(1);
    close(fd);
    if (!process::recv_msg(sock, m) || m.type != process::MsgType::image_ready) _exit(1);
    pid_t server = m.value;
    close(sock);

    struct stat ns;
    if (stat("/proc/self/ns/user", &ns) < 0) _exit(1);
    pid_t self = getpid(), last = 0;
    int unused = 0;
    for (;;) {
        sleep(1);
        bool server_gone = kill(server, 0) < 0 && errno == ESRCH;
        unused = in_use(ns.st_ino, self, server, last) ? 0 : unused + 1;
        if (!server_gone && unused <= idle) continue;
        int lock = open(p.lock.c_str(), O_RDWR | O_CLOEXEC);
        if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0) { // a container is joining
            close(lock);
            continue;
        }
        unlink(p.record.c_str());
        umount2(p.mnt.c_str(), MNT_DETACH);
        rmdir(p.mnt.c_str());
        unlink(p.lock.c_str());
        rmdir(p.dir.c_str()); // when it was the last image
        _exit(0);
    }
}

// Starts the holder (with the lock held exclusively) and waits until squashfuse serves.
void start_holder(const Paths &p, const OverlayLayers &l, const std::vector<userns::IdMap> &uid_map,
                  const std::vector<userns::IdMap> &gid_map, bool deny_setgroups, SharedImage &out) {
    if (mkdir(p.mnt.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + p.mnt);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    int idle = idle_seconds();
    pid_t mid = fork();
    if (mid == 0) {
        // Not our child: `run` waits for its container alone, and the holder outlives us.
        close(sv[0]);
        setsid();
        pid_t h = fork();
        if (h != 0) _exit(h < 0);
        holder_main(sv[1], p, idle);
    }
    close(sv[1]);
    struct Guard {
        int sock, userns = -1;
        pid_t holder = 0;
        bool done = false;
        ~Guard() {
            close(sock);
            if (userns >= 0) close(userns);
            if (!done && holder > 0) kill(holder, SIGKILL); // its mount namespace, and squashfuse, go with it
        }
    } g{sv[0]};
    if (mid < 0) throw_errno("fork the image's holder");
    while (waitpid(mid, nullptr, 0) < 0 && errno == EINTR) {
    }
    process::Message m;
    auto next = [&](process::MsgType want) {
        if (!process::recv_msg(g.sock, m)) throw Error("--image: the image's holder ended during setup");
        if (m.type == process::MsgType::error) {
            m.text[sizeof m.text - 1] = 0;
            throw Error(m.text, m.err);
        }
        if (m.type != want) throw Error("--image: unexpected message from the image's holder", EPROTO);
    };
    next(process::MsgType::maps_wanted);
    g.holder = m.value;
    // Opened now, while it is certainly ours (squashfuse joins it).
    g.userns = open(("/proc/" + std::to_string(g.holder) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
    if (g.userns < 0) throw_errno("open /proc/" + std::to_string(g.holder) + "/ns/user");
    try {
        userns::write_id_maps(g.holder, uid_map, geteuid(), gid_map, getegid(), deny_setgroups);
    } catch (const std::exception &e) {
        throw Error(std::string("the image holder's id maps: ") + e.what());
    }
    process::send_msg(g.sock, process::MsgType::maps_done);
    next(process::MsgType::image_fuse);
    int fd = console::receive_fd(g.sock);
    if (fd < 0) throw Error("receive the image's /dev/fuse fd", -fd);
    pid_t server;
    try {
        log::debug("image: one squashfuse for every container of it (shared, " + p.mnt + ")");
        server = start_squashfuse(l, g.holder, fd, g.userns);
    } catch (...) {
        close(fd);
        throw;
    }
    close(fd);
    process::send_msg(g.sock, process::MsgType::image_ready, server);
    std::string rec = std::to_string(g.holder) + " " + std::to_string(state::process_start_time(g.holder)) + " " +
                      std::to_string(server) + " " + std::to_string(state::process_start_time(server)) + "\n";
    std::string tmp = p.record + ".tmp";
    int rf = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (rf < 0) throw_errno("create " + tmp);
    bool ok = write(rf, rec.data(), rec.size()) == static_cast<ssize_t>(rec.size());
    close(rf);
    if (!ok || rename(tmp.c_str(), p.record.c_str()) < 0) throw_errno("write " + p.record);
    if (!open_namespaces(g.holder, out)) throw_errno("open the namespaces of the image's holder");
    g.done = true;
}

// The lock file at its path, taken `how`; reopened if a holder removed it meanwhile.
int take_lock(const std::string &path, int how) {
    for (;;) {
        int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 && errno == ENOENT) { // a holder that ended removed the directory: make it again
            std::string dir = path.substr(0, path.rfind('/'));
            if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + dir);
            continue;
        }
        if (fd < 0) throw_errno("open " + path);
        while (flock(fd, how) < 0)
            if (errno != EINTR) {
                int e = errno;
                close(fd);
                throw Error("lock " + path, e);
            }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            return fd;
        close(fd);
    }
}

} // namespace

SharedImage::~SharedImage() {
    for (int fd : {userns, mntns, lock})
        if (fd >= 0) close(fd);
}

void SharedImage::release_lock() {
    if (lock >= 0) close(lock);
    lock = -1;
}

void join_shared_image(process::Plan &plan, const SharedImage &s) {
    unsigned long ns = plan.clone_flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
                                           CLONE_NEWCGROUP);
    plan.clone_flags &= ~(ns | CLONE_NEWUSER);
    plan.unshare_flags |= ns;
    if (plan.unshare_flags & (CLONE_NEWPID | CLONE_NEWTIME)) plan.needs_fork = true;
    plan.new_userns = false;
    int u = fcntl(s.userns, F_DUPFD_CLOEXEC, 0), m = fcntl(s.mntns, F_DUPFD_CLOEXEC, 0);
    if (u < 0 || m < 0) {
        int e = errno;
        if (u >= 0) close(u);
        if (m >= 0) close(m);
        throw Error("dup the image holder's namespaces", e);
    }
    // The mount namespace first among the others: unshare copies it.
    plan.joins.insert(plan.joins.begin(), {{u, CLONE_NEWUSER, "(the image holder's user namespace)"},
                                           {m, CLONE_NEWNS, "(the image holder's mount namespace)"}});
    plan.mounts.overlay.image_dir.clear(); // mounted already
}

bool image_sharing_enabled() {
    const char *v = getenv("BURROW_IMAGE_SHARE");
    return !v || strcmp(v, "0") != 0;
}

void share_image(const std::string &state_root, const OverlayLayers &l, const std::vector<userns::IdMap> &uid_map,
                 const std::vector<userns::IdMap> &gid_map, bool deny_setgroups, SharedImage &out) {
    struct stat st;
    if (stat(l.image.c_str(), &st) < 0) throw Error("--image: " + l.image, errno);
    // The same file, unchanged, seen through the same maps.
    std::string id = l.image + "\n" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                     std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                     std::to_string(st.st_mtim.tv_nsec) + "\n" + userns::format_map(uid_map) + "\n" +
                     userns::format_map(gid_map) + (deny_setgroups ? "deny" : "");
    std::string key = name_hash(id);
    Paths p;
    p.dir = state_root + "/@images"; // '@' is in no container id
    p.lock = p.dir + "/" + key + ".lock";
    p.record = p.dir + "/" + key + ".holder";
    p.mnt = p.dir + "/" + key + ".mnt";
    if (mkdir(p.dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + p.dir);
    int lock = take_lock(p.lock, LOCK_SH);
    pid_t pid = 0;
    if (!(read_record(p, pid) && open_namespaces(pid, out))) {
        close(lock);
        lock = take_lock(p.lock, LOCK_EX);
        try {
            if (read_record(p, pid) && open_namespaces(pid, out)) log::debug("image: another container started its holder");
            else start_holder(p, l, uid_map, gid_map, deny_setgroups, out);
        } catch (...) {
            // The holder was killed before it could tidy up: what it would have removed.
            rmdir(p.mnt.c_str());
            unlink(p.lock.c_str());
            rmdir(p.dir.c_str());
            close(lock);
            throw;
        }
        flock(lock, LOCK_SH); // the holder waits a second before it looks for users: no gap to fear
    } else {
        log::debug("image: " + l.image + " already mounted by holder " + std::to_string(pid) + ": joining it");
    }
    out.lock = lock;
    out.mount_dir = p.mnt;
}

} // namespace burrow::layers
