// --log, --log-format and --debug. Without --log, messages go to stderr; the
// final error line always goes to stderr as well (runc does the same, and
// containerd reads the JSON log file).
#pragma once
#include <string>

namespace burrow::log {

void init(const std::string &path, bool json, bool debug);
bool debugging();
void debug(const std::string &msg);
void warn(const std::string &msg);
// Writes the error to the log file (if any) and the one line to stderr.
void error(const std::string &line);

} // namespace burrow::log
