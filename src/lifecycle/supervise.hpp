// `run` in the foreground: forward signals to the container, copy the
// terminal when burrow holds the pty, and wait for the exit status.
#pragma once
#include <string>
#include <sys/types.h>

namespace burrow::lifecycle {

// Our terminal's window size onto the container's pty.
void copy_terminal_size(int master);

// The container's NOTIFY_SOCKET messages, passed on to the service manager's.
struct Relay {
    int fd = -1;
    std::string host;
};

// Blocks the signals supervise() forwards, so that one sent as soon as the
// container runs (before supervise) is forwarded too, not fatal to burrow.
void block_forwarded_signals();

// Returns the shell-style exit code: the status, or 128+signal.
int supervise(pid_t pid, int pty_master, const Relay &relay = {});

} // namespace burrow::lifecycle
