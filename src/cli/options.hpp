// Command-line options as runc takes them (Go's flag syntax): --name value,
// --name=value, -name value, short -n, and booleans as --flag or --flag=false.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace burrow::cli {

// One option of a command. Its help line lives here, next to what the parser
// accepts, so `burrow COMMAND --help` (help.cpp) cannot drift from it.
struct Option {
    const char *name;     // "bundle"
    char short_name;      // 'b' or 0
    bool takes_value;
    const char *help = nullptr;     // one line for --help (listed even when missing)
    const char *value_name = "value"; // the placeholder after the flag, as runc prints it
    bool hidden = false;  // accepted for compatibility with runc or its callers, not listed
};

// The table of a command that takes no options (state, start, pause, ...).
extern const std::vector<Option> kNoOptions;

struct Parsed {
    std::map<std::string, std::string> values; // booleans hold "true"/"false"
    std::vector<std::string> args;             // positional
    long before_dashes = -1;                   // how many of args came before "--" (-1: no "--")
    bool has(const std::string &n) const { return values.count(n) && values.at(n) != "false"; }
    std::string get(const std::string &n, const std::string &def = "") const {
        auto it = values.find(n);
        return it == values.end() ? def : it->second;
    }
};

// Parses argv[0..argc) (the command's own arguments). Options and positional
// arguments may mix, as urfave/cli allows; "--" ends options, and so does the
// first positional argument with stop_at_positional (exec: ID COMMAND ARGS...).
// Repeated options (exec --env) are joined with '\n'. Throws Error.
Parsed parse(const std::vector<std::string> &argv, const std::vector<Option> &opts, bool stop_at_positional = false);

// --preserve-fds N. Throws Error.
int fd_count(const std::string &value);
// A path made absolute against the current directory (--pid-file).
std::string absolute(const std::string &path);

// Exactly one positional: the container id. Throws Error with the usage.
const std::string &one_id(const Parsed &p, const char *usage);

} // namespace burrow::cli
