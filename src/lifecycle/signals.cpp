#include "lifecycle/signals.hpp"
#include "error.hpp"

#include <csignal>
#include <cstdlib>

namespace burrow::lifecycle {
namespace {

const std::pair<const char *, int> kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},     {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},
    {"CONT", SIGCONT}, {"FPE", SIGFPE},   {"HUP", SIGHUP},     {"ILL", SIGILL},     {"INT", SIGINT},
    {"IO", SIGIO},     {"IOT", SIGIOT},   {"KILL", SIGKILL},   {"PIPE", SIGPIPE},   {"POLL", SIGPOLL},
    {"PROF", SIGPROF}, {"PWR", SIGPWR},   {"QUIT", SIGQUIT},   {"SEGV", SIGSEGV},   {"STKFLT", SIGSTKFLT},
    {"STOP", SIGSTOP}, {"SYS", SIGSYS},   {"TERM", SIGTERM},   {"TRAP", SIGTRAP},   {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"USR1", SIGUSR1},   {"USR2", SIGUSR2},
    {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

bool all_digits(const std::string &s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

// "0" is accepted: `kill ID 0` asks whether the process exists, as with runc.
int parse_signal(const std::string &in) {
    if (all_digits(in)) {
        if (in.size() > 3) throw Error("unknown signal \"" + in + "\"");
        int n = atoi(in.c_str());
        if (n > SIGRTMAX) throw Error("unknown signal \"" + in + "\"");
        return n;
    }
    std::string s;
    for (char c : in) s += static_cast<char>(toupper(static_cast<unsigned char>(c)));
    if (s.rfind("SIG", 0) == 0) s = s.substr(3);
    for (auto &[n, v] : kSignals)
        if (s == n) return v;
    auto rt = [&](const char *base, int origin, int sign) -> int {
        std::string b = base;
        if (s == b) return origin;
        if (s.rfind(b, 0) != 0) return -1;
        std::string rest = s.substr(b.size());
        if (rest.size() < 2 || rest[0] != (sign > 0 ? '+' : '-') || !all_digits(rest.substr(1))) return -1;
        int v = origin + sign * atoi(rest.c_str() + 1);
        return v >= SIGRTMIN && v <= SIGRTMAX ? v : -1;
    };
    int v = rt("RTMIN", SIGRTMIN, 1);
    if (v < 0) v = rt("RTMAX", SIGRTMAX, -1);
    if (v > 0) return v;
    throw Error("unknown signal \"" + in + "\"");
}

std::vector<std::string> signal_names() {
    std::vector<std::string> out;
    for (auto &[n, v] : kSignals) out.push_back(std::string("SIG") + n);
    return out;
}

} // namespace burrow::lifecycle
