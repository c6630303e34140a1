// burrow-cdi-yaml FILE: a CDI spec file in YAML, printed as JSON. burrow is
// linked statically and yaml-cpp would cost every run about half a MiB of
// memory (iostreams and its tables, measured with bench/), so YAML is read
// by this small dynamically linked program, run only for a spec in YAML of a
// kind that --device names. A plain scalar that reads as an integer, bool or
// null becomes one; a quoted scalar stays a string (name: "0").
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

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

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: burrow-cdi-yaml FILE\n");
        return 2;
    }
    try {
        std::string out = convert(YAML::LoadFile(argv[1])).dump();
        fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    } catch (const YAML::Exception &e) {
        fprintf(stderr, "%s: line %d: %s\n", argv[1], e.mark.line + 1, e.msg.c_str());
    } catch (const std::exception &e) {
        fprintf(stderr, "%s: %s\n", argv[1], e.what());
    }
    return 1;
}
