// state.json's text → Record. Its own file: the state fuzzer (fuzz/) links
// it alone.
#include "state/store.hpp"

#include <nlohmann/json.hpp>
#include <limits>
#include <stdexcept>

namespace burrow::state {
namespace {

// A whole number that fits T, or invalid_argument: nlohmann keeps a number
// beyond 64 bits as a double, and get<int64_t> of that is undefined
// (fuzz_state found it).
template <typename T> T whole(const nlohmann::json &v, const char *name) {
    bool fits = v.is_number_unsigned() ? v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())
                : v.is_number_integer() ? std::numeric_limits<T>::is_signed || v.get<int64_t>() >= 0
                                        : false;
    if (!fits) throw std::invalid_argument(std::string(name) + ": not a whole number in range");
    return v.get<T>();
}

} // namespace

Record parse_record(const std::string &text) {
    try {
        auto j = nlohmann::json::parse(text);
        Record r;
        r.oci_version = j.at("ociVersion").get<std::string>();
        r.id = j.at("id").get<std::string>();
        auto pid = whole<int64_t>(j.at("pid"), "pid");
        // A pid is what kill and pidfd_open act on: nothing negative (a
        // process group) or beyond pid_t.
        if (pid < 0 || pid > 0x3fffffff) throw std::invalid_argument("pid " + std::to_string(pid) + " out of range");
        r.pid = static_cast<pid_t>(pid);
        r.pid_start = whole<uint64_t>(j.at("pidStart"), "pidStart");
        r.bundle = j.at("bundle").get<std::string>();
        r.rootfs = j.at("rootfs").get<std::string>();
        r.created = j.at("created").get<std::string>();
        if (j.contains("annotations")) r.annotations = j["annotations"].get<std::map<std::string, std::string>>();
        if (j.contains("hooks")) r.hooks_json = j["hooks"].dump();
        r.own_pidns = j.value("ownPidns", false);
        r.no_new_keyring = j.value("noNewKeyring", false);
        auto runner = j.contains("runner") ? whole<int64_t>(j["runner"], "runner") : 0;
        if (runner < 0 || runner > 0x3fffffff) throw std::invalid_argument("runner out of range");
        r.runner = static_cast<pid_t>(runner);
        r.runner_start = j.contains("runnerStart") ? whole<uint64_t>(j["runnerStart"], "runnerStart") : 0;
        return r;
    } catch (const nlohmann::json::exception &e) {
        throw std::invalid_argument(e.what());
    }
}

} // namespace burrow::state
