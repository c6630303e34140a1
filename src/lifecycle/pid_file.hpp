// --pid-file: the pid alone (no newline, as runc), written atomically.
#pragma once
#include <string>
#include <sys/types.h>

namespace burrow::lifecycle {

void write_pid_file(const std::string &path, pid_t pid);

} // namespace burrow::lifecycle
