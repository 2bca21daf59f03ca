// The one-pass fast path (type_plain_line) only declines, never decides: on any
// input the reader must give exactly the records, statistics and diagnostics
// of stage 1 and type_record.
#include "log/fields.hpp"
#include "log/reader.hpp"
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace fw::log;

namespace {

std::string record_text(const fw_record &r) {
    char flags[sizeof r.tcp_flags + 1] = {};
    std::memcpy(flags, r.tcp_flags, sizeof r.tcp_flags);
    return std::to_string(r.line) + " " + std::to_string(r.offset) + " " + std::to_string(r.time) + " " +
           std::to_string(r.action) + " " + std::to_string(r.protocol) + " " + fw_test::addr_text(r.src) + " " +
           fw_test::addr_text(r.dst) + " " + std::to_string(r.src.family) + " " + std::to_string(r.dst.family) + " " +
           std::to_string(r.src_port) + " " + std::to_string(r.dst_port) + " " + std::to_string(r.size) + " [" +
           flags + "] " + std::to_string(r.tcp_syn) + " " + std::to_string(r.tcp_ack) + " " +
           std::to_string(r.tcp_win) + " " + std::to_string(r.icmp_type) + " " + std::to_string(r.icmp_code) + " " +
           std::to_string(r.info) + " " + std::to_string(r.path) + " " + std::to_string(r.pid);
}

// Everything a read gives: records, then statistics, then diagnostics.
std::vector<std::string> read_everything(const std::string &path, reader_options o) {
    reader rd(path, std::move(o));
    std::vector<std::string> out;
    while (!rd.done())
        for (const fw_record &r : rd.next()) out.push_back(record_text(r));
    const fw_reader_stats &s = rd.stats();
    out.push_back("stats lines=" + std::to_string(s.lines) + " records=" + std::to_string(s.records) +
                  " matched=" + std::to_string(s.matched) + " skipped=" + std::to_string(s.skipped) +
                  " nul=" + std::to_string(s.nul_bytes) + " headers=" + std::to_string(s.headers) +
                  " changes=" + std::to_string(s.layout_changes) + " pid=" + std::to_string(s.has_pid) +
                  " position=" + std::to_string(s.position) + " tail=" + std::to_string(s.partial_tail));
    for (std::uint32_t i = 0; i < FW_MAX_SKIPPED_LINES; ++i) out.push_back(std::to_string(s.skipped_lines[i]));
    for (const auto &d : rd.diagnostics()) out.push_back(std::to_string(d.line) + ": " + d.message);
    return out;
}

const char *const header18 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags "
                             "tcpsyn tcpack tcpwin icmptype icmpcode info path pid";
const char *const header17 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags "
                             "tcpsyn tcpack tcpwin icmptype icmpcode info path";
const char *const header_reordered = "#Fields: time date action protocol src-ip dst-ip src-port dst-port size "
                                     "tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid";

// One line as the firewall writes it, with (pid) 18 columns or 17.
std::vector<std::string> good_fields(std::mt19937_64 &rng, bool pid) {
    auto pick = [&](std::initializer_list<const char *> v) { return std::string(v.begin()[rng() % v.size()]); };
    auto num = [&](std::uint64_t mod) { return std::to_string(rng() % mod); };
    auto v4 = [&] { return num(256) + "." + num(256) + "." + num(256) + "." + num(256); };
    auto addr = [&] {
        switch (rng() % 6) {
        case 0: return pick({"fe80::3680:dff:fe01:9e88", "::1", "2001:db8::1", "fe80::c109:d3c7", "::ffff:1.2.3.4"});
        case 1: return pick({"192.168.10.5", "0.0.0.0", "255.255.255.255", "-"});
        default: return v4();
        }
    };
    const bool tcp = rng() % 2 == 0;
    std::vector<std::string> f = {
        "2024-" + pick({"01", "1", "12", "07"}) + "-" + pick({"01", "9", "28", "31"}),
        pick({"00", "09", "23", "7"}) + ":" + pick({"00", "59", "30"}) + ":" + pick({"00", "59", "07"}),
        pick({"DROP", "ALLOW", "drop", "INFO-EVENTS-LOST", "OPEN", "CLOSE", "OPEN-INBOUND", "Drop"}),
        tcp ? pick({"TCP", "6"}) : pick({"UDP", "ICMP", "17", "ICMPv6", "2", "-", "GRE"}),
        addr(),
        addr(),
        rng() % 5 == 0 ? "-" : num(65536),
        rng() % 5 == 0 ? "-" : num(65536),
        rng() % 7 == 0 ? "-" : num(70000),
        tcp ? pick({"S", "AP", "A", "-", "FA", "RA"}) : "-",
        tcp ? std::to_string(rng() % 4294967296ull) : "-",
        tcp ? num(1000000) : "-",
        tcp ? num(65536) : "-",
        tcp ? "-" : pick({"0", "8", "255", "-"}),
        tcp ? "-" : pick({"0", "3", "-"}),
        pick({"-", "-", "-", "0", "123"}),
        pick({"RECEIVE", "SEND", "FORWARD", "UNKNOWN", "-", "receive"}),
    };
    if (pid) f.push_back(rng() % 9 == 0 ? "-" : num(100000));
    return f;
}

// A line that may be good, or broken in one of the ways the fast path must leave to stage 1.
std::string some_line(std::mt19937_64 &rng, bool pid, const std::string &eol) {
    std::vector<std::string> f = good_fields(rng, rng() % 16 == 0 ? !pid : pid); // sometimes the other width
    const auto r = rng() % 40;
    const std::size_t at = rng() % f.size();
    switch (r) {
    case 0: f[at] = "01" + f[at]; break;                            // leading zeros, overlong octets
    case 1: f[at] += "9"; break;                                    // out of range
    case 2: f[at] = "x"; break;                                     // malformed
    case 3: f[at] = std::string(70 + rng() % 40, '7'); break;       // a field longer than 64 bytes
    case 4: f[at] = std::string(30 + rng() % 40, '1'); break;       // a long field
    case 5: f[at] += std::string(1, "\t\r\x01\x7f\xff"[rng() % 5]); break; // control and high bytes
    case 6: f[at].insert(0, 1, "\t\r"[rng() % 2]); break;
    case 7: f.erase(f.begin() + static_cast<std::ptrdiff_t>(at)); break; // one field too few
    case 8: f.insert(f.begin() + static_cast<std::ptrdiff_t>(at), "1"); break; // one too many
    case 9: f[at] = "-"; break;
    case 10: f[0] = "-"; f[1] = "-"; break;                         // no time at all
    case 11: f[at] = ""; break;                                     // an empty field: two spaces
    case 12: f[4] = "1.2.3.04"; break;
    case 13: f[5] = "256.1.1.1"; break;
    case 14: f[4] = "1.2.3.4.5"; break;
    case 15: f[5] = "1..2.3"; break;
    case 16: f[9] = "ABCDEFGHIJKLMNOPQRSTU"; break;                  // flags too long
    default: break;
    }
    std::string line;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (i != 0) line += rng() % 200 == 0 ? "  " : " ";
        line += f[i];
    }
    switch (rng() % 50) {
    case 0: line = " " + line; break;                                            // a leading space
    case 1: line += std::string(1 + rng() % 5, ' '); break;                     // trailing spaces
    case 2: line += std::string(300 + rng() % 100, ' '); break;                 // very many of them
    case 3: line.insert(rng() % (line.size() + 1), 1, '\0'); break;             // a NUL cuts the line
    case 4: line.insert(rng() % (line.size() + 1), 1, '\n'); break;             // so does a line end
    case 5: line += " " + std::string(250 + rng() % 100, 'z'); break;           // longer than plain_line_max
    case 6: line = ""; break;                                                   // an empty line
    case 7: line += "\r"; break;                                                // "\r\r\n"
    default: break;
    }
    return line + eol;
}

std::string some_log(std::mt19937_64 &rng, std::size_t lines) {
    std::string text;
    bool pid = true;
    if (rng() % 4 != 0) text += "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n";
    if (rng() % 3 != 0) text += std::string(header18) + "\r\n";
    else pid = rng() % 2 == 0; // no header: 17 or 18 columns, as the lines come
    const std::string eol = rng() % 2 == 0 ? "\r\n" : "\n";
    std::size_t reordered_until = SIZE_MAX; // lines under a reordered header (every one malformed) are few
    for (std::size_t i = 0; i < lines; ++i) {
        if (i == reordered_until) text += std::string(header18) + eol, pid = true;
        if (rng() % 2000 == 0) {
            switch (rng() % 4) {
            case 0: text += std::string(header18) + eol, pid = true; break;
            case 1: text += std::string(header17) + eol, pid = false; break;
            case 2: text += std::string(header_reordered) + eol, pid = true, reordered_until = i + 50; break;
            default: text += std::string(1 + rng() % 200, '\0'); break; // NUL padding
            }
        }
        text += some_line(rng, pid, eol);
    }
    if (rng() % 3 == 0) text += "2024-01-01 00:00:00 DROP TCP 1.2.3.4"; // an incomplete last line
    return text;
}

} // namespace

TEST_CASE("fw::log reader: the one-pass path gives what stage 1 and type_record give", "[log][plain]") {
    std::mt19937_64 rng(0x91a1);
    for (int round = 0; round < 6; ++round) {
        // Some files larger than the buffer, so that lines straddle a refill and the buffer's end.
        const std::size_t lines = round < 2 ? 6000 + rng() % 3000 : 300 + rng() % 500;
        fw_test::temp_file file(some_log(rng, lines));
        struct variant {
            const char *name;
            std::uint32_t fields;
            const char *action;
            const char *port;
        };
        for (const variant &v : {variant{"every field", FW_FIELDS_ALL, nullptr, nullptr},
                                 variant{"Measure-FwDrop's fields, DROP", FW_FIELDS_TIME | FW_FIELDS_SIZE |
                                                                             FW_FIELDS_PATH | FW_FIELDS_SRC_PORT |
                                                                             FW_FIELDS_DST_PORT,
                                         "DROP", nullptr},
                                 variant{"every field, ALLOW", FW_FIELDS_ALL, "ALLOW", nullptr},
                                 variant{"addresses only", FW_FIELDS_SRC_ADDRESS | FW_FIELDS_DST_ADDRESS, nullptr,
                                         nullptr},
                                 variant{"DROP to a port", FW_FIELDS_ALL, "DROP", "1-30000"}}) {
            auto options = [&](bool plain) {
                reader_options o;
                o.plain_path = plain;
                o.batch_size = 1 + static_cast<std::uint32_t>(rng() % 700);
                o.fields = v.fields;
                if (v.action != nullptr) o.filt.add(FW_FILTER_ACTION, v.action);
                if (v.port != nullptr) o.filt.add(FW_FILTER_DST_PORT, v.port);
                return o;
            };
            CAPTURE(round, lines, v.name);
            const auto general = read_everything(file.path(), options(false));
            const auto plain = read_everything(file.path(), options(true));
            if (v.action == nullptr) CHECK(general.size() > lines / 2); // most lines are records
            REQUIRE(general.size() == plain.size());
            for (std::size_t i = 0; i < general.size(); ++i) {
                CAPTURE(i);
                REQUIRE(general[i] == plain[i]);
            }
        }
    }
}

TEST_CASE("fw::log type_plain_line declines what it must leave to stage 1", "[log][plain]") {
    // Each line in a block of exactly plain_readable bytes (ASan sees a load past it), the rest spaces.
    auto type = [](std::string_view line, bool pid, fw_record &r) -> const char * {
        auto block = std::make_unique<char[]>(plain_readable);
        std::memset(block.get(), ' ', plain_readable);
        std::memcpy(block.get(), line.data(), std::min(line.size(), plain_readable));
        date_cache cache;
        plain_options how;
        how.pid = pid;
        bool passed = false;
        const char *e = type_plain_line(block.get(), how, r, cache, passed);
        return e == nullptr ? nullptr : line.data() + (e - block.get());
    };
    const std::string good = "2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 "
                             "64240 - - - RECEIVE 4";
    fw_record r{};
    for (const char *eol : {"\n", "\r\n", "   \r\n", " \n"}) {
        const std::string line = good + eol;
        const char *e = type(line, true, r);
        REQUIRE(e != nullptr);
        CHECK(*e == '\n');
        CHECK(e == line.data() + line.size() - 1);
        CHECK(r.dst_port == 135);
        CHECK(r.tcp_syn == 3362791310);
        CHECK(r.pid == 4);
    }
    // 17 columns read as 17, not as 18.
    CHECK(type(good.substr(0, good.size() - 2) + "\r\n", false, r) != nullptr);
    CHECK(r.pid == FW_ABSENT);
    for (const std::string &bad :
         {good + "\r\r\n", good + "\r", good, good + std::string("\0\n", 2), " " + good + "\n", good + " 5\n",
          good.substr(0, good.size() - 2) + "\n", std::string("#Fields: x\n"), std::string("\n"),
          std::string("2024-07-11  21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP\tTCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.01 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.256 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 65536 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE " + std::string(80, '4') + "\n"),
          good + std::string(plain_line_max, ' ') + "\n"}) {
        CAPTURE(bad);
        CHECK(type(bad, true, r) == nullptr);
    }
}

TEST_CASE("fw::log type_plain_line walks lines on either side of its 128-byte masks alike", "[log][plain]") {
    // Lines whose last field ends before byte 127 are walked on two masks at once, longer ones field by field:
    // the same line padded (zeros before the size and the pid) across that boundary must give the same record,
    // and the same breaks (a tab or a control byte as a separator, an empty field) must be declined at any length.
    auto type = [](const std::string &line, bool pid, fw_record &r) -> std::ptrdiff_t {
        auto block = std::make_unique<char[]>(plain_readable);
        std::memset(block.get(), ' ', plain_readable);
        std::memcpy(block.get(), line.data(), std::min(line.size(), plain_readable));
        date_cache cache;
        plain_options how;
        how.pid = pid;
        bool passed = false;
        const char *e = type_plain_line(block.get(), how, r, cache, passed);
        return e == nullptr ? -1 : e - block.get();
    };
    for (const bool pid : {true, false}) {
        for (std::size_t pad = 0; pad < 48; ++pad) { // lines of 116..164 bytes
            // Up to 16 zeros in each of size, info and pid (a number has at most 19 digits).
            const std::size_t in_size = std::min<std::size_t>(pad, 16),
                              in_info = std::min<std::size_t>(pad - in_size, 16),
                              in_pid = pid ? pad - in_size - in_info : 0;
            std::string line = "2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 " +
                               std::string(in_size, '0') + "60 S 3362791310 0 64240 - - " +
                               std::string(in_info, '0') + "5 RECEIVE";
            if (pid) line += " " + std::string(in_pid, '0') + "4";
            const std::string eol = pad % 3 == 0 ? "\r\n" : pad % 3 == 1 ? "\n" : "  \n";
            CAPTURE(pid, pad, line);
            fw_record r{};
            REQUIRE(type(line + eol, pid, r) == static_cast<std::ptrdiff_t>(line.size() + eol.size() - 1));
            CHECK(r.size == 60);
            CHECK(r.tcp_syn == 3362791310);
            CHECK(r.info == 5);
            CHECK(r.path == FW_PATH_RECEIVE);
            CHECK(r.pid == (pid ? 4 : FW_ABSENT));
            CHECK(r.dst.bytes[3] == 71);
            // Every separator broken in turn: a tab, a control byte, a second space (an empty field).
            for (std::size_t at = 0; at < line.size(); ++at) {
                if (line[at] != ' ') continue;
                for (const char *sep : {"\t", "\x01", "  ", "\r"}) {
                    std::string bad = line;
                    bad.replace(at, 1, sep);
                    CAPTURE(at, static_cast<int>(sep[0]));
                    CHECK(type(bad + eol, pid, r) == -1);
                }
            }
            // A field that starts with a space, or a line that ends one field early or one late.
            CHECK(type(" " + line + eol, pid, r) == -1);
            CHECK(type(line.substr(0, line.rfind(' ')) + eol, pid, r) == -1);
            CHECK(type(line + " 7" + eol, pid, r) == -1);
        }
    }
}
