// The word-at-a-time parsers of stage 2 against plain references, on edge
// cases and random inputs.
#include "log/fields.hpp"
#include "net/address.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>

using namespace fw::log;

namespace {

struct xorshift {
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    std::uint64_t operator()() noexcept {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
};

// s copied into a heap block of exactly s.size() + tail bytes, the tail
// filled with `fill`: a read past the block is an ASan error, a use of the
// tail a wrong answer.
struct placed {
    std::unique_ptr<char[]> block;
    std::string_view view;
    const char *end;
    placed(std::string_view s, std::size_t tail, char fill) : block(new char[s.size() + tail]) {
        std::memcpy(block.get(), s.data(), s.size());
        std::memset(block.get() + s.size(), fill, tail);
        view = {block.get(), s.size()};
        end = block.get() + s.size() + tail;
    }
};

// The rule parse_clock implements: H[H]:MM:SS, hours 0..23, minutes and seconds 0..59.
bool reference_clock(std::string_view s, std::int64_t &seconds) {
    auto c1 = s.find(':');
    if (c1 == std::string_view::npos || c1 == 0 || c1 > 2) return false;
    if (s.size() != c1 + 6 || s[c1 + 3] != ':') return false;
    auto digits = [&](std::size_t at, std::size_t k) {
        int v = 0;
        for (std::size_t i = at; i < at + k; ++i) {
            if (s[i] < '0' || s[i] > '9') return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const int h = digits(0, c1), m = digits(c1 + 1, 2), sec = digits(c1 + 4, 2);
    if (h < 0 || m < 0 || sec < 0 || h > 23 || m > 59 || sec > 59) return false;
    seconds = h * 3600 + m * 60 + sec;
    return true;
}

} // namespace

TEST_CASE("fw::log parse_ipv4_quad_wide agrees with parse_ipv4_quad and net::parse_ipv4", "[log][fields]") {
    auto agree = [](std::string_view s, char fill) {
        placed p(s, ipv4_readable, fill);
        std::uint8_t wide[4] = {}, narrow[4] = {};
        const bool w = parse_ipv4_quad_wide(p.view, wide);
        const bool n = parse_ipv4_quad(s, narrow);
        const auto ref = fw::net::parse_ipv4(s);
        INFO("'" << std::string(s) << "' followed by '" << fill << "'");
        REQUIRE(w == n);
        REQUIRE(w == ref.has_value());
        if (w) {
            CHECK(std::memcmp(wide, narrow, 4) == 0);
            CHECK(std::memcmp(wide, ref->bytes.data(), 4) == 0);
        }
        // parse_address picks the wide parse when the line has room, the narrow one otherwise.
        fw_addr a{}, b{};
        const bool aw = parse_address(p.view, a, p.end);
        const bool an = parse_address(s, b);
        REQUIRE(aw == an);
        if (aw) CHECK(std::memcmp(&a, &b, sizeof a) == 0);
    };
    for (const char *s : {"0.0.0.0", "255.255.255.255", "10.1.2.3", "1.2.3.4", "256.1.1.1", "1.2.3", "1.2.3.4.5",
                          "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", "1.2.3.a", "999.9.9.9",
                          "1000.1.1.1", "1.2.3.255", "1.2.3.256", "100.200.250.199", "0.00.0.0", "-", "",
                          "1.2.3.4.", "1.2.3.45", "192.168.100.200", "192.168.100.2000", "1.1.1.1/1", "1:1.1.1",
                          "255.255.255.25/", "000.0.0.0", "1.2.3.0", "0.0.0.10", "....", "1.2.3..4", "1.2..3.4",
                          "12.34.56.78", "0.1.2.3", "10.0.0.01", "10.0.00.1", "10.00.0.1", "300.0.0.0", "0.0.0.300",
                          "255.255.255.2555", "2555.255.255.255", "1.1.1.1111", "11111.1.1.1", "1.1.1", "1.1",
                          "...1.1", "1.1...", "9.9.9.9", "99.99.99.99", "199.199.199.199", "200.200.200.200",
                          "250.251.252.253", "254.0.0.256", "1.2.3.4\r", "1.2.3.4\n", "1.2.3.4\0", "/.2.3.4",
                          "1.2.3.:", "::1", "::ffff:1.2.3.4", "1.2.3.4:80", " 1.2.3.4"})
        for (char fill : {' ', '0', '9', '.', '\0', '\xff'}) agree(s, fill);
    agree(std::string_view("1.2\0.3.4", 8), ' ');
    xorshift next;
    // Random strings over digits and dots (and the odd other byte), then
    // random valid shapes with out-of-range parts.
    const char alphabet[] = "0123456789012345678901...../:x \xff";
    const char fills[] = " 0.9";
    for (int i = 0; i < 200000; ++i) {
        std::string s;
        const auto len = next() % 18;
        for (std::uint64_t k = 0; k < len; ++k) s += alphabet[next() % (sizeof alphabet - 1)];
        agree(s, fills[next() % 4]);
    }
    for (int i = 0; i < 50000; ++i) {
        auto part = [&] { return std::to_string(next() % 1100 >= 1000 ? next() % 10 : next() % 300); };
        std::string s = part() + "." + part() + "." + part() + "." + part();
        if (next() % 8 == 0) s.insert(next() % (s.size() + 1), 1, "0."[next() % 2]);
        agree(s, fills[next() % 4]);
    }
}

TEST_CASE("fw::log the 8-byte clock parse agrees with the plain rule", "[log][fields]") {
    const std::int64_t day = days_from_civil(2022, 7, 11) * 86400;
    auto agree = [&](std::string_view time) {
        std::int64_t got = 0, want = 0;
        const bool ok = parse_date_time("2022-07-11", time, got);
        const bool ref = reference_clock(time, want);
        INFO("'" << std::string(time) << "'");
        REQUIRE(ok == ref);
        if (ok) CHECK(got == day + want);
    };
    // Every HH:MM:SS of digits, valid or not.
    char t[] = "00:00:00";
    for (int h = 0; h < 100; h += 1)
        for (int m = 0; m < 100; m += 3)
            for (int s = 0; s < 100; s += 7) {
                t[0] = static_cast<char>('0' + h / 10);
                t[1] = static_cast<char>('0' + h % 10);
                t[3] = static_cast<char>('0' + m / 10);
                t[4] = static_cast<char>('0' + m % 10);
                t[6] = static_cast<char>('0' + s / 10);
                t[7] = static_cast<char>('0' + s % 10);
                agree(t);
            }
    for (const char *s : {"23:59:59", "00:00:00", "24:00:00", "12:60:00", "12:00:60", "1:02:03", "12:0:00",
                          "12:00:0", "12-00-00", "12:00;00", "12;00:00", "1a:00:00", "12:00:0a", "12:00:00 ",
                          " 2:00:00", "12::00:0", "120:00:0", "12:00:000", "/2:00:00", ":2:00:00", "12:00:00:",
                          "\xb2\x32:00:00", "12:\xb0\x30:00"})
        agree(s);
    xorshift next;
    const char alphabet[] = "0123456789::::/;- \xb0\xff";
    for (int i = 0; i < 200000; ++i) {
        std::string s;
        const auto len = 6 + next() % 4;
        for (std::uint64_t k = 0; k < len; ++k) s += alphabet[next() % (sizeof alphabet - 1)];
        if (len == 8 && next() % 2 == 0) s[2] = s[5] = ':';
        agree(s);
    }
}

TEST_CASE("fw::log the date cache gives the uncached answers", "[log][fields]") {
    xorshift next;
    date_cache cache;
    const char *dates[] = {"2022-07-11", "2022-07-12", "2022-7-11", "2022-07-1", "2022-7-1", "2024-02-29",
                           "2023-02-29", "2022-07-1x", "2022-07-111", "2022/07/11", "-", "2022-12-31",
                           "2022-1-31", "2022-01-3", "2022-01-31"};
    for (int i = 0; i < 20000; ++i) {
        const char *d = dates[next() % (sizeof dates / sizeof *dates)];
        std::int64_t a = 0, b = 0;
        const bool cached = parse_date_time(d, "01:02:03", a, &cache);
        const bool plain = parse_date_time(d, "01:02:03", b);
        INFO(d);
        REQUIRE(cached == plain);
        if (cached) CHECK(a == b);
    }
}

TEST_CASE("fw::log word-at-a-time numbers, ports, actions and paths agree with the plain parsers", "[log][fields]") {
    xorshift next;
    auto check = [](std::string_view s, char fill) {
        // At least 8 bytes readable after the start, and exactly s when it is longer.
        placed p(s, 8, fill);
        INFO("'" << std::string(s) << "' followed by '" << fill << "'");
        for (std::int64_t max : {std::int64_t{INT16_MAX}, std::int64_t{INT32_MAX}, std::int64_t{INT64_MAX},
                                 std::int64_t{255}, std::int64_t{99999999}}) {
            std::int64_t a = -7, b = -7;
            const bool wa = parse_number(p.view, max, a, p.end);
            const bool wb = parse_number(s, max, b);
            REQUIRE(wa == wb);
            if (wa) CHECK(a == b);
        }
        std::int32_t pa = -7, pb = -7;
        const bool qa = parse_port(p.view, pa, p.end), qb = parse_port(s, pb);
        REQUIRE(qa == qb);
        if (qa) CHECK(pa == pb);
        CHECK(parse_action(p.view, p.end) == parse_action(s));
        CHECK(parse_path(p.view, p.end) == parse_path(s));
        // Too little readable: the plain parse.
        placed tight(s, 0, fill);
        std::int64_t c = -7;
        CHECK(parse_number(tight.view, INT64_MAX, c, tight.end) == parse_number(s, INT64_MAX, c));
        CHECK(parse_action(tight.view, tight.end) == parse_action(s));
        CHECK(parse_path(tight.view, tight.end) == parse_path(s));
    };
    for (const char *s : {"0", "9", "-", "", "00", "10", "99", "123", "65535", "65536", "99999", "100000", "0065535",
                          "32767", "32768", "12345678", "99999999", "123456789", "4294967295", "4294967296",
                          "9223372036854775807", "9223372036854775808",
                          "1234567890123456", "12345678901234567", "0000000000000001", "9999999999999999", "707762960",
                          "12345678/", "/12345678", "1234567/8", "12345678 9", "2147483647", "2147483648", "1/", "/1", "1:", ":1", "1 ", " 1", "1-",
                          "--", "12a4", "1234567a", "a2345678", "\xb1\x32", "1\xff", "DROP", "drop", "DrOp", "ALLOW",
                          "allow", "OPEN", "CLOSE", "close", "DROPS", "DRO", "D", "OPEN-INBOUND", "INFO-EVENTS-LOST",
                          "RECEIVE", "receive", "SEND", "Send", "FORWARD", "UNKNOWN", "unknown", "RECEIVED", "RECEIV",
                          "SEN", "dRoP\x80", "\xc4ROP", "DR\x0fP", "{ROP"})
        for (char fill : {' ', '0', '9', '\0', 'E', '\xff'}) check(s, fill);
    const char alphabet[] = "0123456789012345678901234567890-/: \xb0\xff";
    const char words[] = "DROPALLOWOPENCLOSERECEIVESENDFORWARDUNKNOWNdropallowreceivesend-x{@";
    for (int i = 0; i < 200000; ++i) {
        std::string s;
        const auto len = next() % 19;
        const bool letters = next() % 3 == 0;
        for (std::uint64_t k = 0; k < len; ++k)
            s += letters ? words[next() % (sizeof words - 1)] : alphabet[next() % (sizeof alphabet - 1)];
        check(s, " 0E\xff"[next() % 4]);
    }
}
