// `burrow run --rootfs DIR|--image FILE [-v SRC:DST[:ro]]... [-e VAR=VALUE]...
// [--env-host] [--cwd DIR] [-w] ID -- CMD [ARGS...]`: no config.json to
// write. Without --bundle the config is burrow's rootless template (what
// `burrow spec --rootless` writes), built in memory; with --bundle the same
// options edit the bundle's config.json. Either way state and lifecycle are
// as usual.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace burrow::lifecycle {

struct ConfigEdits {
    bool from_template = false;       // no --bundle: the template, not BUNDLE/config.json
    std::string rootfs;               // --rootfs: root.path (absolute)
    std::vector<std::string> volumes; // -v SRC:DST[:ro|:rw]
    std::vector<std::string> env;     // -e VAR=VALUE, after the config's and the host's
    bool env_host = false;            // --env-host: the caller's environment (SLURM_*, PMI_*, ...), as ch-run passes it
    std::string cwd;                  // --cwd: process.cwd
    bool writable = false;            // -w: root.readonly false (ch-run's -w: the image read-write)
    std::vector<std::string> args;    // CMD ARGS... after --
    bool any() const {
        return from_template || !rootfs.empty() || !volumes.empty() || !env.empty() || env_host || !cwd.empty() ||
               writable || !args.empty();
    }
};

// -v SRC:DST[:ro|:rw]: a recursive bind mount of SRC (which must exist).
struct Volume {
    std::string source; // canonical
    std::string destination;
    bool readonly = false;
};
Volume parse_volume(const std::string &v); // throws Error naming -v

// --rootfs a directory, --cwd absolute, each -e VAR=VALUE. Throws Error naming the option.
void check_edits(const ConfigEdits &e);

// The template as JSON text with the edits in it (rootless: as `burrow spec
// --rootless` writes it, with the caller's ids), for run without --bundle.
std::string template_config(const ConfigEdits &e, bool rootless);

// --env-host: the caller's environment, each VAR=VALUE, to append to
// process.env (where a name comes twice the last value wins, as Slurm's own
// append of the job's environment relies on).
std::vector<std::string> host_environment();

// Applies the edits to a parsed config.json (--bundle with the options).
void apply_config_edits(nlohmann::ordered_json &j, const ConfigEdits &e);

} // namespace burrow::lifecycle
