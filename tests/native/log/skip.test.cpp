// Passing over lines that cannot match (a filter naming one port: lines without its digits are not
// read) changes what a read costs, never what it delivers: the records, the line numbers, the position
// and the line count are those of a read that checks every line. Only malformed lines that cannot match
// go unreported.
#include "log/reader.hpp"
#include "log/scan.hpp"
#include "log_test_util.hpp"
#include "mutated_log.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace fw::log;

namespace {

struct full_read {
    std::vector<std::string> records; // record_text of each delivered record
    fw_reader_stats stats{};
    std::vector<diagnostic> diags;
};

full_read read_all(const std::string &path, reader_options o) {
    reader rd(path, std::move(o));
    full_read out;
    while (!rd.done())
        for (const fw_record &r : rd.next()) out.records.push_back(fw_test::record_text(r));
    out.stats = rd.stats();
    out.diags = rd.diagnostics();
    return out;
}

// Line k (1-based, as the reader counts: after k - 1 '\n') of text.
std::string_view line_of(std::string_view text, std::uint64_t k) {
    std::size_t at = 0;
    for (std::uint64_t i = 1; i < k; ++i) at = text.find('\n', at) + 1;
    const std::size_t e = text.find('\n', at);
    return text.substr(at, e == std::string_view::npos ? std::string_view::npos : e - at);
}

// The dst-port text of a random line of text that has 18 fields, or "".
std::string some_port(std::mt19937_64 &rng, std::string_view text) {
    for (int tries = 0; tries < 50; ++tries) {
        const std::size_t at = text.find('\n', rng() % text.size());
        if (at == std::string_view::npos) continue;
        std::string_view line = line_of(text.substr(at + 1), 1);
        std::vector<std::string_view> f;
        for (std::size_t b = 0; b < line.size();) {
            const std::size_t e = std::min(line.find(' ', b), line.size());
            f.push_back(line.substr(b, e - b));
            b = e + 1;
        }
        if (f.size() >= 8 && f[7].size() >= 3 && f[7].find_first_not_of("0123456789") == std::string_view::npos &&
            f[7][0] != '0' && std::stoul(std::string(f[7])) <= 65535)
            return std::string(f[7]);
    }
    return "";
}

} // namespace

TEST_CASE("fw::log reader: passing over lines without the port's digits delivers what reading them does",
          "[log][skip]") {
    std::mt19937_64 rng(0x5c1f);
    int passed_over_somewhere = 0;
    for (int round = 0; round < 8; ++round) {
        const std::size_t lines = round < 2 ? 6000 + rng() % 3000 : 300 + rng() % 500;
        const std::string text = fw_test::some_log(rng, lines);
        fw_test::temp_file file(text);
        const std::string port = some_port(rng, text);
        if (port.empty()) continue;
        for (int column : {FW_FILTER_DST_PORT, FW_FILTER_SRC_PORT}) {
            auto options = [&](bool skip) {
                reader_options o;
                o.literal_skip = skip;
                o.batch_size = 1 + static_cast<std::uint32_t>(rng() % 700);
                o.buffer_size = round % 2 == 0 ? 700 : default_buffer_size; // lines straddle refills
                o.filt.add(column, port);
                if (round % 3 == 0) o.filt.add(FW_FILTER_ACTION, "DROP");
                return o;
            };
            CAPTURE(round, lines, port, column);
            const full_read all = read_all(file.path(), options(false));
            const full_read skim = read_all(file.path(), options(true));
            REQUIRE(skim.records == all.records);
            CHECK(skim.stats.lines == all.stats.lines);
            CHECK(skim.stats.matched == all.stats.matched);
            CHECK(skim.stats.position == all.stats.position);
            CHECK(skim.stats.headers == all.stats.headers);
            CHECK(skim.stats.layout_changes == all.stats.layout_changes);
            CHECK(skim.stats.nul_bytes == all.stats.nul_bytes);
            CHECK(skim.stats.partial_tail == all.stats.partial_tail);
            CHECK(skim.stats.records <= all.stats.records);
            CHECK(skim.stats.skipped <= all.stats.skipped);
            CHECK((all.stats.notes & FW_NOTE_PASSED_OVER) == 0);
            // A line is passed over only when it cannot hold the port (nor a header, nor a NUL): each line
            // the skimming read reports is one that holds one of them.
            for (const diagnostic &d : skim.diags) {
                if (d.message.find("incomplete last line") != std::string::npos) continue;
                const std::string_view l = line_of(text, d.line);
                CAPTURE(d.message);
                CHECK((l.find(port) != std::string_view::npos || l.find('#') != std::string_view::npos ||
                       l.find('\0') != std::string_view::npos || l.size() > 600));
            }
            if ((skim.stats.notes & FW_NOTE_PASSED_OVER) != 0) ++passed_over_somewhere;
        }
    }
    CHECK(passed_over_somewhere >= 8); // the test exercised the pass, not only the fallback
}

TEST_CASE("fw::log reader: a port written with leading zeros is still found", "[log][skip]") {
    const std::string text = std::string(fw_test::header18) + "\r\n" +
                             "2024-07-11 21:03:39 DROP TCP 10.0.0.1 10.0.0.2 43286 00443 60 S 1 0 64240 - - - RECEIVE 4\r\n"
                             "2024-07-11 21:03:40 DROP TCP 10.0.0.1 10.0.0.2 43286 4430 60 S 1 0 64240 - - - RECEIVE 4\r\n"
                             "2024-07-11 21:03:41 DROP TCP 10.0.0.1 10.0.0.2 43286 135 60 S 1 0 64240 - - - RECEIVE 4\r\n"
                             "2024-07-11 21:03:42 DROP TCP 10.0.0.1 10.0.0.2 43286 443 60 S 1 0 64240 - - - RECEIVE 4\r\n";
    fw_test::temp_file file(text);
    reader_options o;
    o.filt.add(FW_FILTER_DST_PORT, "443");
    const full_read r = read_all(file.path(), o);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0].rfind("2 ", 0) == 0);
    CHECK(r.records[1].rfind("5 ", 0) == 0);
    CHECK(r.stats.lines == 5);
    CHECK(r.stats.records == 3); // line 4 (port 135) was passed over, not read
    CHECK((r.stats.notes & FW_NOTE_PASSED_OVER) != 0);
}

TEST_CASE("fw::log reader: what passing over leaves unreported", "[log][skip]") {
    // A malformed line that cannot match is passed over (not reported); one that could match is reported.
    const std::string text = std::string(fw_test::header18) + "\n" +
                             "2024-07-11 21:03:39 DROP TCP 10.0.0.1 10.0.0.2 43286 135 garbage\n"
                             "2024-07-11 21:03:39 DROP TCP 10.0.0.1 10.0.0.2 43286 49154 garbage\n"
                             "2024-07-11 21:03:42 DROP TCP 10.0.0.1 10.0.0.2 43286 49154 60 S 1 0 64240 - - - RECEIVE 4\n";
    fw_test::temp_file file(text);
    for (bool skip : {false, true}) {
        reader_options o;
        o.literal_skip = skip;
        o.filt.add(FW_FILTER_DST_PORT, "49154");
        const full_read r = read_all(file.path(), o);
        CAPTURE(skip);
        CHECK(r.records.size() == 1);
        CHECK(r.stats.skipped == (skip ? 1u : 2u));
        REQUIRE(!r.diags.empty());
        CHECK(r.diags[0].line == (skip ? 3u : 2u));
        CHECK(((r.stats.notes & FW_NOTE_PASSED_OVER) != 0) == skip);
    }
    // Short ports (in most lines anyway) and port ranges read every line.
    for (const char *p : {"80", "1000-2000"}) {
        reader_options o;
        o.filt.add(FW_FILTER_DST_PORT, p);
        CHECK((read_all(file.path(), o).stats.notes & FW_NOTE_PASSED_OVER) == 0);
    }
}

TEST_CASE("fw::log find_candidate finds the literal, '#' and NUL, never past end", "[log][skip][scan]") {
    std::mt19937_64 rng(0xf1d);
    const std::string lit = "49154";
    for (int round = 0; round < 4000; ++round) {
        std::string s(rng() % 200, ' ');
        for (char &c : s) c = "0123456789 .-:\n4915"[rng() % 19];
        if (!s.empty() && rng() % 5 == 0) s[rng() % s.size()] = "#\0"[rng() % 2];
        if (rng() % 3 == 0 && s.size() > 5) s.replace(rng() % (s.size() - 4), 5, lit);
        const std::size_t end = s.empty() ? 0 : rng() % (s.size() + 1);
        std::string buf = s + std::string(64, ' ');
        // The reference: the first position before end where lit fits whole, or '#', or NUL.
        std::size_t want = end;
        for (std::size_t i = 0; i < end; ++i) {
            if (buf[i] == '#' || buf[i] == '\0' || (end - i >= lit.size() && buf.compare(i, lit.size(), lit) == 0)) {
                want = i;
                break;
            }
        }
        const char *got = find_candidate(buf.data(), buf.data() + end, buf.data() + buf.size(), lit);
        CAPTURE(s, end);
        REQUIRE(static_cast<std::size_t>(got - buf.data()) == want);
    }
}
