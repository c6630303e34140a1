// One function per command; the CLI parses options and calls exactly one.
#pragma once
#include "lifecycle/planner.hpp"

#include <string>

namespace burrow::lifecycle {

struct Globals {
    std::string root; // state directory
};

enum class RunMode { create, foreground, detached };

// create and run. Returns the exit code burrow itself should exit with.
int create(const Globals &g, const CreateOptions &o, RunMode mode, bool keep);
void start(const Globals &g, const std::string &id);
void kill(const Globals &g, const std::string &id, int signal, bool all);
void remove(const Globals &g, const std::string &id, bool force);
std::string state_text(const Globals &g, const std::string &id);
std::string list(const Globals &g, const std::string &format, bool quiet);
void write_spec(const std::string &bundle, bool rootless);
std::string features();

} // namespace burrow::lifecycle
