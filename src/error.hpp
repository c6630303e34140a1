// Parent-side errors: one exception type carrying errno and a context chain.
// main() prints it as one line: "burrow: <command> <id>: <what>: <why>".
#pragma once
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace burrow {

class Error : public std::runtime_error {
public:
    explicit Error(std::string what, int err = 0)
        : std::runtime_error(err ? what + ": " + std::strerror(err) : what), errno_(err) {}
    int code() const noexcept { return errno_; }

private:
    int errno_;
};

// Throw an Error for a failed syscall, capturing errno now.
[[noreturn]] inline void throw_errno(const std::string &what) { throw Error(what, errno); }

// Rethrow an Error with more context in front ("config.json: " + "process.args: ...").
template <typename F>
auto with_context(const std::string &ctx, F &&f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error &e) {
        throw Error(ctx + ": " + e.what());
    }
}

} // namespace burrow
