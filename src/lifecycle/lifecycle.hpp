// One function per command; the CLI parses options and calls exactly one.
#pragma once
#include "lifecycle/planner.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace burrow::state {
struct Record;
}

namespace burrow::lifecycle {

struct Globals {
    std::string root; // state directory
    std::string cgroup_manager; // --cgroup-manager (systemd with --systemd-cgroup); "" = automatic
};

enum class RunMode { create, foreground, detached };

struct ExecOptions {
    std::string id;
    std::vector<std::string> args; // the command, unless process_file
    std::string process_file;
    bool tty = false, no_new_privs = false, detach = false;
    std::string cwd, user, console_socket, pid_file, apparmor;
    std::vector<std::string> env, additional_gids, caps;
    std::vector<std::string> cgroups; // --cgroup [CONTROLLER[,CONTROLLER]:]SUBPATH
    int preserve_fds = 0;
    // run --join: the container's state.json as the rank read it under the
    // group's lock (not read again); null: exec reads it.
    const state::Record *record = nullptr;
};

// create and run. Returns the exit code burrow itself should exit with.
int create(const Globals &g, const CreateOptions &o, RunMode mode, bool keep);
void start(const Globals &g, const std::string &id);
// A new process in a running container; returns its exit code (0 with detach).
int exec(const Globals &g, const ExecOptions &o);
void kill(const Globals &g, const std::string &id, int signal, bool all);
void remove(const Globals &g, const std::string &id, bool force);
std::string state_text(const Globals &g, const std::string &id);
std::string list(const Globals &g, const std::string &format, bool quiet);
// ps(1)'s table of the container's processes (ps_options default -ef), or their pids as JSON.
std::string ps(const Globals &g, const std::string &id, const std::string &format,
               const std::vector<std::string> &ps_options);
// keep_id: the caller's uid/gid inside, with keep-id maps (lifecycle/keep_id.hpp).
void write_spec(const std::string &bundle, bool rootless, bool keep_id = false);

// The container's cgroup: freeze and thaw it.
void pause(const Globals &g, const std::string &id);
void resume(const Globals &g, const std::string &id);

// update: resources_file is a linux.resources JSON ("-": stdin, "": none);
// flags are runc's (--memory 100M ...: name -> value), applied over it.
void update(const Globals &g, const std::string &id, const std::string &resources_file,
            const std::map<std::string, std::string> &flags);

// events: with stats, one stats event; else stats every interval_ms and
// oom events as they come, until the container stops. Writes JSON lines to out_fd.
void events(const Globals &g, const std::string &id, bool stats, long interval_ms, int out_fd);
// A Go duration ("5s", "100ms", "1m30s") in milliseconds; throws Error.
long parse_duration_ms(const std::string &s);
// runc's sizes ("100M", "1g", "512k", "-1"); throws Error.
int64_t parse_size(const std::string &s);
std::string features();

} // namespace burrow::lifecycle
