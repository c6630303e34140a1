// `burrow COMMAND --help`, in runc's layout (NAME, USAGE, DESCRIPTION,
// OPTIONS), generated from the command's own option table.
#pragma once
#include "cli/options.hpp"

#include <string>
#include <vector>

namespace burrow::cli {

struct CommandHelp {
    const char *name;        // "create"
    const char *summary;     // "create a container"
    const char *usage;       // what follows "burrow create": "[command options] <container-id>"
    const char *description; // paragraphs, lines unindented
    const std::vector<Option> *options;
};

std::string format_help(const CommandHelp &h);

} // namespace burrow::cli
