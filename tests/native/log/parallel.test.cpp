// parallel_reader against one reader over the whole file: the same records in
// the same order, the same counters and the same diagnostics with the same line
// numbers, whatever the range size, the thread count, and the byte a range
// boundary target falls on (headers that change the layout mid-file, malformed
// lines, NUL padding, CRLF and LF, blank lines, a line over the buffer size, a
// partial last line, a BOM; UTF-16 goes to one reader).
#include "core/error.hpp"
#include "log/parallel.hpp"
#include "log/reader.hpp"
#include "log_test_util.hpp"
#include "summary/summary.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using fw_test::temp_file;
using namespace fw::log;

namespace {

const char *const header17 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                             "tcpack tcpwin icmptype icmpcode info path";
const char *const header18 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                             "tcpack tcpwin icmptype icmpcode info path pid";
// Another order: the layout itself changes, not only the pid column.
const char *const header_shuffled = "#Fields: time date protocol action dst-ip src-ip dst-port src-port size tcpflags "
                                    "tcpsyn tcpack tcpwin icmptype icmpcode info path";

struct log_gen {
    std::mt19937_64 rng;
    int columns = 0; // 0: no header yet; 17, 18, or -17 for the shuffled order
    explicit log_gen(std::uint64_t seed) : rng(seed) {}
    std::uint64_t below(std::uint64_t n) { return rng() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }

    std::string record(int cols) {
        const bool drop = chance(70);
        const bool tcp = chance(60);
        std::string date = fmt::format("2024-0{}-1{}", 1 + below(9), below(10));
        std::string time = fmt::format("1{}:{:02}:{:02}", below(10), below(60), below(60));
        std::string src = chance(10) ? "fe80::1:" + std::to_string(below(999)) : fmt::format("10.0.{}.{}", below(4), below(256));
        std::string dst = fmt::format("192.168.{}.{}", below(3), below(256));
        std::string sp = std::to_string(1024 + below(60000)), dp = chance(30) ? "49154" : std::to_string(below(1024));
        std::string fields[18] = {date, time, drop ? "DROP" : "ALLOW", tcp ? "TCP" : "UDP", src, dst, sp, dp,
                                  std::to_string(40 + below(1400)), tcp ? "S" : "-", "-", "-", "-", "-", "-", "-",
                                  chance(50) ? "RECEIVE" : "SEND", std::to_string(below(9000))};
        if (cols == -17) {
            std::swap(fields[0], fields[1]);
            std::swap(fields[2], fields[3]);
            std::swap(fields[4], fields[5]);
            std::swap(fields[6], fields[7]);
        }
        const int n = cols == 18 ? 18 : 17;
        std::string line;
        for (int i = 0; i < n; ++i) {
            if (i) line += chance(3) ? "  " : " ";
            line += fields[i];
        }
        return line;
    }

    // A log of about n lines with everything the reader must get right.
    std::string make(std::size_t n, bool bom, bool partial_tail) {
        std::string s = bom ? "\xEF\xBB\xBF" : "";
        // Sometimes no header at first: 17- and 18-field lines are taken by count.
        if (chance(50)) {
            s += "#Version: 1.5\r\n";
            s += header17;
            s += "\r\n";
            columns = 17;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const char *eol = chance(20) ? "\n" : "\r\n";
            switch (below(200)) {
            case 0: s += header18; s += eol; columns = 18; continue;
            case 1: s += header17; s += eol; columns = 17; continue;
            case 2: s += header_shuffled; s += eol; columns = -17; continue;
            case 3: s += "#Fields: date date time"; s += eol; continue; // unusable: a column twice
            case 4: s += "#Software: Microsoft Windows Firewall"; s += eol; continue;
            case 5: s += eol; continue;                                 // blank line
            case 6: s += "2024-01-01 10:00:00 DROP TCP"; s += eol; continue; // too few fields
            case 7: s += "2024-13-01 10:00:00 DROP TCP 10.0.0.1 10.0.0.2 1 2 3 - - - - - - - RECEIVE"; s += eol; continue;
            case 8: s += std::string(1 + below(300), '\0'); continue;   // NUL padding
            case 9: s += record(columns == 0 ? 17 : columns); s += std::string(1 + below(40), '\0'); continue; // cut by NULs
            case 10: s += "2024-01-01 10:00:00 DROP TCP 300.0.0.1 10.0.0.2 1 2 3 - - - - - - - RECEIVE"; s += eol; continue;
            case 11: s += record(columns == 0 ? 18 : columns); s += eol; continue;
            case 12: s += "\r\n\r\n"; continue;
            default: break;
            }
            s += record(columns == 0 ? 17 : columns);
            s += eol;
        }
        if (partial_tail) s += record(17); // no line end
        return s;
    }
};

std::string show(const fw_record &r) {
    auto addr = [](const fw_addr &a) {
        std::string o = std::to_string(a.family) + ":";
        for (auto b : a.bytes) o += fmt::format("{:02x}", b);
        return o;
    };
    return fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}", r.line, r.offset, r.time, r.action,
                       r.protocol, addr(r.src), addr(r.dst), r.src_port, r.dst_port, r.size, r.tcp_flags, r.tcp_syn,
                       r.tcp_ack, r.tcp_win, r.icmp_type, r.icmp_code, r.info, r.path, r.pid);
}

std::string show(const fw_reader_stats &s) {
    std::string o = fmt::format("size={} pos={} lines={} records={} matched={} skipped={} headers={} changes={} enc={} "
                                "tail={} pid={} nuls={} at",
                                s.file_size, s.position, s.lines, s.records, s.matched, s.skipped, s.headers,
                                s.layout_changes, s.encoding, s.partial_tail, s.has_pid, s.nul_bytes);
    for (std::uint64_t i = 0; i < s.skipped && i < FW_MAX_SKIPPED_LINES; ++i) o += " " + std::to_string(s.skipped_lines[i]);
    return o;
}

struct outcome {
    std::vector<std::string> records;
    std::string stats;
    std::vector<std::string> diagnostics;
    std::vector<std::uint64_t> positions; // stats.position after each call
};

template <class Reader> outcome drain(Reader &r) {
    outcome out;
    for (;;) {
        auto batch = r.next();
        for (const auto &rec : batch) out.records.push_back(show(rec));
        out.positions.push_back(r.stats().position);
        if (batch.empty() && r.done()) break;
    }
    out.stats = show(r.stats());
    for (const auto &d : r.diagnostics()) out.diagnostics.push_back(fmt::format("{}|{}", d.line, d.message));
    return out;
}

reader_options options_with(const filter &f, std::uint32_t batch) {
    reader_options o;
    o.filt = f;
    o.batch_size = batch;
    return o;
}

// Ranges of range_bytes for `threads` workers, on files of any size (min_bytes 1: the test logs are small).
parallel_options ranges_of(unsigned threads, std::uint64_t range_bytes, std::uint64_t count_range_bytes = 1) {
    parallel_options par;
    par.threads = threads;
    par.range_bytes = range_bytes;
    par.min_bytes = 1;
    par.count_range_bytes = count_range_bytes; // 1: counted in the ranges read (none joined); 0: joined as by default
    return par;
}

void check_same(const outcome &par, const outcome &one) {
    REQUIRE(par.records.size() == one.records.size());
    for (std::size_t i = 0; i < one.records.size(); ++i) {
        INFO("record " << i);
        REQUIRE(par.records[i] == one.records[i]);
    }
    CHECK(par.stats == one.stats);
    CHECK(par.diagnostics == one.diagnostics);
    // Positions only move forward, and end where one reader ends.
    for (std::size_t i = 1; i < par.positions.size(); ++i) CHECK(par.positions[i] >= par.positions[i - 1]);
}

filter make_filter(int which) {
    filter f;
    switch (which) {
    case 1: f.add(FW_FILTER_ACTION, "DROP"); break;
    case 2:
        f.add(FW_FILTER_PROTOCOL, "TCP");
        f.add(FW_FILTER_DST_PORT, "49154");
        break;
    case 3: f.add(FW_FILTER_SRC_ADDRESS, "10.0.1.0/24"); break;
    default: break;
    }
    return f;
}

} // namespace

TEST_CASE("parallel_reader equals one reader on generated logs, for every range size and thread count",
          "[log][parallel]") {
    std::uint64_t seed = GENERATE(1, 2, 3, 4, 5);
    log_gen g(seed);
    const bool bom = seed % 3 == 0;
    const bool tail = seed % 2 == 0;
    const std::string text = g.make(900, bom, tail);
    temp_file file(text);
    const int which = static_cast<int>(seed % 4);
    const filter f = make_filter(which);
    const std::uint32_t batch = seed == 5 ? 7 : 0;

    reader one(file.path(), options_with(f, batch));
    const outcome expected = drain(one);
    REQUIRE(!expected.records.empty());

    for (std::uint64_t range_bytes : {1ull, 13ull, 100ull, 1000ull, 7777ull, 50000ull}) {
        for (unsigned threads : {2u, 3u, 8u}) {
            INFO("seed " << seed << ", range bytes " << range_bytes << ", threads " << threads);
            const parallel_options par = ranges_of(threads, range_bytes);
            parallel_reader r(file.path(), options_with(f, batch), par);
            CHECK(r.workers() >= 2);
            check_same(drain(r), expected);
        }
    }
}

TEST_CASE("parallel_reader: a range boundary target on every byte of a small log", "[log][parallel]") {
    log_gen g(42);
    const std::string text = g.make(120, false, true);
    temp_file file(text);
    reader one(file.path(), options_with(filter{}, 0));
    const outcome expected = drain(one);
    // Range sizes 1..size move the first boundary target over every byte (a NUL, '\r', '#', a space ...).
    for (std::uint64_t range_bytes = 1; range_bytes <= text.size(); range_bytes += 1 + range_bytes / 64) {
        INFO("range bytes " << range_bytes);
        const parallel_options par = ranges_of(2, range_bytes);
        parallel_reader r(file.path(), options_with(filter{}, 0), par);
        check_same(drain(r), expected);
    }
}

TEST_CASE("parallel_reader: a layout change the workers could not know is read again with the right layout",
          "[log][parallel]") {
    // Header at the top, another layout in the middle: every range after it was guessed with the first.
    log_gen g(7);
    std::string text = std::string(header17) + "\r\n";
    for (int i = 0; i < 400; ++i) text += g.record(17) + "\r\n";
    text += std::string(header_shuffled) + "\r\n";
    for (int i = 0; i < 400; ++i) text += g.record(-17) + "\r\n";
    text += std::string(header18) + "\n";
    for (int i = 0; i < 400; ++i) text += g.record(18) + "\n";
    temp_file file(text);
    reader one(file.path(), options_with(filter{}, 0));
    const outcome expected = drain(one);
    CHECK(one.stats().skipped == 0);
    CHECK(one.stats().layout_changes == 2);
    const parallel_options par = ranges_of(3, 2000);
    parallel_reader r(file.path(), options_with(filter{}, 0), par);
    check_same(drain(r), expected);
}

TEST_CASE("parallel_reader: a line longer than the reader's buffer, across ranges", "[log][parallel]") {
    log_gen g(9);
    std::string text = std::string(header17) + "\r\n";
    for (int i = 0; i < 50; ++i) text += g.record(17) + "\r\n";
    text += std::string(reader::buffer_size + 1000, 'x') + "\r\n";
    for (int i = 0; i < 50; ++i) text += g.record(17) + "\r\n";
    temp_file file(text);
    reader one(file.path(), options_with(filter{}, 0));
    const outcome expected = drain(one);
    CHECK(one.stats().skipped == 1);
    for (std::uint64_t range_bytes : {100ull, 100000ull}) {
        const parallel_options par = ranges_of(2, range_bytes);
        parallel_reader r(file.path(), options_with(filter{}, 0), par);
        check_same(drain(r), expected);
    }
}

TEST_CASE("parallel_reader: UTF-16, a start offset, one thread and small files use one reader", "[log][parallel]") {
    log_gen g(11);
    const std::string text = std::string(header17) + "\r\n" + g.make(300, false, false);
    const parallel_options par = ranges_of(4, 100);
    {
        temp_file wide(fw_test::to_utf16le(text));
        reader one(wide.path(), options_with(filter{}, 0));
        parallel_reader r(wide.path(), options_with(filter{}, 0), par);
        CHECK(r.workers() == 0);
        check_same(drain(r), drain(one));
    }
    temp_file file(text);
    {
        reader_options o = options_with(filter{}, 0);
        o.start_offset = text.find('\n') + 1;
        reader one(file.path(), o);
        parallel_reader r(file.path(), o, par);
        CHECK(r.workers() == 0);
        check_same(drain(r), drain(one));
    }
    {
        parallel_options single = par;
        single.threads = 1;
        parallel_reader r(file.path(), options_with(filter{}, 0), single);
        CHECK(r.workers() == 0);
    }
    {
        parallel_options small = par;
        small.min_bytes = text.size() + 1;
        parallel_reader r(file.path(), options_with(filter{}, 0), small);
        CHECK(r.workers() == 0);
    }
}

TEST_CASE("parallel_reader: freed in the middle of a read, workers waiting on full queues", "[log][parallel]") {
    log_gen g(13);
    const std::string text = g.make(3000, false, false);
    temp_file file(text);
    const parallel_options par = ranges_of(4, 500);
    for (int calls = 0; calls < 4; ++calls) {
        parallel_reader r(file.path(), options_with(filter{}, 1), par); // one record per batch: queues fill up
        for (int i = 0; i < calls; ++i) (void)r.next();
    } // the destructor stops and joins the workers; no hang, no leak (ASan)
    SUCCEED();
}

TEST_CASE("fw_reader_open: threads through the C ABI; version 1 options still accepted", "[log][parallel]") {
    log_gen g(17);
    // Over the 2 MiB under which one thread reads.
    std::string text = g.make(1000, false, false);
    while (text.size() < 3 * 1024 * 1024) text += g.make(1000, false, false);
    temp_file file(text);

    auto read = [&](unsigned version, std::uint32_t threads) {
        fw_reader_options o = FW_READER_OPTIONS_INIT;
        o.version = version;
        o.threads = threads;
        fw_reader *r = nullptr;
        REQUIRE(fw_reader_open(&r, file.path().c_str(), &o) == FW_OK);
        outcome out;
        const fw_record *recs = nullptr;
        std::size_t n = 0;
        int rc;
        while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK)
            for (std::size_t i = 0; i < n; ++i) out.records.push_back(show(recs[i]));
        CHECK(rc == FW_ITEROVER);
        fw_reader_stats st{};
        fw_reader_stats_get(r, &st);
        out.stats = show(st);
        std::uint64_t line = 0;
        const char *msg = nullptr;
        for (std::size_t i = 0; fw_reader_diagnostic(r, i, &line, &msg) == FW_OK; ++i)
            out.diagnostics.push_back(fmt::format("{}|{}", line, msg));
        fw_reader_free(r);
        return out;
    };
    const outcome one = read(FW_READER_OPTIONS_VERSION, 1);
    check_same(read(FW_READER_OPTIONS_VERSION, 4), one);
    check_same(read(FW_READER_OPTIONS_VERSION, 0), one);
    check_same(read(1, 0), one);

    fw_reader_options bad = FW_READER_OPTIONS_INIT;
    bad.threads = FW_READER_THREADS_MAX + 1;
    fw_reader *r = nullptr;
    CHECK(fw_reader_open(&r, file.path().c_str(), &bad) == FW_EINVALID);
    CHECK(r == nullptr);
    CHECK(std::string(fw_error_last()->message).find("threads") != std::string::npos);
    bad = FW_READER_OPTIONS_INIT;
    bad.fields = 1u << 20;
    CHECK(fw_reader_open(&r, file.path().c_str(), &bad) == FW_EINVALID);
    bad = FW_READER_OPTIONS_INIT;
    bad.version = 3;
    CHECK(fw_reader_open(&r, file.path().c_str(), &bad) == FW_EINVALID);
}

namespace {

// The ranked groups of a counter, one string each (every field of fw_summary_group).
std::vector<std::string> ranked(fw::summary::counter &c) {
    std::vector<std::string> out;
    const std::size_t n = c.finish();
    for (std::size_t i = 0; i < n; ++i) {
        const fw_summary_group &g = c.group(i);
        std::string row = fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {} {}", g.count, g.first_time, g.last_time,
                                      g.bytes, g.hour, g.pid, g.src_port, g.dst_port, g.local_port, g.remote_port,
                                      g.protocol, g.icmp_type, g.action, g.path);
        for (const fw_addr *a : {&g.src, &g.dst, &g.local, &g.remote}) {
            row += fmt::format(" {}:", a->family);
            for (auto b : a->bytes) row += fmt::format("{:02x}", b);
        }
        out.push_back(row);
    }
    return out;
}

struct counted {
    std::vector<std::string> groups;
    std::string stats;
    std::vector<std::string> diagnostics;
    std::uint64_t records = 0; // what the steps said they counted
};

// One reader over the whole file, its batches counted on this thread (fw_summary_add's way).
counted count_one(const std::string &path, const filter &f, const std::vector<int> &keys) {
    reader one(path, options_with(f, 0));
    fw::summary::counter c(keys);
    counted out;
    for (;;) {
        auto batch = one.next();
        c.add(batch);
        out.records += batch.size();
        if (batch.empty() && one.done()) break;
    }
    out.groups = ranked(c);
    out.stats = show(one.stats());
    for (const auto &d : one.diagnostics()) out.diagnostics.push_back(fmt::format("{}|{}", d.line, d.message));
    return out;
}

// parallel_reader::count: every worker counts its ranges, merged by the caller.
counted count_parallel(const std::string &path, const filter &f, const std::vector<int> &keys, parallel_options par) {
    parallel_reader r(path, options_with(f, 0), par);
    fw::summary::counter c(keys);
    fw::summary::counting into(c);
    counted out;
    std::uint64_t last_position = 0;
    while (!r.done()) {
        out.records += r.count(into);
        CHECK(r.stats().position >= last_position);
        last_position = r.stats().position;
    }
    out.groups = ranked(c);
    out.stats = show(r.stats());
    for (const auto &d : r.diagnostics()) out.diagnostics.push_back(fmt::format("{}|{}", d.line, d.message));
    return out;
}

void check_same(const counted &par, const counted &one) {
    CHECK(par.records == one.records);
    REQUIRE(par.groups.size() == one.groups.size());
    for (std::size_t i = 0; i < one.groups.size(); ++i) {
        INFO("group " << i);
        REQUIRE(par.groups[i] == one.groups[i]);
    }
    CHECK(par.stats == one.stats);
    CHECK(par.diagnostics == one.diagnostics);
}

const std::vector<std::vector<int>> count_key_sets = {
    {FW_KEY_DIRECTION, FW_KEY_PROTOCOL, FW_KEY_LOCAL_PORT}, // Measure-FwDrop's default: one-word keys
    {FW_KEY_REMOTE_ADDRESS, FW_KEY_HOUR},
    {FW_KEY_ACTION},
    {FW_KEY_SRC_PORT, FW_KEY_DST_PORT, FW_KEY_PID, FW_KEY_LOCAL_ADDRESS},
};

} // namespace

TEST_CASE("parallel_reader::count: ranges counted by their workers give one reader's groups, counters and diagnostics",
          "[log][parallel][summary]") {
    std::uint64_t seed = GENERATE(1, 2, 3, 4, 5, 6);
    log_gen g(seed);
    const std::string text = g.make(900, seed % 3 == 0, seed % 2 == 0);
    temp_file file(text);
    const filter f = make_filter(static_cast<int>(seed % 4));
    const auto &keys = count_key_sets[seed % count_key_sets.size()];
    const counted expected = count_one(file.path(), f, keys);
    REQUIRE(expected.records > 0);
    for (std::uint64_t range_bytes : {1ull, 100ull, 1000ull, 7777ull, 50000ull}) {
        for (unsigned threads : {1u, 2u, 3u, 8u}) {
            for (std::uint64_t count_range_bytes : {1ull, 0ull, 20000ull}) {
                INFO("seed " << seed << ", range bytes " << range_bytes << ", threads " << threads
                              << ", count range bytes " << count_range_bytes);
                check_same(count_parallel(file.path(), f, keys, ranges_of(threads, range_bytes, count_range_bytes)),
                           expected);
            }
        }
    }
}

TEST_CASE("parallel_reader::count: a range counted with a wrong layout guess is counted again, never twice",
          "[log][parallel][summary]") {
    log_gen g(7);
    std::string text = std::string(header17) + "\r\n";
    for (int i = 0; i < 400; ++i) text += g.record(17) + "\r\n";
    text += std::string(header_shuffled) + "\r\n"; // the workers guess the first layout after this
    for (int i = 0; i < 400; ++i) text += g.record(-17) + "\r\n";
    text += std::string(header18) + "\n";
    for (int i = 0; i < 400; ++i) text += g.record(18) + "\n";
    temp_file file(text);
    for (const auto &keys : count_key_sets) {
        const counted expected = count_one(file.path(), filter{}, keys);
        CHECK(expected.records == 1200);
        check_same(count_parallel(file.path(), filter{}, keys, ranges_of(3, 2000)), expected);
        // Ranges joined for counting: range 0 runs past the second header, so range 1's first guess (the layout
        // where range 0 ended before the join) is wrong.
        check_same(count_parallel(file.path(), filter{}, keys, ranges_of(3, 2000, text.size() / 2)), expected);
        check_same(count_parallel(file.path(), filter{}, keys, ranges_of(2, 2000, 0)), expected);
    }
}

TEST_CASE("parallel_reader: a reader either hands out records or counts them", "[log][parallel][summary]") {
    log_gen g(3);
    temp_file file(g.make(300, false, false));
    fw::summary::counter c({FW_KEY_PROTOCOL});
    fw::summary::counting into(c);
    for (unsigned threads : {1u, 2u}) {
        const parallel_options par = ranges_of(threads, 1000);
        parallel_reader counting_reader(file.path(), options_with(filter{}, 0), par);
        (void)counting_reader.count(into);
        CHECK_THROWS_AS(counting_reader.next(), fw::error);
        parallel_reader handing_reader(file.path(), options_with(filter{}, 0), par);
        (void)handing_reader.next();
        CHECK_THROWS_AS(handing_reader.count(into), fw::error);
    }
}
