// The registry readers: firewall rules from the FirewallRules keys through
// fw_ruleset_load_registry, and the log location from the firewall policy
// through fw_log_default_paths. The keys are created under HKLM for the test
// (wine allows it; on Windows run elevated) and deleted after it. A machine
// that already has them (a real configured Windows) is left alone: the
// test is skipped with a warning.
#include "win_test_util.hpp"

#include <fw/cursor.h>
#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace fw::wintest;

namespace {

const std::wstring local_rules =
    L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules";
const std::wstring policy_rules = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules";
const std::wstring local_policy = L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\";
const std::wstring gpo_policy = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\";

// The reference rule strings (one per line, '#' comments).
std::vector<std::string> reference_rules() {
    std::ifstream in(FW_TEST_DATA_DIR "/rules/reference-rules.txt", std::ios::binary);
    REQUIRE(in);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        out.push_back(line);
    }
    return out;
}

struct loaded {
    int rc = FW_OK;
    size_t added = 0;
    std::map<std::string, fw_rule_info> by_name;
    std::vector<fw_rule_diagnostic> diagnostics;
};

loaded load(fw_ruleset *rs, int store) {
    loaded l;
    l.rc = fw_ruleset_load_registry(rs, store, &l.added);
    fw_rule_info info{};
    for (size_t i = 0; fw_ruleset_get(rs, i, &info) == FW_OK; ++i) l.by_name[info.name] = info;
    fw_rule_diagnostic d{};
    for (size_t i = 0; fw_ruleset_diagnostic(rs, i, &d) == FW_OK; ++i) l.diagnostics.push_back(d);
    return l;
}

std::wstring rule_id(std::size_t i) { return L"{FW-TEST-" + std::to_wstring(1000 + i) + L"}"; }

std::wstring system_root() {
    wchar_t buf[MAX_PATH];
    const DWORD n = GetEnvironmentVariableW(L"SystemRoot", buf, MAX_PATH);
    REQUIRE(n > 0);
    REQUIRE(n < MAX_PATH);
    return std::wstring(buf, n);
}

// fw_log_default_paths as a list, checking the size protocol on the way.
std::vector<std::string> default_paths() {
    size_t needed = 0;
    size_t count = 0;
    REQUIRE(fw_log_default_paths(nullptr, 0, &needed, &count) == FW_EBUFS);
    std::string buf(needed, '\x7f');
    size_t needed2 = 0;
    size_t count2 = 0;
    REQUIRE(fw_log_default_paths(buf.data(), buf.size(), &needed2, &count2) == FW_OK);
    CHECK(needed2 == needed);
    CHECK(count2 == count);
    CHECK(buf.back() == '\0');
    std::vector<std::string> out;
    for (std::size_t at = 0; at < buf.size() && buf[at] != '\0';) {
        out.emplace_back(buf.c_str() + at);
        at += out.back().size() + 1;
    }
    CHECK(out.size() == count);
    return out;
}

bool any_firewall_keys() {
    return key_exists(gpo_policy.substr(0, gpo_policy.size() - 1)) ||
           key_exists(local_policy + L"DomainProfile") || key_exists(local_policy + L"StandardProfile") ||
           key_exists(local_policy + L"PublicProfile");
}

} // namespace

TEST_CASE("win: rules come back from the Local and Group Policy registry stores", "[win][registry][rules]") {
    if (key_exists(local_rules) || key_exists(policy_rules)) {
        WARN("this machine has firewall rules in the registry: left alone, test skipped");
        return;
    }
    const std::vector<std::string> rules = reference_rules();
    REQUIRE(rules.size() >= 10);

    fw_ruleset *rs = nullptr;
    REQUIRE(fw_ruleset_new(&rs) == FW_OK);
    SECTION("no key: nothing added, no error") {
        loaded l = load(rs, FW_STORE_LOCAL);
        CHECK(l.rc == FW_OK);
        CHECK(l.added == 0);
        CHECK(l.by_name.empty());
    }
    SECTION("the local store") {
        scratch_key key(local_rules);
        REQUIRE_FALSE(key.existed());
        for (std::size_t i = 0; i < rules.size(); ++i) key.set_string(rule_id(i).c_str(), widen(rules[i]));
        // Not rule strings: a DWORD is skipped; REG_EXPAND_SZ is still a string.
        key.set_dword(L"NotARule", 1);
        key.set_string(L"{FW-TEST-EXPAND}",
                       L"v2.10|Action=Block|Active=FALSE|Dir=Out|Protocol=17|RPort=53|App=%SystemRoot%\\x.exe|Name=Expand|",
                       REG_EXPAND_SZ);
        // A malformed one becomes a diagnostic; the rest load.
        key.set_string(L"{FW-TEST-BAD}", L"v2.10|Action=Maybe|Dir=In|");

        loaded l = load(rs, FW_STORE_LOCAL);
        CHECK(l.rc == FW_OK);
        CHECK(l.added == rules.size() + 1);
        REQUIRE(l.by_name.size() == rules.size() + 1);
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const std::string name = narrow(rule_id(i));
            INFO(name << " " << rules[i]);
            REQUIRE(l.by_name.count(name) == 1);
            const fw_rule_info &r = l.by_name.at(name);
            CHECK(std::string(r.raw) == rules[i]);
            CHECK(r.store == FW_STORE_LOCAL);
            CHECK(std::string(r.source) == narrow(L"HKLM\\" + local_rules));
        }
        const fw_rule_info &e = l.by_name.at("{FW-TEST-EXPAND}");
        CHECK(e.action == FW_RULE_BLOCK);
        CHECK(e.direction == FW_DIR_OUTBOUND);
        CHECK(std::string(e.program) == "%SystemRoot%\\x.exe"); // verbatim, not expanded
        CHECK((e.flags & FW_RULE_ENABLED) == 0);
        REQUIRE(l.diagnostics.size() == 1);
        CHECK(std::string(l.diagnostics[0].name) == "{FW-TEST-BAD}");
        CHECK(l.diagnostics[0].column > 0);

        // The same rule strings read from the text file agree field by field.
        fw_ruleset *from_file = nullptr;
        REQUIRE(fw_ruleset_new(&from_file) == FW_OK);
        size_t added = 0;
        REQUIRE(fw_ruleset_load_file(from_file, FW_TEST_DATA_DIR "/rules/reference-rules.txt", FW_STORE_FILE, &added) ==
                FW_OK);
        REQUIRE(added == rules.size());
        for (std::size_t i = 0; i < rules.size(); ++i) {
            fw_rule_info f{};
            REQUIRE(fw_ruleset_get(from_file, i, &f) == FW_OK);
            const fw_rule_info &r = l.by_name.at(narrow(rule_id(i)));
            INFO(rules[i]);
            CHECK(std::string(f.raw) == r.raw);
            CHECK(f.action == r.action);
            CHECK(f.direction == r.direction);
            CHECK(f.profiles == r.profiles);
            CHECK(std::string(f.local_ports) == r.local_ports);
            CHECK(std::string(f.remote_addresses) == r.remote_addresses);
            CHECK(std::string(f.program) == r.program);
        }
        fw_ruleset_free(from_file);

        key.remove();
        CHECK_FALSE(key_exists(local_rules));
    }
    SECTION("the Group Policy store, and one store does not read the other") {
        scratch_key key(policy_rules);
        REQUIRE_FALSE(key.existed());
        key.set_string(L"{FW-TEST-GPO}", widen(rules[0]));
        CHECK(load(rs, FW_STORE_LOCAL).added == 0);
        loaded l = load(rs, FW_STORE_GROUP_POLICY);
        CHECK(l.rc == FW_OK);
        CHECK(l.added == 1);
        REQUIRE(l.by_name.count("{FW-TEST-GPO}") == 1);
        CHECK(l.by_name.at("{FW-TEST-GPO}").store == FW_STORE_GROUP_POLICY);
        CHECK(std::string(l.by_name.at("{FW-TEST-GPO}").source) == narrow(L"HKLM\\" + policy_rules));
        key.remove();
        CHECK_FALSE(key_exists(policy_rules));
    }
    fw_ruleset_free(rs);
}

TEST_CASE("win: the log location comes from the firewall policy in the registry", "[win][registry][cursor]") {
    if (any_firewall_keys()) {
        WARN("this machine has firewall policy keys: left alone, test skipped");
        return;
    }
    const std::string root = narrow(system_root());
    const std::string fallback = root + "\\System32\\LogFiles\\Firewall\\pfirewall.log";

    SECTION("nothing configured: the default, %SystemRoot% expanded") {
        CHECK(default_paths() == std::vector<std::string>{fallback});
    }
    SECTION("local settings per profile, REG_EXPAND_SZ and REG_SZ, duplicates removed") {
        scratch_key domain(local_policy + L"DomainProfile\\Logging");
        domain.set_string(L"LogFilePath", L"%SystemRoot%\\System32\\LogFiles\\Firewall\\domain.log", REG_EXPAND_SZ);
        scratch_key standard(local_policy + L"StandardProfile\\Logging");
        standard.set_string(L"LogFilePath", L"D:\\Logs\\\u0416\u0443\u0440\u043d\u0430\u043b\\pfirewall.log");
        scratch_key pub(local_policy + L"PublicProfile\\Logging");
        pub.set_string(L"LogFilePath", L"d:\\logs\\\u0416\u0443\u0440\u043d\u0430\u043b\\PFIREWALL.LOG"); // same file, other case
        CHECK(default_paths() == std::vector<std::string>{
                                     root + "\\System32\\LogFiles\\Firewall\\domain.log",
                                     "D:\\Logs\\\xd0\x96\xd1\x83\xd1\x80\xd0\xbd\xd0\xb0\xd0\xbb\\pfirewall.log"});
    }
    SECTION("an empty or non-string value means not configured") {
        scratch_key domain(local_policy + L"DomainProfile\\Logging");
        domain.set_string(L"LogFilePath", L"");
        scratch_key pub(local_policy + L"PublicProfile\\Logging");
        pub.set_dword(L"LogFilePath", 5);
        CHECK(default_paths() == std::vector<std::string>{fallback});
    }
    SECTION("Group Policy wins; StandardProfile covers Private and Public unless either is split out") {
        scratch_key local_domain(local_policy + L"DomainProfile\\Logging");
        local_domain.set_string(L"LogFilePath", L"C:\\local\\domain.log");
        scratch_key gpo_standard(gpo_policy + L"StandardProfile\\Logging");
        gpo_standard.set_string(L"LogFilePath", L"%SystemRoot%\\gpo\\standard.log", REG_EXPAND_SZ);
        CHECK(default_paths() ==
              std::vector<std::string>{"C:\\local\\domain.log", root + "\\gpo\\standard.log"});

        scratch_key gpo_domain(gpo_policy + L"DomainProfile\\Logging");
        gpo_domain.set_string(L"LogFilePath", L"C:\\gpo\\domain.log");
        scratch_key gpo_public(gpo_policy + L"PublicProfile\\Logging");
        gpo_public.set_string(L"LogFilePath", L"C:\\gpo\\public.log");
        // PublicProfile exists: StandardProfile no longer applies; Private falls back to the local
        // StandardProfile (not set) and then the default.
        CHECK(default_paths() == std::vector<std::string>{"C:\\gpo\\domain.log", fallback, "C:\\gpo\\public.log"});
    }
    CHECK_FALSE(any_firewall_keys()); // every section cleaned up after itself
}

TEST_CASE("win: AllowLocalPolicyMerge comes from the Group Policy profile keys", "[win][registry][rules][merge]") {
    if (any_firewall_keys()) {
        WARN("this machine has firewall policy keys: left alone, test skipped");
        return;
    }
    auto merged = [] {
        uint32_t profiles = 0;
        REQUIRE(fw_local_merge_read(&profiles) == FW_OK);
        return profiles;
    };
    SECTION("no policy: local rules apply in every profile") { CHECK(merged() == FW_PROFILE_ALL); }
    SECTION("0 under PublicProfile takes Public out; 1 under DomainProfile keeps Domain; the local key and "
            "StandardProfile do not count") {
        scratch_key pub(gpo_policy + L"PublicProfile");
        pub.set_dword(L"AllowLocalPolicyMerge", 0);
        scratch_key domain(gpo_policy + L"DomainProfile");
        domain.set_dword(L"AllowLocalPolicyMerge", 1);
        scratch_key standard(gpo_policy + L"StandardProfile");
        standard.set_dword(L"AllowLocalPolicyMerge", 0);
        scratch_key local_private(local_policy + L"PrivateProfile");
        local_private.set_dword(L"AllowLocalPolicyMerge", 0);
        CHECK(merged() == (FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE));
    }
    SECTION("a string value is not the setting") {
        scratch_key priv(gpo_policy + L"PrivateProfile");
        priv.set_string(L"AllowLocalPolicyMerge", L"0");
        CHECK(merged() == FW_PROFILE_ALL);
    }
    CHECK_FALSE(any_firewall_keys());
}
