// The command lines of the network helpers, and the slirp4netns API request
// that publishes a port. Pure: tested without running anything.
#pragma once
#include "netless/loopback.hpp"
#include "netless/options.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::netless {

// The addresses both helpers give the container, as slirp4netns's defaults.
inline constexpr const char *kContainerAddress = "10.0.2.100";
inline constexpr const char *kGateway = "10.0.2.2";
inline constexpr const char *kDns = "10.0.2.3";
inline constexpr int kMtu = 65520;

// slirp4netns for the network namespace of `pid`, entered from its user
// namespace (both by pid); it writes "1" to ready_fd once the tap is up and exits when
// exit_fd (a pidfd of the container's process) reports the process gone.
// exit_fd < 0: no exit fd (the kernel lacks pidfds; `delete` ends it).
std::vector<std::string> slirp4netns_args(const std::string &path, const Network &n, pid_t pid, int ready_fd,
                                          int exit_fd, const std::string &api_socket);

// pasta for the network namespace reached through netns_link (a symlink to
// /proc/PID/ns/net in the state directory: pasta quits when it is removed),
// entered from userns, its interface named n.tap (if set). It forks to the background once the namespace is
// configured and the ports are bound, and writes the daemon's pid to pid_file.
std::vector<std::string> pasta_args(const std::string &path, const Network &n, const std::string &userns,
                                    const std::string &netns_link, const std::string &pid_file);

// The interface of the host's first IPv4 default route in /proc/net/route's
// text, the name pasta gives its tap by default; "" without one.
std::string default_route_interface(const std::string &proc_net_route);

// {"execute": "add_hostfwd", ...} for slirp4netns's API socket.
std::string hostfwd_request(const Publish &p);

} // namespace burrow::netless
