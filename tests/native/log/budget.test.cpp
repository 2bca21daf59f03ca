// fw_reader_next gives control back after a bounded amount of input even when
// the filter matches nothing: FW_OK with count 0, never mistaken for the end.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

using fw_test::filter;
using fw_test::temp_file;

namespace {

// n record lines (dst port 80, never 4444), then `tail` lines to port 4444.
std::string make_log(std::size_t n, std::size_t tail) {
    std::string s = "#Version: 1.5\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size "
                    "tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n";
    s.reserve(n * 110 + 4096);
    for (std::size_t i = 0; i < n + tail; ++i) {
        const bool hit = i >= n;
        s += "2024-03-0";
        s += static_cast<char>('1' + i % 9);
        s += " 12:34:5";
        s += static_cast<char>('0' + i % 10);
        s += " DROP TCP 10.0.";
        s += std::to_string(i % 256);
        s += '.';
        s += std::to_string(1 + i % 250);
        s += " 192.168.1.5 ";
        s += std::to_string(49152 + i % 16000);
        s += hit ? " 4444" : " 80";
        s += " 52 S 1234567 0 8192 - - - RECEIVE\r\n";
    }
    return s;
}

struct pass {
    std::vector<std::size_t> counts; // count of every FW_OK call
    std::vector<std::uint64_t> positions;
    int end_rc = FW_OK;
    fw_reader_stats stats{};

    // Calls that gave FW_OK with no record (the budget ran out), and records over all calls.
    std::size_t empty_calls() const { return static_cast<std::size_t>(std::count(counts.begin(), counts.end(), std::size_t{0})); }
    std::size_t records() const { return std::accumulate(counts.begin(), counts.end(), std::size_t{0}); }
};

pass read_counting(const std::string &path, const fw_filter *f) {
    pass out;
    fw_reader_options o = FW_READER_OPTIONS_INIT;
    o.filter = f;
    fw_reader *r = nullptr;
    REQUIRE(fw_reader_open(&r, path.c_str(), &o) == FW_OK);
    const fw_record *recs = nullptr;
    std::size_t n = 0;
    while ((out.end_rc = fw_reader_next(r, &recs, &n)) == FW_OK) {
        out.counts.push_back(n);
        fw_reader_stats st{};
        fw_reader_stats_get(r, &st);
        out.positions.push_back(st.position);
        for (std::size_t i = 0; i < n; ++i) CHECK(recs[i].dst_port == 4444);
    }
    // The end is sticky.
    CHECK(fw_reader_next(r, &recs, &n) == FW_ITEROVER);
    CHECK(n == 0);
    fw_reader_stats_get(r, &out.stats);
    fw_reader_free(r);
    return out;
}

} // namespace

TEST_CASE("fw_reader_next: count 0 with FW_OK while a filter matches nothing in a large file", "[log][reader][budget]") {
    const std::size_t n = 120000; // ~11 MiB: more than two scan budgets
    const std::string text = make_log(n, 3);
    REQUIRE(text.size() > 2 * FW_READER_SCAN_BUDGET + FW_READER_SCAN_BUDGET / 2);
    temp_file f(text);
    filter port{{FW_FILTER_DST_PORT, "4444"}};
    REQUIRE(port.last_rc == FW_OK);

    auto r = read_counting(f.path(), port.get());
    CHECK(r.end_rc == FW_ITEROVER);
    CHECK(r.empty_calls() >= 2);
    CHECK(r.records() == 3);
    REQUIRE(!r.counts.empty());
    CHECK(r.counts.back() == 3); // the matches at the very end still come
    // Every early return moved forward by at most about one budget (plus one buffer).
    std::uint64_t prev = 0;
    for (auto p : r.positions) {
        CHECK(p > prev);
        CHECK(p - prev <= FW_READER_SCAN_BUDGET + 2 * 256 * 1024);
        prev = p;
    }
    CHECK(r.stats.position == text.size());
    CHECK(r.stats.lines == n + 3 + 2);
    // Lines without "4444" were passed over unread: not counted as records (FW_NOTE_PASSED_OVER).
    CHECK(r.stats.records >= 3);
    CHECK(r.stats.records < n / 2);
    CHECK((r.stats.notes & FW_NOTE_PASSED_OVER) != 0);
    CHECK(r.stats.matched == 3);
    CHECK(r.stats.headers == 1);
    CHECK(r.stats.skipped == 0);
    CHECK(r.stats.partial_tail == 0);

    SECTION("the same in UTF-16LE") {
        temp_file wide(fw_test::to_utf16le(text));
        auto w = read_counting(wide.path(), port.get());
        CHECK(w.end_rc == FW_ITEROVER);
        CHECK(w.empty_calls() >= 2);
        CHECK(w.records() == 3);
        CHECK(w.stats.lines == n + 3 + 2);
        CHECK(w.stats.records == r.stats.records);
        CHECK(w.stats.matched == 3);
        CHECK(w.stats.position == 2 * text.size() + 2);
    }
}

TEST_CASE("fw_reader_next: without a filter a large file still comes in full batches", "[log][reader][budget]") {
    const std::size_t n = 60000;
    temp_file f(make_log(n, 0));
    // One thread: every batch full. Several threads read the file as ranges, and a range ends its
    // last batch: batches are full except at range ends, never over the batch size.
    auto parallel = fw_test::read_all(f.path(), nullptr, 1000, 0, 4);
    REQUIRE(parallel.open_rc == FW_OK);
    CHECK(parallel.records.size() == n);
    for (auto c : parallel.batch_sizes) CHECK(c <= 1000);
    auto r = fw_test::read_all(f.path(), nullptr, 1000, 0, 1);
    REQUIRE(r.open_rc == FW_OK);
    CHECK(r.next_rc == FW_ITEROVER);
    CHECK(r.records.size() == n);
    CHECK(r.batch_sizes.size() == n / 1000);
    for (auto c : r.batch_sizes) CHECK(c == 1000);
    for (std::size_t i = 0; i < r.records.size(); ++i) {
        if (r.records[i].line != i + 3) {
            FAIL("record " << i << " has line " << r.records[i].line);
        }
    }
    CHECK(r.stats.records == n);
}
