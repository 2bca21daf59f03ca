// Differential tests: the word-at-a-time address and number parsers against the
// byte-by-byte ones they replaced (kept as references), over the test vectors
// and millions of random and mutated texts. Same accepted texts, same values.
#include "log/fields.hpp"
#include "net/address.hpp"
#include "../text_mutation.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace fw;

namespace {

// Texts that are, or are close to, addresses of every form the parsers know.
const std::vector<std::string> &address_seeds() {
    static const std::vector<std::string> seeds = {
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3.04", "01.2.3.4", "10.5", "167772165",
        "0x0a000005", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4 ", "1.2.3.999", "1.2.3", "1.2.3.4.5",
        "::", "::1", "1::", ":::", "::1:", ":1::", "1:::2", "2001:db8::1", "2001:DB8:0:0:0:0:0:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::3680:dff:fe01:9e88", "ff02::fb", "fe80::ca00:8221",
        "2001:db8:0:1:1:1:1:1", "2001:0:0:1:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "1:2:3:4::5:6:7:8", "1::2::3", "12345::1", "g::1", "::ffff:1.2.3.4", "::ffff:192.0.2.128", "::1.2.3.4",
        "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3.04", "::ffff:1.2.3", "1.2.3.4::",
        "fe80::1%eth0", "fe80::1%12", "[::1]", "::ffff:256.1.1.1", "0:0:0:0:0:0:0:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "FFFF::", "aBcD:eF01::", "-", "", ":", "1", "1:", ":1", "0000:0000:0000:0000:0000:0000:0000:00000",
        "1111:2222:3333:4444:5555:6666:123.123.123.123", "::ffff:255.255.255.255",
    };
    return seeds;
}

// A random text over the bytes addresses are made of, and a few others.
std::string random_text(std::mt19937_64 &rng) {
    static constexpr char alphabet[] = "0123456789abcdefABCDEF::::::....gG%x- \t\x7f\x80\xff/[]";
    std::uniform_int_distribution<std::size_t> length(0, 47);
    std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
    std::string s(length(rng), '\0');
    for (char &c : s) c = alphabet[pick(rng)];
    return s;
}

// A seed with a few bytes replaced, inserted, deleted or doubled.
std::string mutated(std::mt19937_64 &rng) {
    static constexpr std::string_view bytes = "0123456789afAF:.%g- \x80";
    const auto &seeds = address_seeds();
    std::string s = seeds[std::uniform_int_distribution<std::size_t>(0, seeds.size() - 1)(rng)];
    fw_test::mutate_bytes(s, bytes, rng);
    return s;
}

// s followed by bytes that could continue it (hex digits, colons, dots, a
// space): the wide parsers read past the text and must not be swayed.
struct padded_text {
    std::vector<char> buf;
    std::string_view view;
    padded_text(const std::string &s, std::mt19937_64 &rng) : buf(s.size() + 64) {
        static constexpr char tail[] = "0123456789abcdef:. -\n";
        for (char &c : buf) c = tail[std::uniform_int_distribution<std::size_t>(0, sizeof tail - 2)(rng)];
        std::memcpy(buf.data(), s.data(), s.size());
        view = {buf.data(), s.size()};
    }
};

void check_ipv6(const std::string &s, std::mt19937_64 &rng) {
    INFO("text: '" << s << "'");
    const auto ref = net::parse_ipv6_reference(s);
    const auto fast = net::parse_ipv6(s);
    REQUIRE(fast.has_value() == ref.has_value());
    if (ref) REQUIRE(*fast == *ref);
    padded_text p(s, rng);
    net::ip wide;
    const bool w = net::parse_ipv6_readable(p.view, wide);
    REQUIRE(w == ref.has_value());
    if (ref) REQUIRE(wide == *ref);
}

// The log's address column: parse_address with room after the field (the
// wide parsers) against the reference rule: IPv4 as net::parse_ipv4, '-',
// else IPv6 as the reference.
void check_address(const std::string &s, std::mt19937_64 &rng) {
    INFO("text: '" << s << "'");
    fw_addr expected{};
    bool expected_ok = true;
    if (s == "-") {
    } else if (auto v4 = net::parse_ipv4(s)) {
        expected = net::to_abi(*v4);
    } else if (auto v6 = net::parse_ipv6_reference(s); v6 && s.find(':') != std::string::npos) {
        expected = net::to_abi(*v6);
    } else {
        expected_ok = false;
    }
    padded_text p(s, rng);
    for (const char *end : {p.view.data() + p.buf.size(), p.view.data() + p.view.size()}) {
        fw_addr got{};
        const bool ok = log::parse_address(p.view, got, end);
        REQUIRE(ok == expected_ok);
        if (ok) REQUIRE(std::memcmp(&got, &expected, sizeof got) == 0);
    }
}

} // namespace

TEST_CASE("fw::net parse_ipv6 agrees with the reference parse on the vectors", "[net][diff]") {
    std::mt19937_64 rng(1);
    for (const auto &s : address_seeds()) {
        check_ipv6(s, rng);
        check_address(s, rng);
    }
}

TEST_CASE("fw::net parse_ipv6 agrees with the reference parse on random and mutated texts", "[net][diff]") {
    std::mt19937_64 rng(20261130);
    std::size_t accepted = 0;
    for (int i = 0; i < 1000000; ++i) {
        const std::string s = (i & 1) != 0 ? random_text(rng) : mutated(rng);
        check_ipv6(s, rng);
        accepted += net::parse_ipv6_reference(s).has_value() ? 1 : 0;
    }
    CHECK(accepted > 50000); // the mutations keep many texts valid: both branches are compared
}

TEST_CASE("fw::log parse_address agrees with the reference parses on random and mutated texts", "[log][diff]") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000000; ++i) check_address((i & 1) != 0 ? random_text(rng) : mutated(rng), rng);
}

TEST_CASE("fw::net parse_ipv6 agrees with the reference on every valid form", "[net][diff]") {
    // Valid addresses of random groups, compressed at random, in random case.
    std::mt19937_64 rng(3);
    for (int i = 0; i < 300000; ++i) {
        std::uint16_t g[8];
        for (auto &x : g) {
            const int kind = std::uniform_int_distribution<int>(0, 3)(rng);
            x = kind == 0 ? 0 : static_cast<std::uint16_t>(rng() >> (kind * 4));
        }
        std::string s;
        const int gap_at = std::uniform_int_distribution<int>(-1, 7)(rng);
        const int gap_len = gap_at < 0 ? 0 : std::uniform_int_distribution<int>(1, 8 - gap_at)(rng);
        for (int k = 0; k < 8; ++k) {
            if (k == gap_at) {
                s += "::";
                k += gap_len - 1;
                continue;
            }
            if (!s.empty() && s.back() != ':') s += ':';
            char buf[8];
            std::snprintf(buf, sizeof buf, (rng() & 1) != 0 ? "%x" : "%04X", g[k]);
            s += buf;
        }
        check_ipv6(s, rng);
        check_address(s, rng);
    }
}

TEST_CASE("fw::log the wide IPv4 parse agrees with the byte-by-byte ones on near-quads", "[log][diff]") {
    // Four parts of 0..3 digits (leading zeros, values up to 999), joined by
    // one or two dots, sometimes with a stray byte: every boundary of the rule.
    std::mt19937_64 rng(11);
    for (int i = 0; i < 1000000; ++i) {
        std::string s;
        const int parts = std::uniform_int_distribution<int>(3, 5)(rng);
        for (int k = 0; k < parts; ++k) {
            if (k != 0) s += (rng() % 64) != 0 ? "." : "..";
            const int digits = std::uniform_int_distribution<int>(0, 3)(rng);
            for (int d = 0; d < digits; ++d)
                s += static_cast<char>('0' + (d == 0 && (rng() & 3) == 0 ? std::uniform_int_distribution<int>(0, 2)(rng)
                                                                           : std::uniform_int_distribution<int>(0, 9)(rng)));
        }
        if ((rng() % 16) == 0) s.insert(rng() % (s.size() + 1), 1, "x/:- 5"[rng() % 6]);
        INFO("text: '" << s << "'");
        std::uint8_t narrow[4] = {}, wide[4] = {};
        const bool n = log::parse_ipv4_quad(s, narrow);
        const auto ref = net::parse_ipv4(s);
        REQUIRE(n == ref.has_value());
        padded_text p(s, rng);
        REQUIRE(log::parse_ipv4_quad_wide(p.view, wide) == n);
        if (n) {
            REQUIRE(std::memcmp(wide, narrow, 4) == 0);
            REQUIRE(std::memcmp(wide, ref->bytes.data(), 4) == 0);
        }
        check_address(s, rng);
    }
}

TEST_CASE("fw::log word-at-a-time numbers agree with the digit loop", "[log][diff]") {
    // 1..20 bytes, mostly digits: the one-word (1..8) and two-word (9..16) paths and the loop beyond.
    std::mt19937_64 rng(13);
    static constexpr char bytes[] = "0123456789012345678901234567890123456789-/: a";
    for (int i = 0; i < 1000000; ++i) {
        std::string s(std::uniform_int_distribution<std::size_t>(1, 20)(rng), '0');
        for (char &c : s) c = bytes[std::uniform_int_distribution<std::size_t>(0, sizeof bytes - 2)(rng)];
        INFO("text: '" << s << "'");
        padded_text p(s, rng);
        for (std::int64_t max : {std::int64_t{INT64_MAX}, std::int64_t{INT32_MAX}, std::int64_t{65535}}) {
            std::int64_t a = -7, b = -7;
            const bool plain = log::parse_number(s, max, a);
            REQUIRE(log::parse_number(p.view, max, b, p.view.data() + p.buf.size()) == plain);
            if (plain) REQUIRE(a == b);
        }
    }
}
