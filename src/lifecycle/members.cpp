#include "lifecycle/members.hpp"
#include "state/proc_stat.hpp"
#include "error.hpp"
#include "lifecycle/cgroup.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <unistd.h>

namespace burrow::lifecycle {

std::string ns_link(pid_t pid, const char *name) {
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, name);
    ssize_t n = readlink(path, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

namespace {

pid_t parent_of(pid_t pid) {
    state::ProcStat st;
    return state::read_proc_stat(pid, st) ? st.ppid : 0;
}

} // namespace

std::vector<pid_t> container_pids(const state::Record &r) {
    std::vector<pid_t> out;
    if (state::process_start_time(r.pid) != r.pid_start) return out;
    auto cgroup = open_cgroup(r);
    if (cgroup->record().kind != session::ManagerKind::none) {
        // Its cgroup knows them all, exec'd ones too.
        for (pid_t p : cgroup->pids())
            if (p != r.pid) out.push_back(p);
        out.insert(out.begin(), r.pid);
        return out;
    }
    std::string ns = r.own_pidns ? ns_link(r.pid, "pid") : "";
    std::map<pid_t, pid_t> parents;
    DIR *d = opendir("/proc");
    if (!d) throw_errno("open /proc");
    while (auto *e = readdir(d)) {
        pid_t p = atoi(e->d_name);
        if (p <= 0 || p == r.pid) continue;
        if (!ns.empty()) {
            if (ns_link(p, "pid") == ns) out.push_back(p);
        } else {
            parents[p] = parent_of(p);
        }
    }
    closedir(d);
    if (ns.empty()) // descendants of the init
        for (auto &[p, pp] : parents) {
            for (pid_t a = pp; a > 1; a = parents.count(a) ? parents[a] : 0)
                if (a == r.pid) {
                    out.push_back(p);
                    break;
                }
        }
    std::sort(out.begin(), out.end());
    out.insert(out.begin(), r.pid);
    return out;
}

} // namespace burrow::lifecycle
