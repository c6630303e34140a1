// The Catch2 main, alone in its file so the tests rebuild quickly.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
