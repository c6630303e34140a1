// The program's environment from process.env.
#pragma once
#include <string>
#include <vector>

namespace burrow::process {

// A variable given twice keeps its LAST value, at the place of that last
// occurrence, as runc does (Slurm appends the job's environment to the
// bundle's, so PATH comes twice and the job's must win). Entries without '='
// are kept as they are. Pure.
std::vector<std::string> last_value_wins(const std::vector<std::string> &env);

} // namespace burrow::process
