// Fork; the child runs fn (which returns its exit code); returns the wait
// status. For tests that change process state (seccomp, capabilities).
#pragma once
#include <catch2/catch.hpp>
#include <cerrno>
#include <sys/wait.h>
#include <unistd.h>

template <typename F>
int in_child(F fn) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(fn());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}
