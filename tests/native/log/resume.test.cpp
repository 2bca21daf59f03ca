// Resuming: any split of a log into resumed runs delivers exactly the records
// of one single read. The log grows between runs (the file is cut at random
// points, inside NUL padding and header lines too, then the rest appended), and
// each run starts at the position the previous one reached - through the reader
// (start_offset = stats.position) and through the cursor (fw_cursor_position,
// also after a stop in the middle of a batch).
#include "../cursor/log_fixture.hpp"
#include "log_test_util.hpp"

#include <fw/cursor.h>
#include <fw/log.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using fw_test::temp_file;

constexpr const char *h9 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port path";
constexpr const char *h17 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                            "tcpack tcpwin icmptype icmpcode info path";
constexpr const char *h18 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                            "tcpack tcpwin icmptype icmpcode info path pid";

// Record n in a layout of `fields` columns (9, 17 or 18); its source port is n.
std::string record(int n, int fields) {
    std::string r = "2024-05-01 10:00:" + std::string(n % 60 < 10 ? "0" : "") + std::to_string(n % 60) +
                    " DROP TCP 10.0.0.1 10.0.0.2 " + std::to_string(n) + (n % 3 == 0 ? " 443" : " 80");
    if (fields == 9) return r + " RECEIVE";
    r += " 60 S 1 0 64240 - - - RECEIVE";
    if (fields == 18) r += " 4";
    return r;
}

// A random log: headers of several layouts (usable and not), records of every
// layout, comments, blank and malformed lines, CRLF and LF, NUL padding at line
// starts and cutting lines (headers too), maybe a partial last line. `marks`
// gets offsets worth splitting at: inside NUL runs and inside header lines.
std::string random_log(std::mt19937 &rng, std::vector<std::size_t> &marks) {
    std::string s;
    if (rng() % 8 == 0) s += "\xef\xbb\xbf";
    int n = 1;
    const int lines = 1 + static_cast<int>(rng() % 40);
    auto eol = [&] { return rng() % 3 == 0 ? std::string("\n") : std::string("\r\n"); };
    auto nuls = [&] {
        const std::size_t at = s.size();
        s.append(1 + rng() % 9, '\0');
        marks.push_back(at + (s.size() - at) / 2);
        marks.push_back(s.size());
    };
    auto header = [&](const std::string &h) {
        marks.push_back(s.size() + 1 + rng() % h.size());
        if (h.size() > 12 && rng() % 6 == 0) { // cut by NULs: the text before them is the header line
            const std::size_t cut = 9 + rng() % (h.size() - 9);
            s += h.substr(0, cut);
            nuls();
            s += h.substr(cut);
        } else {
            s += h;
        }
        s += eol();
    };
    for (int i = 0; i < lines; ++i) {
        switch (rng() % 14) {
        case 0: header(h9); break;
        case 1: header(h17); break;
        case 2: header(h18); break;
        case 3: header("#Fields: date date"); break;
        case 4: header("#Fields:"); break;
        case 5: s += "#Version: 1.5" + eol(); break;
        case 6: s += eol(); break;
        case 7: s += "not a record" + eol(); break;
        case 8: nuls(); break;
        case 9: { // a record cut by NULs, the rest a line of its own
            const std::string r = record(n++, rng() % 2 ? 17 : 9);
            const std::size_t cut = 1 + rng() % (r.size() - 1);
            s += r.substr(0, cut);
            nuls();
            s += r.substr(cut) + eol();
            break;
        }
        default: {
            static constexpr int layouts[] = {9, 17, 18};
            s += record(n++, layouts[rng() % 3]) + eol();
        }
        }
    }
    if (rng() % 4 == 0) s += record(n++, 17).substr(0, 10); // partial last line
    return s;
}

std::string utf16(const std::string &text) { return fw_test::to_utf16le(text); }

// What identifies a delivered record.
using key = std::tuple<std::uint64_t, std::uint64_t, int, int, int, std::int64_t, int>;
key key_of(const fw_record &r) {
    return {r.offset, r.line, r.src_port, r.dst_port, r.protocol, r.time, r.path};
}

std::vector<key> keys(const std::vector<fw_record> &records) {
    std::vector<key> k;
    for (const auto &r : records) k.push_back(key_of(r));
    return k;
}

// Sorted, distinct cut points: random ones and marked ones.
std::vector<std::size_t> cuts(std::mt19937 &rng, std::size_t size, const std::vector<std::size_t> &marks,
                              unsigned scale) {
    std::vector<std::size_t> c;
    const unsigned k = 1 + rng() % 4;
    for (unsigned i = 0; i < k; ++i) {
        std::size_t at = (!marks.empty() && rng() % 2 == 0) ? marks[rng() % marks.size()] * scale : rng() % (size + 1);
        if (scale == 2 && rng() % 4 == 0 && at > 2) --at; // an odd cut: half a UTF-16 unit
        c.push_back(std::min(at, size));
    }
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    return c;
}

} // namespace

TEST_CASE("resume: a log split into growing runs gives exactly the records of one read (reader)", "[log][resume]") {
    fw_test::filter port443({{FW_FILTER_DST_PORT, "443"}});
    for (unsigned seed = 1; seed <= 2000; ++seed) {
        std::mt19937 rng(seed);
        std::vector<std::size_t> marks;
        std::string text = random_log(rng, marks);
        const bool wide = rng() % 5 == 0;
        const unsigned scale = wide ? 2 : 1;
        if (wide) text = utf16(text);
        const fw_filter *filter = rng() % 3 == 0 ? port443.get() : nullptr;
        const std::uint32_t batch = 1 + rng() % 5;

        temp_file file(text);
        const auto single = fw_test::read_all(file.path(), filter, batch);
        REQUIRE(single.open_rc == FW_OK);

        std::vector<fw_record> split;
        std::uint64_t pos = 0;
        const auto points = cuts(rng, text.size(), marks, scale);
        std::string trail = "cuts:";
        for (std::size_t cut : points) trail += " " + std::to_string(cut);
        INFO("seed " << seed << (wide ? " UTF-16" : "") << "; " << trail);
        for (std::size_t cut : points) {
            file.write(text.substr(0, cut));
            const auto part = fw_test::read_all(file.path(), filter, batch, pos);
            INFO("resume at " << pos << " in the first " << cut << " bytes: " << part.error);
            REQUIRE(part.open_rc == FW_OK);
            split.insert(split.end(), part.records.begin(), part.records.end());
            REQUIRE(part.stats.position >= pos);
            pos = part.stats.position;
        }
        file.write(text);
        const auto last = fw_test::read_all(file.path(), filter, batch, pos);
        INFO("resume at " << pos << ": " << last.error);
        REQUIRE(last.open_rc == FW_OK);
        split.insert(split.end(), last.records.begin(), last.records.end());
        REQUIRE(keys(split) == keys(single.records));
        // Every record's offset is a place to resume from.
        for (const auto &r : single.records) {
            const auto from = fw_test::read_all(file.path(), filter, batch, r.offset);
            REQUIRE(from.open_rc == FW_OK);
            REQUIRE(!from.records.empty());
            REQUIRE(key_of(from.records.front()) == key_of(r));
            break; // one per log keeps the test fast; the seed picks which
        }
    }
}

TEST_CASE("resume: a log split into growing runs gives exactly the records of one read (cursor)", "[log][resume][cursor]") {
    for (unsigned seed = 1; seed <= 600; ++seed) {
        std::mt19937 rng(seed);
        std::vector<std::size_t> marks;
        std::string text = random_log(rng, marks);
        const bool wide = rng() % 5 == 0;
        if (wide) text = utf16(text);

        fw::test::temp_log log;
        log.append_raw(text);
        const auto single = fw_test::read_all(log.path());
        REQUIRE(single.open_rc == FW_OK);
        std::vector<int> expected;
        for (const auto &r : single.records) expected.push_back(r.src_port);
        std::filesystem::remove(log.path());

        std::vector<int> delivered;
        std::optional<fw_position> pos;
        std::size_t written = 0;
        auto points = cuts(rng, text.size(), marks, wide ? 2 : 1);
        points.push_back(text.size());
        INFO("seed " << seed << (wide ? " UTF-16" : ""));
        for (std::size_t cut : points) {
            log.append_raw(text.substr(written, cut - written)); // the log grows in place
            written = cut;
            // Some runs stop after a few records (Select-Object -First): the position is through the last one.
            const long stop = rng() % 3 == 0 ? static_cast<long>(rng() % 4) : -1;
            auto r = fw::test::run(log, pos, stop);
            INFO("run up to byte " << cut << ": " << r.message);
            CHECK(r.warnings == 0);
            delivered.insert(delivered.end(), r.records.begin(), r.records.end());
            pos = r.position;
        }
        for (;;) { // the stopped runs left records: read to the end
            auto r = fw::test::run(log, pos);
            delivered.insert(delivered.end(), r.records.begin(), r.records.end());
            pos = r.position;
            if (r.records.empty()) break;
        }
        REQUIRE(delivered == expected);
    }
}

TEST_CASE("resume: an unusable '#Fields:' line does not replace the usable one (issue 12 finding 3)", "[log][resume]") {
    const std::string head = std::string(h9) + "\r\n" + record(1, 9) + "\r\n#Fields: date date\r\n";
    const std::string tail = record(2, 9) + "\r\n";
    temp_file file(head + tail);
    const auto single = fw_test::read_all(file.path());
    REQUIRE(single.records.size() == 2);

    file.write(head);
    const auto first = fw_test::read_all(file.path());
    REQUIRE(first.records.size() == 1);
    file.write(head + tail);
    const auto second = fw_test::read_all(file.path(), nullptr, 0, first.stats.position);
    REQUIRE(second.open_rc == FW_OK);
    CHECK(second.stats.skipped == 0);
    REQUIRE(second.records.size() == 1);
    CHECK(second.records[0].src_port == 2);
    CHECK(second.records[0].line == 4);
}

TEST_CASE("resume: a record right after NUL padding is a place to resume from (issue 12 finding 4)", "[log][resume]") {
    const std::string text = std::string(h17) + "\r\n" + record(1, 17) + "\r\n" + std::string(5, '\0') +
                             record(2, 17) + "\r\n" + record(3, 17).substr(0, 20) + std::string(3, '\0') +
                             record(4, 17) + "\r\n";
    temp_file file(text);
    const auto all = fw_test::read_all(file.path());
    REQUIRE(all.records.size() == 3); // 1, 2, 4 (3 was cut by the padding)
    for (const auto &r : all.records) {
        INFO("record " << r.src_port << " at " << r.offset);
        const auto from = fw_test::read_all(file.path(), nullptr, 0, r.offset);
        REQUIRE(from.open_rc == FW_OK);
        REQUIRE(from.records.front().src_port == r.src_port);
    }
    // At the NUL that cut a line (where a reader's position stops after it), and inside the padding.
    const std::size_t cut = text.find(record(3, 17).substr(0, 20)) + 20; // the 3 NULs that cut record 3
    for (std::size_t at : {cut, cut + 1, cut + 3}) {
        INFO("start " << at);
        const auto from = fw_test::read_all(file.path(), nullptr, 0, at);
        REQUIRE(from.open_rc == FW_OK);
        REQUIRE(from.records.size() == 1);
        CHECK(from.records[0].src_port == 4);
    }
    // Still refused: the middle of a line.
    CHECK(fw_test::read_all(file.path(), nullptr, 0, text.find("DROP")).open_rc == FW_EINVALID);
}

TEST_CASE("resume: a cursor stopped on the record after NUL padding saves a position (issue 12 finding 4)", "[cursor][resume]") {
    fw::test::temp_log log;
    log.create();
    log.append(1, 2);
    log.append_raw(std::string(7, '\0'));
    log.append(3, 5);
    auto first = fw::test::run(log, std::nullopt, 3); // stops on record 3, the one after the padding
    REQUIRE(first.records == fw::test::range(1, 3));
    REQUIRE(first.position);
    auto second = fw::test::run(log, first.position);
    CHECK(second.records == fw::test::range(4, 5));
}
