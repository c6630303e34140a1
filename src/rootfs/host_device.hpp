// In a user namespace devices cannot be made (mknod is refused), so the
// host's node is bound instead. Parent side: finds that node.
#pragma once
#include <string>
#include <sys/types.h>

namespace burrow::rootfs {

// The host path of a node of this type (S_IFCHR or S_IFBLK) and number:
// `preferred` when it is one, else /dev/char/MAJ:MIN or /dev/block/MAJ:MIN,
// else a node of that number in /dev or one level below. Empty when none.
std::string find_host_node(const std::string &preferred, mode_t type, dev_t dev);

} // namespace burrow::rootfs
