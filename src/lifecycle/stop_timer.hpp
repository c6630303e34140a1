// `run --stop-timeout SECONDS`: what a batch system expects of a job step.
// When burrow passes SIGTERM, SIGINT or SIGHUP on to the container, a timer
// starts; if the container is still there when it fires, it gets SIGKILL.
// The timer is setitimer(2)'s SIGALRM (si_code SI_KERNEL), which supervise's
// signalfd reads like any other; a SIGALRM someone sends (SI_USER) is passed
// on as before. (timer_create would link glibc's thread machinery into the
// static binary: 0.2 MiB more peak memory on every run, bench/.)
#pragma once
#include <sys/signalfd.h>

namespace burrow::lifecycle {

class StopTimer {
public:
    explicit StopTimer(int seconds) : seconds_(seconds) {}
    StopTimer(const StopTimer &) = delete;
    ~StopTimer();
    // After a signal was passed on: starts the grace period on the first
    // termination signal (later ones do not extend it).
    void passed_on(int signo);
    // True when `si` is this timer firing: kill the container now.
    bool fired(const struct signalfd_siginfo &si) const;

private:
    int seconds_;
    bool armed_ = false;
};

} // namespace burrow::lifecycle
