// Stage 1 (scan) and stage 2 (fields) on their own.
#include "log/fields.hpp"
#include "log/layout.hpp"
#include "log/scan.hpp"
#include "net/address.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

using namespace fw::log;

namespace {

// Fields of the first line of text, by scan_line, as strings; "<none>" when no line end.
std::vector<std::string> scan(const std::string &text, std::size_t need = max_fields, std::size_t *len = nullptr) {
    field_index f{};
    std::size_t n = 0;
    const char *e = scan_line(text.data(), text.data() + text.size(), text.data() + text.size(), f, need, n);
    if (e == nullptr) return {"<none>"};
    if (len) *len = n;
    std::vector<std::string> out;
    // get(i) needs the start of field i + 1 too, when there is one.
    std::size_t readable = need >= max_fields ? f.count : std::min<std::size_t>(f.count, need - 1);
    for (std::size_t i = 0; i < readable; ++i) out.emplace_back(f.get(text.data(), n, i));
    for (std::size_t i = out.size(); i < f.count; ++i) out.emplace_back("?");
    return out;
}

} // namespace

TEST_CASE("fw::log scan_line", "[log][scan]") {
    using v = std::vector<std::string>;
    CHECK(scan("a b c\n") == v{"a", "b", "c"});
    CHECK(scan("a  b   c\r\n") == v{"a", "b", "c"});
    CHECK(scan("  a b  \r\n") == v{"a", "b"});
    CHECK(scan("\n").empty());
    CHECK(scan("\r\n").empty());
    CHECK(scan(" \r\n").empty());
    CHECK(scan("a b") == v{"<none>"});
    CHECK(scan("a b\r") == v{"<none>"});
    CHECK(scan(std::string("a b\0c d\n", 8)) == v{"a", "b"}); // a NUL ends the line
    CHECK(scan("a b c d\n", 3) == v{"a", "b", "?", "?"});

    SECTION("line ends around the 64-byte block boundary") {
        for (std::size_t len = 55; len < 140; ++len) {
            for (std::string eol : {"\n", "\r\n", " \r\n", "  \n"}) {
                // Fields "x..." of 3 bytes separated by one space, cut to len bytes before eol.
                std::string body;
                while (body.size() < len) body += (body.empty() ? "" : " ") + std::string("x") + std::to_string(body.size() % 10) + "y";
                body.resize(len);
                if (body.back() == ' ') body.back() = 'z';
                std::string text = body + eol + "next line\n";
                std::vector<std::string> want;
                std::size_t i = 0;
                while (i < body.size()) {
                    std::size_t j = body.find(' ', i);
                    if (j == std::string::npos) j = body.size();
                    want.push_back(body.substr(i, j - i));
                    i = j + 1;
                }
                CAPTURE(len, eol.size(), text);
                std::size_t n = 0;
                CHECK(scan(text, max_fields, &n) == want);
                CHECK(n == body.size() + (eol[0] == ' ' ? eol.find_first_not_of(' ') : 0));
            }
        }
    }
    SECTION("reads never pass readable_end") {
        // The scanner copies the tail into a local block: exercise it at every length.
        for (std::size_t len = 1; len < 200; ++len) {
            std::string text(len - 1, 'a');
            for (std::size_t k = 5; k < text.size(); k += 7) text[k] = ' ';
            text += '\n';
            std::vector<char> exact(text.begin(), text.end()); // no slack after the data
            field_index f{};
            std::size_t n = 0;
            const char *e = scan_line(exact.data(), exact.data() + exact.size(), exact.data() + exact.size(), f, max_fields, n);
            REQUIRE(e == exact.data() + exact.size() - 1);
            CHECK(n == len - 1);
        }
    }
}

TEST_CASE("fw::log scan helpers", "[log][scan]") {
    std::string s(1000, 'a');
    for (std::size_t i = 0; i < s.size(); i += 7) s[i] = '\n';
    CHECK(count_newlines(s.data(), s.data() + s.size()) == 143);
    CHECK(count_newlines(s.data(), s.data()) == 0);
    std::string big(200000, '\n');
    CHECK(count_newlines(big.data(), big.data() + big.size()) == 200000);
    std::string z(100, '\0');
    z += "x";
    CHECK(count_leading_nuls(z.data(), z.data() + z.size()) == 100);
    CHECK(count_leading_nuls(z.data() + 100, z.data() + z.size()) == 0);
    std::string text = "#Fields: a b\r\nx\n#Fields: c d e\nline\n#Fields: f";
    auto h = find_last_fields_header(text.data(), text.data() + text.size(), text.data() + text.size());
    REQUIRE(h);
    CHECK(*h == " c d e"); // the last one has no line end yet
    auto first = find_last_fields_header(text.data(), text.data() + 15, text.data() + text.size());
    REQUIRE(first);
    CHECK(*first == " a b");
    std::string none = "x #Fields: a\n";
    CHECK_FALSE(find_last_fields_header(none.data(), none.data() + none.size(), none.data() + none.size()));
    unsigned char wide[] = {'A', 0, 0xe9, 0, 0x3a, 0x26, '\n', 0, 0, 0};
    char out[5];
    narrow_utf16le(wide, 5, out);
    CHECK(std::string(out, 5) == std::string("A\xff\xff\n\0", 5));
}

TEST_CASE("fw::log layout", "[log][fields]") {
    auto std17 = layout::standard(false);
    CHECK(std17.fields == 17);
    CHECK(std17[column::path] == 16);
    CHECK_FALSE(std17.has(column::pid));
    auto l = parse_fields_header(" date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path");
    REQUIRE(l);
    CHECK(*l == std17);
    auto odd = parse_fields_header("  path  foo DATE pid ");
    REQUIRE(odd);
    CHECK(odd->fields == 4);
    CHECK((*odd)[column::path] == 0);
    CHECK((*odd)[column::date] == 2);
    CHECK((*odd)[column::pid] == 3);
    CHECK_FALSE(odd->has(column::action));
    CHECK_FALSE(parse_fields_header(""));
    CHECK_FALSE(parse_fields_header("date date"));
}

TEST_CASE("fw::log field parsers", "[log][fields]") {
    std::int64_t n = 0;
    CHECK((parse_number("123", 1000, n) && n == 123));
    CHECK((parse_number("-", 1000, n) && n == FW_ABSENT));
    CHECK_FALSE(parse_number("1001", 1000, n));
    CHECK_FALSE(parse_number("", 1000, n));
    CHECK_FALSE(parse_number("12a", 1000, n));
    CHECK_FALSE(parse_number("-1", 1000, n));
    CHECK_FALSE(parse_number("99999999999999999999", INT64_MAX, n));
    std::int32_t port = 0;
    CHECK((parse_port("65535", port) && port == 65535));
    CHECK((parse_port("0", port) && port == 0));
    CHECK((parse_port("-", port) && port == FW_ABSENT));
    CHECK_FALSE(parse_port("65536", port));
    CHECK_FALSE(parse_port("123456", port));
    CHECK_FALSE(parse_port("8o", port));
    CHECK(parse_action("DROP") == FW_ACTION_DROP);
    CHECK(parse_action("Drop") == FW_ACTION_DROP);
    CHECK(parse_action("dRoP") == FW_ACTION_DROP);
    CHECK(parse_action("DR0P") == FW_ACTION_OTHER);
    CHECK(parse_action("allow") == FW_ACTION_ALLOW);
    CHECK(parse_action("INFO-EVENTS-LOST") == FW_ACTION_INFO_EVENTS_LOST);
    CHECK(parse_action("open-inbound") == FW_ACTION_OPEN_INBOUND);
    CHECK(parse_action("CLOSE") == FW_ACTION_CLOSE);
    CHECK(parse_action("-") == FW_ACTION_OTHER);
    CHECK(parse_path("RECEIVE") == FW_PATH_RECEIVE);
    CHECK(parse_path("send") == FW_PATH_SEND);
    CHECK(parse_path("FORWARD") == FW_PATH_FORWARD);
    CHECK(parse_path("UNKNOWN") == FW_PATH_UNKNOWN);
    CHECK(parse_path("-") == FW_PATH_NONE);
    CHECK(parse_path("SENDX") == FW_PATH_OTHER);
    std::int16_t p = 0;
    CHECK((parse_protocol("TCP", p) && p == 6));
    CHECK((parse_protocol("udp", p) && p == 17));
    CHECK((parse_protocol("ICMPv6", p) && p == 58));
    CHECK((parse_protocol("IGMP", p) && p == 2));
    CHECK((parse_protocol("2", p) && p == 2));
    CHECK((parse_protocol("255", p) && p == 255));
    CHECK((parse_protocol("-", p) && p == FW_ABSENT));
    CHECK((parse_protocol("XTP", p) && p == FW_PROTOCOL_OTHER));
    CHECK_FALSE(parse_protocol("256", p));
    CHECK_FALSE(parse_protocol("6x", p));
    CHECK(protocol_name(58) == "ICMPv6");
}

TEST_CASE("fw::log dates: days_from_civil against timegm", "[log][fields]") {
    static_assert(days_from_civil(1970, 1, 1) == 0);
    static_assert(days_from_civil(2000, 3, 1) == 11017);
    for (int y = 1960; y <= 2100; y += 7) {
        for (unsigned m = 1; m <= 12; ++m) {
            for (unsigned d : {1u, 15u, 28u}) {
                std::tm tm{};
                tm.tm_year = y - 1900;
                tm.tm_mon = static_cast<int>(m) - 1;
                tm.tm_mday = static_cast<int>(d);
                CHECK(days_from_civil(y, m, d) * 86400 == static_cast<std::int64_t>(timegm(&tm)));
            }
        }
    }
    std::int64_t t = 0;
    CHECK((parse_date_time("2022-07-11", "21:03:39", t) && t == 1657573419));
    CHECK((parse_date_time("2006-3-27", "01:02:03", t) && t == 1143421323)); // single-digit month as in an MS doc
    CHECK((parse_date_time("2024-02-29", "00:00:00", t) && t == 1709164800));
    CHECK((parse_date_time("-", "-", t) && t == FW_NO_TIME));
    CHECK_FALSE(parse_date_time("2023-02-29", "00:00:00", t));
    CHECK_FALSE(parse_date_time("2022-07-11", "24:00:00", t));
    CHECK_FALSE(parse_date_time("2022-07-11", "12:60:00", t));
    CHECK_FALSE(parse_date_time("2022-07-11", "12:00", t));
    CHECK_FALSE(parse_date_time("2022/07/11", "12:00:00", t));
    CHECK_FALSE(parse_date_time("2022-07-11", "-", t));
    CHECK_FALSE(parse_date_time("22-07-11", "12:00:00", t));
}

TEST_CASE("fw::log parse_ipv4_quad agrees with net::parse_ipv4", "[log][fields]") {
    using fw::log::parse_ipv4_quad;
    auto agree = [](std::string_view s) {
        std::uint8_t q[4] = {};
        const bool fast = parse_ipv4_quad(s, q);
        const auto ref = fw::net::parse_ipv4(s);
        INFO("'" << std::string(s) << "'");
        REQUIRE(fast == ref.has_value());
        if (fast) CHECK((q[0] == ref->bytes[0] && q[1] == ref->bytes[1] && q[2] == ref->bytes[2] && q[3] == ref->bytes[3]));
    };
    for (const char *s : {"0.0.0.0", "255.255.255.255", "10.1.2.3", "1.2.3.4", "256.1.1.1", "1.2.3", "1.2.3.4.5",
                          "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", "1.2.3.a", "999.9.9.9",
                          "1000.1.1.1", "1.2.3.255", "1.2.3.256", "100.200.250.199", "0.00.0.0", "-", "",
                          "1.2.3.4.", "1.2.3.45", "192.168.100.200", "192.168.100.2000", "1.1.1.1/1", "1:1.1.1",
                          "255.255.255.25/", "000.0.0.0", "1.2.3.0", "0.0.0.10", "...."})
        agree(s);
    // Random strings over digits and dots (and the odd other byte).
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    const char alphabet[] = "0123456789012345678901...../:x";
    for (int i = 0; i < 100000; ++i) {
        std::string s;
        const auto len = 5 + next() % 13;
        for (std::uint64_t k = 0; k < len; ++k) s += alphabet[next() % (sizeof alphabet - 1)];
        agree(s);
    }
    // Every valid address shape with random parts.
    for (int i = 0; i < 20000; ++i) {
        std::string s = std::to_string(next() % 300) + "." + std::to_string(next() % 300) + "." +
                        std::to_string(next() % 256) + "." + std::to_string(next() % 260);
        agree(s);
    }
}
