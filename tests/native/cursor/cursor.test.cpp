// The cursor with the real reader: incremental runs, rotation, truncation,
// partial lines, follow mode, early stops, and a randomised exactly-once check.
#include "log_fixture.hpp"

#include <fw/cursor.h>
#include <fw/log.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

using fw::test::concat;
using fw::test::cursor_ptr;
using fw::test::drain;
using fw::test::open_cursor;
using fw::test::poll;
using fw::test::poll_and_drain;
using fw::test::range;
using fw::test::run;
using fw::test::run_result;
using fw::test::temp_log;

TEST_CASE("cursor: run, append, run returns exactly the appended records", "[cursor]") {
    temp_log log(1, 30);
    auto first = run(log, std::nullopt);
    CHECK(first.records == range(1, 30));
    REQUIRE(first.position);
    CHECK(first.position->offset == log.size());

    auto again = run(log, first.position);
    CHECK(again.records.empty());
    CHECK(again.warnings == 0);

    log.append(31, 45);
    auto second = run(log, first.position);
    CHECK(second.records == range(31, 45));
    CHECK(second.warnings == 0);
    CHECK(second.position->offset == log.size());
}

TEST_CASE("cursor: run, append, rotate, append, run returns each new record once, in order", "[cursor]") {
    temp_log log(1, 20);
    auto first = run(log, std::nullopt);
    REQUIRE(first.records == range(1, 20));

    log.append(21, 30); // after the run, before the rotation: only in .old
    log.rotate();
    log.append(31, 40);
    auto second = run(log, first.position);
    CHECK(second.records == range(21, 40));
    CHECK(second.sources == concat(std::vector<int>(10, FW_SOURCE_ROTATED), std::vector<int>(10, FW_SOURCE_LIVE)));
    CHECK(second.warnings == 0);

    log.append(41, 42);
    auto third = run(log, second.position);
    CHECK(third.records == range(41, 42));
}

TEST_CASE("cursor: a partial last line is delivered once, when complete", "[cursor]") {
    temp_log log(1, 3);
    const std::string line = fw::test::log_line(4);
    log.append_raw(line.substr(0, 25)); // the service is mid-write
    auto first = run(log, std::nullopt);
    CHECK(first.records == range(1, 3));
    auto second = run(log, first.position);
    CHECK(second.records.empty());
    log.append_raw(line.substr(25));
    auto third = run(log, second.position);
    CHECK(third.records == std::vector<int>{4});
    auto fourth = run(log, third.position);
    CHECK(fourth.records.empty());
}

TEST_CASE("cursor: truncation reads the new content from the start, with a warning", "[cursor]") {
    temp_log log(1, 10);
    auto first = run(log, std::nullopt);
    log.truncate();
    log.append(100, 102);
    auto second = run(log, first.position);
    CHECK(second.records == range(100, 102));
    CHECK(second.warnings == FW_WARN_TRUNCATED);
    CHECK(second.message.find("truncated") != std::string::npos);
}

TEST_CASE("cursor: both files rotated away since the position", "[cursor]") {
    temp_log log(1, 10);
    auto first = run(log, std::nullopt);
    log.append(11, 12); // lost: its file is rotated away twice before the next run
    log.rotate();
    log.append(13, 15);
    log.rotate();
    log.append(16, 17);
    auto second = run(log, first.position);
    CHECK(second.records == range(13, 17)); // nothing repeated; 11-12 reported lost
    CHECK(second.warnings == FW_WARN_GAP);
    CHECK(second.message.find("may have been lost") != std::string::npos);
}

TEST_CASE("cursor: a position taken in another file", "[cursor]") {
    temp_log a(1, 5);
    temp_log b(50, 52);
    auto in_a = run(a, std::nullopt);
    auto other = run(b, in_a.position);
    CHECK(other.records == range(50, 52)); // read from the start, never from a's offset
    CHECK(other.warnings == FW_WARN_GAP);
}

TEST_CASE("cursor: stopping inside a batch resumes right after the last record delivered", "[cursor]") {
    temp_log log(1, 40);
    auto first = run(log, std::nullopt, 12);
    CHECK(first.records == range(1, 12));
    auto second = run(log, first.position, 5);
    CHECK(second.records == range(13, 17));
    auto third = run(log, second.position);
    CHECK(third.records == range(18, 40));
}

TEST_CASE("cursor: a consumer that failed on a record gets it again next time", "[cursor]") {
    temp_log log(1, 20);
    cursor_ptr c;
    open_cursor(c, log, std::nullopt, 0, 6);
    fw_reader *reader = nullptr;
    REQUIRE(fw_cursor_segment(c.c, &reader, nullptr, nullptr) == FW_OK);
    const fw_record *recs = nullptr;
    size_t n = 0;
    REQUIRE(fw_reader_next(reader, &recs, &n) == FW_OK);
    REQUIRE(fw_reader_next(reader, &recs, &n) == FW_OK); // records 7..12
    REQUIRE(n == 6);
    fw_position p{};
    REQUIRE(fw_cursor_position_before(c.c, &recs[3], &p) == FW_OK); // failed on record 10
    CHECK(p.offset == recs[3].offset);
    fw_record moved = recs[3];
    moved.offset += 1;
    CHECK(fw_cursor_position_before(c.c, &moved, &p) == FW_EINVALID);
    REQUIRE(fw_cursor_position_before(c.c, &recs[3], &p) == FW_OK);
    auto rest = run(log, p);
    CHECK(rest.records == range(10, 20));
}

TEST_CASE("cursor: a stop in the rotated file resumes in it, then the live file", "[cursor]") {
    temp_log log(1, 10);
    auto first = run(log, std::nullopt);
    log.append(11, 30);
    log.rotate();
    log.append(31, 35);
    auto second = run(log, first.position, 4);
    CHECK(second.records == range(11, 14));
    auto third = run(log, second.position);
    CHECK(third.records == range(15, 35));
}

TEST_CASE("cursor: with a filter the position still covers the filtered-out lines", "[cursor]") {
    temp_log log(1, 20);
    fw_filter *f = nullptr;
    REQUIRE(fw_filter_new(&f) == FW_OK);
    REQUIRE(fw_filter_add(f, FW_FILTER_SRC_PORT, "5-6") == FW_OK);
    auto first = run(log, std::nullopt, -1, 0, f);
    CHECK(first.records == range(5, 6));
    CHECK(first.position->offset == log.size());
    log.append(21, 30);
    auto second = run(log, first.position, -1, 0, f);
    CHECK(second.records.empty());
    auto all = run(log, first.position);
    CHECK(all.records == range(21, 30));
    fw_filter_free(f);
}

TEST_CASE("cursor: the filter is copied at open and may be freed at once, across rotation", "[cursor]") {
    temp_log log(1, 10);
    cursor_ptr c;
    {
        fw_filter *f = nullptr;
        REQUIRE(fw_filter_new(&f) == FW_OK);
        REQUIRE(fw_filter_add(f, FW_FILTER_SRC_PORT, "3-4") == FW_OK);
        REQUIRE(fw_filter_add(f, FW_FILTER_SRC_PORT, "12") == FW_OK);
        open_cursor(c, log, std::nullopt, FW_CURSOR_FOLLOW, 0, f);
        fw_filter_free(f); // the cursor keeps its own copy (ASan would see a use after free otherwise)
    }
    run_result r;
    drain(c.c, r);
    CHECK(r.records == std::vector<int>{3, 4});
    log.rotate();
    log.append(11, 13); // the new live file: a later segment gets a new reader, with the same filter
    REQUIRE(poll(c.c) == 1);
    drain(c.c, r);
    CHECK(r.records == std::vector<int>{3, 4, 12});
}

TEST_CASE("cursor: include rotated reads .old first", "[cursor]") {
    temp_log log(1, 5);
    log.rotate();
    log.append(6, 8);
    auto r = run(log, std::nullopt, -1, FW_PLAN_INCLUDE_ROTATED);
    CHECK(r.records == range(1, 8));
    auto live_only = run(log, std::nullopt);
    CHECK(live_only.records == range(6, 8));
}

TEST_CASE("cursor: a missing log", "[cursor]") {
    temp_log log;
    fw_cursor *c = nullptr;
    CHECK(fw_cursor_open(&c, log.path().c_str(), nullptr, nullptr) == FW_ENOTFOUND);
    CHECK(c == nullptr);
    CHECK(std::string(fw_error_last()->message).find("pfirewall.log") != std::string::npos);
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    o.flags = FW_CURSOR_FOLLOW;
    REQUIRE(fw_cursor_open(&c, log.path().c_str(), nullptr, &o) == FW_OK);
    fw_position p{};
    CHECK(fw_cursor_position(c, nullptr, &p) == FW_ITEROVER);
    fw_cursor_free(c);
}

TEST_CASE("cursor: bad arguments", "[cursor]") {
    temp_log log;
    log.create();
    fw_cursor *c = nullptr;
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    o.version = 99;
    CHECK(fw_cursor_open(&c, log.path().c_str(), nullptr, &o) == FW_EINVALID);
    CHECK(fw_cursor_open(&c, nullptr, nullptr, nullptr) == FW_EINVALID);
    CHECK(fw_cursor_open(nullptr, log.path().c_str(), nullptr, nullptr) == FW_EINVALID);
    REQUIRE(fw_cursor_open(&c, log.path().c_str(), nullptr, nullptr) == FW_OK);
    fw_record foreign{};
    foreign.offset = 1u << 30;
    fw_position p{};
    CHECK(fw_cursor_position(c, &foreign, &p) == FW_EINVALID); // no segment yet
    fw_reader *r = nullptr;
    REQUIRE(fw_cursor_segment(c, &r, nullptr, nullptr) == FW_OK);
    CHECK(fw_cursor_position(c, &foreign, &p) == FW_EINVALID); // not from this segment
    int ready = 0;
    CHECK(fw_cursor_poll(nullptr, &ready) == FW_EINVALID);
    fw_cursor_free(c);
    fw_cursor_free(nullptr);
}

TEST_CASE("cursor: follow mode across growth, rotation and truncation", "[cursor]") {
    temp_log log(1, 5);
    cursor_ptr c;
    open_cursor(c, log, std::nullopt, FW_CURSOR_FOLLOW);
    run_result r;
    drain(c.c, r);
    CHECK(r.records == range(1, 5));

    CHECK(poll(c.c) == 0); // nothing new

    log.append(6, 7);
    CHECK(poll_and_drain(c.c, r) == 1);
    CHECK(r.records == range(1, 7));

    // Half a line: nothing yet; the rest: exactly once.
    const std::string line = fw::test::log_line(8);
    log.append_raw(line.substr(0, 10));
    poll_and_drain(c.c, r);
    CHECK(r.records == range(1, 7));
    log.append_raw(line.substr(10));
    poll_and_drain(c.c, r);
    CHECK(r.records == range(1, 8));

    // Rotation: the rest of the old file (now .old), then the new one.
    log.append(9, 10);
    log.rotate();
    log.append(11, 12);
    CHECK(poll_and_drain(c.c, r) == 1);
    CHECK(r.records == range(1, 12));
    CHECK(r.warnings == 0);

    // Between the rename and the new file (mid-rotation): nothing lost either.
    log.append(13, 14);
    std::filesystem::rename(log.path(), log.old_path());
    poll_and_drain(c.c, r);
    CHECK(r.records == range(1, 14));
    CHECK((r.warnings & FW_WARN_NO_LOG) != 0);
    r.warnings = 0;
    log.create();
    log.append(15, 15);
    poll_and_drain(c.c, r);
    CHECK(r.records == range(1, 15));

    // Truncation in place.
    log.truncate();
    log.append(16, 16);
    poll_and_drain(c.c, r);
    CHECK(r.records == range(1, 16));
    CHECK(r.warnings == FW_WARN_TRUNCATED);
}

TEST_CASE("cursor: a rotation between the plan and the read is followed", "[cursor]") {
    temp_log log(1, 5);
    auto first = run(log, std::nullopt);
    log.append(6, 8);
    cursor_ptr c;
    open_cursor(c, log, first.position); // plans: live from 6
    log.rotate(); // ... but the file is renamed before the segment opens
    log.append(9, 9);
    run_result r;
    drain(c.c, r);
    CHECK(r.records == range(6, 8));
    CHECK(r.sources == std::vector<int>(3, FW_SOURCE_ROTATED));
    auto rest = run(log, r.position);
    CHECK(rest.records == std::vector<int>{9});
}

TEST_CASE("cursor: UTF-16LE logs resume after a stop inside a batch", "[cursor]") {
    temp_log log;
    std::string utf8 = fw::test::log_header;
    for (int n = 1; n <= 20; ++n) utf8 += fw::test::log_line(n);
    std::string wide = "\xff\xfe";
    for (char ch : utf8) {
        wide += ch;
        wide += '\0';
    }
    {
        std::ofstream f(log.path(), std::ios::binary);
        f << wide;
    }
    auto first = run(log, std::nullopt, 9);
    CHECK(first.records == range(1, 9));
    auto second = run(log, first.position);
    CHECK(second.records == range(10, 20));
}

// Random appends, partial writes, rotations and runs that stop at random
// points: the records delivered over all runs are every record written, each
// once, in order. Rotations are at most one between two runs (as with any
// schedule shorter than the time the service takes to fill a log), and none
// while the position is still in the rotated file.
TEST_CASE("cursor: exactly once over random schedules", "[cursor]") {
    for (unsigned seed = 1; seed <= 100; ++seed) {
        INFO("seed " << seed);
        std::mt19937 rng(seed);
        temp_log log;
        log.create();
        int next = 1;
        std::string pending; // the rest of a partly written line
        std::vector<int> delivered;
        std::optional<fw_position> pos;
        bool rotated_since_run = false;
        for (int step = 0; step < 60; ++step) {
            const unsigned op = rng() % 10;
            if (op < 4) {
                if (!pending.empty()) {
                    log.append_raw(pending);
                    pending.clear();
                }
                next = log.append(next, next + static_cast<int>(rng() % 6));
            } else if (op == 4 && pending.empty()) {
                const std::string line = fw::test::log_line(next++);
                const size_t cut = 1 + rng() % (line.size() - 1);
                log.append_raw(line.substr(0, cut));
                pending = line.substr(cut);
            } else if (op == 5 && !rotated_since_run) {
                if (!pending.empty()) {
                    log.append_raw(pending);
                    pending.clear();
                }
                log.rotate();
                rotated_since_run = true;
            } else {
                const long stop = rng() % 3 == 0 ? static_cast<long>(rng() % 5) : -1;
                auto r = run(log, pos, stop, FW_PLAN_INCLUDE_ROTATED); // the flag matters for the first run only
                CHECK(r.warnings == 0);
                delivered.insert(delivered.end(), r.records.begin(), r.records.end());
                pos = r.position;
                // A position still in the rotated file (a stop inside it) allows no
                // rotation before the next run: that one would delete the file.
                int m = FW_FILE_SAME;
                if (pos) REQUIRE(fw_file_compare(log.path().c_str(), &pos->file, &m) == FW_OK);
                rotated_since_run = m != FW_FILE_SAME;
            }
        }
        if (!pending.empty()) log.append_raw(pending);
        auto last = run(log, pos, -1, FW_PLAN_INCLUDE_ROTATED);
        delivered.insert(delivered.end(), last.records.begin(), last.records.end());
        CHECK(delivered == range(1, next - 1));
    }
}
