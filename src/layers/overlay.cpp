#include "layers/overlay.hpp"
#include "layers/image.hpp"
#include "layers/server_confine.hpp"
#include "error.hpp"
#include "log.hpp"
#include "read_file.hpp"
#include "state/store.hpp"
#include "userns/helper.hpp"

#include <climits>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::layers {
namespace {

std::vector<std::string> split_colons(const std::string &s) {
    std::vector<std::string> out;
    for (size_t i = 0; i <= s.size();) {
        size_t j = s.find(':', i);
        if (j == std::string::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::string join_colons(const std::vector<std::string> &v) {
    std::string s;
    for (auto &x : v) s += (s.empty() ? "" : ":") + x;
    return s;
}

// overlayfs and fuse-overlayfs split their options at ',' and layers at ':'.
void check_chars(const std::string &path, const std::string &what) {
    if (path.find_first_of(",:\\") != std::string::npos)
        throw Error(what + ": " + path + ": a layer's path cannot contain ',', ':' or '\\' (overlayfs options)");
}

bool below(const std::string &path, const std::string &dir) {
    return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                           (dir == "/" || path[dir.size()] == '/'));
}

void make_dir(const std::string &path, mode_t mode) {
    if (mkdir(path.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir " + path);
}

std::string data_of(const OverlayLayers &l) {
    return "lowerdir=" + join_colons(l.lower) + ",upperdir=" + l.upper + ",workdir=" + l.work;
}

} // namespace

OverlayOptions overlay_options(const OverlayOptions &cli, const std::map<std::string, std::string> &a) {
    OverlayOptions o = cli;
    auto get = [&](const char *k) {
        auto it = a.find(k);
        return it == a.end() ? std::string() : it->second;
    };
    std::string on = get(kOverlayAnnotation);
    if (!on.empty()) {
        if (on != "true" && on != "false")
            throw Error(std::string("config.json: annotations: ") + kOverlayAnnotation + ": \"" + on +
                        "\": must be true or false");
        o.enabled |= on == "true";
    }
    if (o.lower.empty()) o.lower = split_colons(get(kOverlayLowerAnnotation));
    if (o.upper.empty()) o.upper = get(kOverlayUpperAnnotation);
    if (o.driver.empty()) o.driver = get(kOverlayDriverAnnotation);
    if (o.image.empty() && !(o.image = get(kImageAnnotation)).empty())
        o.image_from = std::string("config.json: annotations: ") + kImageAnnotation;
    o.enabled |= !o.image.empty(); // an image is read-only: the overlay is its writable layer
    if (!o.driver.empty() && o.driver != "kernel" && o.driver != "fuse")
        throw Error("--overlay-driver: \"" + o.driver + "\": must be kernel or fuse");
    if (!o.enabled && (!cli.lower.empty() || !cli.upper.empty() || !cli.driver.empty()))
        throw Error("--overlay-lower, --overlay-upper and --overlay-driver need --overlay or --image");
    return o;
}

OverlayLayers plan_overlay(const OverlayOptions &o, const std::string &rootfs, const std::string &state_dir,
                           rootfs::OverlayMount &m) {
    OverlayLayers l;
    l.state_dir = state_dir;
    check_chars(rootfs, o.image.empty() ? "root.path" : "the state directory (--root)");
    if (o.image.empty()) l.lower.push_back(rootfs);
    for (auto &d : o.lower) {
        std::string c = canonical_path(d, "--overlay-lower");
        struct stat st;
        if (stat(c.c_str(), &st) < 0) throw Error("--overlay-lower: " + d, errno);
        if (!S_ISDIR(st.st_mode)) throw Error("--overlay-lower: " + d + ": not a directory");
        check_chars(c, "--overlay-lower");
        l.lower.push_back(c);
    }
    if (!o.image.empty()) plan_image(o.image, o.image_from, state_dir, l, m); // the lowest layer
    if (o.upper.empty()) {
        check_chars(state_dir, "the state directory (--root)");
        l.upper = state_dir + "/overlay/upper";
    } else {
        // It may not exist yet: its parent must.
        std::string up = o.upper;
        while (up.size() > 1 && up.back() == '/') up.pop_back();
        size_t slash = up.rfind('/');
        std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : up.substr(0, slash);
        std::string name = slash == std::string::npos ? up : up.substr(slash + 1);
        if (name.empty() || name == "." || name == "..") throw Error("--overlay-upper: " + o.upper + ": not a directory name");
        parent = canonical_path(parent, "--overlay-upper");
        l.upper = (parent == "/" ? "" : parent) + "/" + name;
        struct stat st;
        if (lstat(l.upper.c_str(), &st) == 0) {
            l.upper = canonical_path(l.upper, "--overlay-upper");
            if (stat(l.upper.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
                throw Error("--overlay-upper: " + o.upper + ": not a directory");
        } else if (errno != ENOENT) {
            throw Error("--overlay-upper: " + o.upper, errno);
        }
        check_chars(l.upper, "--overlay-upper");
        l.own_upper = false;
    }
    std::string upper_is = o.upper.empty() ? "the state directory (--root): " : "--overlay-upper: ";
    for (auto &low : l.lower) {
        if (low == m.image_dir) continue;
        std::string what = low == rootfs ? "the rootfs " + low : "the lower layer " + low;
        if (below(l.upper, low)) throw Error(upper_is + l.upper + " is inside " + what);
        if (below(low, l.upper)) throw Error(upper_is + what + " is inside " + l.upper);
    }

    bool want_fuse = o.driver != "kernel";
    if (want_fuse) {
        l.fuse_overlayfs = userns::find_helper("fuse-overlayfs");
        if (l.fuse_overlayfs.empty() && o.driver == "fuse")
            throw Error("--overlay-driver fuse: fuse-overlayfs not found: install the fuse-overlayfs package");
    }
    m.enabled = true;
    m.try_kernel = o.driver != "fuse";
    m.allow_fuse = !l.fuse_overlayfs.empty();
    return l;
}

void make_later_overlay_dirs(const OverlayLayers &l, const rootfs::OverlayMount &m) {
    make_dir(l.state_dir + "/overlay", 0700);
    if (!m.layer.dir.empty()) make_dir(m.layer.dir, 0700);
    make_dir(l.upper, 0755);
    make_dir(l.work, 0700);
    if (!l.image.empty()) make_image_dirs(l, m);
}

namespace {

std::string layer_tmpfs_options(const std::string &state_dir) {
    struct statfs sf {};
    if (statfs(state_dir.c_str(), &sf) < 0 || sf.f_type != TMPFS_MAGIC) return "";
    // As large as the state directory's (0: as unlimited as it is).
    return "mode=0700,size=" + std::to_string(static_cast<uint64_t>(sf.f_blocks) * static_cast<uint64_t>(sf.f_bsize)) +
           ",nr_inodes=" + std::to_string(static_cast<uint64_t>(sf.f_files));
}

} // namespace

void make_overlay_dirs(OverlayLayers &l, rootfs::OverlayMount &m, bool in_userns, bool private_mounts,
                       const LayerOwner &owner) {
    // The image's mount may well be the rootfs itself (rootfs/image_root.hpp):
    // the layer's directories only if the child asks for them.
    m.dirs_later = l.own_upper && m.image_as_root && m.image_dir.empty();
    if (l.own_upper) {
        // On a tmpfs state directory (rootfs/overlay.hpp's LayerTmpfs): the
        // layer in a directory of its own, for a tmpfs of the container's
        // own (the kernel's overlay; fuse-overlayfs mounts one in its own
        // namespace). Not where the container's mounts may propagate to the host.
        if (std::string opts = private_mounts && owner.known ? layer_tmpfs_options(l.state_dir) : ""; !opts.empty()) {
            std::string dir = l.state_dir + "/overlay/layer";
            m.layer = {dir, opts, dir + "/upper", dir + "/work", in_userns, static_cast<uid_t>(owner.uid),
                       static_cast<gid_t>(owner.gid)};
            l.layer_tmpfs = m.layer;
            l.layer_tmpfs.user_xattr = true; // fuse-overlayfs keeps opaque directories and owners in them
            l.upper = m.layer.upper;
        }
        l.work = m.layer.dir.empty() ? l.state_dir + "/overlay/work" : m.layer.work;
        if (!m.dirs_later) {
            make_dir(l.state_dir + "/overlay", 0700);
            if (!m.layer.dir.empty()) make_dir(m.layer.dir, 0700);
            make_dir(l.upper, 0755);
        }
    } else {
        if (mkdir(l.upper.c_str(), 0755) == 0) l.made_upper = true;
        else if (errno != EEXIST) throw Error("--overlay-upper: mkdir " + l.upper, errno);
        // overlayfs wants its work directory on the upper's filesystem and
        // outside it, and fuse-overlayfs renames between the two, so that the
        // one directory it may write (layers/server_confine.hpp) is the
        // upper's: next to it.
        size_t slash = l.upper.rfind('/');
        std::string id = l.state_dir.substr(l.state_dir.rfind('/') + 1);
        l.work = l.upper.substr(0, slash + 1) + "." + l.upper.substr(slash + 1) + ".work-" + id;
        check_chars(l.work, "--overlay-upper");
    }
    if (!m.dirs_later) {
        make_dir(l.work, 0700);
        if (!l.image.empty()) make_image_dirs(l, m);
    }
    std::string data = data_of(l);
    // In a user namespace overlayfs may only use user.* xattrs (root outside one keeps trusted.*).
    m.kernel_data = in_userns ? data + ",userxattr" : data;
    // A layer of the state directory's goes with the container: no sync of
    // its file system when the overlay is unmounted (that sync wrote out the
    // whole disk's dirty pages at every container's end where the state
    // directory is not on a tmpfs). Kernels before 5.10 refuse the option:
    // the child then mounts without it (rootfs/overlay.hpp).
    if (l.own_upper) {
        m.kernel_data_fallback = m.kernel_data;
        m.kernel_data += ",volatile";
    }
    // mount(2) takes one page of options.
    if (m.kernel_data.size() >= 4000)
        throw Error("--overlay: the layers' paths are too long for one mount (" + std::to_string(m.kernel_data.size()) +
                    " bytes of options)");
}

pid_t start_fuse_overlayfs(const OverlayLayers &l, pid_t child, int fuse_fd, int userns_fd, int image_fd) {
    OverlayLayers seen = l;
    std::string data;
    if (!l.image.empty()) {
        // The image's mount is in the child's mount namespace only: reached
        // through the fd (fuse-overlayfs opens its layers once, at start).
        if (image_fd < 0) throw Error("fuse-overlayfs: no fd of the image's mount", EBADF);
        seen.lower.back() = "/proc/self/fd/4";
        // squashfuse has no ACLs (the kernel answers EOPNOTSUPP for them on
        // a FUSE mount of a user namespace), which fuse-overlayfs before 1.12
        // passes on to the permission check of any id but the file's owner.
        data = ",noacl";
    }
    data = data_of(seen) + data;
    // It renames between work and upper, which must then be one mount: the
    // upper's directory, which holds both (the state directory's overlay/, or
    // an --overlay-upper's directory, its work directory beside it), is what it may write.
    std::string dir = l.upper.substr(0, l.upper.rfind('/'));
    std::vector<std::string> readable = l.lower;
    if (!l.image.empty()) readable.back() = "/proc/self/fd/" + std::to_string(image_fd); // its fd 4 once it runs
    return start_fuse_server(l.fuse_overlayfs, {"fuse-overlayfs", "-o", data, "/dev/fd/3"}, dir.empty() ? "/" : dir,
                             readable, child, fuse_fd, userns_fd, l.image.empty() ? -1 : image_fd, "", l.layer_tmpfs);
}

pid_t start_fuse_server(const std::string &binary, std::vector<std::string> args, const std::string &writable,
                        const std::vector<std::string> &readable, pid_t child, int fuse_fd, int userns_fd,
                        int extra_fd, const std::string &env, const rootfs::LayerTmpfs &tmpfs) {
    const std::string name = args[0];
    const ServerConfinement confinement = plan_server_confinement(writable, binary, readable, tmpfs);
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string ns = "/proc/" + std::to_string(child) + "/ns/user";
    int userns = userns_fd >= 0 ? fcntl(userns_fd, F_DUPFD_CLOEXEC, 0) : open(ns.c_str(), O_RDONLY | O_CLOEXEC);
    if (userns < 0) throw_errno("open " + ns);
    struct stat a {}, b {};
    bool same = fstat(userns, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 && a.st_ino == b.st_ino;
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(userns);
        throw_errno("pipe");
    }
    // The daemon fuse-overlayfs forks is reparented to us for the moment, so
    // that we learn its pid (delete waits for it to end).
    int was_subreaper = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
    if (!was_subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t pid = fork();
    if (pid == 0) {
        // In the container's user namespace it may chown to any mapped id;
        // it stays in our mount namespace, where the layers' paths mean what they say.
        if (!same && setns(userns, CLONE_NEWUSER) < 0) {
            dprintf(out[1], "join the container's user namespace: %s\n", strerror(errno));
            _exit(126);
        }
        setresgid(0, 0, 0); // container root where it is mapped
        setresuid(0, 0, 0);
        const char *step = nullptr;
        if (int r = confine_server(confinement, &step); r < 0) {
            dprintf(out[1], "confine it: %s: %s\n", step, strerror(-r));
            _exit(126);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int extra = extra_fd >= 0 ? fcntl(extra_fd, F_DUPFD, 5) : -1; // above what dup2 overwrites
        if (dup2(fuse_fd, 3) < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0) _exit(126);
        if (extra_fd >= 0 && (extra < 0 || dup2(extra, 4) < 0)) _exit(126);
        syscall(SYS_close_range, extra_fd >= 0 ? 5 : 4, ~0U, 0);
        setsid(); // a terminal's ^C for `run` is not for it
        if (!env.empty()) putenv(const_cast<char *>(env.c_str()));
        execv(binary.c_str(), argv.data());
        dprintf(2, "exec %s: %s\n", binary.c_str(), strerror(errno));
        _exit(127);
    }
    int e = errno;
    close(userns);
    close(out[1]);
    auto restore = [&] {
        if (!was_subreaper) prctl(PR_SET_CHILD_SUBREAPER, 0);
    };
    if (pid < 0) {
        close(out[0]);
        restore();
        throw Error("fork for " + name, e);
    }
    // Its foreground process exits once the daemon serves (or it failed);
    // the daemon's stdio is /dev/null by then, so the pipe ends with it.
    // A fuse-overlayfs that never gets there is ended rather than waited for.
    std::string text;
    struct pollfd pf = {out[0], POLLIN, 0};
    for (;;) {
        int r = poll(&pf, 1, 10000);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            kill(pid, SIGKILL);
            text = "did not start serving within 10 s";
            break;
        }
        char buf[4096];
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (text.size() < 65536) text.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        restore();
        while (!text.empty() && text.back() == '\n') text.pop_back();
        if (size_t nl = text.rfind('\n'); nl != std::string::npos) text = text.substr(nl + 1);
        if (text.empty()) text = WIFSIGNALED(st) ? "killed by signal " + std::to_string(WTERMSIG(st))
                                                 : "exited with status " + std::to_string(WEXITSTATUS(st));
        if (text.find("error while loading shared libraries") != std::string::npos)
            text += " (confined by Landlock, it may load libraries only from the system's directories, beside "
                    "its own bin/ and on LD_LIBRARY_PATH)";
        throw Error(name + ": " + text);
    }
    // The daemon: our child now that its parent exited.
    pid_t daemon = 0;
    std::string kids;
    try {
        kids = read_file("/proc/self/task/" + std::to_string(gettid()) + "/children");
    } catch (...) {
    }
    restore();
    for (size_t i = 0; i < kids.size();) {
        size_t j = kids.find(' ', i);
        if (j == std::string::npos) j = kids.size();
        pid_t k = static_cast<pid_t>(atoi(kids.substr(i, j - i).c_str()));
        i = j + 1;
        if (k <= 0 || k == child) continue;
        std::string comm;
        try {
            comm = read_file("/proc/" + std::to_string(k) + "/comm");
        } catch (...) {
        }
        if (comm.rfind(name.substr(0, 15), 0) == 0) daemon = k;
    }
    log::debug(name + " serves (pid " + std::to_string(daemon) + ")");
    return daemon;
}

void forget_overlay_keys(std::map<std::string, std::string> &a) {
    for (auto k : {"io.github.burrow.overlay.work", "io.github.burrow.overlay.keep-upper",
                   "io.github.burrow.overlay.fuse-pid", kOverlayDriverAnnotation})
        a.erase(k);
    forget_image_keys(a);
}

void record_overlay(const OverlayLayers &l, rootfs::OverlayDriver d, pid_t fuse_pid,
                    std::map<std::string, std::string> &a) {
    a[kOverlayAnnotation] = "true";
    a[kOverlayDriverAnnotation] = rootfs::driver_name(d);
    a[kOverlayLowerAnnotation] = join_colons(l.lower);
    if (d == rootfs::OverlayDriver::none && l.own_upper) return; // --image's mount is the rootfs: no layer made
    a[kOverlayUpperAnnotation] = l.upper;
    a["io.github.burrow.overlay.work"] = l.work;
    if (!l.own_upper) a["io.github.burrow.overlay.keep-upper"] = "true";
    if (fuse_pid > 0)
        a["io.github.burrow.overlay.fuse-pid"] =
            std::to_string(fuse_pid) + ":" + std::to_string(state::process_start_time(fuse_pid));
}

} // namespace burrow::layers
