// config.json → spec::Config. Type errors name the field ("process.args[2]:
// expected a string"); semantic checks live in validate.hpp.
#pragma once
#include "spec/model.hpp"
#include <exception>
#include <string>

namespace burrow::spec {

struct ParseOptions {
    // false: linux.seccomp is left out, unread (exec with the filter create
    // kept: converting podman's default profile was a fifth of an exec).
    bool seccomp = true;
};

// Parses the text of a config.json. Throws Error("<field>: <why>").
Config parse_config(const std::string &text, ParseOptions o = {});

// Reads <bundle>/config.json; errors are prefixed with "config.json: ".
Config load_config(const std::string &bundle, ParseOptions o = {});

const char *ns_name(NsType t);

// A JSON text that does not parse (nlohmann's parse_error, or out_of_range
// for a number beyond a double) as one line: Error("invalid JSON: <why>").
[[noreturn]] void throw_invalid_json(const std::exception &e);
// Json::parse(text) (nlohmann's json or ordered_json) with its errors as above.
template <typename Json> Json parse_json_text(const std::string &text) {
    try {
        return Json::parse(text);
    } catch (const typename Json::exception &e) {
        throw_invalid_json(e);
    }
}
// j.dump() for a config burrow writes: a byte that is not UTF-8 (a job's
// environment may hold one) becomes U+FFFD, as Go's encoder makes it for runc
// and podman, where nlohmann would throw: JSON has no way to carry it.
template <typename Json> std::string dump_json_text(const Json &j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace burrow::spec

namespace burrow::spec {
// The "hooks" object alone (kept in the state for start and delete).
Hooks parse_hooks_json(const std::string &text);
// A "process" object alone (`exec --process FILE`). Errors name "process.<field>".
Process parse_process_json(const std::string &text);
}
