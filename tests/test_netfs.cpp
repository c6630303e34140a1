#include <catch2/catch.hpp>

#include "rootfs/netfs.hpp"

#include <string>

using burrow::rootfs::network_fs_name;
using burrow::rootfs::network_fs_of;

TEST_CASE("netfs: statfs magics of network and FUSE filesystems") {
    CHECK(std::string(network_fs_name(0x6969)) == "nfs");
    CHECK(std::string(network_fs_name(0x47504653)) == "gpfs");
    CHECK(std::string(network_fs_name(0x0BD00BD0)) == "lustre");
    CHECK(std::string(network_fs_name(static_cast<long>(0xFF534D42u))) == "cifs");
    CHECK(std::string(network_fs_name(0x65735546)) == "fuse");
    CHECK(network_fs_name(0xEF53) == nullptr);     // ext4
    CHECK(network_fs_name(0x01021994) == nullptr); // tmpfs
    CHECK(network_fs_name(0x794c7630) == nullptr); // overlayfs
}

TEST_CASE("netfs: a local path or one that is not there counts as local") {
    CHECK(network_fs_of("/proc").name.empty());
    CHECK(network_fs_of("/nonexistent/burrow").name.empty());
}
