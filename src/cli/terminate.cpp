// What std::terminate prints before abort(). libstdc++'s own handler
// demangles the uncaught exception's type name, which links its C++
// demangler (about 30 KB of text) into the static binary, where every 64 KB
// of text costs peak memory on every start (bench/README.md). burrow catches
// every exception it throws; reaching this is a bug, said in one line.
#include <cstdlib>
#include <unistd.h>

namespace __gnu_cxx {

void __verbose_terminate_handler() {
    static const char msg[] = "burrow: terminate called (an exception escaped): this is a bug\n";
    (void)!write(2, msg, sizeof msg - 1);
    abort();
}

} // namespace __gnu_cxx
