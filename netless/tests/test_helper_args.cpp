#include "netless/helper_args.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace burrow::netless;

namespace {
bool has(const std::vector<std::string> &v, const std::string &s) { return std::find(v.begin(), v.end(), s) != v.end(); }
// The argument after flag.
std::string after(const std::vector<std::string> &v, const std::string &flag) {
    auto it = std::find(v.begin(), v.end(), flag);
    return it == v.end() || it + 1 == v.end() ? "" : *(it + 1);
}
} // namespace

TEST_CASE("slirp4netns: configured, sandboxed, ready and exit fds, the api socket") {
    Network n = parse_mode("slirp4netns");
    auto a = slirp4netns_args("/usr/bin/slirp4netns", n, 1234, 3, 4, "/run/x/slirp4netns.sock");
    REQUIRE(a.front() == "/usr/bin/slirp4netns");
    for (const char *f : {"--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp",
                          "--ready-fd=3", "--exit-fd=4", "--api-socket=/run/x/slirp4netns.sock"})
        REQUIRE(has(a, f));
    // The target (by pid: its user and network namespaces) and the interface name come last.
    REQUIRE(a[a.size() - 2] == "1234");
    REQUIRE(a.back() == "tap0");

    n.allow_host_loopback = true;
    a = slirp4netns_args("s", n, 1, 3, -1, "sock");
    REQUIRE_FALSE(has(a, "--disable-host-loopback"));
    REQUIRE(std::none_of(a.begin(), a.end(), [](auto &s) { return s.rfind("--exit-fd", 0) == 0; }));
}

TEST_CASE("pasta: the same addresses as slirp4netns, only the published ports") {
    Network n = parse_mode("pasta");
    auto a = pasta_args("/usr/bin/pasta", n, "/proc/9/ns/user", "/run/x/netns", "/run/x/pasta.pid");
    REQUIRE(has(a, "--config-net"));
    REQUIRE(after(a, "--address") == "10.0.2.100");
    REQUIRE(after(a, "--gateway") == "10.0.2.2");
    REQUIRE(after(a, "--netmask") == "24");
    REQUIRE(after(a, "--mtu") == "65520");
    REQUIRE(after(a, "--tcp-ports") == "none");
    REQUIRE(after(a, "--udp-ports") == "none");
    REQUIRE(after(a, "--tcp-ns") == "none");
    REQUIRE(after(a, "--udp-ns") == "none");
    REQUIRE(has(a, "--no-map-gw"));
    REQUIRE(after(a, "--userns") == "/proc/9/ns/user");
    REQUIRE(after(a, "--netns") == "/run/x/netns");
    REQUIRE(after(a, "--pid") == "/run/x/pasta.pid");

    n = parse_mode("pasta:allow_host_loopback=true");
    n.publish = {parse_publish("127.0.0.1:8080:80"), parse_publish("9090:90"), parse_publish("5353:53/udp")};
    a = pasta_args("pasta", n, "u", "l", "p");
    REQUIRE(after(a, "--tcp-ports") == "127.0.0.1/8080:80,9090:90");
    REQUIRE(after(a, "--udp-ports") == "5353:53");
    REQUIRE_FALSE(has(a, "--no-map-gw"));
    REQUIRE_FALSE(has(a, "--ns-ifname")); // no interface known: pasta names it

    n.tap = "eth0"; // made persistent by the child: pasta must attach to that one
    a = pasta_args("pasta", n, "u", "l", "p");
    REQUIRE(after(a, "--ns-ifname") == "eth0");
}

TEST_CASE("the host's default route's interface, pasta's name for its tap") {
    const std::string head = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
    REQUIRE(default_route_interface(head +
                                    "ens3\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                                    "eth1\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                                    "eth2\t00000000\t0302000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n") == "eth1");
    // A default route that is down, or none at all.
    REQUIRE(default_route_interface(head + "eth1\t00000000\t0202000A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n") == "");
    REQUIRE(default_route_interface(head + "ens3\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n") == "");
    REQUIRE(default_route_interface(head) == "");
    REQUIRE(default_route_interface("") == "");
}

TEST_CASE("slirp4netns api: add_hostfwd to the container's address") {
    REQUIRE(hostfwd_request(parse_publish("127.0.0.1:8080:80")) ==
            "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": \"127.0.0.1\", "
            "\"host_port\": 8080, \"guest_addr\": \"10.0.2.100\", \"guest_port\": 80}}");
    REQUIRE(hostfwd_request(parse_publish("53:53/udp")).find("\"host_addr\": \"0.0.0.0\"") != std::string::npos);
}
