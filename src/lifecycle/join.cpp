// run --join: the ranks of one job on one node share one container (its
// user, mount, IPC, UTS and pid namespaces, its cgroup and its image mount),
// as ch-run's --join does, without its race for short tasks. The ranks all
// run `burrow run --join ID -- CMD` with the same ID: under a lock file
// (STATE_ROOT/@join/ID.lock) the first creates the container and starts its
// process as the exec stub in hold mode (security/exec_stub.hpp), which holds
// the namespaces and runs nothing; every rank, the first too, runs its
// command in it as `exec` does. Started, not left created: a created process
// that changed ids on its way (ranged keep-id: root, a subordinate id, then
// the caller) is not dumpable until it execs, so the ranks could not open its
// namespaces; and until then it is burrow's own binary, which the ranks in
// its pid namespace would see (the holder is the sealed stub).
// Each rank holds a read lock on ID.users while it runs: the kernel keeps
// that count, also for a rank that is killed. Leaving, a rank takes the lock
// file, drops its read lock and tries a write lock on ID.users: the last one
// out gets it and deletes the container. A rank that comes after the last one left
// creates the container anew: no rank ever finds it half gone.
#include "error.hpp"
#include "fd.hpp"
#include "lifecycle/config_edits.hpp"
#include "lifecycle/join.hpp"
#include "log.hpp"
#include "security/exec_stub.hpp"
#include "state/store.hpp"

#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>


namespace burrow::lifecycle {
namespace {


// POSIX record locks (fcntl), not flock: they belong to this process, so the
// container's process, cloned while we hold them and waiting with copies of
// our fds, does not hold them too.
bool set_lock(int fd, short type, bool wait) {
    struct flock l {};
    l.l_type = type;
    l.l_whence = SEEK_SET;
    while (fcntl(fd, wait ? F_SETLKW : F_SETLK, &l) < 0) {
        if (errno != EINTR || !wait) return false;
    }
    return true;
}

// The file at path, locked (F_RDLCK or F_WRLCK); reopened if it was removed meanwhile.
void lock_file(Fd &f, const std::string &path, short type) {
    for (;;) {
        f.reset();
        f.fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (f.fd < 0 && errno == ENOENT) { // the last rank of a group removed the directory: make it again
            std::string dir = path.substr(0, path.rfind('/'));
            if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + dir);
            continue;
        }
        if (f.fd < 0) throw_errno("open " + path);
        if (!set_lock(f.fd, type, true)) throw Error("lock " + path, errno);
        struct stat a, b;
        if (fstat(f.fd, &a) == 0 && stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            return;
    }
}

} // namespace

int run_joined(const Globals &g, const CreateOptions &o) {
    state::validate_id(o.id);
    if (o.edits.args.empty()) throw Error("--join: needs the rank's command: ID -- CMD [ARGS...]");
    state::Store store(g.root);
    std::string dir = g.root + "/@join"; // '@' is in no container id
    for (size_t i = 1; i <= g.root.size(); i++) // the state root, as create makes it
        if (i == g.root.size() || g.root[i] == '/') {
            std::string d = g.root.substr(0, i);
            if (mkdir(d.c_str(), i == g.root.size() ? 0700 : 0755) < 0 && errno != EEXIST) throw_errno("mkdir " + d);
        }
    if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + dir);
    std::string lock_path = dir + "/" + o.id + ".lock", users_path = dir + "/" + o.id + ".users";

    Fd lock, users;
    lock_file(lock, lock_path, F_WRLCK);
    lock_file(users, users_path, F_RDLCK); // held while this rank runs
    bool running = false;
    std::optional<state::Record> rec;
    if (store.exists(o.id)) {
        // Paused counts as there (so the process's own status is enough):
        // exec refuses it below, as `burrow exec` does; making it anew would
        // kill the ranks paused in it.
        rec = store.read(o.id);
        auto st = state::process_status(store, *rec);
        running = st != state::Status::stopped;
        if (!running) {
            log::debug("run --join " + o.id + ": the container is " + state::status_name(st) + ": making it anew");
            remove(g, o.id, true);
        }
    }
    if (!running) {
        log::debug("run --join " + o.id + ": the first rank: creating the container");
        // Its process is the exec stub in hold mode, started: it runs as the
        // process would, and is dumpable after that exec, so every rank may
        // open its namespaces, also when it changed ids on the way (ranged
        // keep-id, whose created process is not dumpable). A build without
        // the stub leaves it created, waiting before exec.
        CreateOptions holder = o;
        holder.hold = security::exec_stub_built();
        create(g, holder, holder.hold ? RunMode::detached : RunMode::create, false);
    }
    lock.reset();

    // This rank's command, with its own environment (PMI_RANK differs per rank).
    ExecOptions e;
    e.id = o.id;
    if (running) e.record = &*rec; // the first rank's creating wrote a new one
    e.args = o.edits.args;
    e.cwd = o.edits.cwd;
    if (o.edits.env_host) e.env = host_environment();
    for (auto &v : o.edits.env) e.env.push_back(v);
    int code = 0;
    std::exception_ptr failed;
    try {
        code = exec(g, e);
    } catch (...) {
        failed = std::current_exception();
    }

    // Leaving: the last one out deletes the container.
    lock_file(lock, lock_path, F_WRLCK);
    users.reset(); // our read lock goes with the fd
    Fd probe;
    probe.fd = open(users_path.c_str(), O_RDWR | O_CLOEXEC);
    if (probe.fd >= 0 && set_lock(probe.fd, F_WRLCK, false)) {
        log::debug("run --join " + o.id + ": the last rank: deleting the container");
        try {
            remove(g, o.id, true);
        } catch (const std::exception &err) {
            log::warn(std::string("run --join: delete ") + o.id + ": " + err.what());
        }
        unlink(users_path.c_str());
        unlink(lock_path.c_str());
        rmdir(dir.c_str()); // when it was the last group
    }
    if (failed) std::rethrow_exception(failed);
    return code;
}

} // namespace burrow::lifecycle
