// Where the systemd cgroup manager's helper is (features, the manager).
#pragma once
#include <string>

namespace burrow::session {

// burrow-systemd next to the running burrow, else in burrow's libexec
// directory; "" when neither exists (the systemd manager is then unavailable).
std::string systemd_helper_path();

} // namespace burrow::session
