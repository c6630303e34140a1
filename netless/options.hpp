// What the user asks of a container's network: the mode (--network or the
// annotation io.github.burrow.network) and the ports to publish (--publish or
// io.github.burrow.publish). Pure: parsing and printing, no syscalls.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace burrow::netless {

// spec: leave config.json as it is (no network namespace = the host's; a new
// one = loopback only). none: a namespace of its own with nothing up.
// loopback: a namespace of its own with lo up. slirp4netns, pasta: a helper
// gives the namespace a tap interface (10.0.2.100/24, gateway 10.0.2.2).
enum class Mode { spec, none, loopback, slirp4netns, pasta };
enum class Proto { tcp, udp };

// -p [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp], as podman's.
struct Publish {
    std::string host_ip; // empty: every address (0.0.0.0)
    uint16_t host_port = 0;
    uint16_t container_port = 0;
    Proto proto = Proto::tcp;
};

struct Network {
    Mode mode = Mode::spec;
    bool allow_host_loopback = false; // the gateway reaches the host's 127.0.0.1
    std::vector<Publish> publish;
    // The helper's interface in the container, made persistent by the child
    // before the helper attaches to it (loopback.hpp): slirp4netns's tap0,
    // pasta's named as pasta would (the host's default route's); "" none.
    std::string tap;
    bool has_helper() const { return mode == Mode::slirp4netns || mode == Mode::pasta; }
    bool own_netns() const { return mode != Mode::spec; }
};

// The annotations a client that only writes config.json can set.
inline constexpr const char *kNetworkAnnotation = "io.github.burrow.network";
inline constexpr const char *kPublishAnnotation = "io.github.burrow.publish"; // comma-separated

const char *mode_name(Mode m);
const char *proto_name(Proto p);
// The name of the package that holds a mode's helper ("slirp4netns", "passt").
const char *helper_package(Mode m);

// "slirp4netns", "pasta:allow_host_loopback=true", "none". Throws
// std::invalid_argument naming what is wrong.
Network parse_mode(const std::string &text);
// Throws std::invalid_argument.
Publish parse_publish(const std::string &text);
// "127.0.0.1:8080:80/tcp": what parse_publish reads back.
std::string publish_text(const Publish &p);
// Two publishes of one host address, port and protocol: throws std::invalid_argument.
void check_distinct(const std::vector<Publish> &ps);

} // namespace burrow::netless
