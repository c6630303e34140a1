// The text of a container's user service (README: "A container as a user
// service"). Pure: no syscalls, tested by tests/test_unit.cpp.
#include "unit/unit.hpp"
#include "error.hpp"
#include "state/store.hpp"

namespace burrow::unit {

void validate(const UnitSpec &s) {
    state::validate_id(s.id);
    if (s.restart != "on-failure" && s.restart != "always" && s.restart != "no")
        throw Error("--restart: \"" + s.restart + "\" is not on-failure, always or no");
    // A container id may hold '+', a unit name may not (systemd.unit(5): letters, digits, ":-_.\").
    for (char c : s.id)
        if (c == '+') throw Error("a systemd unit cannot be named after an id with '+'");
    if (s.id.size() + sizeof ".service" - 1 > 255) throw Error("the id is too long for a systemd unit name");
    if (s.burrow.empty() || s.burrow[0] != '/') throw Error("burrow's own path is not absolute: \"" + s.burrow + "\"");
}

std::string exec_word(const std::string &w) {
    std::string out;
    bool quote = w.empty() || w == ";";
    for (unsigned char c : w) {
        if (c < 0x20 || c == 0x7f)
            throw Error("\"" + w + "\" holds a control character, which a unit's command line cannot carry");
        if (c == '%' || c == '$') out += static_cast<char>(c); // specifiers and variables: %% and $$
        if (c == '"' || c == '\\') out += '\\';
        if (c == ' ' || c == '"' || c == '\'' || c == '\\') quote = true;
        out += static_cast<char>(c);
    }
    return quote ? "\"" + out + "\"" : out;
}

namespace {

std::string command(const UnitSpec &s, const std::vector<std::string> &words) {
    std::string line = exec_word(s.burrow);
    for (auto &g : s.globals) line += " " + exec_word(g);
    for (auto &w : words) line += " " + exec_word(w);
    return line;
}

} // namespace

std::string render(const UnitSpec &s) {
    validate(s);
    std::vector<std::string> run = {"run"};
    run.insert(run.end(), s.run_args.begin(), s.run_args.end());
    run.push_back(s.id);
    std::string u;
    u += "# Written by `burrow unit` (burrow-unit(1)).\n";
    u += "[Unit]\n";
    u += "Description=" + s.id + ", in a burrow container\n";
    u += "\n[Service]\n";
    if (s.notify) {
        u += "# Active once the program in the container says READY=1 (sd_notify to $NOTIFY_SOCKET);\n"
             "# burrow passes it on with the container's pid as MAINPID, and later messages too.\n"
             "Type=notify\n"
             "NotifyAccess=all\n";
    } else {
        u += "# Active as soon as burrow runs (the program does not notify).\n"
             "Type=exec\n";
    }
    if (s.delegate)
        u += "# The container gets a cgroup of its own below the service's.\n"
             "Delegate=yes\n";
    u += "ExecStart=" + command(s, run) + "\n";
    u += "# A program that ignores SIGTERM is SIGKILLed with burrow after TimeoutStopSec;\n"
         "# this removes what that leaves.\n";
    u += "ExecStopPost=" + command(s, {"delete", "--force", s.id}) + "\n";
    u += "TimeoutStopSec=10\n";
    u += "Restart=" + s.restart + "\n";
    u += "\n[Install]\n";
    u += "WantedBy=default.target\n";
    return u;
}

} // namespace burrow::unit
