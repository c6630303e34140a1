#include "lifecycle/stop_timer.hpp"
#include "log.hpp"

#include <csignal>
#include <sys/time.h>

namespace burrow::lifecycle {

StopTimer::~StopTimer() {
    if (!armed_) return;
    struct itimerval off {};
    setitimer(ITIMER_REAL, &off, nullptr);
}

void StopTimer::passed_on(int signo) {
    if (seconds_ <= 0 || armed_ || (signo != SIGTERM && signo != SIGINT && signo != SIGHUP)) return;
    struct itimerval when {};
    when.it_value.tv_sec = seconds_;
    if (setitimer(ITIMER_REAL, &when, nullptr) < 0) {
        log::warn("--stop-timeout: cannot start the timer: the container will not be killed");
        return;
    }
    armed_ = true;
}

bool StopTimer::fired(const struct signalfd_siginfo &si) const {
    return armed_ && si.ssi_signo == SIGALRM && si.ssi_code == SI_KERNEL;
}

} // namespace burrow::lifecycle
