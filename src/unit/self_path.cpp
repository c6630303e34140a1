// Where the burrow binary that runs now lives, for a unit's ExecStart.
//
// argv[0] is how the caller named burrow: as typed with a '/', else found in
// PATH as the shell does. It is preferred (a stable symlink such as
// /usr/bin/burrow survives an upgrade better than its target), unless it
// names another file than /proc/self/exe (exec -a); /proc/self/exe serves
// when argv[0] names nothing (a binary replaced while it runs reads
// "... (deleted)" there, which names no file either).
#include "unit/unit.hpp"
#include "error.hpp"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::unit {
namespace {

std::string absolute(const std::string &p) {
    if (p.empty() || p[0] == '/') return p;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) throw_errno("getcwd");
    return std::string(cwd) + "/" + p;
}

bool executable_file(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
}

// argv[0] as execvp(3) would have found it; "" when it names nothing.
std::string from_argv0(const char *argv0) {
    std::string a = argv0 ? argv0 : "";
    if (a.empty()) return "";
    if (a.find('/') != std::string::npos) return executable_file(a) ? absolute(a) : "";
    const char *path = getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    for (size_t i = 0; i <= dirs.size();) {
        size_t j = dirs.find(':', i);
        if (j == std::string::npos) j = dirs.size();
        std::string d = j > i ? dirs.substr(i, j - i) : ".";
        if (executable_file(d + "/" + a)) return absolute(d + "/" + a);
        i = j + 1;
    }
    return "";
}

bool same_file(const std::string &a, const std::string &b) {
    struct stat x, y;
    return stat(a.c_str(), &x) == 0 && stat(b.c_str(), &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

} // namespace

std::string self_path(const char *argv0) {
    std::string exe;
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) exe.assign(buf, static_cast<size_t>(n));
    bool real = !exe.empty() && exe[0] == '/' && executable_file(exe);
    std::string arg = from_argv0(argv0);
    if (!arg.empty() && (!real || same_file(arg, exe))) return arg;
    if (real) return exe;
    throw Error("cannot tell where the burrow binary is (argv[0] \"" + std::string(argv0 ? argv0 : "") +
                "\" is not in PATH): run it by its absolute path");
}

} // namespace burrow::unit
