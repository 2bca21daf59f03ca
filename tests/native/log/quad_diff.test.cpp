// Differential test: the plain path's dotted-quad parsers (parse_ipv4_quad_wide,
// parse_ipv4_quad_ssse3) against net::parse_ipv4, the strict parser they must
// agree with: every one of the 81 shapes with chosen and random digits, random
// and mutated texts, each followed by hostile bytes (digits, dots, spaces,
// high bytes) that a parser loading past the field's end must ignore.
#include "log/fields.hpp"
#include "net/address.hpp"
#include "../text_mutation.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace fw;

namespace {

constexpr char after_bytes[] = "0123456789.....  -\x80\xff\t";

// The text in a 64-byte buffer, followed by `after` bytes (ipv4_readable and more readable).
struct placed {
    alignas(16) char buffer[64];
    std::string_view text;
    placed(const std::string &s, std::mt19937_64 &rng) {
        for (char &c : buffer) c = after_bytes[std::uniform_int_distribution<std::size_t>(0, sizeof after_bytes - 2)(rng)];
        std::memcpy(buffer, s.data(), std::min<std::size_t>(s.size(), 32));
        text = {buffer, std::min<std::size_t>(s.size(), 32)};
    }
};

// Compares every parser with net::parse_ipv4 on s; counts the accepted ones.
void check(const std::string &s, std::mt19937_64 &rng, std::size_t &accepted) {
    placed at(s, rng);
    const auto want = net::parse_ipv4(at.text);
    INFO("text: \"" << s << "\"");
    std::uint8_t wide[4] = {}, ssse3[4] = {};
    const bool got_wide = log::parse_ipv4_quad_wide(at.text, wide);
    REQUIRE(got_wide == want.has_value());
    if (want) REQUIRE(std::memcmp(wide, want->bytes.data(), 4) == 0);
    if (log::has_ssse3()) {
        const bool got_ssse3 = log::parse_ipv4_quad_ssse3(at.text, ssse3);
        REQUIRE(got_ssse3 == want.has_value());
        if (want) REQUIRE(std::memcmp(ssse3, want->bytes.data(), 4) == 0);
    }
    if (want) ++accepted;
}

// A part of 1..3 digits: near the limits (0, 9, 10, 99, 100, 199, 249..256, 299, 999, leading zeros) or random.
std::string part(unsigned digits, std::mt19937_64 &rng) {
    static const std::vector<std::string> edges[3] = {
        {"0", "1", "9"},
        {"10", "99", "00", "01", "09", "55"},
        {"100", "199", "200", "249", "250", "255", "256", "259", "260", "299", "300", "999", "000", "001", "099", "025"},
    };
    const auto &e = edges[digits - 1];
    if (std::uniform_int_distribution<int>(0, 1)(rng) == 0)
        return e[std::uniform_int_distribution<std::size_t>(0, e.size() - 1)(rng)];
    std::string s(digits, '0');
    for (char &c : s) c = static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(rng));
    return s;
}

std::string shaped(unsigned code, std::mt19937_64 &rng) {
    std::string s;
    for (unsigned i = 0; i < 4; ++i) {
        if (i > 0) s += '.';
        s += part(code % 3 + 1, rng);
        code /= 3;
    }
    return s;
}

std::string random_text(std::mt19937_64 &rng) {
    static constexpr char alphabet[] = "0123456789012345678925.....-: \x80\xff/a";
    std::string s(std::uniform_int_distribution<std::size_t>(0, 20)(rng), '\0');
    for (char &c : s) c = alphabet[std::uniform_int_distribution<std::size_t>(0, sizeof alphabet - 2)(rng)];
    return s;
}

// A valid-shaped quad with 1..3 bytes replaced, inserted, deleted or doubled.
std::string mutated(std::mt19937_64 &rng) {
    static constexpr std::string_view bytes = "0123456789.. -:\x80";
    std::string s = shaped(std::uniform_int_distribution<unsigned>(0, 80)(rng), rng);
    fw_test::mutate_bytes(s, bytes, rng);
    return s;
}

} // namespace

TEST_CASE("fw::log dotted-quad parsers agree with net::parse_ipv4 on every shape", "[log][plain][diff]") {
    std::mt19937_64 rng(20261130);
    std::size_t accepted = 0;
    for (const std::string s : {"0.0.0.0", "255.255.255.255", "1.2.3.4", "192.0.2.1", "100.200.250.255",
                                "256.0.0.0", "0.0.0.256", "1.2.3.04", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3",
                                ".1.2.3", "1.2.3.", "1234.1.1.1", "1.1.1.1234", "", "-", "1.2.3.4 "})
        check(s, rng, accepted);
    for (int round = 0; round < 2000; ++round)
        for (unsigned code = 0; code < 81; ++code) check(shaped(code, rng), rng, accepted);
    CHECK(accepted > 20000); // many shaped texts are addresses: the parsers were really compared on values
}

TEST_CASE("fw::log dotted-quad parsers agree with net::parse_ipv4 on random and mutated texts",
          "[log][plain][diff]") {
    std::mt19937_64 rng(7);
    std::size_t accepted = 0;
    for (int i = 0; i < 300000; ++i) check(i % 2 == 0 ? random_text(rng) : mutated(rng), rng, accepted);
    CHECK(accepted > 4000); // the mutated ones include addresses
}

TEST_CASE("fw::log the plain path types addresses alike with and without SSSE3", "[log][plain][diff]") {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 20000; ++i) {
        const std::string src = i % 3 == 0 ? mutated(rng) : shaped(std::uniform_int_distribution<unsigned>(0, 80)(rng), rng);
        const std::string dst = shaped(std::uniform_int_distribution<unsigned>(0, 80)(rng), rng);
        const std::string line = "2026-11-01 00:00:02 DROP TCP " + src + " " + dst +
                                 " 58587 138 1254 S 707762960 0 54310 - - - RECEIVE 1767\r\n";
        std::vector<char> buffer(line.begin(), line.end());
        buffer.resize(log::plain_readable + 64, ' ');
        log::plain_options how;
        log::date_cache cache_a{}, cache_b{};
        fw_record a{}, b{};
        bool passed_a = false, passed_b = false;
        const char *end_a = log::type_plain_line(buffer.data(), how, a, cache_a, passed_a);
        how.ssse3 = log::has_ssse3();
        const char *end_b = log::type_plain_line(buffer.data(), how, b, cache_b, passed_b);
        INFO("line: " << line);
        auto offset = [&](const char *e) { return e == nullptr ? std::ptrdiff_t{-1} : e - buffer.data(); };
        REQUIRE(offset(end_a) == offset(end_b));
        const bool both_ok = net::parse_ipv4(src).has_value() && net::parse_ipv4(dst).has_value();
        if (end_a != nullptr) {
            REQUIRE(std::memcmp(&a.src, &b.src, sizeof a.src) == 0);
            REQUIRE(std::memcmp(&a.dst, &b.dst, sizeof a.dst) == 0);
        }
        if (src.find_first_of(" :\x80") == std::string::npos) // neither a field split, IPv6 nor a control byte
            REQUIRE((end_a != nullptr) == both_ok);
    }
}
