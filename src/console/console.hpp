// The console socket: runc's protocol, where the container's pty master
// arrives by SCM_RIGHTS on a unix socket given with --console-socket.
#pragma once
#include <string>

namespace burrow::console {

// Connects to a unix socket: --console-socket, or the seccomp agent's. Throws Error.
int connect_socket(const std::string &path);
// Receives the pty master on a socket (the other end of a socketpair when
// `run` attaches the terminal itself). Throws Error.
int receive_master(int sock);

} // namespace burrow::console
