// The console socket: runc's protocol, where the container's pty master
// arrives by SCM_RIGHTS on a unix socket given with --console-socket.
#pragma once
#include <string>

namespace burrow::console {

// Connects to a unix socket: --console-socket, or the seccomp agent's. Throws Error.
int connect_socket(const std::string &path);
// Where the child sends the pty master: to the --console-socket path when
// given, else to our own end of a socketpair (`run` or `exec` in the
// foreground attach the pty to burrow's terminal). peer is -1 in the first
// case. Both fds belong to the caller.
struct ConsoleEnds {
    int to_child = -1;
    int peer = -1;
};
ConsoleEnds console_ends(const std::string &console_socket);

// Receives the pty master on a socket (the other end of a socketpair when
// `run` attaches the terminal itself). Throws Error.
int receive_master(int sock);

} // namespace burrow::console
