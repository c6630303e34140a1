// One fd over a unix socket (SCM_RIGHTS), as the console socket protocol
// carries the pty master. noexcept and allocation-free: the child sends.
#pragma once

namespace burrow::console {

// Sends fd with the payload text (runc sends the pty's path). 0 or -errno.
int send_fd(int sock, int fd, const char *text) noexcept;
// Receives one fd (close-on-exec). The fd, or -errno (-EBADMSG when none came).
int receive_fd(int sock) noexcept;

} // namespace burrow::console
