// The rootless template filled in from the command line (run --rootfs
// DIR -- CMD): written as text in one pass, it must say what the template
// edited through a JSON tree says (lifecycle/spec_template.cpp).
#include "error.hpp"
#include "lifecycle/config_edits.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace burrow;
using json = nlohmann::ordered_json;

namespace {

lifecycle::ConfigEdits edits() {
    lifecycle::ConfigEdits e;
    e.from_template = true;
    e.rootfs = "/";
    e.args = {"/bin/echo", "a \"quoted\" \\ word", "\t\x01"};
    return e;
}

} // namespace

TEST_CASE("the template with edits is the config they describe") {
    auto e = edits();
    e.volumes = {"/tmp:/mnt/t:ro", "/:/host"};
    e.env = {"A=1", "B=two words"};
    e.cwd = "/tmp";
    e.writable = true;
    std::string text = lifecycle::template_config(e, true);
    json j = json::parse(text);
    CHECK(j["process"]["args"] == json(e.args));
    CHECK(j["process"]["terminal"] == false);
    CHECK(j["process"]["cwd"] == "/tmp");
    CHECK(j["root"]["path"] == "/");
    CHECK(j["root"]["readonly"] == false);
    auto env = j["process"]["env"];
    REQUIRE(env.size() == 4);
    CHECK(env[2] == "A=1");
    CHECK(env[3] == "B=two words");
    auto mounts = j["mounts"];
    REQUIRE(mounts.size() == 9);
    CHECK(mounts[7] == json::parse(R"({"destination":"/mnt/t","type":"bind","source":"/tmp",
                                       "options":["rbind","ro","nosuid","nodev"]})"));
    CHECK(mounts[8]["options"][1] == "rw");
    CHECK(j["linux"]["uidMappings"][0]["hostID"] == geteuid());
    CHECK(j["linux"]["gidMappings"][0]["hostID"] == getegid());
    // The same config as the template edited through a JSON tree.
    lifecycle::ConfigEdits none;
    json tree = json::parse(lifecycle::template_config(none, true));
    tree["root"]["path"] = "/";
    tree["root"]["readonly"] = false;
    e.from_template = false; // through the --bundle path's edits
    lifecycle::apply_config_edits(tree, e);
    tree["process"]["terminal"] = false;
    CHECK(tree == j);
    auto cfg = spec::parse_config(text);
    CHECK_NOTHROW(spec::validate(cfg));
}

TEST_CASE("the template as root has runc's root namespaces and no maps") {
    json j = json::parse(lifecycle::template_config(edits(), false));
    CHECK(j["linux"].count("uidMappings") == 0);
    CHECK(j["linux"]["namespaces"][1]["type"] == "network");
    CHECK(j["mounts"][2]["options"].back() == "gid=5");
    CHECK(j["mounts"][5]["type"] == "sysfs");
    CHECK(j["linux"]["resources"]["devices"][0]["allow"] == false);
}

TEST_CASE("the host's environment is appended before -e, the last value wins") {
    setenv("BURROW_TEMPLATE_TEST", "host\"value", 1);
    auto e = edits();
    e.env_host = true;
    e.env = {"BURROW_TEMPLATE_TEST=mine"};
    json j = json::parse(lifecycle::template_config(e, true));
    auto env = j["process"]["env"];
    CHECK(env.back() == "BURROW_TEMPLATE_TEST=mine");
    CHECK(std::find(env.begin(), env.end(), "BURROW_TEMPLATE_TEST=host\"value") != env.end());
    unsetenv("BURROW_TEMPLATE_TEST");
}

TEST_CASE("bad edits are one Error naming the option") {
    auto msg = [](lifecycle::ConfigEdits e) {
        try {
            lifecycle::template_config(e, true);
        } catch (const Error &err) {
            return std::string(err.what());
        }
        return std::string("no error");
    };
    auto e = edits();
    e.volumes = {"/tmp"};
    CHECK(msg(e).find("-v: \"/tmp\": not SRC:DST") != std::string::npos);
    e.volumes = {"/tmp:rel"};
    CHECK(msg(e).find("absolute") != std::string::npos);
    e.volumes = {"/tmp:/x:rx"};
    CHECK(msg(e).find("ro or rw") != std::string::npos);
    e = edits();
    e.cwd = "rel";
    CHECK(msg(e).find("--cwd") != std::string::npos);
    e = edits();
    e.env = {"=x"};
    CHECK(msg(e).find("-e: \"=x\"") != std::string::npos);
    e = edits();
    e.rootfs = "/etc/passwd";
    CHECK(msg(e).find("not a directory") != std::string::npos);
}

TEST_CASE("a value that is not UTF-8 becomes U+FFFD, as Go's encoder makes it") {
    auto e = edits();
    e.env = {"BAD=a\xff\xfe" "b"};
    std::string text = lifecycle::template_config(e, true);
    json j = json::parse(text);
    CHECK(j["process"]["env"].back() == "BAD=a\xef\xbf\xbd\xef\xbf\xbd" "b");
    CHECK_NOTHROW(spec::parse_config(text));
}
