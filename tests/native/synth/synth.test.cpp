#include "synth/synth.hpp"

#include "abi/error.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace fw::synth;
namespace net = fw::net;

namespace {

fw_addr addr(const char *text) {
    auto a = net::parse_ip(text);
    REQUIRE(a);
    return net::to_abi(*a);
}

// An inbound drop from remote to this machine's local port.
drop in(const char *remote, int proto, int local_port, std::int64_t t = 1000) {
    drop d{};
    d.time = t;
    d.local = addr("192.0.2.1");
    d.remote = addr(remote);
    d.local_port = local_port;
    d.remote_port = 50000;
    d.protocol = static_cast<std::int16_t>(proto);
    d.icmp_type = -1;
    d.direction = FW_DIR_INBOUND;
    return d;
}

drop out(const char *remote, int proto, int remote_port, std::int64_t t = 1000) {
    drop d = in(remote, proto, 50001, t);
    d.direction = FW_DIR_OUTBOUND;
    d.remote_port = remote_port;
    return d;
}

options with_scope(std::initializer_list<const char *> entries) {
    options o;
    for (auto e : entries) o.scope.push_back(parse_scope_entry(e));
    return o;
}

const candidate *find(const std::vector<candidate> &cs, fw_synth_status status, const std::string &port) {
    for (const auto &c : cs)
        if (c.status == status && c.port_text == port) return &c;
    return nullptr;
}

} // namespace

TEST_CASE("fw::synth grouping", "[synth]") {
    synthesizer s{options{}};
    std::vector<drop> drops{
        in("198.51.100.7", 6, 49154, 1000), in("198.51.100.7", 6, 49154, 900), in("198.51.100.9", 6, 49154, 1100),
        in("198.51.100.7", 17, 49154, 1000), // other protocol
        in("198.51.100.7", 6, 445, 1000),    // other port
        out("203.0.113.5", 6, 443, 1000),    // outbound: grouped by the remote port
        out("203.0.113.6", 6, 443, 1200),
    };
    s.add(drops.data(), drops.size());
    const auto &cs = s.run();
    REQUIRE(cs.size() == 4);

    SECTION("inbound TCP 49154: hits, first/last seen, exact remote set") {
        auto it = std::find_if(cs.begin(), cs.end(), [](const candidate &c) {
            return c.direction == FW_DIR_INBOUND && c.protocol == 6 && c.port_text == "49154";
        });
        REQUIRE(it != cs.end());
        CHECK(it->status == FW_SYNTH_NEW);
        CHECK(it->hits == 3);
        CHECK(it->first_seen == 900);
        CHECK(it->last_seen == 1100);
        CHECK(it->remote_address == "198.51.100.7,198.51.100.9");
        CHECK(it->remote_seen == "198.51.100.7,198.51.100.9");
        CHECK(it->remotes_seen.size() == 2);
        CHECK(it->protocol_text == "TCP");
        CHECK((it->flags & FW_SYNTH_FLAG_DYNAMIC_RPC) != 0);
        CHECK(it->rule_string == "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|RA4=198.51.100.7|"
                                 "RA4=198.51.100.9|Name=" + it->name + "|");
    }
    SECTION("outbound: the remote port is the service port") {
        auto it = std::find_if(cs.begin(), cs.end(), [](const candidate &c) { return c.direction == FW_DIR_OUTBOUND; });
        REQUIRE(it != cs.end());
        CHECK(it->port_text == "443");
        CHECK(it->hits == 2);
        CHECK(it->remote_address == "203.0.113.5-203.0.113.6"); // consecutive addresses: an exact range
        CHECK((it->flags & FW_SYNTH_FLAG_DYNAMIC_RPC) == 0);
        CHECK(it->rule_string.find("|Dir=Out|Protocol=6|RPort=443|RA4=203.0.113.5-203.0.113.6|") != std::string::npos);
    }
    SECTION("UDP in the dynamic range is not an RPC port; 445 is not dynamic") {
        auto udp = std::find_if(cs.begin(), cs.end(), [](const candidate &c) { return c.protocol == 17; });
        REQUIRE(udp != cs.end());
        CHECK((udp->flags & FW_SYNTH_FLAG_DYNAMIC_RPC) == 0);
        CHECK(udp->protocol_text == "UDP");
        const auto *smb = find(cs, FW_SYNTH_NEW, "445");
        REQUIRE(smb);
        CHECK((smb->flags & FW_SYNTH_FLAG_DYNAMIC_RPC) == 0);
    }
    SECTION("never Any without a scope") {
        for (const auto &c : cs) CHECK(c.remote_address != "Any");
    }
}

TEST_CASE("fw::synth ICMP, IPv6 and times", "[synth]") {
    synthesizer s{options{}};
    drop echo = in("198.51.100.7", 1, -1);
    echo.icmp_type = 8;
    drop echo6 = in("2001:db8::5", 58, -1);
    echo6.icmp_type = 128;
    drop gre = in("2001:db8::5", 47, -1, FW_NO_TIME);
    std::vector<drop> drops{echo, echo6, gre};
    s.add(drops.data(), drops.size());
    const auto &cs = s.run();
    REQUIRE(cs.size() == 3);
    for (const auto &c : cs) {
        CAPTURE(c.name);
        CHECK(c.port_text.empty());
        if (c.protocol == 1) {
            CHECK(c.icmp_text == "8");
            CHECK(c.protocol_text == "ICMPv4");
            CHECK(c.rule_string.find("|Protocol=1|ICMP4=8:*|RA4=198.51.100.7|") != std::string::npos);
        } else if (c.protocol == 58) {
            CHECK(c.icmp_text == "128");
            CHECK(c.rule_string.find("|ICMP6=128:*|RA6=2001:db8::5|") != std::string::npos);
        } else {
            CHECK(c.protocol_text == "47");
            CHECK(c.first_seen == FW_NO_TIME);
            CHECK(c.last_seen == FW_NO_TIME);
            CHECK(c.remote_address == "2001:db8::5");
        }
    }
}

TEST_CASE("fw::synth scope", "[synth]") {
    SECTION("Director scenario: inside the subnet becomes a rule scoped to the subnet, outside is OutOfScope") {
        auto o = with_scope({"192.168.10.0/24"});
        o.profile = FW_PROFILE_DOMAIN;
        synthesizer s{std::move(o)};
        std::vector<drop> drops{in("192.168.10.21", 6, 49154, 10), in("192.168.10.22", 6, 49154, 20),
                                in("192.168.10.21", 6, 49154, 30), in("10.9.9.9", 6, 49154, 40)};
        s.add(drops.data(), drops.size());
        const auto &cs = s.run();
        REQUIRE(cs.size() == 2);
        const auto *rule = find(cs, FW_SYNTH_NEW, "49154");
        REQUIRE(rule);
        CHECK(rule->remote_address == "192.168.10.0/24");
        CHECK(rule->remote_seen == "192.168.10.21-192.168.10.22");
        CHECK(rule->hits == 3);
        CHECK(rule->first_seen == 10);
        CHECK(rule->last_seen == 30);
        CHECK(rule->profile == FW_PROFILE_DOMAIN);
        CHECK((rule->flags & FW_SYNTH_FLAG_PARTIAL) != 0);
        CHECK(rule->rule_string == "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=49154|"
                                   "RA4=192.168.10.0/24|Name=" + rule->name + "|");
        const auto *oos = find(cs, FW_SYNTH_OUT_OF_SCOPE, "49154");
        REQUIRE(oos);
        CHECK(oos->hits == 1);
        CHECK(oos->remote_seen == "10.9.9.9");
        CHECK(oos->remote_address.empty());
        CHECK(oos->rule_string.empty());
    }
    SECTION("the narrowest entry wins and only matched entries are used") {
        synthesizer s{with_scope({"10.0.0.0/8", "10.1.0.0/16", "172.16.0.0/12"})};
        std::vector<drop> drops{in("10.1.2.3", 6, 80), in("10.200.0.1", 6, 80)};
        s.add(drops.data(), drops.size());
        const auto &cs = s.run();
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].remote_address == "10.0.0.0/8,10.1.0.0/16");
    }
    SECTION("keywords: undecidable ones accept and say so; family suffix is checked; Any") {
        synthesizer s{with_scope({"192.168.10.0/24", "localsubnet4"})};
        std::vector<drop> drops{in("192.168.10.5", 6, 80), in("172.16.0.9", 6, 80), in("2001:db8::9", 6, 80)};
        s.add(drops.data(), drops.size());
        const auto &cs = s.run();
        REQUIRE(cs.size() == 2);
        const auto *rule = find(cs, FW_SYNTH_NEW, "80");
        REQUIRE(rule);
        CHECK(rule->remote_address == "192.168.10.0/24,LocalSubnet4");
        CHECK((rule->flags & FW_SYNTH_FLAG_KEYWORD_SCOPE) != 0);
        CHECK(rule->rule_string.find("|RA4=192.168.10.0/24|RA4=LocalSubnet|") != std::string::npos);
        const auto *oos = find(cs, FW_SYNTH_OUT_OF_SCOPE, "80");
        REQUIRE(oos);
        CHECK(oos->remote_seen == "2001:db8::9");

        synthesizer any{with_scope({"Any"})};
        any.add(drops.data(), drops.size());
        REQUIRE(any.run().size() == 1);
        CHECK(any.candidates()[0].remote_address == "Any");
        CHECK(any.candidates()[0].rule_string.find("RA4") == std::string::npos);

        synthesizer internet{with_scope({"Internet"})};
        internet.add(drops.data(), drops.size());
        REQUIRE(internet.run().size() == 1);
        CHECK(internet.candidates()[0].rule_string.rfind("v2.20|", 0) == 0);
        CHECK(internet.candidates()[0].rule_string.find("|RA42=IntErnet|RA62=IntErnet|") != std::string::npos);
    }
    SECTION("invalid entries are refused with the entry named") {
        for (const char *bad : {"", "10.0.0.0/33", "LocalSubnet5", "Any4", "somewhere", "10.0.0.9-10.0.0.1"}) {
            CAPTURE(bad);
            try {
                (void)parse_scope_entry(bad);
                FAIL("accepted");
            } catch (const fw::error &e) {
                CHECK(e.code() == FW_EINVALID);
            }
        }
        CHECK(parse_scope_entry(" 192.0.2.0/255.255.255.0 ").text == "192.0.2.0/255.255.255.0");
        CHECK(parse_scope_entry("INTRANET").text == "Intranet");
    }
}

TEST_CASE("fw::synth dynamic RPC ports", "[synth]") {
    std::vector<drop> drops{in("192.168.10.5", 6, 49154), in("192.168.10.5", 6, 49160), in("192.168.10.6", 6, 52000),
                            in("192.168.10.5", 6, 135),   in("192.168.10.99", 6, 135), in("192.168.10.5", 17, 49154)};
    SECTION("flagged without the keyword") {
        synthesizer s{options{}};
        s.add(drops.data(), drops.size());
        int flagged = 0;
        for (const auto &c : s.run())
            if ((c.flags & FW_SYNTH_FLAG_DYNAMIC_RPC) != 0) {
                ++flagged;
                CHECK(c.protocol == 6);
                CHECK(c.ports.lo >= 49152);
            }
        CHECK(flagged == 3);
    }
    SECTION("keyword mode: one RPC rule, an RPCEPMap rule for the same sources, 135 for the others") {
        options o;
        o.use_rpc_keyword = true;
        synthesizer s{std::move(o)};
        s.add(drops.data(), drops.size());
        const auto &cs = s.run();
        REQUIRE(cs.size() == 4);
        const auto *rpc = find(cs, FW_SYNTH_NEW, "RPC");
        REQUIRE(rpc);
        CHECK(rpc->hits == 3);
        CHECK(rpc->remote_address == "192.168.10.5-192.168.10.6");
        CHECK((rpc->flags & FW_SYNTH_FLAG_RPC_KEYWORD) != 0);
        CHECK(rpc->kind == port_kind::rpc);
        CHECK(rpc->rule_string.find("|LPort=RPC|") != std::string::npos);
        const auto *epmap = find(cs, FW_SYNTH_NEW, "RPCEPMap");
        REQUIRE(epmap);
        CHECK(epmap->remote_address == "192.168.10.5");
        CHECK(epmap->rule_string.find("|LPort=RPC-EPMap|") != std::string::npos);
        const auto *plain = find(cs, FW_SYNTH_NEW, "135");
        REQUIRE(plain);
        CHECK(plain->remote_address == "192.168.10.99");
        // UDP stays a port rule.
        CHECK(find(cs, FW_SYNTH_NEW, "49154"));
    }
}

TEST_CASE("fw::synth merging ports", "[synth]") {
    std::vector<drop> drops{in("198.51.100.7", 6, 8080), in("198.51.100.7", 6, 8081), in("198.51.100.7", 6, 8082),
                            in("198.51.100.7", 6, 8090), in("198.51.100.8", 6, 8083), in("198.51.100.7", 17, 8083)};
    SECTION("off: one candidate per port") {
        synthesizer s{options{}};
        s.add(drops.data(), drops.size());
        CHECK(s.run().size() == 6);
    }
    SECTION("on: adjacent ports with equal remote sets merge") {
        options o;
        o.merge_ports = true;
        synthesizer s{std::move(o)};
        s.add(drops.data(), drops.size());
        const auto &cs = s.run();
        REQUIRE(cs.size() == 4);
        const auto *merged = find(cs, FW_SYNTH_NEW, "8080-8082");
        REQUIRE(merged);
        CHECK(merged->hits == 3);
        CHECK((merged->flags & FW_SYNTH_FLAG_MERGED) != 0);
        CHECK(merged->rule_string.find("|LPort=8080-8082|") != std::string::npos);
        CHECK(find(cs, FW_SYNTH_NEW, "8090"));
        CHECK(find(cs, FW_SYNTH_NEW, "8083")); // other remote set, and UDP 8083
    }
    SECTION("on, with a scope: remote sets are the scope entries") {
        auto o = with_scope({"198.51.100.0/24"});
        o.merge_ports = true;
        synthesizer s{std::move(o)};
        s.add(drops.data(), drops.size());
        const auto &cs = s.run();
        REQUIRE(cs.size() == 3);
        const auto *merged = find(cs, FW_SYNTH_NEW, "8080-8083");
        REQUIRE(merged);
        CHECK(merged->remote_seen == "198.51.100.7-198.51.100.8");
    }
}

TEST_CASE("fw::synth stable names", "[synth]") {
    auto run_names = [](std::vector<drop> drops, std::uint32_t profile) {
        auto o = with_scope({"192.168.10.0/24"});
        o.profile = profile;
        synthesizer s{std::move(o)};
        s.add(drops.data(), drops.size());
        std::vector<std::string> names;
        for (const auto &c : s.run()) names.push_back(c.name);
        return names;
    };
    const std::vector<drop> a{in("192.168.10.5", 6, 49154, 1), in("192.168.10.6", 6, 49154, 2)};
    const std::vector<drop> b{in("192.168.10.7", 6, 49154, 99)}; // other hosts and times, same rule
    const auto n1 = run_names(a, FW_PROFILE_DOMAIN);
    REQUIRE(n1.size() == 1);
    CHECK(n1[0].rfind("Fw-In-TCP-49154-", 0) == 0);
    CHECK(n1[0].size() == std::string("Fw-In-TCP-49154-").size() + 16);
    CHECK(run_names(a, FW_PROFILE_DOMAIN) == n1);
    CHECK(run_names(b, FW_PROFILE_DOMAIN) == n1);            // same content, same name
    CHECK(run_names(a, FW_PROFILE_PRIVATE) != n1);           // profile is part of the content
    CHECK(run_names({in("192.168.10.5", 6, 49155)}, FW_PROFILE_DOMAIN) != n1);
    CHECK(run_names({in("192.168.10.5", 17, 49154)}, FW_PROFILE_DOMAIN) != n1);
}

TEST_CASE("fw::synth input validation", "[synth]") {
    synthesizer s{options{}};
    auto good = in("198.51.100.7", 6, 80);
    auto check_bad = [&](drop d) {
        std::vector<drop> batch{good, d};
        try {
            s.add(batch.data(), batch.size());
            FAIL("accepted");
        } catch (const fw::error &e) {
            CHECK(e.code() == FW_EINVALID);
            CHECK(std::string(e.what()).rfind("drop 1:", 0) == 0);
        }
        CHECK(s.drops_added() == 0); // all or nothing
    };
    auto d = good;
    d.direction = 0;
    check_bad(d);
    d = good;
    d.protocol = 300;
    check_bad(d);
    d = good;
    d.remote.family = FW_AF_NONE;
    check_bad(d);
    d = good;
    d.local_port = -1; // inbound TCP without a local port
    check_bad(d);
    d = good;
    d.remote_port = 70000;
    check_bad(d);
    d = good;
    d.icmp_type = 999;
    check_bad(d);
    CHECK_THROWS_AS(synthesizer(options{{}, false, false, 8}), fw::error);
}
