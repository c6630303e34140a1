// The few fields of /proc/PID/stat that tell a process apart: its state, its
// parent and its start time (which a reused pid does not share).
#pragma once
#include <cstdint>
#include <sys/types.h>

namespace burrow::state {

struct ProcStat {
    char state = 0;        // R, S, D, Z, ...
    pid_t ppid = 0;
    uint64_t start_time = 0; // clock ticks after boot
};

// False when there is no such process.
bool read_proc_stat(pid_t pid, ProcStat &out);

} // namespace burrow::state
