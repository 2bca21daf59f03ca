// A NUL byte inside a rule (issue 12, finding 8): the raw text handed back
// through the C ABI would end at the NUL and no longer parse to the same rule,
// so such a rule is refused with a diagnostic naming it and the byte position.
#include "abi/error.hpp"
#include "rules/ruleset.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fw::rules;
using namespace std::string_literals;

namespace {

std::span<const std::byte> bytes(const std::string &s) {
    return {reinterpret_cast<const std::byte *>(s.data()), s.size()};
}

std::string utf16le(const std::string &ascii) {
    std::string out = "\xFF\xFE";
    for (char c : ascii) {
        out += c;
        out += '\0';
    }
    return out;
}

} // namespace

TEST_CASE("fw::rules NUL: a rule string with a NUL byte is refused with its position", "[rules][nul]") {
    ruleset rs;
    const auto text = "v2.10|Action=Allow|Name=a\0b|Dir=In|"s; // NUL at byte 26
    try {
        rs.add("web", text, store::other);
        FAIL("accepted a NUL byte");
    } catch (const fw::error &e) {
        CHECK(e.code() == FW_EFORMAT);
        CHECK(e.column() == 26);
        CHECK_THAT(std::string(e.what()), Catch::Contains("rule 'web'") && Catch::Contains("position 26") &&
                                              Catch::Contains("NUL"));
    }
    CHECK(rs.size() == 0);
    // At the very start and the very end too.
    CHECK_THROWS_AS(rs.add("x", "\0v2.10|"s, store::other), fw::error);
    CHECK_THROWS_AS(rs.add("x", "v2.10|Action=Block|\0"s, store::other), fw::error);
    // In the name: refused too (the name is handed back as a C string as well), shown as \0.
    try {
        rs.add("we\0b"s, "v2.10|Action=Allow|", store::other);
        FAIL("accepted a NUL byte in the name");
    } catch (const fw::error &e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("rule 'we\\0b'") && Catch::Contains("position 3"));
    }
    CHECK(rs.size() == 0);
    rs.add("ok", "v2.10|Action=Allow|Name=ab|", store::other);
    CHECK(rs.size() == 1);
}

TEST_CASE("fw::rules NUL: the text loader reports the line and loads the others", "[rules][nul]") {
    ruleset rs;
    const auto file = "v2.10|Action=Allow|Dir=In|Name=one|\n"
                      "two=v2.10|Action=Block|Name=t\0wo|\n"
                      "v2.10|Action=Allow|Dir=Out|Name=three|\n"s;
    CHECK(load_bytes(rs, bytes(file), store::file, "rules.txt") == 2);
    REQUIRE(rs.diagnostics().size() == 1);
    const auto &d = rs.diagnostics()[0];
    CHECK(d.name == "two");
    CHECK(d.line == 2);
    CHECK(d.column == 26); // a byte position in the rule string (after "two=")
    CHECK_THAT(d.message, Catch::Contains("rules.txt:2") && Catch::Contains("NUL"));
    for (const auto &r : rs.rules()) CHECK(r.raw.find('\0') == std::string::npos);
}

TEST_CASE("fw::rules NUL: the .reg loader reports the value and loads the others", "[rules][nul]") {
    ruleset rs;
    const auto reg = "Windows Registry Editor Version 5.00\r\n\r\n"
                     "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules]\r\n"
                     "\"good\"=\"v2.10|Action=Allow|Dir=In|Name=good|\"\r\n"
                     "\"bad\"=\"v2.10|Action=Allow|Dir=In|Name=b\0ad|\"\r\n"s;
    for (const auto &file : {reg, utf16le(reg)}) {
        ruleset set;
        CHECK(load_bytes(set, bytes(file), store::unspecified, "rules.reg") == 1);
        REQUIRE(set.diagnostics().size() == 1);
        CHECK(set.diagnostics()[0].name == "bad");
        CHECK(set.diagnostics()[0].column == 33);
        CHECK_THAT(set.diagnostics()[0].message, Catch::Contains("rule 'bad'") && Catch::Contains("NUL"));
        CHECK(set[0].name == "good");
    }
}
