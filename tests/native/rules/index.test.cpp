// The rule index against the linear evaluator: same verdicts, same explanations,
// same relevant rules in the same order, on random rule sets and packets.
#include "rules/index.hpp"
#include "rules/match.hpp"
#include "xorshift.hpp" // native/bench: the generator the benchmarks use

#include <catch2/catch.hpp>
#include <fw/rules.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace fw::rules;

namespace {

using fw_bench::rng;

// Values both rules and packets draw from, so that they meet often.
const char *const v4_pool[] = {"10.0.0.1", "10.0.0.5", "10.1.2.3", "192.168.1.10", "192.168.1.255", "172.16.5.4",
                               "198.51.100.7", "0.0.0.0", "255.255.255.255"};
const char *const v6_pool[] = {"2001:db8::1", "2001:db8::5", "2001:db8:1::7", "fe80::1", "::1", "::ffff:10.0.0.5",
                               "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::"};
const int port_pool[] = {0, 1, 22, 67, 68, 80, 135, 443, 445, 553, 554, 593, 3389, 5353, 8080, 49151, 49152, 50000, 65535};

std::string port_spec(rng &r) {
    static const char *const keywords[] = {"RPC", "RPC-EPMap", "IPHTTPSIn", "IPHTTPSOut", "Teredo", "mDNS",
                                           "DHCP", "Ply2Disc", "CortanaOut", "TcpCDPSvc"};
    if (r.chance(20)) return r.pick(keywords);
    int a = r.pick(port_pool);
    if (r.chance(40)) {
        int b = r.pick(port_pool);
        if (b < a) std::swap(a, b);
        return std::to_string(a) + "-" + std::to_string(b);
    }
    return std::to_string(a);
}

std::string address_spec(rng &r, bool v6) {
    static const char *const keywords[] = {"LocalSubnet", "DNS", "DHCP", "WINS", "DefaultGateway", "IntrAnet",
                                           "IntErnet", "RmtIntrAnet", "Ply2Renders", "CaptivePortal"};
    if (r.chance(15)) return r.pick(keywords);
    if (v6) {
        std::string a = r.pick(v6_pool);
        switch (r.below(3)) {
        case 0: return a;
        case 1: return a + "/" + std::to_string(r.below(129));
        default: {
            std::string b = r.pick(v6_pool);
            return a < b ? a + "-" + b : b + "-" + a; // may be an invalid range: then the rule is dropped
        }
        }
    }
    std::string a = r.pick(v4_pool);
    switch (r.below(4)) {
    case 0: return a;
    case 1: return a + "/" + std::to_string(r.below(33));
    case 2: return a + "/255.255.255.0";
    default: return a + "-" + r.pick(v4_pool);
    }
}

std::string random_rule(rng &r) {
    std::string s = "v2.30|";
    static const char *const actions[] = {"Allow", "Block", "ByPass"};
    if (r.chance(90)) s += std::string("Action=") + r.pick(actions) + "|";
    if (r.chance(90)) s += r.chance(80) ? "Active=TRUE|" : "Active=FALSE|";
    if (r.chance(95)) s += r.chance(60) ? "Dir=In|" : "Dir=Out|";
    static const char *const protocols[] = {"6", "17", "1", "58", "47", "TCP"};
    if (r.chance(75)) s += std::string("Protocol=") + r.pick(protocols) + "|";
    static const char *const profiles[] = {"Domain", "Private", "Public"};
    for (int i = 0, n = static_cast<int>(r.below(3)); i < n; ++i) s += std::string("Profile=") + r.pick(profiles) + "|";
    for (int i = 0, n = r.chance(55) ? 1 + static_cast<int>(r.below(3)) : 0; i < n; ++i) s += "LPort=" + port_spec(r) + "|";
    for (int i = 0, n = r.chance(20) ? 1 + static_cast<int>(r.below(2)) : 0; i < n; ++i) s += "RPort=" + port_spec(r) + "|";
    for (int i = 0, n = r.chance(25) ? 1 + static_cast<int>(r.below(2)) : 0; i < n; ++i) s += "RA4=" + address_spec(r, false) + "|";
    for (int i = 0, n = r.chance(15) ? 1 : 0; i < n; ++i) s += "RA6=" + address_spec(r, true) + "|";
    for (int i = 0, n = r.chance(15) ? 1 : 0; i < n; ++i) s += "LA4=" + address_spec(r, false) + "|";
    for (int i = 0, n = r.chance(8) ? 1 : 0; i < n; ++i) s += "LA6=" + address_spec(r, true) + "|";
    if (r.chance(12)) {
        std::string code = r.chance(50) ? "*" : std::to_string(r.below(4));
        s += std::string(r.chance(50) ? "ICMP4=" : "ICMP6=") + std::to_string(r.below(12)) + ":" + code + "|";
    }
    if (r.chance(30)) s += "App=C:\\app" + std::to_string(r.below(5)) + ".exe|";
    if (r.chance(20)) s += r.chance(30) ? "Svc=*|" : "Svc=svc" + std::to_string(r.below(5)) + "|";
    if (r.chance(5)) s += "Security=Authenticate|";
    if (r.chance(4)) s += "IFType=Wireless|";
    if (r.chance(4)) s += "RMauth=O:LSD:(A;;CC;;;S-1-5-21)|";
    if (r.chance(3)) s += "AppPkgId=S-1-15-2-1|";
    s += "Name=r" + std::to_string(r.below(1000)) + "|";
    return s;
}

fw::net::ip address(rng &r, int family) {
    fw::net::ip a;
    if (family == 4) {
        if (r.chance(70)) return *fw::net::parse_ip(r.pick(v4_pool));
        a.family = 4;
        for (int i = 0; i < 4; ++i) a.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(r.below(256));
    } else if (family == 6) {
        if (r.chance(70)) return *fw::net::parse_ip(r.pick(v6_pool));
        a.family = 6;
        for (auto &b : a.bytes) b = static_cast<std::uint8_t>(r.below(256));
    }
    return a;
}

packet random_packet(rng &r) {
    packet p;
    static const int dirs[] = {FW_DIR_INBOUND, FW_DIR_INBOUND, FW_DIR_OUTBOUND, FW_DIR_ANY};
    p.dir = r.pick(dirs);
    static const int protocols[] = {6, 6, 17, 17, 1, 58, 47, -1};
    p.protocol = r.pick(protocols);
    int family = r.chance(70) ? 4 : r.chance(85) ? 6 : 0;
    p.local = address(r, r.chance(95) ? family : 0);
    p.remote = address(r, r.chance(95) ? family : 0);
    auto port = [&]() -> std::int32_t {
        if (r.chance(10)) return -1;
        return r.chance(70) ? r.pick(port_pool) : static_cast<std::int32_t>(r.below(65536));
    };
    if (p.protocol == 1 || p.protocol == 58) {
        p.icmp_type = static_cast<std::int16_t>(r.chance(90) ? r.below(12) : -1);
        p.icmp_code = static_cast<std::int16_t>(r.chance(80) ? r.below(4) : -1);
        if (r.chance(10)) p.local_port = port();
    } else {
        p.local_port = port();
        p.remote_port = port();
    }
    return p;
}

void require_same(const evaluation &linear, const evaluation &indexed, const ruleset &rs, const packet &p) {
    INFO("packet dir " << p.dir << " protocol " << p.protocol << " local " << fw::net::to_string(p.local) << ":"
                       << p.local_port << " remote " << fw::net::to_string(p.remote) << ":" << p.remote_port
                       << " icmp " << p.icmp_type << ":" << p.icmp_code);
    REQUIRE(verdict_name(indexed.result) == std::string(verdict_name(linear.result)));
    REQUIRE(indexed.explanation == linear.explanation);
    REQUIRE(indexed.rules.size() == linear.rules.size());
    REQUIRE(linear.texts.size() == linear.rules.size());
    REQUIRE(indexed.texts.size() == indexed.rules.size());
    for (std::size_t k = 0; k < linear.rules.size(); ++k) {
        const auto &a = linear.rules[k];
        const auto &b = indexed.rules[k];
        INFO("result " << k << ": rule " << rs[a.index].raw);
        REQUIRE(b.index == a.index);
        REQUIRE(b.how == a.how);
        REQUIRE(b.why == a.why);
        REQUIRE(b.conditions == a.conditions);
        REQUIRE(b.enabled == a.enabled);
        REQUIRE(b.specific == a.specific);
        REQUIRE(indexed.texts.at(k) == linear.texts.at(k));
    }
    REQUIRE(indexed.deciding == linear.deciding);
}

// A machine's shape: mostly rules the index sums up or classifies once per direction, protocol
// and profile (program- or service-scoped rules for any port, disabled service hardening, a
// single port condition of ranges or one keyword), mixed with general random rules.
std::string machine_rule(rng &r) {
    static const char *const actions[] = {"Allow", "Block", "ByPass"};
    static const char *const scopes[] = {"App=C:\\app1.exe|", "Svc=svc2|", "Svc=*|", "AppPkgId=S-1-15-2-1|",
                                         "LUOwn=S-1-5-21-1|", "App=C:\\app3.exe|Svc=svc3|", ""};
    static const char *const protocols[] = {"", "Protocol=6|", "Protocol=17|", "Protocol=1|", "Protocol=58|"};
    static const char *const profiles[] = {"", "Profile=Domain|", "Profile=Private|Profile=Public|", "Profile=Public|"};
    std::string s = "v2.30|Action=" + std::string(r.chance(70) ? "Allow" : r.pick(actions)) + "|";
    s += r.chance(60) ? "Active=TRUE|" : r.chance(50) ? "Active=FALSE|" : "";
    s += r.chance(75) ? "Dir=In|" : "Dir=Out|";
    s += r.pick(protocols);
    s += r.pick(profiles);
    switch (r.below(6)) {
    case 0: break; // any port: a flat rule
    case 1: s += "LPort=" + port_spec(r) + "|"; break;
    case 2: s += "RPort=" + port_spec(r) + "|"; break;
    case 3: s += "LPort=1-553,555-8553,8555-65535|"; break; // service hardening
    case 4: s += "LPort=" + port_spec(r) + "|RPort=" + port_spec(r) + "|"; break;
    default: s += "LPort=" + port_spec(r) + "|RA4=" + address_spec(r, false) + "|"; break;
    }
    s += r.pick(scopes);
    if (r.chance(5)) s += "Security=Authenticate|";
    if (r.chance(3)) s += "IFType=Wireless|";
    s += "Name=m" + std::to_string(r.below(1000)) + "|";
    return s;
}

ruleset random_ruleset(rng &r, std::size_t n) {
    ruleset rs;
    for (std::size_t i = 0; i < n; ++i)
        (void)rs.add_or_report("{r" + std::to_string(i) + "}", random_rule(r), store::local);
    return rs;
}

} // namespace

TEST_CASE("fw::rules index: the same answers as the linear evaluator on random rules and packets",
          "[rules][index]") {
    // Fixed seeds: a failure names the seed and the packet, and reproduces.
    const std::uint64_t seeds[] = {0x9e3779b97f4a7c15ull, 42, 7777, 0xdeadbeef, 123456789, 2, 3, 5, 8, 13};
    std::size_t compared = 0, listed = 0;
    for (auto seed : seeds) {
        rng r{seed};
        auto rs = random_ruleset(r, 30 + r.below(300));
        REQUIRE(rs.size() > 20); // most random rules parse
        evaluator ev(std::make_shared<const rule_index>(rs.rules()));
        for (int i = 0; i < 1500; ++i) {
            auto p = random_packet(r);
            std::uint32_t profiles = r.below(8);
            auto level = r.chance(5) ? detail::all : detail::relevant;
            INFO("seed " << seed << " packet " << i << " profiles " << profiles);
            auto linear = evaluate(rs, p, profiles, level);
            require_same(linear, ev.evaluate_with_texts(p, profiles, level), rs, p);
            listed += linear.rules.size();
            ++compared;
            // Asked again, the flow comes from the cache and is still the same.
            if (r.chance(10)) require_same(linear, ev.evaluate_with_texts(p, profiles, level), rs, p);
        }
    }
    CHECK(compared == 15000);
    CHECK(listed > compared); // the packets do meet rules
}

TEST_CASE("fw::rules index: every verdict occurs in the random comparison", "[rules][index]") {
    // Small sets, so that some packets meet no rule and some only a disabled one.
    std::size_t seen[5] = {};
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        rng r{seed * 2654435761u};
        auto rs = random_ruleset(r, 8 + r.below(25));
        evaluator ev(std::make_shared<const rule_index>(rs.rules()));
        for (int i = 0; i < 300; ++i) {
            auto p = random_packet(r);
            std::uint32_t profiles = r.below(8);
            auto linear = evaluate(rs, p, profiles);
            require_same(linear, ev.evaluate_with_texts(p, profiles), rs, p);
            ++seen[static_cast<int>(linear.result)];
        }
    }
    for (int v = 0; v < 5; ++v) {
        INFO(verdict_name(static_cast<verdict>(v)));
        CHECK(seen[v] > 0);
    }
}

TEST_CASE("fw::rules index: the flow cache is per evaluator and bounded", "[rules][index]") {
    ruleset rs;
    rs.add("a", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|Name=web|", store::local);
    rs.add("b", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|RA4=10.0.0.0/8|Name=ten|", store::local);
    auto index = std::make_shared<const rule_index>(rs.rules());
    evaluator first(index), second(index);
    packet p;
    p.protocol = 6;
    p.local_port = 443;
    p.remote = *fw::net::parse_ip("10.1.2.3");
    p.local = *fw::net::parse_ip("192.0.2.1");
    auto a = first.evaluate(p, FW_PROFILE_PUBLIC);
    CHECK(first.evaluate(p, FW_PROFILE_PUBLIC) == a); // the same flow: the cached answer
    CHECK(first.cached_flows() == 1);
    CHECK(second.cached_flows() == 0);
    CHECK(a->result == verdict::blocked_by_rule);
    p.remote = *fw::net::parse_ip("192.0.2.9");
    CHECK(first.evaluate(p, FW_PROFILE_PUBLIC)->result == verdict::allowed_by_rule);
    CHECK(first.cached_flows() == 2);
    // The index copied the rules: the set may grow (and reallocate) under it.
    for (int i = 0; i < 100; ++i) rs.add("x", "v2.30|Action=Allow|Dir=Out|Name=x|", store::local);
    CHECK(first.evaluate_with_texts(p, FW_PROFILE_PUBLIC).texts.front() == "applies");
}

TEST_CASE("fw::rules index: through the C ABI, answers equal the linear evaluator and follow added rules",
          "[rules][index][abi]") {
    rng r{99};
    ruleset reference;
    fw_ruleset *rs = nullptr;
    REQUIRE(fw_ruleset_new(&rs) == FW_OK);
    auto add = [&](const std::string &text) {
        if (reference.add_or_report("n", text, store::other))
            REQUIRE(fw_ruleset_add(rs, "n", text.c_str(), FW_STORE_OTHER) == FW_OK);
    };
    for (int round = 0; round < 4; ++round) {
        // Rules added between evaluations: the next evaluation sees them.
        for (int i = 0; i < 40; ++i) add(random_rule(r));
        for (int i = 0; i < 200; ++i) {
            auto p = random_packet(r);
            std::uint32_t profiles = r.below(8);
            auto linear = evaluate(reference, p, profiles);
            fw_packet fp{};
            fp.direction = p.dir;
            fp.protocol = p.protocol;
            fp.local = fw::net::to_abi(p.local);
            fp.remote = fw::net::to_abi(p.remote);
            fp.local_port = p.local_port;
            fp.remote_port = p.remote_port;
            fp.icmp_type = p.icmp_type;
            fp.icmp_code = p.icmp_code;
            fp.profiles = profiles;
            for (int again = 0; again < 2; ++again) { // the second time from the flow cache
                fw_evaluation *ev = nullptr;
                REQUIRE(fw_ruleset_evaluate(&ev, rs, &fp, 0) == FW_OK);
                fw_evaluation_info ei;
                REQUIRE(fw_evaluation_get(ev, &ei) == FW_OK);
                REQUIRE(ei.verdict == static_cast<int>(linear.result));
                REQUIRE(std::string(ei.explanation) == linear.explanation);
                REQUIRE(ei.count == linear.rules.size());
                for (std::size_t k = 0; k < ei.count; ++k) {
                    fw_rule_result rr;
                    REQUIRE(fw_evaluation_rule(ev, k, &rr) == FW_OK);
                    REQUIRE(rr.index == linear.rules[k].index);
                    REQUIRE(std::string(rr.text) == linear.texts.at(k));
                }
                fw_evaluation_free(ev);
            }
        }
    }
    fw_ruleset_free(rs);
}

TEST_CASE("fw::rules index: the same answers as the linear evaluator on machine-shaped rule sets",
          "[rules][index]") {
    // Hundreds of program-scoped any-port and disabled rules (summed up per direction, protocol
    // and profile) and single-port rules (classified once per direction, protocol and profile):
    // many packets of one direction, protocol and profile with other ports and addresses, so the
    // shared results are reused, each compared with the linear evaluator.
    std::size_t compared = 0, listed = 0;
    std::size_t seen[5] = {};
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        rng r{seed * 0x9e3779b97f4a7c15ull};
        ruleset rs;
        std::size_t n = 50 + r.below(400);
        for (std::size_t i = 0; i < n; ++i)
            (void)rs.add_or_report("{m" + std::to_string(i) + "}", r.chance(80) ? machine_rule(r) : random_rule(r),
                                   store::local);
        REQUIRE(rs.size() > n / 2);
        evaluator ev(std::make_shared<const rule_index>(rs.rules()));
        for (int i = 0; i < 1200; ++i) {
            auto p = random_packet(r);
            std::uint32_t profiles = r.below(8);
            INFO("seed " << seed << " packet " << i << " profiles " << profiles);
            auto linear = evaluate(rs, p, profiles);
            require_same(linear, ev.evaluate_with_texts(p, profiles), rs, p);
            listed += linear.rules.size();
            ++seen[static_cast<int>(linear.result)];
            ++compared;
        }
    }
    CHECK(compared == 12 * 1200);
    CHECK(listed > 5 * compared);
    for (int v = 0; v < 5; ++v) {
        INFO(verdict_name(static_cast<verdict>(v)));
        CHECK(seen[v] > 0);
    }
}
