#include "hooks/run_hooks.hpp"
#include "error.hpp"
#include "hooks/exec_hook.hpp"
#include "log.hpp"

#include <unistd.h>

namespace burrow::hooks {

std::vector<process::Hook> prepare(const std::vector<spec::Hook> &hooks) {
    std::vector<process::Hook> out(hooks.size());
    for (size_t i = 0; i < hooks.size(); i++) {
        auto &h = out[i];
        h.path = hooks[i].path;
        h.args = hooks[i].args.empty() ? std::vector<std::string>{hooks[i].path} : hooks[i].args;
        // No env in the config: ours, as runc's and crun's hooks get theirs.
        if (hooks[i].has_env) h.env = hooks[i].env;
        else
            for (char **e = environ; e && *e; e++) h.env.emplace_back(*e);
        h.timeout = hooks[i].timeout.value_or(0);
        h.argv = process::c_array(h.args);
        h.envp = process::c_array(h.env);
    }
    return out;
}

void run_all(const std::vector<process::Hook> &hooks, const std::string &state, const char *stage,
             const std::string &group_record) {
    for (auto &h : hooks) {
        auto r = run_hook(h, state.data(), state.size(), group_record.empty() ? nullptr : group_record.c_str());
        if (!r.ok()) {
            char buf[512];
            describe(h, r, buf, sizeof buf);
            throw Error(std::string(stage) + ": " + buf);
        }
    }
}

void run_all_warn(const std::vector<process::Hook> &hooks, const std::string &state, const char *stage,
                  const std::string &group_record) {
    for (auto &h : hooks) {
        auto r = run_hook(h, state.data(), state.size(), group_record.empty() ? nullptr : group_record.c_str());
        if (!r.ok()) {
            char buf[512];
            describe(h, r, buf, sizeof buf);
            log::warn(std::string(stage) + ": " + buf);
        }
    }
}

} // namespace burrow::hooks
