// CDI: device names, spec files and their containerEdits applied to config.json.
#include <catch2/catch.hpp>

#include "cdi/cdi.hpp"
#include "error.hpp"

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace burrow::cdi;
using json = nlohmann::json;

namespace {

std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const std::exception &e) {
        return e.what();
    }
    return "";
}

json base() { return json::parse(R"({"process": {"env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}, "mounts": []})"); }

} // namespace

TEST_CASE("cdi: device names are vendor.com/class=name") {
    auto d = parse_device_name("example.com/gpu=gpu0");
    CHECK(d.kind == "example.com/gpu");
    CHECK(d.name == "gpu0");
    CHECK(parse_device_name("nvidia.com/gpu=all").name == "all");
    for (auto bad : {"gpu0", "example.com/gpu", "example.com=gpu0", "/gpu=x", "a/b/c=x", "a/b=", "a/b=x y"})
        CHECK(error_of([&] { parse_device_name(bad); }).find("not a CDI device name") != std::string::npos);
}

TEST_CASE("cdi: a spec file needs a version, a kind and named devices with edits") {
    auto ok = json::parse(R"({"cdiVersion": "0.6.0", "kind": "example.com/test",
        "containerEdits": {"env": ["S=1"]},
        "devices": [{"name": "null0", "containerEdits": {"env": ["D=1"]}}]})");
    auto s = parse_spec(ok, "/etc/cdi/t.json");
    CHECK(s.kind == "example.com/test");
    REQUIRE(s.devices.size() == 1);
    CHECK(s.devices[0].first == "null0");
    CHECK(s.edits["env"][0] == "S=1");

    auto bad = [&](const char *patch) {
        json j = ok;
        j.merge_patch(json::parse(patch));
        return error_of([&] { parse_spec(j, "t.json"); });
    };
    CHECK(bad(R"({"cdiVersion": null})") == "t.json: cdiVersion: required");
    CHECK(bad(R"({"kind": "nokind"})") == "t.json: kind: \"nokind\" is not vendor.com/class");
    CHECK(bad(R"({"devices": {}})") == "t.json: devices: expected an array");
    CHECK(bad(R"({"devices": [{"name": "x"}]})") == "t.json: devices[0].containerEdits: required");
}

TEST_CASE("cdi: containerEdits become env, devices, mounts, hooks and groups of the config") {
    json c = base();
    apply_edits(c, json::parse(R"({
        "env": ["PATH=/cdi/bin", "VISIBLE=0"],
        "deviceNodes": [{"path": "/dev/gpu0", "type": "c", "major": 195, "minor": 0, "fileMode": 438},
                        {"path": "/dev/null-too", "hostPath": "/dev/null"}],
        "mounts": [{"hostPath": "/usr/lib/libgpu.so", "containerPath": "/usr/lib/libgpu.so", "options": ["ro", "nosuid"]},
                   {"hostPath": "tmpfs", "containerPath": "/gpu-tmp", "type": "tmpfs"}],
        "hooks": [{"hookName": "createContainer", "path": "/usr/bin/gpu-hook", "args": ["gpu-hook", "x"], "timeout": 5}],
        "additionalGids": [0, 44]})"), "w");
    CHECK(c["process"]["env"] == json({"PATH=/bin", "PATH=/cdi/bin", "VISIBLE=0"})); // the last PATH wins later
    CHECK(c["linux"]["devices"][0] == json::parse(R"({"path": "/dev/gpu0", "type": "c", "major": 195, "minor": 0, "fileMode": 438})"));
    // left out: taken from the host's node
    CHECK(c["linux"]["devices"][1]["type"] == "c");
    CHECK(c["linux"]["devices"][1]["major"] == 1);
    CHECK(c["linux"]["devices"][1]["minor"] == 3);
    CHECK(c["mounts"][0] == json::parse(R"({"destination": "/usr/lib/libgpu.so", "type": "bind",
        "source": "/usr/lib/libgpu.so", "options": ["rbind", "ro", "nosuid"]})"));
    CHECK(c["mounts"][1]["type"] == "tmpfs");
    CHECK(c["hooks"]["createContainer"][0] == json::parse(R"({"path": "/usr/bin/gpu-hook", "args": ["gpu-hook", "x"], "timeout": 5})"));
    CHECK(c["process"]["user"]["additionalGids"] == json({44}));

    // the same device path again replaces the entry
    apply_edits(c, json::parse(R"({"deviceNodes": [{"path": "/dev/gpu0", "type": "c", "major": 195, "minor": 1, "fileMode": 384}]})"), "w");
    CHECK(c["linux"]["devices"].size() == 2);
    CHECK(c["linux"]["devices"][1]["minor"] == 1);
}

TEST_CASE("cdi: bad edits name the spec and field") {
    json c = base();
    CHECK(error_of([&] { apply_edits(c, json::parse(R"({"deviceNodes": [{"path": "dev/x", "type": "c"}]})"), "f.json"); }) ==
          "f.json.deviceNodes[0].path: \"dev/x\" is not absolute");
    CHECK(error_of([&] { apply_edits(c, json::parse(R"({"deviceNodes": [{"path": "/dev/nonexistent-cdi"}]})"), "f.json"); })
              .rfind("f.json.deviceNodes[0]: /dev/nonexistent-cdi", 0) == 0);
    CHECK(error_of([&] { apply_edits(c, json::parse(R"({"hooks": [{"hookName": "later", "path": "/x"}]})"), "f.json"); }) ==
          "f.json.hooks[0].hookName: \"later\" is not an OCI hook");
    CHECK(error_of([&] { apply_edits(c, json::parse(R"({"env": "A=1"})"), "f.json"); }) ==
          "f.json.env: expected an array of strings");
}

TEST_CASE("cdi: inject finds devices across directories, later ones first") {
    char tmpl[] = "/tmp/burrow-cdi-test.XXXXXX";
    std::string root = mkdtemp(tmpl);
    std::string a = root + "/etc", b = root + "/run";
    mkdir(a.c_str(), 0755), mkdir(b.c_str(), 0755);
    std::ofstream(a + "/t.json") << R"({"cdiVersion": "0.6.0", "kind": "example.com/test",
        "containerEdits": {"env": ["SPEC=etc"]},
        "devices": [{"name": "one", "containerEdits": {"env": ["DEV=etc-one"]}},
                    {"name": "two", "containerEdits": {"env": ["DEV=etc-two"]}}]})";
    std::ofstream(b + "/t.json") << R"({"cdiVersion": "0.6.0", "kind": "example.com/test",
        "devices": [{"name": "one", "containerEdits": {"env": ["DEV=run-one"]}}]})";
    std::ofstream(b + "/other.json") << R"({"cdiVersion": "0.6.0", "kind": "other.org/x", "devices": "broken"})";
    std::ofstream(a + "/y.yaml") << "---\ncdiVersion: 0.6.0\nkind: yaml.org/dev\ndevices:\n"
                                    "- name: \"0\"\n  containerEdits:\n    env: [GPU=0]\n"
                                    "    deviceNodes:\n    - path: /dev/y0\n      type: c\n      major: 1\n      minor: 5\n";
    std::ofstream(b + "/broken.yaml") << "kind: broken.org/y\ndevices: [unclosed\n";

    json c = base();
    inject(c, {"example.com/test=one", "example.com/test=two"}, {a, b});
    CHECK(c["process"]["env"] == json({"PATH=/bin", "DEV=run-one", "SPEC=etc", "DEV=etc-two"}));

    CHECK(error_of([&] { inject(c, {"example.com/test=three"}, {a, b}); }) ==
          "--device example.com/test=three: kind example.com/test has no device \"three\" (it has one, one, two)");
    CHECK(error_of([&] { inject(c, {"example.com/none=x"}, {a, b}); }) ==
          "--device example.com/none=x: no CDI spec of kind example.com/none in " + a + ", " + b);
#ifdef BURROW_TEST_YAML // burrow-cdi-yaml is built (yaml-cpp was found)
    {
        json y = base();
        inject(y, {"yaml.org/dev=0"}, {a, b});
        CHECK(y["process"]["env"].back() == "GPU=0");
        CHECK(y["linux"]["devices"][0] == json::parse(R"({"path": "/dev/y0", "type": "c", "major": 1, "minor": 5})"));
        CHECK(error_of([&] { inject(y, {"broken.org/y=z"}, {a, b}); }).rfind(b + "/broken.yaml: line 3: ", 0) == 0);
    }
#else
    CHECK(error_of([&] { inject(c, {"yaml.org/dev=0"}, {a, b}); }).find("needs burrow-cdi-yaml") != std::string::npos);
#endif
    // a broken spec of a kind not asked for is not our business
    CHECK(error_of([&] { inject(c, {"example.com/test=two"}, {a, b}); }) == "");
    CHECK(error_of([&] { inject(c, {"other.org/x=y"}, {a, b}); }) == b + "/other.json: devices: expected an array");
    std::string cmd = "rm -rf " + root;
    CHECK(system(cmd.c_str()) == 0);
}
