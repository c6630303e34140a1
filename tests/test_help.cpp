// `burrow COMMAND --help` comes from each command's option table: every
// option listed has its line of help, and the layout is runc's.
#include "cli/commands.hpp"
#include "cli/help.hpp"

#include <catch2/catch.hpp>

using namespace burrow::cli;

TEST_CASE("every command's listed options have help") {
    for (auto *h : {&help_spec, &help_create, &help_run, &help_start, &help_exec, &help_state, &help_list, &help_ps,
                    &help_kill, &help_delete, &help_features, &help_check_host, &help_pause, &help_resume, &help_update,
                    &help_events, &help_unit}) {
        INFO(h->name);
        CHECK(*h->summary);
        for (auto &o : *h->options) {
            INFO(o.name);
            CHECK((o.hidden || (o.help && *o.help)));
        }
    }
}

TEST_CASE("help in runc's layout") {
    auto t = format_help(help_list);
    CHECK(t.rfind("NAME:\n   burrow list - list the containers\n\nUSAGE:\n   burrow list [command options]\n\n"
                  "DESCRIPTION:\n", 0) == 0);
    CHECK_THAT(t, Catch::Contains("\nOPTIONS:\n   --format value, -f value  table or json (default: table)\n"
                                  "   --quiet, -q               print only the container ids\n"
                                  "   --help, -h                show help\n"));
    // Hidden options are accepted but not listed.
    CHECK_THAT(format_help(help_create), !Catch::Contains("no-subreaper"));
}
