// Undo for a half-made container: the state directory is removed unless the
// create committed.
#pragma once
#include "state/store.hpp"

namespace burrow::lifecycle {

class StateGuard {
public:
    StateGuard(const state::Store &s, std::string id) : store_(s), id_(std::move(id)) {}
    ~StateGuard() {
        if (!committed_) try {
                store_.remove(id_);
            } catch (...) {
            }
    }
    void commit() { committed_ = true; }

private:
    const state::Store &store_;
    std::string id_;
    bool committed_ = false;
};

} // namespace burrow::lifecycle
