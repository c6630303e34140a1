// ps: the container's processes, as runc prints them: ps(1)'s own table
// (default -ef) cut to the container's pids, or their pids as JSON.
#include "error.hpp"
#include "lifecycle/lifecycle.hpp"
#include "lifecycle/members.hpp"
#include "session/cgroup_files.hpp"
#include "userns/helper.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::lifecycle {
namespace {

std::string run_ps(const std::vector<std::string> &options) {
    // From PATH's absolute directories only: a relative entry (".", or an
    // empty one) would run a ps that the directory we were started in holds,
    // and that may be a volume a container writes (as Go's exec.LookPath
    // refuses for runc).
    std::string ps = userns::find_helper("ps");
    if (ps.empty()) throw Error("ps: not found in PATH's absolute directories or /usr/bin");
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) throw_errno("pipe");
    pid_t pid = fork();
    if (pid < 0) throw_errno("fork ps");
    if (pid == 0) {
        dup2(out[1], 1);
        std::vector<char *> argv{const_cast<char *>("ps")};
        for (auto &o : options) argv.push_back(const_cast<char *>(o.c_str()));
        argv.push_back(nullptr);
        execv(ps.c_str(), argv.data());
        _exit(127);
    }
    close(out[1]);
    std::string text;
    char buf[8192];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(out[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    std::string cmd = "ps";
    for (auto &o : options) cmd += " " + o;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) throw Error("ps(1) is not installed (Debian's procps has it)");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) throw Error(cmd + " failed");
    return text;
}

} // namespace

std::string ps(const Globals &g, const std::string &id, const std::string &format,
               const std::vector<std::string> &ps_options) {
    if (format != "table" && format != "json") throw Error("invalid format option \"" + format + "\" (table or json)");
    state::validate_id(id);
    state::Store store(g.root);
    auto pids = container_pids(store.read(id));
    if (format == "json") {
        std::string s = "[";
        for (size_t i = 0; i < pids.size(); i++) s += (i ? "," : "") + std::to_string(pids[i]);
        return s + "]\n";
    }
    std::string text = run_ps(ps_options.empty() ? std::vector<std::string>{"-ef"} : ps_options);
    auto lines = session::split(text, '\n');
    if (lines.empty()) throw Error("ps output has no PID column");
    // Which column is PID, counted in words of the header.
    auto h = session::words(lines[0]);
    auto column = std::find(h.begin(), h.end(), "PID") - h.begin();
    if (column == static_cast<long>(h.size())) throw Error("ps output has no PID column");
    std::string out = lines[0] + "\n";
    for (size_t i = 1; i < lines.size(); i++) {
        const std::string &line = lines[i];
        auto w = session::words(line);
        if (static_cast<long>(w.size()) <= column) continue;
        pid_t pid = atoi(w[column].c_str());
        if (std::find(pids.begin(), pids.end(), pid) != pids.end()) out += line + "\n";
    }
    return out;
}

} // namespace burrow::lifecycle
