// Group Policy's AllowLocalPolicyMerge: local-store rules are not in force in the profiles where
// the policy turns merging off; Group Policy rules are. The rules stay listed; the verdict names them.
#include "rules/index.hpp"
#include "rules/match.hpp"
#include "rules_test_util.hpp"

#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

using namespace fw::rules;
using namespace fw::rules::test;

namespace {

constexpr const char *web = "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8443|Name=Web 8443|";
constexpr const char *web_two_profiles =
    "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8443|Profile=Private|Profile=Public|Name=Web PP|";

} // namespace

TEST_CASE("fw::rules merge: a local allow does not match where Group Policy does not merge local rules",
          "[rules][merge]") {
    ruleset rs;
    rs.add("local-web", web, store::local);
    rs.set_local_merge(FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE); // Public: AllowLocalPolicyMerge = 0

    SECTION("in the masked profile: not in force, the verdict names the rule and the setting") {
        auto ev = evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::no_matching_rule);
        CHECK(ev.explanation ==
              "No rule in force allows this flow: local rule 'Web 8443' would, but Group Policy does not merge local "
              "rules in the Public profile (AllowLocalPolicyMerge = 0); the profile's default inbound action "
              "applies. Add the rule to the Group Policy object, or allow local rules there.");
        auto *r = find(ev, rs, "local-web");
        REQUIRE(r != nullptr);
        CHECK(r->how == applies::no);
        CHECK(r->why == reason::local_not_merged);
        REQUIRE(!ev.deciding.empty());
        CHECK(ev.rules[ev.deciding.front()].index == r->index); // the verdict rests on it
        CHECK(match(rs[0], tcp_in(8443), FW_PROFILE_PUBLIC).text ==
              "Group Policy does not merge local rules in the Public profile (AllowLocalPolicyMerge = 0)");
        CHECK(std::string(reason_name(reason::local_not_merged)) == "LocalRuleNotMerged");
    }
    SECTION("in an unmasked profile the local rule matches") {
        auto ev = evaluate(rs, tcp_in(8443), FW_PROFILE_DOMAIN);
        CHECK(ev.result == verdict::allowed_by_rule);
        CHECK(find(ev, rs, "local-web")->how == applies::yes);
    }
    SECTION("a Group Policy allow for the same port matches in the masked profile") {
        rs.add("gpo-web", web, store::group_policy);
        auto ev = evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::allowed_by_rule);
        CHECK(find(ev, rs, "gpo-web")->how == applies::yes);
        CHECK(find(ev, rs, "local-web")->why == reason::local_not_merged);
        CHECK(ev.explanation.find("AllowLocalPolicyMerge") == std::string::npos); // allowed: nothing to add
    }
    SECTION("rules of other stores are never masked") {
        rs.add("file-web", web, store::file);
        rs.add("other-web", web, store::other);
        auto ev = evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::allowed_by_rule);
        CHECK(find(ev, rs, "file-web")->how == applies::yes);
        CHECK(find(ev, rs, "other-web")->how == applies::yes);
    }
    SECTION("the mask applies to rules added after it is set, and can be lifted") {
        rs.add("later", web, store::local);
        CHECK(rs[1].merged_profiles == (FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE));
        CHECK(evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC).result == verdict::no_matching_rule);
        rs.set_local_merge(FW_PROFILE_ALL);
        CHECK(evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC).result == verdict::allowed_by_rule);
    }
    SECTION("another port: an ordinary miss, not named") {
        auto ev = evaluate(rs, tcp_in(8080), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::no_matching_rule);
        CHECK(find(ev, rs, "local-web") == nullptr);
        CHECK(ev.explanation.find("Group Policy") == std::string::npos);
    }
    SECTION("the active profile unknown: it may apply, only on the merged profiles") {
        auto res = match(rs[0], tcp_in(8443), FW_PROFILE_UNKNOWN);
        CHECK(res.how == applies::maybe);
        CHECK(res.why == reason::profile_unknown);
        CHECK(res.text == "applies only on the Domain, Private profiles, where Group Policy merges local rules (the "
                          "active profile is unknown)");
        CHECK(evaluate(rs, tcp_in(8443), FW_PROFILE_UNKNOWN).result == verdict::undecidable);
    }
}

TEST_CASE("fw::rules merge: a rule for several profiles matches only in the merged ones", "[rules][merge]") {
    ruleset rs;
    rs.add("pp", web_two_profiles, store::local);
    rs.set_local_merge(FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE); // Public not merged

    CHECK(evaluate(rs, tcp_in(8443), FW_PROFILE_PRIVATE).result == verdict::allowed_by_rule);
    auto pub = evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC);
    CHECK(pub.result == verdict::no_matching_rule);
    CHECK(find(pub, rs, "pp")->why == reason::local_not_merged);
    // Domain is not one of the rule's profiles: that is the reason, whatever the merge setting.
    auto dom = evaluate(rs, tcp_in(8443), FW_PROFILE_DOMAIN);
    CHECK(dom.result == verdict::no_matching_rule);
    CHECK(find(dom, rs, "pp")->why == reason::other_profile);
    CHECK(dom.explanation.find("Group Policy") == std::string::npos);
    // Unknown profile: in force on Private only.
    CHECK(match(rs[0], tcp_in(8443), FW_PROFILE_UNKNOWN).text ==
          "applies only on the Private profile, where Group Policy merges local rules (the active profile is unknown)");

    SECTION("no merged profile of the rule left: not in force anywhere, even with the profile unknown") {
        rs.set_local_merge(FW_PROFILE_DOMAIN);
        auto res = match(rs[0], tcp_in(8443), FW_PROFILE_UNKNOWN);
        CHECK(res.how == applies::no);
        CHECK(res.why == reason::local_not_merged);
        CHECK(res.text ==
              "Group Policy does not merge local rules in the Private, Public profiles (AllowLocalPolicyMerge = 0)");
        CHECK(evaluate(rs, tcp_in(8443), FW_PROFILE_UNKNOWN).result == verdict::no_matching_rule);
    }
}

TEST_CASE("fw::rules merge: other verdicts keep their answer and add the note", "[rules][merge]") {
    ruleset rs;
    rs.add("local-web", web, store::local);
    rs.set_local_merge(FW_PROFILE_DOMAIN);

    SECTION("a block rule in force still decides") {
        rs.add("gpo-block", "v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=8443|Name=No 8443|",
               store::group_policy);
        auto ev = evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::blocked_by_rule);
        CHECK(ev.explanation == "Blocked by rule 'No 8443'.");
    }
    SECTION("a disabled Group Policy allow: AllowedByDisabledRule, and the local rule is named") {
        rs.add("gpo-off", "v2.10|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=8443|Name=GP 8443|",
               store::group_policy);
        auto ev = evaluate(rs, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::allowed_by_disabled_rule);
        CHECK(ev.explanation ==
              "Only the disabled rule 'GP 8443' would allow this flow; enable it to allow it. Local rule 'Web 8443' "
              "would allow it, but Group Policy does not merge local rules in the Public profile "
              "(AllowLocalPolicyMerge = 0).");
    }
    SECTION("a disabled local rule in a masked profile is a near miss, not a deciding rule") {
        ruleset off;
        off.add("local-off", "v2.10|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=8443|", store::local);
        off.set_local_merge(0);
        auto ev = evaluate(off, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::no_matching_rule);
        CHECK(ev.deciding.empty());
        REQUIRE(find(ev, off, "local-off") != nullptr);
        CHECK(find(ev, off, "local-off")->why == reason::local_not_merged);
    }
    SECTION("a program-scoped local rule for any port is not listed for every packet") {
        ruleset apps;
        apps.add("app", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=C:\\app.exe|", store::local);
        apps.set_local_merge(0);
        auto ev = evaluate(apps, tcp_in(8443), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::no_matching_rule);
        CHECK(ev.rules.empty());
    }
}

TEST_CASE("fw::rules merge: the index answers as the linear evaluator with masked local rules", "[rules][merge]") {
    // Random local and Group Policy rules, random merge masks: evaluator == evaluate().
    std::uint64_t state = 0x2545F4914F6CDD1Dull;
    auto next = [&]() {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        return state;
    };
    auto below = [&](std::uint64_t n) { return next() % n; };
    static const char *const actions[] = {"Allow", "Allow", "Allow", "Block"};
    static const char *const actives[] = {"Active=TRUE|", "Active=TRUE|", "Active=FALSE|"};
    static const char *const profiles[] = {"", "Profile=Domain|", "Profile=Private|Profile=Public|", "Profile=Public|"};
    static const char *const scopes[] = {"", "", "App=C:\\a.exe|", "RA4=10.0.0.0/8|"};
    std::size_t compared = 0, not_merged = 0, named = 0;
    for (int round = 0; round < 20; ++round) {
        ruleset rs;
        for (int i = 0; i < 60; ++i) {
            std::string s = std::string("v2.10|Action=") + actions[below(4)] + "|" + actives[below(3)] + "Dir=In|" +
                            (below(4) ? "Protocol=6|" : "") + profiles[below(4)];
            if (below(5)) s += "LPort=" + std::to_string(8000 + below(12)) + "|";
            s += scopes[below(4)];
            rs.add("r" + std::to_string(i), s, below(3) ? store::local : store::group_policy);
        }
        rs.set_local_merge(static_cast<std::uint8_t>(below(8)));
        evaluator ev(std::make_shared<const rule_index>(rs.rules()));
        for (int i = 0; i < 300; ++i) {
            auto p = tcp_in(static_cast<int>(8000 + below(14)));
            if (below(3) == 0) p.remote = *fw::net::parse_ip("10.1.2.3");
            const auto prof = static_cast<std::uint32_t>(below(8));
            INFO("round " << round << " packet " << i << " profiles " << prof);
            auto linear = evaluate(rs, p, prof);
            auto indexed = ev.evaluate_with_texts(p, prof);
            REQUIRE(linear.result == indexed.result);
            REQUIRE(linear.explanation == indexed.explanation);
            REQUIRE(linear.rules.size() == indexed.rules.size());
            for (std::size_t k = 0; k < linear.rules.size(); ++k) {
                REQUIRE(linear.rules[k].index == indexed.rules[k].index);
                REQUIRE(linear.rules[k].why == indexed.rules[k].why);
                REQUIRE(linear.texts[k] == indexed.texts[k]);
                if (linear.rules[k].why == reason::local_not_merged) ++not_merged;
            }
            REQUIRE(linear.deciding == indexed.deciding);
            if (linear.explanation.find("AllowLocalPolicyMerge") != std::string::npos) ++named;
            ++compared;
        }
    }
    CHECK(compared == 6000);
    CHECK(not_merged > 100); // the comparison does meet masked rules
    CHECK(named > 50);
}

TEST_CASE("fw::rules merge: C ABI", "[rules][merge][abi]") {
    fw_ruleset *rs = nullptr;
    REQUIRE(fw_ruleset_new(&rs) == FW_OK);
    std::unique_ptr<fw_ruleset, decltype(&fw_ruleset_free)> owned(rs, fw_ruleset_free);
    uint32_t mask = 99;
    REQUIRE(fw_ruleset_local_merge(rs, &mask) == FW_OK);
    CHECK(mask == FW_PROFILE_ALL);
    CHECK(fw_ruleset_set_local_merge(rs, 8) == FW_EINVALID);
    CHECK(fw_ruleset_set_local_merge(nullptr, 0) == FW_EINVALID);
    CHECK(fw_ruleset_local_merge(rs, nullptr) == FW_EINVALID);
    CHECK(fw_local_merge_read(nullptr) == FW_EINVALID);

    REQUIRE(fw_ruleset_add(rs, "local-web", web, FW_STORE_LOCAL) == FW_OK);
    fw_packet p{};
    p.direction = FW_DIR_INBOUND;
    p.protocol = 6;
    p.local_port = 8443;
    p.remote_port = 50000;
    p.icmp_type = p.icmp_code = -1;
    p.profiles = FW_PROFILE_PUBLIC;
    auto verdict_of = [&]() {
        fw_evaluation *ev = nullptr;
        REQUIRE(fw_ruleset_evaluate(&ev, rs, &p, 0) == FW_OK);
        fw_evaluation_info info{};
        REQUIRE(fw_evaluation_get(ev, &info) == FW_OK);
        int verdict = info.verdict;
        fw_rule_result r{};
        if (info.count > 0) {
            REQUIRE(fw_evaluation_rule(ev, 0, &r) == FW_OK);
            CHECK(std::string(fw_rule_reason_name(r.reason)) ==
                  (verdict == FW_VERDICT_ALLOWED_BY_RULE ? "Applies" : "LocalRuleNotMerged"));
        }
        fw_evaluation_free(ev);
        return verdict;
    };
    CHECK(verdict_of() == FW_VERDICT_ALLOWED_BY_RULE); // evaluated once: the index is built
    REQUIRE(fw_ruleset_set_local_merge(rs, FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE) == FW_OK);
    CHECK(verdict_of() == FW_VERDICT_NO_MATCHING_RULE); // the cached index was dropped
    REQUIRE(fw_ruleset_local_merge(rs, &mask) == FW_OK);
    CHECK(mask == (FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE));
    fw_rule_info info{};
    REQUIRE(fw_ruleset_get(rs, 0, &info) == FW_OK); // still listed
    CHECK(std::string(info.name) == "local-web");
    CHECK(std::string(fw_rule_reason_name(FW_REASON_LOCAL_NOT_MERGED)) == "LocalRuleNotMerged");
    CHECK(std::string(fw_rule_reason_name(FW_REASON_LOCAL_NOT_MERGED + 1)) == "Unknown");
}

TEST_CASE("fw::rules merge: AllowLocalPolicyMerge from a .reg export", "[rules][merge]") {
    auto write = [](const std::string &path, const std::string &text) {
        std::ofstream out(path, std::ios::binary);
        out << text;
    };
    const std::string path = "fw-merge-test.reg";
    const std::string header = "Windows Registry Editor Version 5.00\r\n\r\n";
    const std::string gp = "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall";
    uint32_t mask = 0;

    SECTION("absent: every profile merges") {
        write(path, header + gp + "\\DomainProfile]\r\n\"EnableFirewall\"=dword:00000001\r\n");
        REQUIRE(fw_local_merge_load_reg(path.c_str(), &mask) == FW_OK);
        CHECK(mask == FW_PROFILE_ALL);
    }
    SECTION("0 turns a profile off, 1 leaves it on; StandardProfile does not count; the local key neither") {
        write(path, header + gp + "\\PublicProfile]\r\n\"AllowLocalPolicyMerge\"=dword:00000000\r\n\r\n" + gp +
                        "\\DomainProfile]\r\n\"AllowLocalPolicyMerge\"=dword:00000001\r\n\r\n" + gp +
                        "\\StandardProfile]\r\n\"AllowLocalPolicyMerge\"=dword:00000000\r\n\r\n"
                        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\"
                        "FirewallPolicy\\PrivateProfile]\r\n\"AllowLocalPolicyMerge\"=dword:00000000\r\n");
        REQUIRE(fw_local_merge_load_reg(path.c_str(), &mask) == FW_OK);
        CHECK(mask == (FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE));
    }
    SECTION("a value of another type is not set") {
        write(path, header + gp + "\\PrivateProfile]\r\n\"AllowLocalPolicyMerge\"=\"0\"\r\n");
        REQUIRE(fw_local_merge_load_reg(path.c_str(), &mask) == FW_OK);
        CHECK(mask == FW_PROFILE_ALL);
    }
    SECTION("not a .reg export: FW_EFORMAT naming the file; the mask stays all") {
        write(path, "AllowLocalPolicyMerge=0\n");
        mask = 0;
        CHECK(fw_local_merge_load_reg(path.c_str(), &mask) == FW_EFORMAT);
        CHECK(mask == FW_PROFILE_ALL);
        CHECK(std::string(fw_error_last()->message).find(path) != std::string::npos);
    }
    std::remove(path.c_str());
    CHECK(fw_local_merge_load_reg("no-such-file.reg", &mask) == FW_ENOTFOUND);
#ifndef _WIN32
    CHECK(fw_local_merge_read(&mask) == FW_ENOTFOUND);
#endif
}
