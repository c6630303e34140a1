#include "process/plan.hpp"

namespace burrow::process {

std::vector<char *> c_array(std::vector<std::string> &v) {
    std::vector<char *> out;
    out.reserve(v.size() + 1);
    for (auto &s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace burrow::process
