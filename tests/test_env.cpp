#include "process/passwd_home.hpp"
#include <sys/mman.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "process/env.hpp"

using burrow::process::last_value_wins;
using V = std::vector<std::string>;

TEST_CASE("env: a variable given twice keeps its last value, where it last appears") {
    CHECK(last_value_wins({"PATH=/bundle", "TERM=xterm", "HOME=/root", "PATH=/job", "SLURM_JOB_ID=7"}) ==
          V{"TERM=xterm", "HOME=/root", "PATH=/job", "SLURM_JOB_ID=7"});
    CHECK(last_value_wins({"A=1", "A=2", "A=3"}) == V{"A=3"});
    CHECK(last_value_wins({"A=", "A=x"}) == V{"A=x"});
}

TEST_CASE("env: distinct names, prefixes and entries without '=' are kept") {
    CHECK(last_value_wins({"A=1", "AB=2", "B=3"}) == V{"A=1", "AB=2", "B=3"});
    CHECK(last_value_wins({"NOEQ", "NOEQ", "X=1"}) == V{"NOEQ", "NOEQ", "X=1"});
    CHECK(last_value_wins({}).empty());
}

namespace {
std::string home_in(const std::string &passwd, uint32_t uid, size_t cap = 64) {
    int p[2];
    REQUIRE(pipe(p) == 0);
    REQUIRE(write(p[1], passwd.data(), passwd.size()) == static_cast<ssize_t>(passwd.size()));
    close(p[1]);
    std::string out(cap, 'x');
    burrow::process::passwd_home(p[0], uid, out.data(), cap);
    close(p[0]);
    return out.c_str();
}
} // namespace

TEST_CASE("HOME from the container's /etc/passwd") {
    std::string pw = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
                     "nohome:x:7:7:::/bin/false\nlast:x:42:42::/home/last:/bin/sh";
    CHECK(home_in(pw, 0) == "/root");
    CHECK(home_in(pw, 1000) == "/home/user");
    CHECK(home_in(pw, 42) == "/home/last"); // no newline at the end
    CHECK(home_in(pw, 7) == "/");           // an empty home
    CHECK(home_in(pw, 5) == "/");           // no entry
    CHECK(home_in("", 0) == "/");
    CHECK(home_in("a:x:00:0::/zero:\nb:x:1a:0::/bad:\n", 0) == "/zero");
    CHECK(home_in("b:x:1a:0::/bad:\n", 1) == "/");     // not a number
    CHECK(home_in("b:x:99999999999:0::/big:\n", 0) == "/");
    CHECK(home_in(pw, 1000, 8) == "/");                 // longer than the slot
    // A line too long to hold is skipped, the next one still read.
    CHECK(home_in("x:x:0:0:" + std::string(5000, 'g') + ":/long:\nroot:x:0:0::/r:\n", 0) == "/r");
    // Longer than one read's buffer before the entry.
    std::string many;
    for (int i = 1; i < 400; i++) many += "u" + std::to_string(i) + ":x:" + std::to_string(i) + ":0::/h" + std::to_string(i) + ":\n";
    CHECK(home_in(many + "root:x:0:0::/found:/bin/sh\n", 0) == "/found");
    CHECK(home_in(many, 399) == "/h399");
}

TEST_CASE("HOME: nothing past the first MiB of /etc/passwd is read") {
    std::string filler;
    while (filler.size() < (1u << 20) + 8192) filler += "u:x:1:1::/h:\n";
    int fd = memfd_create("passwd", MFD_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string text = filler + "root:x:0:0::/far:\n";
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    lseek(fd, 0, SEEK_SET);
    char out[64];
    burrow::process::passwd_home(fd, 0, out, sizeof out);
    close(fd);
    CHECK(std::string(out) == "/");
}
