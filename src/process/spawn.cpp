#include "process/spawn.hpp"
#include "console/pass_fd.hpp"
#include "error.hpp"
#include "process/child.hpp"
#include "process/handshake.hpp"

#include <csignal>
#include <linux/sched.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace burrow::process {

Spawned::~Spawned() {
    if (sock_ >= 0) close(sock_);
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

void Spawned::release() {
    close_sock();
    pid_ = -1;
}

void Spawned::close_sock() {
    if (sock_ >= 0) close(sock_);
    sock_ = -1;
}

namespace {

std::string describe_exit(int st) {
    if (WIFSIGNALED(st)) return "killed by signal " + std::to_string(WTERMSIG(st));
    return "exited with status " + std::to_string(WEXITSTATUS(st));
}

} // namespace

namespace {

// clone3 into the cgroup (5.7); -1 with errno ENOSYS/E2BIG/EINVAL... where
// the kernel cannot, and the caller clones the old way.
long clone_into_cgroup(const Plan &plan) {
    struct clone_args a {};
    a.flags = plan.clone_flags | CLONE_INTO_CGROUP;
    a.exit_signal = SIGCHLD;
    a.cgroup = static_cast<uint64_t>(plan.cgroup_fd);
    return syscall(SYS_clone3, &a, sizeof a);
}

} // namespace

Spawned spawn(const Plan &plan, int child_sock, int parent_sock, const SpawnHooks &hooks) {
    long pid = -1;
    bool in_cgroup = false;
    if (plan.cgroup_fd >= 0) {
        pid = clone_into_cgroup(plan);
        in_cgroup = pid >= 0;
    }
    if (!in_cgroup) pid = syscall(SYS_clone, plan.clone_flags | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        int e = errno;
        close(child_sock);
        close(parent_sock);
        if (e == EPERM || e == ENOSPC || e == EUSERS)
            throw Error("clone the container process (are unprivileged user namespaces allowed?)", e);
        throw Error("clone the container process", e);
    }
    if (pid == 0) {
        close(parent_sock);
        child_main(plan, child_sock);
    }
    close(child_sock);
    Spawned child(static_cast<pid_t>(pid), parent_sock);
    pid_t clone_pid = static_cast<pid_t>(pid);
    pid_t container = clone_pid;
    if (hooks.cloned) hooks.cloned(clone_pid);
    if (hooks.join_cgroup && !in_cgroup) hooks.join_cgroup(clone_pid);
    if (plan.wait_for_cgroup) send_msg(parent_sock, MsgType::go);

    for (;;) {
        Message m;
        if (!recv_msg(parent_sock, m)) {
            // The child died without a word: say how.
            int st = 0;
            pid_t who = container;
            if (waitpid(who, &st, 0) < 0 && who != clone_pid) waitpid(clone_pid, &st, 0);
            throw Error("the container process " + describe_exit(st) + " during setup");
        }
        switch (m.type) {
        case MsgType::maps_wanted:
            hooks.write_maps(clone_pid);
            send_msg(parent_sock, MsgType::maps_done);
            break;
        case MsgType::pid: {
            // The intermediate exits at once; the real process is its sibling.
            while (waitpid(clone_pid, nullptr, 0) < 0 && errno == EINTR) {
            }
            container = m.value;
            child.set_pid(container);
            break;
        }
        case MsgType::network_wanted:
            hooks.start_network(container);
            break;
        case MsgType::network_wait:
            hooks.wait_network();
            send_msg(parent_sock, MsgType::network_ready);
            break;
        case MsgType::hooks_wanted: {
            auto states = hooks.runtime_hooks(container);
            for (auto &st : states)
                if (st.size() > kMaxStateJson)
                    throw Error("the state for hooks is larger than " + std::to_string(kMaxStateJson) + " bytes");
            send_msg(parent_sock, MsgType::hooks_done, static_cast<int32_t>(states.size()));
            for (auto &st : states) send(parent_sock, st.data(), st.size(), MSG_NOSIGNAL);
            break;
        }
        case MsgType::overlay_fuse: {
            int fd = console::receive_fd(parent_sock);
            if (fd < 0) throw Error("receive the overlay's /dev/fuse fd", -fd);
            hooks.serve_overlay(container, fd, m.err);
            send_msg(parent_sock, MsgType::overlay_ready);
            break;
        }
        case MsgType::overlay_dirs:
            if (!hooks.make_overlay_dirs) throw Error("the container process asked for overlay directories", EPROTO);
            m.text[sizeof m.text - 1] = 0;
            hooks.make_overlay_dirs(m.text);
            send_msg(parent_sock, MsgType::overlay_dirs_made);
            break;
        case MsgType::image_fuse: {
            int fd = console::receive_fd(parent_sock);
            if (fd < 0) throw Error("receive the image's /dev/fuse fd", -fd);
            int dir = console::receive_fd(parent_sock);
            if (dir < 0) {
                close(fd);
                throw Error("receive the image's mount", -dir);
            }
            hooks.serve_image(container, fd, dir);
            send_msg(parent_sock, MsgType::image_ready);
            break;
        }
        case MsgType::ready:
            child.set_image_is_root(m.value == 1);
            return child;
        case MsgType::error:
            m.text[sizeof m.text - 1] = 0;
            throw Error(m.text, m.err);
        default:
            throw Error("unexpected handshake message " + std::to_string(static_cast<int>(m.type)), EPROTO);
        }
    }
}

} // namespace burrow::process
