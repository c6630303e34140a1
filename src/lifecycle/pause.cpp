// pause and resume: the container's cgroup frozen and thawed.
#include "lifecycle/cgroup.hpp"
#include "lifecycle/lifecycle.hpp"

namespace burrow::lifecycle {

void pause(const Globals &g, const std::string &id) {
    state::validate_id(id);
    state::Store store(g.root);
    auto lock = store.lock(id);
    auto c = open_container_cgroup(store, id, "pause");
    if (c.status != state::Status::running && c.status != state::Status::created) throw Error("container not running");
    cgroup_call([&] { c.cgroup->freeze(true); });
}

void resume(const Globals &g, const std::string &id) {
    state::validate_id(id);
    state::Store store(g.root);
    auto lock = store.lock(id);
    auto c = open_container_cgroup(store, id, "resume");
    if (c.status != state::Status::paused) throw Error("container not paused");
    cgroup_call([&] { c.cgroup->freeze(false); });
}

} // namespace burrow::lifecycle
