#include "cdi/yaml.hpp"
#include "error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::cdi {
namespace {

// burrow-cdi-yaml next to this executable (or one level up: the unit tests
// in build/tests, or at bin/../libexec/burrow: an installed tree moved or
// staged), else in the installed libexec directory; "" when none.
std::string helper_path() {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<size_t>(n));
        dir.resize(dir.rfind('/') + 1);
        for (const char *rel : {"burrow-cdi-yaml", "../burrow-cdi-yaml", BURROW_LIBEXEC_FROM_BIN "/burrow-cdi-yaml"})
            if (access((dir + rel).c_str(), X_OK) == 0) return dir + rel;
    }
    std::string installed = BURROW_LIBEXECDIR "/burrow-cdi-yaml";
    return access(installed.c_str(), X_OK) == 0 ? installed : "";
}

std::string drain(int fd) {
    std::string s;
    char buf[8192];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        s.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return s;
}

} // namespace

nlohmann::json yaml_to_json(const std::string &path) {
    std::string helper = helper_path();
    if (helper.empty())
        throw Error(path + ": a YAML CDI spec needs burrow-cdi-yaml, which is not installed "
                           "(or write the JSON form: nvidia-ctk cdi generate --format=json)");
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0) throw_errno("pipe");
    if (pipe2(err, O_CLOEXEC) < 0) {
        close(out[0]), close(out[1]);
        throw_errno("pipe");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::string arg0 = "burrow-cdi-yaml";
    char *argv[] = {arg0.data(), const_cast<char *>(path.c_str()), nullptr};
    pid_t pid;
    int e = posix_spawn(&pid, helper.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]), close(err[1]);
    if (e) {
        close(out[0]), close(err[0]);
        throw Error("run " + helper, e);
    }
    // A spec file is small: its JSON fits the pipe long before stderr matters.
    std::string json = drain(out[0]), msg = drain(err[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        throw Error(msg.empty() ? path + ": " + helper + " failed" : msg);
    }
    return with_context(path, [&] { return nlohmann::json::parse(json); });
}

} // namespace burrow::cdi
