// Loading rules: .reg exports (UTF-16LE, escapes), text files, bad rules as
// diagnostics, and the C ABI over it.
#include "abi/error.hpp"
#include "rules/ruleset.hpp"

#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using namespace fw::rules;

namespace {

std::string utf16le_with_bom(std::string_view ascii_or_utf8) {
    // Only ASCII and the two-byte range are needed here.
    std::string out = "\xFF\xFE";
    for (std::size_t i = 0; i < ascii_or_utf8.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(ascii_or_utf8[i]);
        unsigned cp = c;
        if ((c & 0xE0) == 0xC0 && i + 1 < ascii_or_utf8.size()) {
            cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(ascii_or_utf8[++i]) & 0x3Fu);
        }
        out += static_cast<char>(cp & 0xFF);
        out += static_cast<char>(cp >> 8);
    }
    return out;
}

std::span<const std::byte> bytes(const std::string &s) { return std::as_bytes(std::span<const char>(s)); }

constexpr const char *reg_export =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules]\r\n"
    "\"RemoteDesktop-UserMode-In-TCP\"=\"v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|"
    "App=%SystemRoot%\\\\system32\\\\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|\"\r\n"
    "\"{0A1B2C3D-0000-4000-8000-000000000001}\"=\"v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|"
    "App=c:\\\\program files\\\\caf\xC3\xA9\\\\srv.exe|Name=Say \\\"hi\\\"|\"\r\n"
    "\"Broken\"=\"v2.10|Action=Permit|\"\r\n"
    "\"Epoch\"=dword:00000010\r\n"
    "\"Blob\"=hex:01,02,03,\\\r\n"
    "  04,05\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules]\r\n"
    "\"{F7EE5C6D-6C90-456B-9166-E301B1305A56}\"=\"v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=23|\"\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile]\r\n"
    "\"EnableFirewall\"=dword:00000001\r\n"
    "\"Note\"=\"not a rule\"\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\RestrictedServices\\Configurable\\System]\r\n"
    "\"DHCPServer-1\"=\"V2.0|Action=Block|Dir=In|App=%SystemRoot%\\\\system32\\\\svchost.exe|Svc=DHCPServer|\"\r\n";

} // namespace

TEST_CASE("fw::rules load: .reg export in UTF-16LE", "[rules][load]") {
    ruleset rs;
    auto file = utf16le_with_bom(reg_export);
    auto n = load_bytes(rs, bytes(file), store::unspecified, "rules.reg");
    CHECK(n == 4);
    REQUIRE(rs.size() == 4);
    CHECK(rs[0].name == "RemoteDesktop-UserMode-In-TCP");
    CHECK(rs[0].app == "%SystemRoot%\\system32\\svchost.exe"); // .reg escapes undone
    CHECK(rs[0].origin == store::local);
    CHECK(rs[0].line == 4);
    CHECK(rs[1].app == "c:\\program files\\caf\xC3\xA9\\srv.exe"); // UTF-16 -> UTF-8
    CHECK(rs[1].display_name == "Say \"hi\"");
    CHECK(rs[2].origin == store::group_policy);
    CHECK(rs[2].act == action::block);
    CHECK(rs[3].name == "DHCPServer-1"); // service hardening, outside a FirewallRules key
    CHECK(rs[3].svc == "DHCPServer");
    CHECK(rs[3].origin == store::file);
    REQUIRE(rs.diagnostics().size() == 1);
    const auto &d = rs.diagnostics()[0];
    CHECK(d.name == "Broken");
    CHECK(d.source == "rules.reg");
    CHECK(d.line == 6);
    CHECK(d.column == 14);
    CHECK_THAT(d.message, Catch::Contains("rule 'Broken'") && Catch::Contains("Action must be"));
}

TEST_CASE("fw::rules load: the same export as UTF-8 with an explicit store", "[rules][load]") {
    ruleset rs;
    std::string file = reg_export;
    CHECK(load_bytes(rs, bytes(file), store::file, "x.reg") == 4);
    for (const auto &r : rs.rules()) CHECK(r.origin == store::file);
}

TEST_CASE("fw::rules load: plain text", "[rules][load]") {
    ruleset rs;
    std::string text = "# exported rules\n"
                       "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|\n"
                       "\n"
                       "WebTLS=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|\r\n"
                       "; another comment\n"
                       "Bad=v2.10|LPort=x|\n"
                       "  V2.0|Action=Block|Dir=out|Svc==Foo|  \n";
    CHECK(load_bytes(rs, bytes(text), store::unspecified, "/tmp/rules.txt") == 3);
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].name == "rules.txt:2");
    CHECK(rs[0].origin == store::file);
    CHECK(rs[1].name == "WebTLS");
    CHECK(rs[1].line == 4);
    CHECK(rs[2].svc == "Foo");
    REQUIRE(rs.diagnostics().size() == 1);
    CHECK(rs.diagnostics()[0].name == "Bad");
    CHECK(rs.diagnostics()[0].line == 6);
    CHECK(rs.diagnostics()[0].column == 13);
}

TEST_CASE("fw::rules load: reg text parsing details", "[rules][load]") {
    std::vector<reg_problem> problems;
    auto values = parse_reg_text("Windows Registry Editor Version 5.00\n[K]\n\"a\\\"b\"=\"x\\\\y\"\n\"open\"=\"abc\n"
                                 "junk line\n[-K2]\n",
                                 &problems);
    REQUIRE(values.size() == 1);
    CHECK(values[0].name == "a\"b");
    CHECK(values[0].data == "x\\y");
    CHECK(problems.size() == 2);
}

TEST_CASE("fw::rules load: files and the registry", "[rules][load]") {
    ruleset rs;
    auto dir = std::filesystem::temp_directory_path() / "fw-rules-test";
    std::filesystem::create_directories(dir);
    auto path = dir / "export.reg";
    {
        std::ofstream out(path, std::ios::binary);
        out << utf16le_with_bom(reg_export);
    }
    CHECK(load_file(rs, path.string(), store::unspecified) == 4);
    CHECK(rs[0].source == path.string());
    try {
        load_file(rs, (dir / "missing.reg").string(), store::unspecified);
        FAIL("no error");
    } catch (const fw::error &e) {
        CHECK(e.code() == FW_ENOTFOUND);
    }
#ifndef _WIN32
    try {
        load_registry(rs, store::local);
        FAIL("no error");
    } catch (const fw::error &e) {
        CHECK(e.code() == FW_ENOTFOUND);
        CHECK_THAT(std::string(e.what()), Catch::Contains("registry"));
    }
#endif
    std::filesystem::remove_all(dir);
}

TEST_CASE("fw::rules C ABI", "[rules][abi]") {
    fw_ruleset *rs = nullptr;
    REQUIRE(fw_ruleset_new(&rs) == FW_OK);
    REQUIRE(rs != nullptr);

    SECTION("add, get, evaluate") {
        REQUIRE(fw_ruleset_add(rs, "RemoteDesktop-UserMode-In-TCP",
                               "v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|"
                               "LPort=3389|App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|"
                               "Name=@FirewallAPI.dll,-28775|EmbedCtxt=@FirewallAPI.dll,-28752|X=1|",
                               FW_STORE_LOCAL) == FW_OK);
        CHECK(fw_ruleset_count(rs) == 1);
        fw_rule_info info;
        REQUIRE(fw_ruleset_get(rs, 0, &info) == FW_OK);
        CHECK(std::string(info.name) == "RemoteDesktop-UserMode-In-TCP");
        CHECK(std::string(info.display_name) == "@FirewallAPI.dll,-28775");
        CHECK((info.flags & FW_RULE_NAME_INDIRECT) != 0);
        CHECK((info.flags & FW_RULE_GROUP_INDIRECT) != 0);
        CHECK((info.flags & FW_RULE_DESC_INDIRECT) == 0);
        CHECK((info.flags & FW_RULE_ENABLED) != 0);
        CHECK(std::string(info.protocol) == "TCP");
        CHECK(std::string(info.local_ports) == "3389");
        CHECK(std::string(info.remote_ports) == "Any");
        CHECK(std::string(info.remote_addresses) == "Any");
        CHECK(std::string(info.service) == "termservice");
        CHECK(std::string(info.unknown_tokens) == "X=1");
        CHECK(info.profiles == (FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE));
        CHECK(info.direction == FW_DIR_INBOUND);
        CHECK(info.action == FW_RULE_ALLOW);
        CHECK(info.store == FW_STORE_LOCAL);
        CHECK(info.version_minor == 22);
        const char *kept = info.name;
        // Borrowed pointers survive more rules being added.
        for (int i = 0; i < 100; ++i)
            REQUIRE(fw_ruleset_add(rs, "more", "v2.10|Action=Block|Dir=Out|", FW_STORE_OTHER) == FW_OK);
        CHECK(std::string(kept) == "RemoteDesktop-UserMode-In-TCP");
        CHECK(fw_ruleset_get(rs, 101, &info) == FW_ITEROVER);

        fw_packet p{};
        p.direction = FW_DIR_INBOUND;
        p.protocol = 6;
        p.local.family = FW_AF_INET;
        p.local.bytes[0] = 192, p.local.bytes[1] = 0, p.local.bytes[2] = 2, p.local.bytes[3] = 10;
        p.remote.family = FW_AF_INET;
        p.remote.bytes[0] = 198, p.remote.bytes[1] = 51, p.remote.bytes[2] = 100, p.remote.bytes[3] = 7;
        p.local_port = 3389;
        p.remote_port = 50000;
        p.icmp_type = p.icmp_code = -1;
        p.profiles = FW_PROFILE_PRIVATE;
        fw_evaluation *ev = nullptr;
        REQUIRE(fw_ruleset_evaluate(&ev, rs, &p, 0) == FW_OK);
        fw_evaluation_info ei;
        REQUIRE(fw_evaluation_get(ev, &ei) == FW_OK);
        CHECK(ei.verdict == FW_VERDICT_ALLOWED_BY_RULE);
        CHECK(std::string(fw_verdict_name(ei.verdict)) == "AllowedByRule");
        CHECK_THAT(std::string(ei.explanation), Catch::Contains("only for service termservice"));
        REQUIRE(ei.count >= 1);
        fw_rule_result rr;
        REQUIRE(fw_evaluation_rule(ev, 0, &rr) == FW_OK);
        CHECK(rr.index == 0);
        CHECK(rr.deciding == 1);
        CHECK(rr.applies == FW_APPLIES_MAYBE);
        CHECK(rr.reason == FW_REASON_SERVICE);
        CHECK(std::string(fw_rule_reason_name(rr.reason)) == "ScopedToService");
        CHECK((rr.conditions & FW_COND_SERVICE) != 0);
        CHECK(fw_evaluation_rule(ev, ei.count, &rr) == FW_ITEROVER);
        fw_evaluation_free(ev);

        p.profiles = 8;
        CHECK(fw_ruleset_evaluate(&ev, rs, &p, 0) == FW_EINVALID);
        CHECK(ev == nullptr);
    }
    SECTION("bad strings report the position; bad arguments are refused") {
        CHECK(fw_ruleset_add(rs, "Bad", "v2.10|Action=Allow|Dir=Sideways|", FW_STORE_OTHER) == FW_EFORMAT);
        const fw_error *e = fw_error_last();
        CHECK(e->code == FW_EFORMAT);
        CHECK(e->column == 24);
        CHECK_THAT(std::string(e->message), Catch::Contains("rule 'Bad'"));
        CHECK(fw_ruleset_count(rs) == 0);
        CHECK(fw_ruleset_add(rs, "x", nullptr, FW_STORE_OTHER) == FW_EINVALID);
        CHECK(fw_ruleset_add(rs, "x", "v2.10|", 99) == FW_EINVALID);
        CHECK(fw_ruleset_add(nullptr, "x", "v2.10|", FW_STORE_OTHER) == FW_EINVALID);
        CHECK(fw_ruleset_load_file(rs, "/nonexistent/fw/rules.reg", FW_STORE_UNSPECIFIED, nullptr) == FW_ENOTFOUND);
        size_t added = 7;
        CHECK(fw_ruleset_load_registry(rs, FW_STORE_FILE, &added) == FW_EINVALID);
        CHECK(added == 0);
#ifndef _WIN32
        CHECK(fw_ruleset_load_registry(rs, FW_STORE_LOCAL, &added) == FW_ENOTFOUND);
#endif
        fw_rule_diagnostic d;
        CHECK(fw_ruleset_diagnostic(rs, 0, &d) == FW_ITEROVER);
        CHECK(fw_ruleset_get(nullptr, 0, nullptr) == FW_EINVALID);
    }
    fw_ruleset_free(rs);
    fw_ruleset_free(nullptr);
    fw_evaluation_free(nullptr);
}
