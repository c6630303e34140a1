// The network helper of a container (slirp4netns or pasta): the checks made
// before anything is spawned, its start (a ready fd or the launcher's exit,
// never a sleep), the published ports, and its end.
#pragma once
#include "netless/options.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace burrow::netless {

// Files in the container's state directory.
inline constexpr const char *kApiSocket = "slirp4netns.sock";
inline constexpr const char *kNetnsLink = "netns";        // pasta's target; removing it ends pasta
inline constexpr const char *kHelperRecord = "network.pid"; // "PID STARTTIME": which process to end
inline constexpr const char *kHelperLog = "network.log";   // the helper's stderr

// Before anything is spawned: the helper found in PATH (else: which package
// to install), /dev/net/tun usable (else: the fix), every published host port
// free. Returns the helper's path ("" for modes without one). Throws
// std::runtime_error with one line.
std::string preflight(const Network &n);

// Network::tap for the mode: slirp4netns's tap0; for pasta the interface of
// the host's default route (pasta's own choice, read from /proc/net/route),
// "" without one (pasta names it, the child makes none).
std::string helper_interface(const Network &n);

// A running helper. Until release(), destruction ends it and removes its files.
class Helper {
public:
    Helper() = default;
    Helper(Helper &&o) noexcept { *this = std::move(o); }
    Helper &operator=(Helper &&o) noexcept;
    ~Helper() { stop(); }
    // Starts it for the network namespace of pid (entered from pid's user
    // namespace) and returns at once: it comes up (8 ms here) while the rest
    // of create goes on. pid must stay dumpable until wait_ready() returns.
    static Helper launch(const Network &n, const std::string &path, pid_t pid, const std::string &state_dir);
    // Returns once the interface is up and the ports published. Throws
    // std::runtime_error with the helper's own words.
    void wait_ready();
    pid_t pid() const { return pid_; }
    void release() { pid_ = -1; }
    void stop() noexcept;

private:
    pid_t pid_ = -1;
    bool ours_ = false; // our child: reap it
    std::string dir_;
    int ready_fd_ = -1;            // slirp4netns, until wait_ready: its ready fd
    pid_t launcher_ = -1;          // pasta, until wait_ready: the launcher that forks the daemon
    std::vector<Publish> publish_; // slirp4netns: published through its API socket once it is ready
};

// `delete`, and the end of `run`: ends the helper recorded in state_dir if it
// is still that process, and removes its socket and files (two syscalls where
// none was started). Never throws.
void stop_helper(const std::string &state_dir) noexcept;

} // namespace burrow::netless
