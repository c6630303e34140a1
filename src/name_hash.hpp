// A file name for a key: 64-bit FNV-1a as 16 hex digits. It spreads keys
// over names and guards nothing: whoever finds an entry by it compares the
// key itself, or the key is no secret and a clash only shares a lock.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace burrow {

inline std::string name_hash(const std::string &s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    char out[17];
    snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

} // namespace burrow
