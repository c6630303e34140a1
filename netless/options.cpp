#include "netless/options.hpp"

#include <arpa/inet.h>
#include <stdexcept>

namespace burrow::netless {
namespace {

constexpr struct {
    Mode mode;
    const char *name;
} kModes[] = {
    {Mode::none, "none"},
    {Mode::loopback, "loopback"},
    {Mode::slirp4netns, "slirp4netns"},
    {Mode::pasta, "pasta"},
};

[[noreturn]] void bad(const std::string &what) { throw std::invalid_argument(what); }

// A port number 1-65535, digits only.
uint16_t port(const std::string &s, const std::string &text, const char *which) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
        bad("\"" + text + "\": " + which + " port \"" + s + "\" is not a number from 1 to 65535");
    unsigned long v = std::stoul(s);
    if (v < 1 || v > 65535) bad("\"" + text + "\": " + which + " port " + s + " is not from 1 to 65535");
    return static_cast<uint16_t>(v);
}

bool true_false(const std::string &v, const std::string &key) {
    if (v == "true") return true;
    if (v == "false") return false;
    bad(key + " takes true or false, not \"" + v + "\"");
}

} // namespace

const char *mode_name(Mode m) {
    for (auto &x : kModes)
        if (x.mode == m) return x.name;
    return "spec";
}

const char *proto_name(Proto p) { return p == Proto::udp ? "udp" : "tcp"; }

const char *helper_package(Mode m) { return m == Mode::pasta ? "passt" : "slirp4netns"; }

Network parse_mode(const std::string &text) {
    Network n;
    std::string name = text.substr(0, text.find(':'));
    bool found = false;
    for (auto &x : kModes)
        if (name == x.name) n.mode = x.mode, found = true;
    if (!found) bad("\"" + name + "\" is not a network mode (none, loopback, slirp4netns or pasta)");
    if (name.size() == text.size()) return n;
    if (!n.has_helper()) bad("\"" + name + "\" takes no options");
    // name:key=value,key=value
    std::string rest = text.substr(name.size() + 1);
    for (size_t i = 0; i <= rest.size();) {
        size_t j = rest.find(',', i);
        if (j == std::string::npos) j = rest.size();
        std::string kv = rest.substr(i, j - i);
        auto eq = kv.find('=');
        std::string key = kv.substr(0, eq), value = eq == std::string::npos ? "true" : kv.substr(eq + 1);
        if (key == "allow_host_loopback")
            n.allow_host_loopback = true_false(value, key);
        else
            bad("\"" + key + "\" is not an option of " + name + " (allow_host_loopback=true|false)");
        i = j + 1;
    }
    return n;
}

Publish parse_publish(const std::string &text) {
    Publish p;
    std::string s = text;
    if (auto slash = s.rfind('/'); slash != std::string::npos) {
        std::string proto = s.substr(slash + 1);
        if (proto == "udp")
            p.proto = Proto::udp;
        else if (proto != "tcp")
            bad("\"" + text + "\": the protocol is tcp or udp, not \"" + proto + "\"");
        s.resize(slash);
    }
    // The container port is after the last colon, the host port before it;
    // what is left is the host address (an IPv6 one in brackets).
    auto last = s.rfind(':');
    if (last == std::string::npos) bad("\"" + text + "\": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]");
    p.container_port = port(s.substr(last + 1), text, "container");
    s.resize(last);
    auto colon = s.rfind(':');
    if (colon != std::string::npos && !(s.front() == '[' && s.find(']') > colon)) {
        p.host_ip = s.substr(0, colon);
        s = s.substr(colon + 1);
        if (p.host_ip.size() > 2 && p.host_ip.front() == '[' && p.host_ip.back() == ']')
            p.host_ip = p.host_ip.substr(1, p.host_ip.size() - 2);
        unsigned char buf[16];
        if (inet_pton(AF_INET, p.host_ip.c_str(), buf) != 1 && inet_pton(AF_INET6, p.host_ip.c_str(), buf) != 1)
            bad("\"" + text + "\": \"" + p.host_ip + "\" is not an IP address");
    }
    p.host_port = port(s, text, "host");
    return p;
}

std::string publish_text(const Publish &p) {
    std::string ip = p.host_ip.find(':') != std::string::npos ? "[" + p.host_ip + "]" : p.host_ip;
    return (ip.empty() ? "" : ip + ":") + std::to_string(p.host_port) + ":" + std::to_string(p.container_port) +
           "/" + proto_name(p.proto);
}

void check_distinct(const std::vector<Publish> &ps) {
    for (size_t i = 0; i < ps.size(); i++)
        for (size_t j = 0; j < i; j++)
            if (ps[i].host_port == ps[j].host_port && ps[i].proto == ps[j].proto &&
                (ps[i].host_ip == ps[j].host_ip || ps[i].host_ip.empty() || ps[j].host_ip.empty()))
            {
                std::string msg = "\"";
                msg += publish_text(ps[i]);
                msg += "\" and \"";
                msg += publish_text(ps[j]);
                msg += "\" publish the same host port";
                bad(msg);
            }
}

} // namespace burrow::netless
