// NOTIFY_SOCKET for services: when burrow runs under a service manager
// that waits for readiness (systemd's Type=notify, podman --sdnotify), the
// container's program gets a socket of its own at /run/notify/notify.sock,
// and burrow passes its READY=1 on, with the container's pid as MAINPID.
// Standalone: errors are std::runtime_error / std::system_error.
#pragma once
#include <string>
#include <sys/types.h>

namespace burrow::session {

inline constexpr const char *kNotifyDirInContainer = "/run/notify";
inline constexpr const char *kNotifySocketInContainer = "/run/notify/notify.sock";

// The host's NOTIFY_SOCKET, or "" when burrow was not asked to notify.
std::string host_notify_socket();

// create: the directory (in the container's state directory) that is bound
// to /run/notify in the container.
void make_notify_dir(const std::string &dir);

// start/run: the socket the container's program sends to, bound in that
// directory (so it appears inside the container), world-writable like
// systemd's own. Returns the fd.
int bind_notify_socket(const std::string &dir);

// What goes on to the host socket for one datagram of the container's:
// its lines without any MAINPID= of its own, and MAINPID=pid after a
// READY=1 (ready set then). "" when nothing is left to send.
std::string relayed_message(const std::string &msg, pid_t pid, bool &ready);

// Passes one datagram waiting on fd on to the host socket, as
// relayed_message makes it. Returns true when it was READY=1.
bool relay_one(int fd, pid_t pid, const std::string &host_socket);

// After the container's process, whose pid went on as MAINPID, ended by
// itself: MAINPID=<burrow's own pid>, so that the manager sees burrow run's
// exit status (the container's) and its Restart= applies. A manager that did
// not fork the container cannot read its status: systemd 252 takes a main
// process it did not fork that is gone for a clean exit. Returns once the
// manager has read it (sd_notify's barrier), or after barrier_timeout_ms.
void reclaim_main_pid(const std::string &host_socket, int barrier_timeout_ms = 5000);

// Relays until READY=1 has gone on (true), the process behind pidfd exits
// or timeout_ms (-1: none) passes (false).
bool relay_ready(int fd, int pidfd, pid_t pid, const std::string &host_socket, int timeout_ms);

} // namespace burrow::session
