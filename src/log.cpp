#include "log.hpp"
#include "state/store.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace burrow::log {
namespace {

std::string g_path;
bool g_json = false;
bool g_debug = false;

void emit(const char *level, const std::string &msg, bool to_stderr_too) {
    std::string line;
    if (g_json) {
        nlohmann::ordered_json j;
        j["level"] = level;
        j["msg"] = msg;
        j["time"] = state::now_rfc3339();
        line = j.dump() + "\n";
    } else {
        line = "time=\"" + state::now_rfc3339() + "\" level=" + level + " msg=" + nlohmann::json(msg).dump() + "\n";
    }
    if (!g_path.empty()) {
        int fd = open(g_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ssize_t n = write(fd, line.data(), line.size());
            (void)n;
            close(fd);
        }
    }
    if (g_path.empty() && !to_stderr_too) {
        ssize_t n = write(2, line.data(), line.size());
        (void)n;
    }
}

} // namespace

void init(const std::string &path, bool json, bool debug) {
    g_path = path;
    g_json = json;
    g_debug = debug;
}

bool debugging() { return g_debug; }

void debug(const std::string &msg) {
    if (g_debug) emit("debug", msg, false);
}

void warn(const std::string &msg) { emit("warning", msg, false); }

void error(const std::string &line) {
    if (!g_path.empty()) emit("error", line, true);
    std::string l = line + "\n";
    ssize_t n = write(2, l.data(), l.size());
    (void)n;
}

} // namespace burrow::log
