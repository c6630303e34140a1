#include "state/store.hpp"
#include "state/proc_stat.hpp"
#include "error.hpp"
#include "read_file.hpp"
#include "session/cgroup_manager.hpp"

#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::state {
namespace {

using json = nlohmann::ordered_json;

void mkdir_p(const std::string &path, mode_t mode) {
    if (mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return;
    if (errno != ENOENT) throw_errno("create " + path);
    auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) throw_errno("create " + path);
    mkdir_p(path.substr(0, slash), 0755);
    if (mkdir(path.c_str(), mode) < 0 && errno != EEXIST) throw_errno("create " + path);
}

// A state directory someone else owns (made in a shared /tmp or $TMPDIR
// before us, under the name we would use) is theirs to rewrite: a state.json
// they wrote would have us signal or join any process of ours. An
// unprivileged caller uses only directories of its own (or root's) that no
// one else may write to; root may look into anyone's.
void check_owner(const std::string &path, bool missing_ok) {
    uid_t me = geteuid();
    if (me == 0) return;
    struct stat st;
    if (stat(path.c_str(), &st) < 0) {
        if (errno == ENOENT && missing_ok) return;
        if (errno == EACCES) throw Error("state directory " + path + " is another user's", EACCES);
        if (errno == ENOENT) return; // said by the caller's own lookup
        throw_errno("stat " + path);
    }
    if (st.st_uid != me && st.st_uid != 0)
        throw Error("state directory " + path + " belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " +
                        std::to_string(me) + ")",
                    EPERM);
    if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
        throw Error("state directory " + path + " is writable by anyone (and not sticky)", EPERM);
}

} // namespace

const char *status_name(Status s) {
    switch (s) {
    case Status::created: return "created";
    case Status::running: return "running";
    case Status::stopped: return "stopped";
    case Status::paused: return "paused";
    }
    return "unknown";
}

void validate_id(const std::string &id) {
    bool ok = !id.empty() && id != "." && id != ".." && id.size() <= 1024;
    for (char c : id)
        if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '.')) ok = false;
    if (!ok) throw Error("invalid container id \"" + id + "\": use letters, digits and _ + - . only");
}

Lock::~Lock() {
    if (fd_ >= 0) close(fd_);
}

Store::Store(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    check_owner(root_, true);
}

Lock Store::claim(const std::string &id) {
    mkdir_p(root_, 0700);
    check_owner(root_, false);
    std::string d = dir(id);
    // Root's containers: 0711, so a child of a user namespace mapped to other
    // ids can still reach the sockets bound from it. An unprivileged user's:
    // 0700, so that in a root others can enter (a shared --root) nobody else
    // reaches the NOTIFY socket (0777, for the container's users) by its name.
    if (mkdir(d.c_str(), geteuid() == 0 ? 0711 : 0700) < 0) {
        if (errno == EEXIST) throw Error("container \"" + id + "\" already exists");
        throw_errno("create " + d);
    }
    int fd = open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) throw_errno("lock " + d);
    return Lock(fd);
}

Lock Store::lock(const std::string &id) const {
    std::string d = dir(id);
    check_owner(d, true);
    int fd = open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) throw NoSuchContainer("container \"" + id + "\" does not exist");
        throw_errno("open " + d);
    }
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) throw_errno("lock " + d);
    return Lock(fd);
}

bool Store::exists(const std::string &id) const {
    struct stat st;
    std::string path = dir(id) + "/state.json";
    if (stat(path.c_str(), &st) == 0) return true;
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return false;
    if (err == EACCES) check_owner(dir(id), true); // another user's: say so
    errno = err;
    throw_errno("open " + path); // EACCES is never "no such container"
}

Record Store::read(const std::string &id) const {
    check_owner(dir(id), true);
    std::string path = dir(id) + "/state.json";
    std::string text;
    try {
        text = read_file(path);
    } catch (const Error &e) {
        if (e.code() == ENOENT || e.code() == ENOTDIR) throw NoSuchContainer("container \"" + id + "\" does not exist");
        throw;
    }
    Record r;
    try {
        r = parse_record(text);
    } catch (const std::invalid_argument &e) {
        throw CorruptState(path + ": corrupt state: " + e.what());
    }
    // Read, not stat-then-read: a delete between the two made `list` show a
    // container that was only going away as "unknown" (t-faults churn test).
    try {
        r.cgroup = read_file(dir(id) + "/cgroup.json");
    } catch (const Error &e) {
        if (e.code() != ENOENT) throw;
    }
    return r;
}

Record Store::remains(const std::string &id) const {
    Record r;
    r.id = id;
    int own = 0;
    if (!read_pid_start(dir(id) + "/init.pid", r.pid, r.pid_start, &own)) r.pid = 0, r.pid_start = 0;
    r.own_pidns = own != 0;
    try {
        r.cgroup = read_file(dir(id) + "/cgroup.json");
    } catch (const std::exception &) { // none, or unreadable: the pid is what remains
    }
    return r;
}

void Store::write_init(const Record &r) const {
    write_small(dir(r.id) + "/init.pid", std::to_string(r.pid) + " " + std::to_string(r.pid_start) + " " +
                                              (r.own_pidns ? "1" : "0") + "\n");
}

void write_small(const std::string &path, const std::string &text) {
    auto slash = path.rfind('/');
    std::string tmp = path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("write " + tmp);
    size_t done = 0;
    int e = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            break;
        }
        done += static_cast<size_t>(n);
    }
    // Whole before it replaces the old file: a full disk (ENOSPC from write,
    // or from close on NFS) or a killed burrow leaves the old file or the new
    // one, never a part of the new. No fsync: it would cost a disk's wait on
    // every create where the state root is on disk ($TMPDIR in a batch job),
    // for a host crash that no container survives anyway (delete --force
    // removes what such a crash leaves, corrupt state included).
    if (close(fd) < 0 && !e && errno != EINTR) e = errno;
    if (!e && rename(tmp.c_str(), path.c_str()) < 0) e = errno;
    if (e) {
        unlink(tmp.c_str());
        throw Error("write " + path, e);
    }
}

bool read_pid_start(const std::string &path, pid_t &pid, uint64_t &start, int *extra) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[96] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return false;
    int p = 0, x = 0;
    unsigned long long s = 0;
    int got = sscanf(buf, "%d %llu %d", &p, &s, &x);
    if (got < 2 || p <= 0) return false;
    pid = p;
    start = s;
    if (extra) *extra = got == 3 ? x : 0;
    return true;
}

void Store::write(const Record &r) const {
    json j;
    j["ociVersion"] = r.oci_version;
    j["id"] = r.id;
    j["pid"] = r.pid;
    j["pidStart"] = r.pid_start;
    j["bundle"] = r.bundle;
    j["rootfs"] = r.rootfs;
    j["created"] = r.created;
    if (!r.annotations.empty()) j["annotations"] = r.annotations;
    if (!r.hooks_json.empty()) j["hooks"] = json::parse(r.hooks_json);
    j["ownPidns"] = r.own_pidns;
    if (r.no_new_keyring) j["noNewKeyring"] = true;
    if (r.runner) {
        j["runner"] = r.runner;
        j["runnerStart"] = r.runner_start;
    }
    write_small(dir(r.id) + "/state.json", j.dump());
}

namespace {

// A container's directory holds files and at most one level of directories
// (notify/): removed bottom up, without following links.
void remove_tree(int parent, const char *name) {
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR *dp = fdopendir(fd);
        if (dp) {
            while (auto *e = readdir(dp)) {
                std::string n = e->d_name;
                if (n == "." || n == "..") continue;
                if (e->d_type == DT_DIR) remove_tree(dirfd(dp), n.c_str());
                else unlinkat(dirfd(dp), n.c_str(), 0);
            }
            closedir(dp);
        } else {
            close(fd);
        }
    }
    if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno(std::string("remove ") + name);
}

} // namespace

void Store::remove(const std::string &id) const {
    // What every container's directory holds, then the directory: no listing
    // (open, stat, read) unless something else is left in it.
    std::string d = dir(id);
    int fd = open(d.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return;
    if (fd >= 0) {
        // (config.json: the copy of a config made from the template or edited
        // by options; an unlink that finds nothing costs less than a listing.)
        for (const char *f : {"state.json", "cgroup.json", "init.pid", "config.json"}) unlinkat(fd, f, 0);
        close(fd);
        if (rmdir(d.c_str()) == 0 || errno == ENOENT) return;
    }
    remove_tree(AT_FDCWD, d.c_str());
}

std::vector<std::string> Store::ids() const {
    std::vector<std::string> out;
    DIR *dp = opendir(root_.c_str());
    if (!dp) {
        if (errno == ENOENT) return out;
        throw_errno("open " + root_);
    }
    while (auto *e = readdir(dp)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        // A container of ours whose state.json we may not even stat is listed
        // too (with its problem); another user's in a shared root is not, nor
        // one still being created (no state.json yet).
        struct stat st;
        if (stat((dir(n) + "/state.json").c_str(), &st) == 0) {
            out.push_back(n);
        } else if (errno != ENOENT && errno != ENOTDIR) {
            struct stat d;
            if (stat(dir(n).c_str(), &d) == 0 && (d.st_uid == geteuid() || geteuid() == 0)) out.push_back(n);
        }
    }
    closedir(dp);
    std::sort(out.begin(), out.end());
    return out;
}

uint64_t process_start_time(pid_t pid) {
    ProcStat st;
    if (!read_proc_stat(pid, st) || st.state == 'Z' || st.state == 'X') return 0; // a zombie has stopped
    return st.start_time;
}

Status process_status(const Store &s, const Record &r) {
    if (r.pid <= 0) return Status::stopped;
    uint64_t start = process_start_time(r.pid);
    if (start == 0 || start != r.pid_start) return Status::stopped;
    struct stat st;
    return stat((s.dir(r.id) + "/exec.fifo").c_str(), &st) == 0 ? Status::created : Status::running;
}

namespace {

// A live process in a frozen cgroup is paused.
Status with_freezer(Status live, const session::CgroupManager &cgroup) {
    return live != Status::stopped && cgroup.freezer_state() != session::FreezerState::thawed ? Status::paused : live;
}

} // namespace

Status status_of(const Store &s, const Record &r) {
    Status live = process_status(s, r);
    if (live != Status::stopped && !r.cgroup.empty()) try {
            return with_freezer(live, *session::open_manager(session::CgroupRecord::from_json(r.cgroup)));
        } catch (const std::exception &) {
            // a record we cannot read: the process's own state stands
        }
    return live;
}

Status status_of(const Store &s, const Record &r, const session::CgroupManager &cgroup) {
    return with_freezer(process_status(s, r), cgroup);
}

std::string now_rfc3339() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return rfc3339(ts);
}

std::string rfc3339(const struct timespec &ts) {
    // UTC by hand: glibc's gmtime_r and strftime read /etc/localtime (tzset)
    // first, four syscalls on every create for a zone a UTC time never uses.
    // Days to a civil date: H. Hinnant's algorithm (proleptic Gregorian).
    long long secs = ts.tv_sec, days = secs / 86400, rem = secs % 86400;
    if (rem < 0) rem += 86400, days--;
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long doe = days - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    long long year = yoe + era * 400 + (month <= 2);
    char buf[64];
    snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day, rem / 3600,
             rem / 60 % 60, rem % 60);
    std::string s = buf;
    if (ts.tv_nsec) {
        char ns[16];
        snprintf(ns, sizeof ns, ".%09ld", ts.tv_nsec);
        std::string frac = ns;
        while (frac.back() == '0') frac.pop_back(); // as Go's RFC3339Nano
        s += frac;
    }
    return s + "Z";
}

std::string state_json(const Record &r, Status st, const std::string &owner, int indent) {
    json j;
    j["ociVersion"] = r.oci_version;
    j["id"] = r.id;
    j["pid"] = st == Status::stopped ? 0 : r.pid;
    j["status"] = status_name(st);
    j["bundle"] = r.bundle;
    j["rootfs"] = r.rootfs;
    j["created"] = r.created;
    j["owner"] = owner;
    auto annotations = r.annotations;
    if (!r.cgroup.empty()) try {
            // Where the container's cgroup is, and who manages it.
            auto c = session::CgroupRecord::from_json(r.cgroup);
            annotations["io.github.burrow.cgroup.manager"] = session::kind_name(c.kind);
            if (c.kind != session::ManagerKind::none) annotations["io.github.burrow.cgroup.path"] = c.path;
        } catch (const std::exception &) {
        }
    if (!annotations.empty()) j["annotations"] = annotations;
    return j.dump(indent);
}

} // namespace burrow::state
