// burrow's end of burrow-systemd (session/systemd_helper.cpp), the helper
// that holds the D-Bus connection: one request line out, one answer line
// back, over two pipes. The helper is started at the first request and ends
// at close() (it exits on EOF) or with burrow; one that ended between two
// requests is started again. Errors are std::runtime_error.
#pragma once
#include <string>
#include <sys/types.h>

namespace burrow::session {

class SystemdClient {
public:
    SystemdClient() = default;
    SystemdClient(const SystemdClient &) = delete;
    SystemdClient &operator=(const SystemdClient &) = delete;
    ~SystemdClient() { close(); }

    // Sends the request's fields (tab-separated); returns the answer's value
    // ("ok\tVALUE"), throws with systemd's message on "error\tMESSAGE".
    std::string request(const std::string &line);
    void close();

private:
    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    std::string path_;
    void spawn();
};

// The message for a burrow without its helper.
std::string no_helper_message();

} // namespace burrow::session
