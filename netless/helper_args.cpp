#include "netless/helper_args.hpp"

#include <cstdlib>

namespace burrow::netless {

std::vector<std::string> slirp4netns_args(const std::string &path, const Network &n, pid_t pid, int ready_fd,
                                          int exit_fd, const std::string &api_socket) {
    std::vector<std::string> a = {path, "--configure", "--mtu=" + std::to_string(kMtu)};
    if (!n.allow_host_loopback) a.push_back("--disable-host-loopback");
    a.push_back("--enable-sandbox");
    a.push_back("--enable-seccomp");
    a.push_back("--ready-fd=" + std::to_string(ready_fd));
    if (exit_fd >= 0) a.push_back("--exit-fd=" + std::to_string(exit_fd));
    a.push_back("--api-socket=" + api_socket);
    // By pid: slirp4netns enters /proc/PID/ns/user, then /proc/PID/ns/net. (Debian 12's
    // 1.2 fails with --userns-path and --enable-sandbox together: "setegid(0)".)
    a.push_back(std::to_string(pid));
    a.push_back(kTapName);
    return a;
}

namespace {

// pasta's port list for one protocol: "127.0.0.1/8080:80,9090:90", or "none".
std::string pasta_ports(const Network &n, Proto proto) {
    std::string spec;
    for (auto &p : n.publish) {
        if (p.proto != proto) continue;
        if (!spec.empty()) spec += ",";
        if (!p.host_ip.empty()) spec += p.host_ip + "/";
        spec += std::to_string(p.host_port) + ":" + std::to_string(p.container_port);
    }
    return spec.empty() ? "none" : spec;
}

} // namespace

std::vector<std::string> pasta_args(const std::string &path, const Network &n, const std::string &userns,
                                    const std::string &netns_link, const std::string &pid_file) {
    std::vector<std::string> a = {path, "--config-net", "--quiet", "--mtu", std::to_string(kMtu),
                                  "--address", kContainerAddress, "--netmask", "24", "--gateway", kGateway,
                                  "--dns-forward", kDns,
                                  // Only what was published; no automatic forwarding either way.
                                  "--tcp-ports", pasta_ports(n, Proto::tcp), "--udp-ports", pasta_ports(n, Proto::udp),
                                  "--tcp-ns", "none", "--udp-ns", "none"};
    if (!n.allow_host_loopback) a.push_back("--no-map-gw");
    if (!n.tap.empty()) a.insert(a.end(), {"--ns-ifname", n.tap});
    a.insert(a.end(), {"--pid", pid_file, "--userns", userns, "--netns", netns_link});
    return a;
}

std::string default_route_interface(const std::string &text) {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...: hex, the first line a header.
    for (size_t i = text.find('\n'); i != std::string::npos && i + 1 < text.size();) {
        size_t j = text.find('\n', i + 1);
        std::string line = text.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
        i = j;
        std::vector<std::string> f;
        for (size_t a = line.find_first_not_of(" \t"); a != std::string::npos;) {
            size_t b = line.find_first_of(" \t", a);
            f.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
            a = b == std::string::npos ? b : line.find_first_not_of(" \t", b);
        }
        if (f.size() < 8 || f[0].empty() || f[0].size() >= 16) continue;
        unsigned long flags = std::strtoul(f[3].c_str(), nullptr, 16);
        if (f[1] == "00000000" && f[7] == "00000000" && (flags & 1 /* RTF_UP */)) return f[0];
    }
    return "";
}

std::string hostfwd_request(const Publish &p) {
    std::string host = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
    return std::string("{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"") + proto_name(p.proto) +
           "\", \"host_addr\": \"" + host + "\", \"host_port\": " + std::to_string(p.host_port) +
           ", \"guest_addr\": \"" + kContainerAddress + "\", \"guest_port\": " + std::to_string(p.container_port) +
           "}}";
}

} // namespace burrow::netless
