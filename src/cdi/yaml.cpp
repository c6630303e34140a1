#include "cdi/yaml.hpp"
#include "error.hpp"

#ifdef BURROW_HAVE_YAML_CPP
#include <charconv>
#include <yaml-cpp/yaml.h>
#endif

namespace burrow::cdi {

#ifdef BURROW_HAVE_YAML_CPP

namespace {

nlohmann::json scalar(const YAML::Node &n) {
    const std::string &s = n.Scalar();
    if (n.Tag() != "?") return s; // quoted, or tagged: a string
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    int64_t v;
    const char *b = s.data(), *e = s.data() + s.size();
    if (*b == '+') ++b;
    auto [end, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && end == e) {
        if (v >= 0) return static_cast<uint64_t>(v);
        return v;
    }
    return s;
}

nlohmann::json convert(const YAML::Node &n) {
    switch (n.Type()) {
    case YAML::NodeType::Scalar: return scalar(n);
    case YAML::NodeType::Sequence: {
        auto a = nlohmann::json::array();
        for (const auto &x : n) a.push_back(convert(x));
        return a;
    }
    case YAML::NodeType::Map: {
        auto o = nlohmann::json::object();
        for (const auto &kv : n) o[kv.first.as<std::string>()] = convert(kv.second);
        return o;
    }
    default: return nullptr;
    }
}

} // namespace

bool yaml_supported() { return true; }

nlohmann::json yaml_to_json(const std::string &text, const std::string &path) {
    try {
        return convert(YAML::Load(text));
    } catch (const YAML::Exception &e) {
        throw Error(path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
}

#else

bool yaml_supported() { return false; }

nlohmann::json yaml_to_json(const std::string &, const std::string &path) {
    throw Error(path + ": YAML CDI specs are not supported by this build (yaml-cpp was missing): "
                       "write the JSON form (e.g. nvidia-ctk cdi generate --format=json)");
}

#endif

} // namespace burrow::cdi
