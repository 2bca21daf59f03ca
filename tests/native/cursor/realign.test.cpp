// A position that is not at a line start (a bookmark edited by hand or damaged):
// the cursor reads again from the start of that line, with a warning, and the
// next position is a line start again - it never fails run after run.
#include "log_fixture.hpp"

#include <fw/cursor.h>

#include <catch2/catch.hpp>

using fw::test::range;
using fw::test::run;
using fw::test::temp_log;

TEST_CASE("cursor: a position in the middle of a line re-reads that line, with a warning (issue 12 finding 5)",
          "[cursor][realign]") {
    temp_log log(1, 60); // longer than FW_PREFIX_MAX: the position's hash covers less than its offset
    auto first = run(log, std::nullopt);
    REQUIRE(first.records == range(1, 60));
    log.append(61, 62);
    for (std::uint64_t back : {1u, 5u, 60u}) {
        INFO("offset moved back by " << back);
        fw_position moved = *first.position;
        moved.offset -= back; // inside record 60's line
        auto again = run(log, moved);
        CHECK((again.warnings & FW_WARN_REALIGNED) != 0);
        CHECK(again.message.find("not at the start of a line") != std::string::npos);
        CHECK(again.message.find(log.path()) != std::string::npos);
        CHECK(again.records == range(60, 62));
        auto next = run(log, again.position);
        CHECK(next.warnings == 0);
        CHECK(next.records.empty());
    }
}

TEST_CASE("cursor: a position at a line start is used as it is", "[cursor][realign]") {
    temp_log log(1, 60);
    auto first = run(log, std::nullopt, 30);
    auto rest = run(log, first.position);
    CHECK(rest.warnings == 0);
    CHECK(rest.records == range(31, 60));
}
