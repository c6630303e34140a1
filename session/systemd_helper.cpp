// burrow-systemd: burrow's link to the systemd manager over D-Bus (sd-bus).
//
// burrow is linked statically and Debian ships libsystemd only as a shared
// library, so the D-Bus client lives in this small dynamically linked helper,
// run only when a container uses the systemd cgroup manager (see
// bench/README.md for what this costs and saves). One helper serves one burrow
// command: requests on stdin, one answer line each on stdout. A foreground
// `run` keeps its helper from the scope's start to its stop, and for a short
// run the connection too; between requests the helper reads and drops what
// systemd sends (nothing piles up in the manager for a client that does not
// read) and closes a connection idle for a second (see main).
//
//   start UNIT PID PROP...   StartTransientUnit of a scope holding PID (its
//                            resources among the properties), then waits for
//                            the job's JobRemoved             -> ok CGROUP
//   set UNIT PROP...         SetUnitProperties (runtime)      -> ok
//   stop UNIT                StopUnit, waits for JobRemoved   -> ok (also when gone)
//
// Fields are separated by tabs; a PROP is NAME=TYPE:VALUE with TYPE t, b, s
// or ay (hex). An answer is "ok[\tVALUE]" or "error\tMESSAGE". EOF ends it,
// and so does the end of burrow (--parent PID: the parent-death signal).
//
// The manager is the caller's (burrow passes --user or --system): the user
// manager for a rootless caller (its private
// socket $XDG_RUNTIME_DIR/systemd/private, as systemctl --user uses, else
// the user bus), the system manager for root (/run/systemd/private, else the
// system bus). On a private socket systemd sends every signal to the client;
// on a bus we Subscribe().
#include "session/cgroup_files.hpp"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <ctime>
#include <unistd.h>
#include <vector>

namespace {

const char kDest[] = "org.freedesktop.systemd1";
const char kPath[] = "/org/freedesktop/systemd1";
const char kManager[] = "org.freedesktop.systemd1.Manager";

struct Failure {
    std::string what;
};

[[noreturn]] void fail(const std::string &what, int r, const sd_bus_error *e = nullptr) {
    std::string m = what;
    if (e && sd_bus_error_is_set(e)) m += std::string(": ") + (e->message ? e->message : e->name);
    else if (r < 0) m += std::string(": ") + strerror(-r);
    throw Failure{m};
}

struct Error {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~Error() { sd_bus_error_free(&e); }
};

struct Message {
    sd_bus_message *m = nullptr;
    ~Message() { sd_bus_message_unref(m); }
};

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); i++) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

class Systemd {
public:
    explicit Systemd(bool user) { connect(user); }
    ~Systemd() { sd_bus_flush_close_unref(bus_); }

    std::string start(const std::string &unit, unsigned pid, const std::vector<std::string> &props) {
        for (int attempt = 0;; attempt++) {
            Message m;
            int r = sd_bus_message_new_method_call(bus_, &m.m, kDest, kPath, kManager, "StartTransientUnit");
            if (r < 0) fail("StartTransientUnit", r);
            sd_bus_message_append(m.m, "ss", unit.c_str(), "fail");
            sd_bus_message_open_container(m.m, 'a', "(sv)");
            append_properties(m.m, props);
            sd_bus_message_append(m.m, "(sv)", "PIDs", "au", 1, static_cast<uint32_t>(pid));
            sd_bus_message_close_container(m.m);
            sd_bus_message_append(m.m, "a(sa(sv))", 0);
            Error e;
            std::string job;
            r = call_job(m.m, &e.e, job);
            // A scope of this name left failed (its processes were killed): reset it, once.
            if (r < 0 && attempt == 0 && sd_bus_error_has_name(&e.e, "org.freedesktop.systemd1.UnitExists")) {
                reset_failed(unit);
                continue;
            }
            if (r < 0) fail("start the scope " + unit, r, &e.e);
            try {
                wait_job(job, "start the scope " + unit);
            } catch (Failure &f) {
                // Most often systemd could not move the process: it may only move
                // processes out of cgroups under its own (a login session's are
                // moved for it by the system manager).
                f.what += " (could systemd move pid " + std::to_string(pid) +
                          " into it? burrow must run in this user's session or under user@UID.service)";
                throw;
            }
            std::string cg = cgroup_of(pid, unit);
            return cg.empty() ? control_group(unit) : cg;
        }
    }

    void set(const std::string &unit, const std::vector<std::string> &props) {
        Message m;
        int r = sd_bus_message_new_method_call(bus_, &m.m, kDest, kPath, kManager, "SetUnitProperties");
        if (r < 0) fail("SetUnitProperties", r);
        sd_bus_message_append(m.m, "sb", unit.c_str(), 1);
        sd_bus_message_open_container(m.m, 'a', "(sv)");
        append_properties(m.m, props);
        sd_bus_message_close_container(m.m);
        Error e;
        r = sd_bus_call(bus_, m.m, 0, &e.e, nullptr);
        if (r < 0) fail("set the properties of " + unit, r, &e.e);
    }

    void stop(const std::string &unit) {
        Message m;
        int r = sd_bus_message_new_method_call(bus_, &m.m, kDest, kPath, kManager, "StopUnit");
        if (r < 0) fail("StopUnit", r);
        sd_bus_message_append(m.m, "ss", unit.c_str(), "replace");
        Error e;
        std::string job;
        r = call_job(m.m, &e.e, job);
        if (r < 0 && sd_bus_error_has_name(&e.e, "org.freedesktop.systemd1.NoSuchUnit")) return;
        if (r < 0) fail("stop the scope " + unit, r, &e.e);
        wait_job(job, "stop the scope " + unit);
        // Its CollectMode (inactive-or-failed) has systemd unload it anyway:
        // the reset is not waited for (sent at the latest when we close).
        reset_failed(unit, false);
    }

    // Between requests: what systemd sent is read and dropped (a client that
    // does not read makes the manager queue every signal for it). False when
    // the connection ended (the next request reconnects).
    int fd() const { return sd_bus_get_fd(bus_); }
    bool drain() {
        int r;
        while ((r = sd_bus_process(bus_, nullptr)) > 0) {
        }
        removed_.clear();
        return r >= 0;
    }

private:
    sd_bus *bus_ = nullptr;
    std::vector<std::pair<std::string, std::string>> removed_; // job path -> result, as signalled

    void connect(bool user) {
        bool root = !user;
        std::string priv = "/run/systemd/private";
        if (!root) {
            const char *x = getenv("XDG_RUNTIME_DIR");
            if (!x || !*x) throw Failure{"XDG_RUNTIME_DIR is not set: cannot find the systemd user manager"};
            priv = std::string(x) + "/systemd/private";
        }
        bool direct = access(priv.c_str(), F_OK) == 0;
        int r;
        if (direct) {
            r = sd_bus_new(&bus_);
            if (r >= 0) r = sd_bus_set_address(bus_, ("unix:path=" + priv).c_str());
            if (r >= 0) r = sd_bus_start(bus_);
            if (r < 0) {
                sd_bus_unref(bus_);
                bus_ = nullptr;
                direct = false;
            }
        }
        if (!direct) {
            r = root ? sd_bus_open_system(&bus_) : sd_bus_open_user(&bus_);
            if (r < 0)
                fail(std::string("connect to the systemd ") + (root ? "system" : "user") + " manager (" + priv +
                         (root ? " or the system bus" : " or the user bus") + ")",
                     r);
        }
        r = sd_bus_match_signal(bus_, nullptr, kDest, kPath, kManager, "JobRemoved", on_job_removed, this);
        if (r < 0) fail("watch JobRemoved", r);
        if (!direct) {
            Error e;
            r = sd_bus_call_method(bus_, kDest, kPath, kManager, "Subscribe", &e.e, nullptr, "");
            if (r < 0) fail("Subscribe", r, &e.e);
        }
    }

    static int on_job_removed(sd_bus_message *m, void *self, sd_bus_error *) {
        uint32_t id;
        const char *job, *unit, *result;
        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0)
            static_cast<Systemd *>(self)->removed_.emplace_back(job, result);
        return 0;
    }

    // The match is in place before the call, so a JobRemoved that arrives
    // before the reply is kept in removed_.
    int call_job(sd_bus_message *m, sd_bus_error *e, std::string &job) {
        Message reply;
        int r = sd_bus_call(bus_, m, 0, e, &reply.m);
        if (r < 0) return r;
        const char *path;
        r = sd_bus_message_read(reply.m, "o", &path);
        if (r < 0) fail("read the job", r);
        job = path;
        return 0;
    }

    void wait_job(const std::string &job, const std::string &what) {
        for (;;) {
            for (auto &[path, result] : removed_) {
                if (path != job) continue;
                if (result != "done") throw Failure{what + ": the job ended \"" + result + "\""};
                return;
            }
            int r = sd_bus_process(bus_, nullptr);
            if (r < 0) fail(what + ": the connection to systemd failed", r);
            if (r > 0) continue;
            r = sd_bus_wait(bus_, 30 * 1000000ULL);
            if (r < 0) fail(what + ": the connection to systemd failed", r);
            if (r == 0) throw Failure{what + ": no answer from systemd in 30 s"};
        }
    }

    void reset_failed(const std::string &unit, bool wait = true) {
        if (wait) {
            Error e;
            sd_bus_call_method(bus_, kDest, kPath, kManager, "ResetFailedUnit", &e.e, nullptr, "s", unit.c_str());
            return;
        }
        Message m;
        if (sd_bus_message_new_method_call(bus_, &m.m, kDest, kPath, kManager, "ResetFailedUnit") < 0) return;
        if (sd_bus_message_append(m.m, "s", unit.c_str()) < 0) return;
        sd_bus_message_set_expect_reply(m.m, 0);
        sd_bus_send(bus_, m.m, nullptr);
    }

    // The scope's cgroup as the kernel shows it once systemd moved pid in
    // (the tracking hierarchy: cgroup2, else name=systemd), where it ends in
    // the unit's name; "" otherwise (then systemd is asked: two round trips).
    static std::string cgroup_of(unsigned pid, const std::string &unit) {
        auto text = burrow::session::read_cgroup("/proc/" + std::to_string(pid) + "/cgroup");
        if (!text) return "";
        auto cgroups = burrow::session::parse_proc_cgroup(*text);
        for (const char *tracking : {"", "name=systemd"}) {
            auto it = cgroups.find(tracking);
            if (it == cgroups.end()) continue;
            const std::string &p = it->second;
            if (p.size() > unit.size() && p.compare(p.size() - unit.size() - 1, std::string::npos, "/" + unit) == 0)
                return p;
        }
        return "";
    }

    std::string control_group(const std::string &unit) {
        Error e;
        Message reply;
        int r = sd_bus_call_method(bus_, kDest, kPath, kManager, "GetUnit", &e.e, &reply.m, "s", unit.c_str());
        if (r < 0) fail("find the scope " + unit, r, &e.e);
        const char *path;
        if ((r = sd_bus_message_read(reply.m, "o", &path)) < 0) fail("read GetUnit", r);
        char *cg = nullptr;
        Error e2;
        r = sd_bus_get_property_string(bus_, kDest, path, "org.freedesktop.systemd1.Scope", "ControlGroup", &e2.e, &cg);
        if (r < 0) fail("read the cgroup of " + unit, r, &e2.e);
        std::string out = cg;
        free(cg);
        return out;
    }

    static void append_properties(sd_bus_message *m, const std::vector<std::string> &props) {
        for (auto &p : props) {
            auto eq = p.find('='), colon = p.find(':', eq == std::string::npos ? 0 : eq);
            if (eq == std::string::npos || colon == std::string::npos) throw Failure{"bad property \"" + p + "\""};
            std::string name = p.substr(0, eq), type = p.substr(eq + 1, colon - eq - 1), v = p.substr(colon + 1);
            int r;
            if (type == "t") {
                r = sd_bus_message_append(m, "(sv)", name.c_str(), "t", static_cast<uint64_t>(strtoull(v.c_str(), nullptr, 10)));
            } else if (type == "b") {
                r = sd_bus_message_append(m, "(sv)", name.c_str(), "b", v == "1");
            } else if (type == "s") {
                r = sd_bus_message_append(m, "(sv)", name.c_str(), "s", v.c_str());
            } else if (type == "ay") {
                std::vector<uint8_t> bytes;
                for (size_t i = 0; i + 1 < v.size(); i += 2)
                    bytes.push_back(static_cast<uint8_t>(std::stoul(v.substr(i, 2), nullptr, 16)));
                r = sd_bus_message_open_container(m, 'r', "sv");
                if (r >= 0) r = sd_bus_message_append(m, "s", name.c_str());
                if (r >= 0) r = sd_bus_message_open_container(m, 'v', "ay");
                if (r >= 0) r = sd_bus_message_append_array(m, 'y', bytes.data(), bytes.size());
                if (r >= 0) r = sd_bus_message_close_container(m);
                if (r >= 0) r = sd_bus_message_close_container(m);
            } else {
                throw Failure{"bad property type in \"" + p + "\""};
            }
            if (r < 0) fail("property " + name, r);
        }
    }
};

} // namespace

namespace {

// How long a connection idles before it is closed (see main).
constexpr int kKeepIdleMs = 1000;

long long now_ms() {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

bool write_all(int fd, const std::string &s) {
    for (size_t off = 0; off < s.size();) {
        ssize_t n = write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

std::string handle(std::unique_ptr<Systemd> &sd, bool user, const std::string &line) {
    auto f = split(line, '\t');
    std::string answer = "ok";
    try {
        if (!sd) sd = std::make_unique<Systemd>(user);
        std::vector<std::string> props;
        if (f[0] == "start" && f.size() >= 3) {
            props.assign(f.begin() + 3, f.end());
            answer += "\t" + sd->start(f[1], static_cast<unsigned>(std::stoul(f[2])), props);
        } else if (f[0] == "set" && f.size() >= 2) {
            props.assign(f.begin() + 2, f.end());
            sd->set(f[1], props);
        } else if (f[0] == "stop" && f.size() == 2) {
            sd->stop(f[1]);
        } else {
            answer = "error\tunknown request \"" + f[0] + "\"";
        }
    } catch (const Failure &e) {
        answer = "error\t" + e.what;
    } catch (const std::exception &e) {
        answer = std::string("error\t") + e.what();
    }
    for (auto &c : answer)
        if (c == '\n') c = ' ';
    return answer + "\n";
}

} // namespace

int main(int argc, char **argv) {
    // burrow says which manager: --user (rootless, also uid 0 in a user
    // namespace) or --system; and itself (--parent PID): the helper ends with
    // burrow, whatever happens to burrow (killed, its pipe held elsewhere).
    bool user = geteuid() != 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--system") == 0) user = false;
        else if (strcmp(argv[i], "--user") == 0) user = true;
        else if (strcmp(argv[i], "--parent") == 0 && i + 1 < argc) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != static_cast<pid_t>(strtol(argv[++i], nullptr, 10))) return 1;
        }
    }
    std::unique_ptr<Systemd> sd;
    std::string in;
    char buf[4096];
    long long idle_until = 0; // ms, CLOCK_MONOTONIC: the connection's end unless a request comes
    for (;;) {
        size_t nl;
        while ((nl = in.find('\n')) != std::string::npos) {
            std::string line = in.substr(0, nl);
            in.erase(0, nl + 1);
            if (!write_all(1, handle(sd, user, line))) return 1;
            idle_until = now_ms() + kKeepIdleMs;
        }
        // Waiting for burrow: systemd's messages read and dropped meanwhile,
        // for a second at most. systemd sends every signal to every client of
        // its private socket, so a connection kept for a long-lived container
        // would make each unit change cost the manager (and us) one more
        // message: a short run's stop reuses the connection, a long one's
        // connects again (a fraction of a millisecond, once).
        // (The second counts from the last answer, however busy systemd is.)
        long long left = sd ? idle_until - now_ms() : -1;
        if (sd && left <= 0) {
            sd.reset();
            continue;
        }
        struct pollfd p[2] = {{0, POLLIN, 0}, {sd ? sd->fd() : -1, POLLIN, 0}};
        int ready = poll(p, sd && p[1].fd >= 0 ? 2 : 1, static_cast<int>(left));
        if (ready < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        if (ready == 0) continue;
        if (sd && p[1].revents && !sd->drain()) sd.reset();
        if (!p[0].revents) continue;
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0; // EOF: burrow is done (what was sent is flushed as sd closes)
        in.append(buf, static_cast<size_t>(n));
    }
}
