// state and list.
#include "error.hpp"
#include "lifecycle/lifecycle.hpp"
#include "state/store.hpp"

#include <nlohmann/json.hpp>
#include "userns/passwd.hpp"
#include <cstdio>
#include <sys/stat.h>

namespace burrow::lifecycle {
namespace {

std::string owner_of(const state::Store &s, const std::string &id) {
    struct stat st;
    if (stat(s.dir(id).c_str(), &st) < 0) return "";
    auto name = userns::user_name(st.st_uid);
    return name.empty() ? "#" + std::to_string(st.st_uid) : name;
}

// The directory's change time: when create made it (for a container whose
// state.json cannot say).
std::string created_of(const state::Store &s, const std::string &id) {
    struct stat st;
    if (stat(s.dir(id).c_str(), &st) < 0) return "0001-01-01T00:00:00Z";
    return state::rfc3339(st.st_mtim);
}

// Columns as Go's tabwriter with minwidth 12 and padding 3 (what runc prints).
std::string table(const std::vector<std::vector<std::string>> &rows) {
    std::vector<size_t> width(rows[0].size(), 0);
    for (auto &r : rows)
        for (size_t i = 0; i + 1 < r.size(); i++) width[i] = std::max(width[i], r[i].size() + 3);
    std::string out;
    for (auto &r : rows) {
        for (size_t i = 0; i < r.size(); i++) {
            out += r[i];
            if (i + 1 < r.size()) out += std::string(std::max<size_t>(width[i], 12) - r[i].size(), ' ');
        }
        out += "\n";
    }
    return out;
}

} // namespace

std::string state_text(const Globals &g, const std::string &id) {
    state::validate_id(id);
    state::Store store(g.root);
    auto r = store.read(id);
    return state::state_json(r, state::status_of(store, r), "", 2) + "\n";
}

std::string list(const Globals &g, const std::string &format, bool quiet) {
    if (format != "table" && format != "json") throw Error("invalid format option \"" + format + "\" (table or json)");
    state::Store store(g.root);
    std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    std::string ids, problems;
    for (auto &id : store.ids()) {
        state::Record r;
        try {
            r = store.read(id);
        } catch (const state::NoSuchContainer &) {
            continue; // deleted meanwhile
        } catch (const Error &e) {
            // Corrupt or unreadable: listed with its problem, never left out
            // (delete --force removes it). The JSON keeps the fields runc's
            // parsers require (created a valid time); status says "unknown".
            std::string owner = owner_of(store, id);
            ids += id + "\n";
            std::string created = created_of(store, id);
            rows.push_back({id, "0", "unknown", "", created, owner});
            nlohmann::ordered_json j;
            j["ociVersion"] = "";
            j["id"] = id;
            j["pid"] = 0;
            j["status"] = "unknown";
            j["bundle"] = "";
            j["rootfs"] = "";
            j["created"] = created;
            j["owner"] = owner;
            j["annotations"] = {{"io.github.burrow.error", e.what()}};
            arr.push_back(j);
            problems += "burrow: list: " + id + ": " + e.what() + "\n";
            continue;
        }
        auto st = state::status_of(store, r);
        std::string owner = owner_of(store, id);
        ids += id + "\n";
        rows.push_back({id, std::to_string(st == state::Status::stopped ? 0 : r.pid), state::status_name(st), r.bundle,
                        r.created, owner});
        arr.push_back(nlohmann::ordered_json::parse(state::state_json(r, st, owner, -1)));
    }
    if (!problems.empty()) fputs(problems.c_str(), stderr);
    if (quiet) return ids;
    // runc marshals an empty Go slice: "null", which its users parse.
    if (format == "json") return (arr.empty() ? std::string("null") : arr.dump()) + "\n";
    return table(rows);
}

} // namespace burrow::lifecycle
