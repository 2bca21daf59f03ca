// The matcher: one rule against a packet, and the verdict of a rule set.
#include "rules/match.hpp"
#include "rules_test_util.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fw::rules;
using namespace fw::rules::test;

namespace {

constexpr const char *rdp =
    "v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|Profile=Public|LPort=3389|"
    "App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|"
    "Desc=@FirewallAPI.dll,-28756|EmbedCtxt=@FirewallAPI.dll,-28752|";
constexpr const char *epmap = "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|Name=EPM|";
constexpr const char *ktmrm =
    "v2.22|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=RPC|App=%SystemRoot%\\system32\\svchost.exe|"
    "Svc=ktmrm|Name=@FirewallAPI.dll,-33511|Desc=@FirewallAPI.dll,-33512|EmbedCtxt=@FirewallAPI.dll,-33502|";

} // namespace

TEST_CASE("fw::rules match: single rules", "[rules][match]") {
    SECTION("a plain allow applies") {
        auto r = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|LPort=443|");
        auto res = match(r, tcp_in(443), FW_PROFILE_PUBLIC);
        CHECK(res.how == applies::yes);
        CHECK(res.why == reason::applies);
        CHECK(res.specific);
        auto other = match(r, tcp_in(8080), FW_PROFILE_PUBLIC);
        CHECK(other.how == applies::no);
        CHECK(other.why == reason::other_local_port);
        CHECK(other.text == "other local port (rule: 80,443)");
    }
    SECTION("direction, protocol") {
        auto r = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|");
        CHECK(match(r, tcp_in(53), 0).why == reason::other_direction);
        auto p = tcp_in(53);
        p.dir = FW_DIR_OUTBOUND;
        CHECK(match(r, p, 0).why == reason::other_protocol);
        p.protocol = 17;
        CHECK(match(r, p, 0).how == applies::yes);
    }
    SECTION("RPC-EPMap matches TCP 135 and 593, not UDP or 136") {
        auto r = parse_rule(epmap);
        CHECK(match(r, tcp_in(135), 0).how == applies::yes);
        CHECK(match(r, tcp_in(593), 0).how == applies::yes);
        CHECK(match(r, tcp_in(136), 0).how == applies::no);
        auto any_proto = parse_rule("v2.26|Action=Allow|Active=TRUE|Dir=In|LPort=RPC-EPMap|");
        auto udp = tcp_in(135);
        udp.protocol = 17;
        CHECK(match(any_proto, udp, 0).how == applies::no);
    }
    SECTION("RPC dynamic ports: maybe within 49152-65535, no below") {
        auto r = parse_rule("v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|");
        auto res = match(r, tcp_in(49154), 0);
        CHECK(res.how == applies::maybe);
        CHECK(res.why == reason::rpc_dynamic);
        CHECK(res.conditions == cond_rpc_dynamic);
        CHECK_THAT(res.text, Catch::Contains("RPC runtime handed out port 49154"));
        auto low = match(r, tcp_in(5000), 0);
        CHECK(low.how == applies::no);
        CHECK_THAT(low.text, Catch::Contains("unless the RPC port range was changed"));
    }
    SECTION("DHCP and mDNS port keywords are decidable") {
        auto r = parse_rule("v2.25|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort2_20=DHCP|LPort2_25=mDNS|");
        auto p = tcp_in(68);
        p.protocol = 17;
        CHECK(match(r, p, 0).how == applies::yes);
        p.local_port = 5353;
        CHECK(match(r, p, 0).how == applies::yes);
        p.local_port = 5354;
        CHECK(match(r, p, 0).how == applies::no);
    }
    SECTION("LocalSubnet is undecidable, with the reason") {
        auto r = parse_rule("v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=5355|RA4=LocalSubnet|");
        auto p = tcp_in(5355, "192.0.2.99");
        p.protocol = 17;
        auto res = match(r, p, 0);
        CHECK(res.how == applies::maybe);
        CHECK(res.why == reason::address_keyword);
        CHECK_THAT(res.text, Catch::Contains("LocalSubnet"));
        // RA4 only: IPv6 traffic is another address family, so the rule does not apply.
        auto v6 = tcp_in(5355, "2001:db8::7", "2001:db8::10");
        v6.protocol = 17;
        CHECK(match(r, v6, 0).why == reason::other_remote_address);
    }
    SECTION("address ranges decide") {
        auto r = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=In|RA4=198.51.100.0/24|RA6=2001:db8::/32|");
        CHECK(match(r, tcp_in(22, "198.51.100.200"), 0).how == applies::yes);
        CHECK(match(r, tcp_in(22, "203.0.113.1"), 0).why == reason::other_remote_address);
        CHECK(match(r, tcp_in(22, "2001:db8::5", "2001:db8::1"), 0).how == applies::yes);
        auto la = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=In|LA4=192.0.2.0-192.0.2.9|");
        CHECK(match(la, tcp_in(22), 0).how == applies::no); // local is 192.0.2.10
        CHECK(match(la, tcp_in(22), 0).why == reason::other_local_address);
    }
    SECTION("profiles: known, unknown") {
        auto r = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=22|");
        CHECK(match(r, tcp_in(22), FW_PROFILE_DOMAIN).how == applies::yes);
        CHECK(match(r, tcp_in(22), FW_PROFILE_PUBLIC).why == reason::other_profile);
        auto unknown = match(r, tcp_in(22), FW_PROFILE_UNKNOWN);
        CHECK(unknown.how == applies::maybe);
        CHECK(unknown.why == reason::profile_unknown);
        CHECK_THAT(unknown.text, Catch::Contains("Domain profile"));
    }
    SECTION("program, service, authentication, interface make it a maybe") {
        auto r = parse_rule(rdp);
        auto res = match(r, tcp_in(3389), 0);
        CHECK(res.how == applies::maybe);
        CHECK(res.why == reason::service);
        CHECK(res.conditions == (cond_service | cond_program));
        auto sec = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|Security=Authenticate|");
        CHECK(match(sec, tcp_in(445), 0).why == reason::authentication);
        auto wifi = parse_rule("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|IFType=Wireless|");
        CHECK(match(wifi, tcp_in(445), 0).why == reason::interface);
    }
    SECTION("ICMP type and code") {
        auto r = parse_rule("v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=1|ICMP4=8:*|ICMP4=3:4|");
        packet p;
        p.dir = FW_DIR_INBOUND;
        p.protocol = 1;
        p.local = ip("192.0.2.10");
        p.remote = ip("198.51.100.7");
        p.icmp_type = 8;
        p.icmp_code = 0;
        CHECK(match(r, p, 0).how == applies::yes);
        p.icmp_type = 3;
        p.icmp_code = 4;
        CHECK(match(r, p, 0).how == applies::yes);
        p.icmp_code = 3;
        CHECK(match(r, p, 0).why == reason::other_icmp);
    }
    SECTION("disabled rules say so") {
        auto r = parse_rule("v2.10|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=22|");
        auto res = match(r, tcp_in(22), 0);
        CHECK(res.how == applies::yes);
        CHECK_FALSE(res.enabled);
        CHECK(res.why == reason::disabled);
        auto absent = parse_rule("v2.10|Action=Allow|Dir=In|Protocol=6|LPort=22|"); // no Active: disabled
        CHECK(match(absent, tcp_in(22), 0).why == reason::disabled);
    }
}

TEST_CASE("fw::rules evaluate: verdicts", "[rules][match]") {
    ruleset rs;
    SECTION("block wins over allow") {
        rs.add("AllowSSH", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=22|Name=Allow SSH|", store::local);
        rs.add("BlockSSH", "v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=22|RA4=198.51.100.0/24|Name=Block SSH|",
               store::group_policy);
        auto ev = evaluate(rs, tcp_in(22), FW_PROFILE_PUBLIC);
        CHECK(ev.result == verdict::blocked_by_rule);
        CHECK_THAT(ev.explanation, Catch::Contains("'Block SSH'") && Catch::Contains("wins over allow rule 'Allow SSH'"));
        REQUIRE(ev.rules.size() == 2);
        CHECK(rs[ev.rules[0].index].name == "BlockSSH");
        REQUIRE(ev.deciding.size() == 1);
        CHECK(ev.deciding[0] == 0);
        // From another address the block does not apply: the allow does.
        auto other = evaluate(rs, tcp_in(22, "203.0.113.9"), FW_PROFILE_PUBLIC);
        CHECK(other.result == verdict::allowed_by_rule);
        const auto *b = find(other, rs, "BlockSSH");
        REQUIRE(b);
        CHECK(b->why == reason::other_remote_address); // a near miss, listed
    }
    SECTION("an authenticated bypass rule beats a block rule") {
        rs.add("BlockSMB", "v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=445|Name=Block SMB|", store::local);
        rs.add("BypassSMB",
               "v2.10|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=445|Security=Authenticate|Name=Admin SMB|",
               store::group_policy);
        auto ev = evaluate(rs, tcp_in(445), FW_PROFILE_DOMAIN);
        CHECK(ev.result == verdict::blocked_by_rule);
        CHECK(ev.explanation == "Blocked by rule 'Block SMB', unless the connection was IPsec-authenticated: then "
                                "bypass rule 'Admin SMB' overrides the block.");
        const auto *b = find(ev, rs, "BypassSMB");
        REQUIRE(b);
        CHECK(b->how == applies::maybe);
        CHECK(b->why == reason::authentication);
        // Without the block, the bypass rule alone depends on authentication: undecidable.
        ruleset only;
        only.add("BypassSMB",
                 "v2.10|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=445|Security=Authenticate|Name=Admin SMB|",
                 store::group_policy);
        auto u = evaluate(only, tcp_in(445), FW_PROFILE_DOMAIN);
        CHECK(u.result == verdict::undecidable);
        CHECK_THAT(u.explanation, Catch::Contains("IPsec-authenticated"));
    }
    SECTION("RDP scoped to svchost/termservice: allowed, but only for that service") {
        rs.add("RemoteDesktop-UserMode-In-TCP", rdp, store::local);
        auto ev = evaluate(rs, tcp_in(3389), 0);
        CHECK(ev.result == verdict::allowed_by_rule);
        CHECK(ev.explanation ==
              "Allowed by rule 'RemoteDesktop-UserMode-In-TCP', but only for service termservice: is the service "
              "running?");
    }
    SECTION("RPC dynamic port with only a disabled RPC rule") {
        rs.add("MSDTC-KTMRM-In-TCP", ktmrm, store::local);
        rs.add("EPM", epmap, store::local);
        auto ev = evaluate(rs, tcp_in(49154), 0);
        CHECK(ev.result == verdict::allowed_by_disabled_rule);
        CHECK_THAT(ev.explanation, Catch::Contains("disabled rule 'MSDTC-KTMRM-In-TCP'"));
        CHECK_THAT(ev.explanation, Catch::Contains("RPC runtime handed out port 49154"));
        auto ep = evaluate(rs, tcp_in(135), 0);
        CHECK(ep.result == verdict::allowed_by_rule);
        CHECK_THAT(ep.explanation, Catch::StartsWith("Allowed by rule 'EPM'"));
    }
    SECTION("an enabled RPC rule is undecidable for a dynamic port") {
        rs.add("Spooler-RPC", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|Name=Spooler RPC|",
               store::local);
        auto ev = evaluate(rs, tcp_in(49160), 0);
        CHECK(ev.result == verdict::undecidable);
        CHECK_THAT(ev.explanation, Catch::Contains("'Spooler RPC'") && Catch::Contains("RPC runtime"));
    }
    SECTION("LocalSubnet: undecidable") {
        rs.add("LLMNR", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=5355|RA4=LocalSubnet|RA6=LocalSubnet|",
               store::local);
        auto p = tcp_in(5355);
        p.protocol = 17;
        auto ev = evaluate(rs, p, FW_PROFILE_PRIVATE);
        CHECK(ev.result == verdict::undecidable);
        CHECK_THAT(ev.explanation, Catch::Contains("LocalSubnet"));
    }
    SECTION("profiles decide") {
        rs.add("SSH-Domain", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=22|", store::local);
        CHECK(evaluate(rs, tcp_in(22), FW_PROFILE_DOMAIN).result == verdict::allowed_by_rule);
        auto pub = evaluate(rs, tcp_in(22), FW_PROFILE_PUBLIC);
        CHECK(pub.result == verdict::no_matching_rule);
        REQUIRE(pub.rules.size() == 1);
        CHECK(pub.rules[0].why == reason::other_profile);
        auto unknown = evaluate(rs, tcp_in(22), FW_PROFILE_UNKNOWN);
        CHECK(unknown.result == verdict::undecidable);
        CHECK_THAT(unknown.explanation, Catch::Contains("only on the Domain profile"));
    }
    SECTION("no rule") {
        rs.add("Web", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|", store::local);
        rs.add("DNS-Out", "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|", store::local);
        auto ev = evaluate(rs, tcp_in(8080), 0);
        CHECK(ev.result == verdict::no_matching_rule);
        CHECK_THAT(ev.explanation, Catch::Contains("default inbound action"));
        // Web is for another port, DNS-Out for another direction: neither is listed...
        CHECK(ev.rules.empty());
        // ...unless every rule is asked for.
        auto all = evaluate(rs, tcp_in(8080), 0, detail::all);
        REQUIRE(all.rules.size() == 2);
        CHECK(all.rules[0].why == reason::other_local_port);
        CHECK(all.rules[1].why == reason::other_direction);
        // A rule for the port but another protocol is a near miss.
        rs.add("Alt-UDP", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=8080|", store::local);
        auto near = evaluate(rs, tcp_in(8080), 0);
        REQUIRE(near.rules.size() == 1);
        CHECK(near.rules[0].why == reason::other_protocol);
        CHECK(near.result == verdict::no_matching_rule);
    }
    SECTION("program-scoped rule for any port: undecidable, specific rules win") {
        rs.add("java", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=c:\\java.exe|Name=java.exe|", store::local);
        auto ev = evaluate(rs, tcp_in(8080), 0);
        CHECK(ev.result == verdict::undecidable);
        CHECK_THAT(ev.explanation, Catch::Contains("allows any port only for program c:\\java.exe"));
        rs.add("Old8080", "v2.10|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=8080|", store::local);
        CHECK(evaluate(rs, tcp_in(8080), 0).result == verdict::allowed_by_disabled_rule);
    }
    SECTION("a service-hardening block only blocks its service's traffic") {
        rs.add("WMP-Block",
               "V2.0|Action=Block|Dir=In|LPort=1-553,555-8553,8555-65535|Protocol=6|Active=TRUE|"
               "App=%PROGRAMFILES%\\Windows Media Player\\wmpnetwk.exe|Svc=WMPNetworkSvc|Name=WMP hardening|",
               store::local);
        rs.add("RemoteDesktop-UserMode-In-TCP", rdp, store::local);
        auto ev = evaluate(rs, tcp_in(3389), 0);
        CHECK(ev.result == verdict::allowed_by_rule);
        CHECK_THAT(ev.explanation, Catch::Contains("unless block rule 'WMP hardening' applies"));
        const auto *w = find(ev, rs, "WMP-Block");
        REQUIRE(w);
        CHECK(w->how == applies::maybe);
    }
}
