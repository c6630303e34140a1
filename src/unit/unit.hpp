// `burrow unit`: a container as a systemd user service. The unit file is
// rendered from plain data (unit_file.cpp, pure); unit_install.cpp prints it or
// writes it under ~/.config/systemd/user and asks the user manager to reload.
#pragma once
#include <string>
#include <vector>

namespace burrow::unit {

struct UnitSpec {
    std::string id;                    // the container id, also the unit's name
    std::string burrow;                // absolute path of the burrow binary (self_path)
    std::vector<std::string> globals;  // global options for both lines: --root DIR, --systemd-cgroup
    std::vector<std::string> run_args; // run's options after `run`: --bundle DIR first
    std::string restart = "on-failure"; // on-failure, always or no
    bool notify = true;                // Type=notify (the program says READY=1), else Type=exec
    bool delegate = false;             // Delegate=yes: the container's cgroup below the service's
};

// Throws Error unless restart is on-failure, always or no, and the id can name a unit.
void validate(const UnitSpec &s);

// The unit file's text.
std::string render(const UnitSpec &s);

// One word of an Exec*= line as systemd reads it back: % and $ doubled,
// quoted when it holds a blank, a quote, a backslash or is empty or ";".
// Throws Error for a control character (systemd has no way to pass a newline).
std::string exec_word(const std::string &w);

enum class Mode { print, install, enable };

// Prints the unit (print), or writes it to the user's unit directory and
// runs `systemctl --user daemon-reload` (install), and `enable` (enable).
// On any failure what it wrote is undone. Returns the exit status.
int unit(const UnitSpec &s, Mode mode);

// The user's unit directory: $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user.
std::string user_unit_dir();

// The absolute path of the running burrow binary, to put in a unit (self_path.cpp).
std::string self_path(const char *argv0);

} // namespace burrow::unit
