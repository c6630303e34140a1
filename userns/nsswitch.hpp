// Where the system keeps subordinate ids: /etc/nsswitch.conf's `subid:`
// line names one service (libsubid consults only the first), "files" when
// there is none.
#pragma once
#include <string>
#include <string_view>

namespace burrow::userns {

// The service of the `subid:` line in the text of nsswitch.conf ("sss"),
// or "files" when there is no such line. Pure.
std::string subid_service(std::string_view nsswitch_conf);

} // namespace burrow::userns
