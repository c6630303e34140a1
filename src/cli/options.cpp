#include "cli/options.hpp"
#include "error.hpp"
#include "read_file.hpp"

#include <cstdlib>

namespace burrow::cli {

const std::vector<Option> kNoOptions;

Parsed parse(const std::vector<std::string> &argv, const std::vector<Option> &opts, bool stop_at_positional) {
    Parsed p;
    for (size_t i = 0; i < argv.size(); i++) {
        const std::string &a = argv[i];
        if (a == "--") {
            p.before_dashes = static_cast<long>(p.args.size());
            p.args.insert(p.args.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        if (a.size() < 2 || a[0] != '-') {
            if (stop_at_positional) {
                p.args.insert(p.args.end(), argv.begin() + static_cast<long>(i), argv.end());
                break;
            }
            p.args.push_back(a);
            continue;
        }
        std::string name = a.substr(a[1] == '-' ? 2 : 1);
        std::string value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        const Option *o = nullptr;
        for (auto &x : opts)
            if (name == x.name || (name.size() == 1 && name[0] == x.short_name)) o = &x;
        if (!o) throw Error("unknown option " + a);
        if (o->takes_value) {
            if (!has_value) {
                if (i + 1 >= argv.size()) throw Error("option --" + std::string(o->name) + " needs a value");
                value = argv[++i];
            }
        } else if (!has_value) {
            value = "true";
        } else if (value != "true" && value != "false") {
            throw Error("option --" + std::string(o->name) + " takes true or false, not \"" + value + "\"");
        }
        auto [it, fresh] = p.values.emplace(o->name, value);
        if (!fresh) it->second += "\n" + value; // repeated: --env A=1 --env B=2
    }
    return p;
}

int fd_count(const std::string &n) {
    char *end;
    long v = strtol(n.c_str(), &end, 10);
    if (n.empty() || *end || v < 0 || v > 1 << 20) throw Error("--preserve-fds: \"" + n + "\" is not a count of fds");
    return static_cast<int>(v);
}

std::string absolute(const std::string &path) {
    return path.empty() || path[0] == '/' ? path : canonical_path(".", "the current directory") + "/" + path;
}

const std::string &one_id(const Parsed &p, const char *usage) {
    if (p.args.size() != 1)
        throw Error(std::string(p.args.empty() ? "missing the container id" : "too many arguments") + "; usage: " + usage);
    return p.args[0];
}

} // namespace burrow::cli
