// state.json's text → Record. Its own file: the state fuzzer (fuzz/) links
// it alone.
#include "state/store.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace burrow::state {

Record parse_record(const std::string &text) {
    try {
        auto j = nlohmann::json::parse(text);
        Record r;
        r.oci_version = j.at("ociVersion").get<std::string>();
        r.id = j.at("id").get<std::string>();
        auto pid = j.at("pid").get<int64_t>();
        // A pid is what kill and pidfd_open act on: nothing negative (a
        // process group) or beyond pid_t.
        if (pid < 0 || pid > 0x3fffffff) throw std::invalid_argument("pid " + std::to_string(pid) + " out of range");
        r.pid = static_cast<pid_t>(pid);
        r.pid_start = j.at("pidStart").get<uint64_t>();
        r.bundle = j.at("bundle").get<std::string>();
        r.rootfs = j.at("rootfs").get<std::string>();
        r.created = j.at("created").get<std::string>();
        if (j.contains("annotations")) r.annotations = j["annotations"].get<std::map<std::string, std::string>>();
        if (j.contains("hooks")) r.hooks_json = j["hooks"].dump();
        r.own_pidns = j.value("ownPidns", false);
        auto runner = j.value("runner", int64_t{0});
        if (runner < 0 || runner > 0x3fffffff) throw std::invalid_argument("runner out of range");
        r.runner = static_cast<pid_t>(runner);
        r.runner_start = j.value("runnerStart", uint64_t{0});
        return r;
    } catch (const nlohmann::json::exception &e) {
        throw std::invalid_argument(e.what());
    }
}

} // namespace burrow::state
