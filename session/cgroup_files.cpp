#include "session/cgroup_files.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
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

std::optional<std::string> read_cgroup(const std::string &path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string s;
    char buf[8192];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    close(fd);
    if (n < 0) return std::nullopt;
    return s;
}

uint64_t read_u64(const std::string &path) {
    auto s = read_cgroup(path);
    if (!s || s->compare(0, 3, "max") == 0) return 0;
    return strtoull(s->c_str(), nullptr, 10);
}

std::map<std::string, uint64_t> read_keyed(const std::string &path) {
    std::map<std::string, uint64_t> out;
    auto s = read_cgroup(path);
    if (!s) return out;
    std::istringstream in(*s);
    std::string k;
    uint64_t v;
    while (in >> k >> v) out[k] = v;
    return out;
}

std::vector<pid_t> read_procs(const std::string &dir) {
    std::vector<pid_t> out;
    auto s = read_cgroup(dir + "/cgroup.procs");
    if (!s) return out;
    std::istringstream in(*s);
    pid_t p;
    while (in >> p) out.push_back(p);
    return out;
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string &text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':');
        auto b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (ctrls.empty()) {
            out[""] = path;
            continue;
        }
        std::istringstream cs(ctrls);
        std::string c;
        while (std::getline(cs, c, ',')) out[c] = path;
    }
    return out;
}

std::map<std::string, std::string> own_cgroups() {
    auto s = read_cgroup("/proc/self/cgroup");
    return s ? parse_proc_cgroup(*s) : std::map<std::string, std::string>{};
}

std::string join_path(const std::string &a, const std::string &b) {
    std::string out = a;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    std::istringstream in(b);
    std::string part;
    while (std::getline(in, part, '/'))
        if (!part.empty() && part != ".") out += "/" + part;
    return out;
}

std::vector<std::string> make_dirs(const std::string &under, const std::string &rel) {
    std::vector<std::string> made;
    std::string cur = under;
    std::istringstream in(rel);
    std::string part;
    while (std::getline(in, part, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") throw std::invalid_argument("cgroupsPath: must not contain \"..\"");
        cur += "/" + part;
        if (mkdir(cur.c_str(), 0755) == 0) made.push_back(cur);
        else if (errno != EEXIST) throw std::system_error(errno, std::generic_category(), "create cgroup " + cur);
    }
    return made;
}

void sub_cgroups(const std::string &dir, std::vector<std::string> &out) {
    DIR *d = opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> kids;
    while (auto *e = readdir(d))
        if (e->d_type == DT_DIR && e->d_name[0] != '.') kids.push_back(dir + "/" + e->d_name);
    closedir(d);
    for (auto &k : kids) {
        sub_cgroups(k, out);
        out.push_back(k);
    }
}

bool path_exists(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

bool writable_cgroup(const std::string &dir) {
    struct stat st;
    if (stat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return false;
    return access(dir.c_str(), W_OK) == 0 && access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
}

} // namespace burrow::session
