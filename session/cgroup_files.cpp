#include "session/cgroup_files.hpp"
#include "fstree/remove_tree.hpp"
#include "fstree/visit_tree.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace burrow::session {

void write_cgroup(const std::string &dir, const std::string &name, const std::string &value) {
    std::string path = dir + "/" + name;
    int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            throw std::system_error(e, std::generic_category(), path + ": the host's cgroup has no such file");
        throw std::system_error(e, std::generic_category(), "open " + path);
    }
    ssize_t n = write(fd, value.data(), value.size());
    int e = errno;
    close(fd);
    if (n < 0) throw std::system_error(e, std::generic_category(), "write \"" + value + "\" to " + path);
}

namespace {

// A cgroup file of at's (AT_FDCWD: a path), whole.
std::optional<std::string> read_at(int at, const char *name) {
    int fd = openat(at, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string s;
    char buf[8192];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    close(fd);
    if (n < 0) return std::nullopt;
    return s;
}

// The pids of a cgroup.procs, appended to out.
void add_procs(const std::optional<std::string> &text, std::vector<pid_t> &out) {
    if (!text) return;
    for (auto &w : words(*text)) out.push_back(static_cast<pid_t>(strtol(w.c_str(), nullptr, 10)));
}

} // namespace

std::optional<std::string> read_cgroup(const std::string &path) { return read_at(AT_FDCWD, path.c_str()); }

uint64_t read_u64(const std::string &path) {
    auto s = read_cgroup(path);
    if (!s || s->compare(0, 3, "max") == 0) return 0;
    return strtoull(s->c_str(), nullptr, 10);
}

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(sep, i);
        if (j == std::string::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::vector<std::string> words(const std::string &s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (true) {
        i = s.find_first_not_of(" \t\n", i);
        if (i == std::string::npos) return out;
        size_t j = s.find_first_of(" \t\n", i);
        if (j == std::string::npos) j = s.size();
        out.push_back(s.substr(i, j - i));
        i = j;
    }
}

std::map<std::string, uint64_t> read_keyed(const std::string &path) {
    std::map<std::string, uint64_t> out;
    auto s = read_cgroup(path);
    if (!s) return out;
    auto w = words(*s);
    for (size_t i = 0; i + 1 < w.size(); i += 2) out[w[i]] = strtoull(w[i + 1].c_str(), nullptr, 10);
    return out;
}

std::vector<pid_t> read_procs(const std::string &dir) {
    std::vector<pid_t> out;
    add_procs(read_cgroup(dir + "/cgroup.procs"), out);
    return out;
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string &text) {
    std::map<std::string, std::string> out;
    for (auto &line : split(text, '\n')) {
        auto a = line.find(':');
        auto b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (ctrls.empty()) {
            out[""] = path;
            continue;
        }
        for (auto &c : split(ctrls, ',')) out[c] = path;
    }
    return out;
}

const std::map<std::string, std::string> &own_cgroups() {
    // Read once: burrow never moves itself (its children are moved instead),
    // and create asks twice (the manager, the container's /sys/fs/cgroup).
    static const std::map<std::string, std::string> own = [] {
        auto s = read_cgroup("/proc/self/cgroup");
        return s ? parse_proc_cgroup(*s) : std::map<std::string, std::string>{};
    }();
    return own;
}

namespace {

// fn(part) for each component of path but empty ones and ".", in order
// (no vector of strings: a run joins some 30 paths).
template <typename F> void each_part(const std::string &path, F fn) {
    size_t i = 0, n = path.size();
    while (i < n) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = n;
        std::string_view part(path.data() + i, j - i);
        if (!part.empty() && part != ".") fn(part);
        i = j + 1;
    }
}

} // namespace

std::string join_path(const std::string &a, const std::string &b) {
    std::string out = a;
    while (!out.empty() && out.back() == '/') out.pop_back(); // "/" + "c1": "/c1"
    out.reserve(out.size() + b.size() + 1);
    each_part(b, [&](std::string_view part) { out.append(1, '/').append(part); });
    return out.empty() && !a.empty() ? "/" : out;
}

std::vector<std::string> nested_dirs(const std::string &under, const std::string &rel) {
    std::vector<std::string> out;
    std::string cur = under;
    each_part(rel, [&](std::string_view part) {
        if (part == "..") throw std::invalid_argument("cgroupsPath: must not contain \"..\"");
        cur.append(1, '/').append(part);
        out.push_back(cur);
    });
    return out;
}

std::vector<std::string> make_dirs(const std::string &under, const std::string &rel) {
    std::vector<std::string> made;
    for (auto &d : nested_dirs(under, rel)) {
        if (mkdir(d.c_str(), 0755) == 0) made.push_back(d);
        else if (errno != EEXIST) throw std::system_error(errno, std::generic_category(), "create cgroup " + d);
    }
    return made;
}

std::vector<pid_t> procs_in_tree(const std::string &dir) {
    std::vector<pid_t> out;
    int top = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) return out;
    fstree::visit_dirs(top, [&](int d) { add_procs(read_at(d, "cgroup.procs"), out); });
    close(top);
    return out;
}

void remove_sub_cgroups(const std::string &dir) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw std::system_error(errno, std::generic_category(), "open " + dir);
    }
    // Directories only (a cgroup's control files stay until its rmdir); a
    // cgroup whose processes are still leaving is tried again for 2 s.
    std::string where;
    int err = fstree::remove_below(fd, {false, false, 2000}, &where);
    close(fd);
    if (err) throw std::system_error(err, std::generic_category(), "remove cgroup " + dir + "/" + where);
}

bool path_exists(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

bool writable_cgroup(const std::string &dir) {
    // No stat for "is a directory": dir/cgroup.procs fails (ENOTDIR) otherwise.
    return access(dir.c_str(), W_OK) == 0 && access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
}

} // namespace burrow::session
