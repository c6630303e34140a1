#include "netless/options.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace burrow::netless;

TEST_CASE("network modes") {
    REQUIRE(parse_mode("none").mode == Mode::none);
    REQUIRE(parse_mode("loopback").mode == Mode::loopback);
    REQUIRE(parse_mode("pasta").mode == Mode::pasta);
    auto n = parse_mode("slirp4netns");
    REQUIRE(n.mode == Mode::slirp4netns);
    REQUIRE_FALSE(n.allow_host_loopback);
    REQUIRE(n.has_helper());
    REQUIRE(parse_mode("slirp4netns:allow_host_loopback=true").allow_host_loopback);
    REQUIRE(parse_mode("pasta:allow_host_loopback").allow_host_loopback);
    REQUIRE_FALSE(parse_mode("pasta:allow_host_loopback=false").allow_host_loopback);
    REQUIRE(std::string(mode_name(Mode::slirp4netns)) == "slirp4netns");
    REQUIRE(std::string(mode_name(Mode::spec)) == "spec");
    REQUIRE(std::string(helper_package(Mode::pasta)) == "passt");
    REQUIRE_FALSE(parse_mode("loopback").has_helper());
    REQUIRE(parse_mode("none").own_netns());
}

TEST_CASE("bad network modes say what is wrong") {
    REQUIRE_THROWS_WITH(parse_mode("bridge"), Catch::Contains("\"bridge\" is not a network mode"));
    REQUIRE_THROWS_WITH(parse_mode(""), Catch::Contains("is not a network mode"));
    REQUIRE_THROWS_WITH(parse_mode("none:x=1"), Catch::Contains("takes no options"));
    REQUIRE_THROWS_WITH(parse_mode("slirp4netns:mtu=1500"), Catch::Contains("\"mtu\" is not an option"));
    REQUIRE_THROWS_WITH(parse_mode("slirp4netns:allow_host_loopback=yes"), Catch::Contains("true or false"));
}

TEST_CASE("publish specs as podman's -p") {
    auto p = parse_publish("8080:80");
    REQUIRE(p.host_ip.empty());
    REQUIRE(p.host_port == 8080);
    REQUIRE(p.container_port == 80);
    REQUIRE(p.proto == Proto::tcp);
    REQUIRE(publish_text(p) == "8080:80/tcp");

    p = parse_publish("127.0.0.1:18080:80/udp");
    REQUIRE(p.host_ip == "127.0.0.1");
    REQUIRE(p.proto == Proto::udp);
    REQUIRE(publish_text(p) == "127.0.0.1:18080:80/udp");

    p = parse_publish("[::1]:8080:80/tcp");
    REQUIRE(p.host_ip == "::1");
    REQUIRE(p.host_port == 8080);
    REQUIRE(publish_text(p) == "[::1]:8080:80/tcp");
    REQUIRE(parse_publish("65535:1").host_port == 65535);
}

TEST_CASE("bad publish specs say what is wrong") {
    REQUIRE_THROWS_WITH(parse_publish("80"), Catch::Contains("HOSTPORT:CONTAINERPORT"));
    REQUIRE_THROWS_WITH(parse_publish("8080:80/sctp"), Catch::Contains("tcp or udp"));
    REQUIRE_THROWS_WITH(parse_publish("0:80"), Catch::Contains("host port 0"));
    REQUIRE_THROWS_WITH(parse_publish("8080:65536"), Catch::Contains("container port 65536"));
    REQUIRE_THROWS_WITH(parse_publish("x:80"), Catch::Contains("host port \"x\""));
    REQUIRE_THROWS_WITH(parse_publish("localhost:8080:80"), Catch::Contains("not an IP address"));
    REQUIRE_THROWS_WITH(parse_publish(":80"), Catch::Contains("host port \"\""));
    REQUIRE_THROWS_AS(parse_publish("1.2.3.4:-1:80"), std::invalid_argument);
}

TEST_CASE("one host port is published once") {
    check_distinct({parse_publish("8080:80"), parse_publish("8080:80/udp"), parse_publish("8081:80")});
    REQUIRE_THROWS_WITH(check_distinct({parse_publish("127.0.0.1:8080:80"), parse_publish("8080:81")}),
                        Catch::Contains("the same host port"));
    check_distinct({parse_publish("127.0.0.1:8080:80"), parse_publish("127.0.0.2:8080:80")});
}
