// The Container Device Interface: `--device vendor.com/class=name` names a
// device that a CDI spec file (JSON, in /etc/cdi and /var/run/cdi, or the
// directories $BURROW_CDI_DIRS lists) describes as edits to the container:
// device nodes, mounts, env and hooks, at spec level and at device level.
// burrow applies them to config.json's JSON before parsing it, so the edits
// are checked as if the config had said them itself.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace burrow::cdi {

// "vendor.com/class=name" split; throws Error when it is not that shape.
struct DeviceName {
    std::string kind, name; // "vendor.com/class", "name"
};
DeviceName parse_device_name(const std::string &s);

// One spec file, read and checked: its kind, spec-level edits and devices.
struct Spec {
    std::string path;
    std::string kind;
    nlohmann::json edits;                                   // containerEdits (may be null)
    std::vector<std::pair<std::string, nlohmann::json>> devices; // name, containerEdits
};
// Checks the JSON of a spec file (cdiVersion, kind, devices[].name and
// containerEdits); errors name the file and field.
Spec parse_spec(const nlohmann::json &j, const std::string &path);

// Applies one containerEdits object to the config's JSON: env to
// process.env (appended, so it wins), deviceNodes to linux.devices (type and
// numbers from the host node when the spec leaves them out), mounts to
// mounts, hooks to hooks.<hookName>, additionalGids to the process user.
// `where` names the edits in errors. Stats host nodes, nothing else.
void apply_edits(nlohmann::json &config, const nlohmann::json &edits, const std::string &where);

// The spec directories: $BURROW_CDI_DIRS (colon-separated) or /etc/cdi and
// /var/run/cdi. Later directories take precedence over earlier ones.
std::vector<std::string> spec_dirs();

// Resolves every device in `devices` from the spec files in `dirs` and
// applies the edits (each spec's own edits once, then the device's).
void inject(nlohmann::json &config, const std::vector<std::string> &devices, const std::vector<std::string> &dirs);

} // namespace burrow::cdi
