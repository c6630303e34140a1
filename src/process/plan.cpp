#include "process/plan.hpp"
#include "error.hpp"
#include "security/exec_stub.hpp"

namespace burrow::process {

std::vector<char *> c_array(std::vector<std::string> &v) {
    std::vector<char *> out;
    out.reserve(v.size() + 1);
    for (auto &s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

void use_exec_stub(Plan &p) {
    if (!security::self_writable_by_containers()) return;
    p.exec_stub_fd = security::make_exec_stub();
    if (p.exec_stub_fd < 0) return;
    p.stub_argv.assign(p.args.size() + 3, nullptr); // magic, path, args..., NULL
    if (p.seccomp) security::allow_stub_exec(*p.seccomp, p.exec_stub_fd);
}

void use_hold_stub(Plan &p) {
    p.hold = true;
    p.exec_stub_fd = security::make_exec_stub();
    if (p.exec_stub_fd < 0) throw Error("this build of burrow has no exec stub to hold the namespaces with");
    p.stub_argv.assign(2, nullptr); // the hold word, NULL
    if (p.seccomp) {
        security::allow_stub_exec(*p.seccomp, p.exec_stub_fd);
        security::allow_stub_hold(*p.seccomp);
    }
}

} // namespace burrow::process
