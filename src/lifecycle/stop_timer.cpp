#include "lifecycle/stop_timer.hpp"
#include "log.hpp"

#include <csignal>

namespace burrow::lifecycle {

StopTimer::~StopTimer() {
    if (armed_) timer_delete(timer_);
}

void StopTimer::passed_on(int signo) {
    if (seconds_ <= 0 || armed_ || (signo != SIGTERM && signo != SIGINT && signo != SIGHUP)) return;
    struct sigevent ev {};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer_) < 0) {
        log::warn("--stop-timeout: cannot start the timer: the container will not be killed");
        return;
    }
    struct itimerspec when {};
    when.it_value.tv_sec = seconds_;
    timer_settime(timer_, 0, &when, nullptr);
    armed_ = true;
}

bool StopTimer::fired(const struct signalfd_siginfo &si) const {
    return armed_ && si.ssi_signo == SIGALRM && si.ssi_code == SI_TIMER;
}

} // namespace burrow::lifecycle
