#include "log/fields.hpp"
#include "net/address.hpp"
#include "rules/ruleset.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace fw::net;

namespace {
struct ip_case {
    const char *input;
    const char *canonical; // nullptr: must be rejected
};
struct spec_case {
    const char *input;
    const char *lo; // nullptr: must be rejected
    const char *hi;
};
} // namespace

TEST_CASE("fw::net parse_ip", "[net]") {
    SECTION("Valid") {
        auto c = GENERATE(values<ip_case>({
            {"192.0.2.1", "192.0.2.1"},
            {"0.0.0.0", "0.0.0.0"},
            {"255.255.255.255", "255.255.255.255"},
            {"::", "::"},
            {"::1", "::1"},
            {"1::", "1::"},
            {"2001:db8::1", "2001:db8::1"},
            {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
            {"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"},
            {"fe80::3680:dff:fe01:9e88", "fe80::3680:dff:fe01:9e88"},
            {"ff02::fb", "ff02::fb"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},       // a single zero group is not compressed
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},                // the longest run wins
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},          // the first run wins a tie
            {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},                 // '::' for one group parses
            {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
            {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
            {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
            {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
        }));
        CAPTURE(c.input);
        auto a = parse_ip(c.input);
        REQUIRE(a);
        CHECK(to_string(*a) == c.canonical);
        // Canonical text parses back to the same address.
        auto again = parse_ip(to_string(*a));
        REQUIRE(again);
        CHECK(*again == *a);
        // ABI round trip.
        CHECK(from_abi(to_abi(*a)) == *a);
    }
    SECTION("Invalid") {
        auto input = GENERATE(as<std::string>{}, "", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4",
                              "1..2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9",
                              "1:2:3:4:5:6:7", "12345::", "g::1", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:",
                              ":1", "[::1]", "fe80::1%eth0", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::256.1.1.1", "-");
        CAPTURE(input);
        CHECK_FALSE(parse_ip(input));
    }
    SECTION("Ordering sorts by family, then numerically") {
        CHECK(*parse_ip("10.0.0.2") < *parse_ip("10.0.0.10"));
        CHECK(*parse_ip("255.255.255.255") < *parse_ip("::"));
        CHECK(ip{} < *parse_ip("0.0.0.0"));
    }
    SECTION("ABI") {
        fw_addr raw{};
        raw.family = 7;
        CHECK(from_abi(raw).family == 0);
        CHECK(to_abi(ip{}).family == FW_AF_NONE);
        auto v4 = to_abi(*parse_ip("192.0.2.7"));
        CHECK(v4.family == FW_AF_INET);
        CHECK(v4.bytes[0] == 192);
        CHECK(v4.bytes[3] == 7);
        CHECK(v4.bytes[4] == 0);
    }
}

TEST_CASE("fw::net parse_ip_spec", "[net]") {
    SECTION("Valid") {
        auto c = GENERATE(values<spec_case>({
            {"192.0.2.1", "192.0.2.1", "192.0.2.1"},
            {"10.0.0.0/8", "10.0.0.0", "10.255.255.255"},
            {"10.1.2.3/8", "10.0.0.0", "10.255.255.255"},
            {"192.168.10.0/24", "192.168.10.0", "192.168.10.255"},
            {"192.168.10.0/255.255.255.0", "192.168.10.0", "192.168.10.255"},
            {"192.168.10.0/255.255.254.0", "192.168.10.0", "192.168.11.255"},
            {"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
            {"0.0.0.0/0.0.0.0", "0.0.0.0", "255.255.255.255"},
            {"192.0.2.9/32", "192.0.2.9", "192.0.2.9"},
            {"192.0.2.1-192.0.2.9", "192.0.2.1", "192.0.2.9"},
            {" 192.0.2.1 - 192.0.2.9 ", "192.0.2.1", "192.0.2.9"},
            {"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
            {"fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
            {"2001:db8::1/128", "2001:db8::1", "2001:db8::1"},
            {"::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
            {"2001:db8::1-2001:db8::ff", "2001:db8::1", "2001:db8::ff"},
            {"2001:db8::7/127", "2001:db8::6", "2001:db8::7"},
        }));
        CAPTURE(c.input);
        auto r = parse_ip_spec(c.input);
        REQUIRE(r);
        CHECK(to_string(r->lo) == c.lo);
        CHECK(to_string(r->hi) == c.hi);
    }
    SECTION("Invalid") {
        auto input = GENERATE(as<std::string>{}, "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08",
                              "10.0.0.0/255.0.255.0", "10.0.0.0/255.255.255.1", "10.0.0.0/1.2.3", "2001:db8::/129",
                              "2001:db8::/255.255.0.0", "10.0.0.9-10.0.0.1", "10.0.0.1-2001:db8::1", "10.0.0.1-",
                              "-10.0.0.1", "10.0.0.1-10.0.0.2-10.0.0.3", "2001:db8::ff-2001:db8::1", "localhost",
                              "10.0.0.0/8/8");
        CAPTURE(input);
        CHECK_FALSE(parse_ip_spec(input));
    }
    SECTION("contains") {
        auto net = *parse_ip_spec("192.168.10.0/24");
        CHECK(contains(net, *parse_ip("192.168.10.0")));
        CHECK(contains(net, *parse_ip("192.168.10.7")));
        CHECK(contains(net, *parse_ip("192.168.10.255")));
        CHECK_FALSE(contains(net, *parse_ip("192.168.11.0")));
        CHECK_FALSE(contains(net, *parse_ip("192.168.9.255")));
        CHECK_FALSE(contains(net, *parse_ip("::ffff:192.168.10.7"))); // families never mix
        CHECK_FALSE(contains(net, ip{}));
        auto v6 = *parse_ip_spec("fe80::/10");
        CHECK(contains(v6, *parse_ip("fe80::3680:dff:fe01:9e88")));
        CHECK_FALSE(contains(v6, *parse_ip("ff02::fb")));
        CHECK_FALSE(contains(v6, *parse_ip("10.0.0.1")));
        auto range = *parse_ip_spec("10.0.0.250-10.0.1.5");
        CHECK(contains(range, *parse_ip("10.0.0.255")));
        CHECK(contains(range, *parse_ip("10.0.1.0")));
        CHECK_FALSE(contains(range, *parse_ip("10.0.1.6")));
        CHECK(to_string(range) == "10.0.0.250-10.0.1.5");
        CHECK(to_string(*parse_ip_spec("10.0.0.1")) == "10.0.0.1");
    }
}

TEST_CASE("fw::net parse_port_spec", "[net]") {
    SECTION("Valid") {
        using row = std::tuple<std::string, int, int>;
        auto [input, lo, hi] = GENERATE(values<row>({
            {"443", 443, 443},
            {"0", 0, 0},
            {"65535", 65535, 65535},
            {"49152-65535", 49152, 65535},
            {" 1 - 2 ", 1, 2},
            {"80-80", 80, 80},
        }));
        CAPTURE(input);
        auto r = parse_port_spec(input);
        REQUIRE(r);
        CHECK(r->lo == lo);
        CHECK(r->hi == hi);
        CHECK(contains(*r, static_cast<std::uint32_t>(lo)));
        CHECK(contains(*r, static_cast<std::uint32_t>(hi)));
        CHECK_FALSE(contains(*r, static_cast<std::uint32_t>(hi) + 1));
    }
    SECTION("Invalid") {
        auto input = GENERATE(as<std::string>{}, "", "-", "65536", "99999999999", "-1", "1-", "-1-2", "2-1", "1-2-3",
                              "0x50", "80a", "+80", "080", "1,2", "RPC");
        CAPTURE(input);
        CHECK_FALSE(parse_port_spec(input));
    }
}

// Issue 12, finding 9: only what an admin means. inet_aton-style shorthand
// ("10.5", a 32-bit number, hex, octal), leading zeros, zones, brackets and
// trailing text are refused by every parser: plain addresses, address specs
// (rules, scopes, filters) and the log's fast IPv4 path.
TEST_CASE("fw::net strict address input (issue 12 finding 9)", "[net][strict]") {
    const char *const refused[] = {
        "10.5", "167772165", "0x0a000005", "0x0a.0.0.5", "012.0.0.5", "10.0.0.05", "10.0.5", "10.0.0.5.",
        "10.0.0.5.1", "10.0.0.256", "1e1.0.0.5", " 10.0.0.5x", "10.0.0.5;calc", "10.0.0.5'", "+10.0.0.5",
        "fe80::1%eth0'; calc", "fe80::1%eth0", "fe80::1%5", "fe80::1%", "[fe80::1]", "[::1]:80", "::ffff:10.5",
        "::ffff:167772165", "::ffff:010.0.0.5", "fe80::1 calc", "fe80::g", "1:2:3:4:5:6:7:8:9", "::1::",
        "2001:db8::1/129", "10.0.0.5/33", "10.0.0.5/08", "10.0.0.5/255.0.255.0", "10.5-10.6", "10.0.0.5-10.5",
        "fe80::1%eth0-fe80::2"};
    for (const char *s : refused) {
        INFO("'" << s << "'");
        CHECK_FALSE(parse_ip(s).has_value());
        CHECK_FALSE(parse_ip_spec(s).has_value());
        std::uint8_t quad[4];
        CHECK_FALSE(fw::log::parse_ipv4_quad(s, quad));
    }
    // What is meant still parses, IPv6 with an embedded dotted quad too.
    CHECK(to_string(*parse_ip("10.0.0.5")) == "10.0.0.5");
    CHECK(to_string(*parse_ip("::ffff:10.0.0.5")) == "::ffff:10.0.0.5");
    CHECK(to_string(*parse_ip("64:ff9b::192.0.2.33")) == "64:ff9b::c000:221");
    CHECK(to_string(*parse_ip("FE80::0001")) == "fe80::1");
    CHECK(parse_ip_spec(" 10.0.0.0/8 ").has_value()); // surrounding spaces in a list
    // A rule naming such an address is a diagnostic with the value and its position.
    fw::rules::ruleset rs;
    CHECK_FALSE(rs.add_or_report("loose", "v2.10|Action=Allow|Dir=In|RA4=10.5|", fw::rules::store::other));
    REQUIRE(rs.diagnostics().size() == 1);
    CHECK_THAT(rs.diagnostics()[0].message, Catch::Contains("10.5"));
    CHECK(rs.diagnostics()[0].column == 31);
    CHECK_FALSE(rs.add_or_report("zone", "v2.10|Action=Allow|Dir=In|RA6=fe80::1%eth0'; calc|", fw::rules::store::other));
    CHECK_THAT(rs.diagnostics()[1].message, Catch::Contains("fe80::1%eth0'; calc"));
}
