// The Catch2 runner (CATCH_CONFIG_MAIN), one translation unit compiled once
// for every test program (meson.build's catch_main_dep): it is the heaviest
// to compile, 100 s under ASan, and was compiled once per program.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
