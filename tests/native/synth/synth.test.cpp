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

TEST_CASE("fw::synth per-item validation: one bad drop does not cost the batch", "[synth]") {
    synthesizer s{options{}};
    auto good = in("198.51.100.7", 6, 80);
    auto bad = good;
    bad.direction = 7;
    auto bad2 = good;
    bad2.protocol = -3;
    std::vector<drop> batch{good, bad, in("198.51.100.8", 6, 80), bad2};
    std::vector<int> results(batch.size(), 42);
    std::string first;
    CHECK(s.add_valid(batch.data(), batch.size(), results.data(), &first) == 2);
    CHECK(results == std::vector<int>{FW_OK, FW_EINVALID, FW_OK, FW_EINVALID});
    CHECK(first == "drop 1: direction 7 is neither inbound (1) nor outbound (2)");
    CHECK(s.drops_added() == 2);
    const auto &cs = s.run();
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].hits == 2);
    CHECK(cs[0].remote_address == "198.51.100.7-198.51.100.8");
    // All valid: nothing rejected, nothing reported; results may be omitted.
    first.clear();
    CHECK(s.add_valid(batch.data(), 1, nullptr, &first) == 0);
    CHECK(first.empty());
    CHECK(problem(good).empty());
    CHECK(problem(bad2) == "protocol -3 is not 0..255");
}

// ---- Dedupe against the rules in force (the real matcher) -----------------

#include "rules/ruleset.hpp"
#include "synth/existing.hpp"

#include <fw/synth.h>

#include <memory>

namespace {

std::shared_ptr<fw::rules::ruleset> rules_of(std::initializer_list<std::pair<const char *, const char *>> rs) {
    auto set = std::make_shared<fw::rules::ruleset>();
    for (auto [name, text] : rs) set->add(name, text, fw::rules::store::other);
    return set;
}

} // namespace

TEST_CASE("fw::synth dedupe", "[synth]") {
    const std::vector<drop> drops{in("192.168.10.21", 6, 49154, 10), in("192.168.10.22", 6, 49154, 20)};
    auto run = [&](options o, std::shared_ptr<fw::rules::ruleset> rs, std::vector<drop> batch) {
        synthesizer s{std::move(o)};
        s.add(batch.data(), batch.size());
        if (rs) s.set_existing(existing_from(rs));
        return s.run();
    };
    auto domain_scope = [] {
        auto o = with_scope({"192.168.10.0/24"});
        o.profile = FW_PROFILE_DOMAIN;
        return o;
    };

    SECTION("AlreadyAllowed: an enabled allow rule covers every remote address, named") {
        auto cs = run(options{}, rules_of({{"Director-In", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|"
                                                           "RA4=192.168.10.0/24|Name=Director|"}}),
                      drops);
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].status == FW_SYNTH_ALREADY_ALLOWED);
        CHECK(cs[0].rule == "Director-In");
    }
    SECTION("partly covered: only the uncovered addresses become a rule") {
        auto cs = run(options{}, rules_of({{"One", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|"
                                                   "RA4=192.168.10.21|Name=One|"}}),
                      drops);
        REQUIRE(cs.size() == 2);
        const auto *covered = find(cs, FW_SYNTH_ALREADY_ALLOWED, "49154");
        const auto *fresh = find(cs, FW_SYNTH_NEW, "49154");
        REQUIRE(covered);
        REQUIRE(fresh);
        CHECK(covered->remote_address == "192.168.10.21");
        CHECK(fresh->remote_address == "192.168.10.22");
        CHECK((fresh->flags & FW_SYNTH_FLAG_PARTIAL) != 0);
    }
    SECTION("BlockedByRule: a block rule overrides any allow") {
        auto cs = run(domain_scope(),
                      rules_of({{"Allow-All", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|Name=A|"},
                                {"Block-Pool", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|RA4=192.168.10.22|Name=B|"}}),
                      drops);
        REQUIRE(cs.size() == 2);
        const auto *blocked = find(cs, FW_SYNTH_BLOCKED_BY_RULE, "49154");
        REQUIRE(blocked);
        CHECK(blocked->rule == "Block-Pool");
        CHECK(blocked->remote_seen == "192.168.10.22");
        CHECK(find(cs, FW_SYNTH_ALREADY_ALLOWED, "49154"));
    }
    SECTION("a disabled allow rule says so; other profile, program-scoped and other-port rules do not cover") {
        auto cs = run(domain_scope(),
                      rules_of({{"Off", "v2.30|Action=Allow|Dir=In|Protocol=6|LPort=49154|Name=Off|"},
                                {"Private", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Private|LPort=49154|Name=P|"},
                                {"App", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|App=C:\\x.exe|Name=X|"},
                                {"Other", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49155|Name=O|"}}),
                      drops);
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].status == FW_SYNTH_NEW);
        CHECK((cs[0].flags & FW_SYNTH_FLAG_DISABLED_RULE) != 0);
        CHECK(cs[0].rule == "Off");
    }
    SECTION("Any profile needs coverage in all three profiles") {
        auto cs = run(options{}, rules_of({{"D", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=49154|Name=D|"}}),
                      drops);
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].status == FW_SYNTH_NEW);
    }
    SECTION("a rerun with the first run's rules creates nothing") {
        for (int mode = 0; mode < 4; ++mode) {
            CAPTURE(mode);
            auto make = [&] {
                options o = mode == 1 ? with_scope({"LocalSubnet"}) : (mode == 0 ? domain_scope() : options{});
                o.use_rpc_keyword = mode == 2;
                o.merge_ports = mode == 3;
                return o;
            };
            std::vector<drop> batch = drops;
            batch.push_back(in("192.168.10.21", 6, 135));
            batch.push_back(in("192.168.10.21", 6, 49155));
            batch.push_back(in("192.168.10.21", 6, 49156));
            batch.push_back(out("2001:db8::7", 17, 53));
            auto first = run(make(), nullptr, batch);
            auto rs = std::make_shared<fw::rules::ruleset>();
            std::size_t created = 0;
            for (const auto &c : first) {
                if (c.status == FW_SYNTH_OUT_OF_SCOPE) continue; // IPv6 outside 192.168.10.0/24 (mode 0)
                REQUIRE(c.status == FW_SYNTH_NEW);
                rs->add(c.name, c.rule_string, fw::rules::store::local);
                ++created;
            }
            CHECK(created >= (mode == 2 ? 3u : 4u));
            auto second = run(make(), rs, batch);
            REQUIRE(second.size() == first.size());
            for (const auto &c : second) {
                CAPTURE(c.name, c.port_text);
                if (c.status == FW_SYNTH_OUT_OF_SCOPE) continue;
                CHECK(c.status == FW_SYNTH_ALREADY_ALLOWED);
                CHECK(!c.rule.empty());
            }
        }
    }
    SECTION("RPC keyword: an existing RPC rule covers the dynamic ports, a 49154-only rule does not") {
        options o;
        o.use_rpc_keyword = true;
        auto cs = run(o, rules_of({{"Rpc", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|Name=R|"}}), drops);
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].status == FW_SYNTH_ALREADY_ALLOWED);
        cs = run(o, rules_of({{"One", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49152|Name=R|"}}), drops);
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].status == FW_SYNTH_NEW);
    }
}

TEST_CASE("fw::synth C ABI", "[synth][abi]") {
    SECTION("Invalid arguments") {
        fw_synth *s = reinterpret_cast<fw_synth *>(1);
        CHECK(fw_synth_new(nullptr, nullptr) == FW_EINVALID);
        fw_synth_options o = FW_SYNTH_OPTIONS_INIT;
        o.version = 99;
        CHECK(fw_synth_new(&s, &o) == FW_EINVALID);
        CHECK(s == nullptr);
        const char *bad[] = {"10.0.0.0/8", "nowhere"};
        o = FW_SYNTH_OPTIONS_INIT;
        o.scope = bad;
        o.scope_count = 2;
        CHECK(fw_synth_new(&s, &o) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).find("nowhere") != std::string::npos);
        o.scope_count = 5;
        o.scope = nullptr;
        CHECK(fw_synth_new(&s, &o) == FW_EINVALID);
        o = FW_SYNTH_OPTIONS_INIT;
        o.profile = 64;
        CHECK(fw_synth_new(&s, &o) == FW_EINVALID);
        size_t n = 1;
        CHECK(fw_synth_run(nullptr, &n) == FW_EINVALID);
        CHECK(n == 0);
        CHECK(fw_synth_add_drops(nullptr, nullptr, 0) == FW_EINVALID);
        fw_synth_free(nullptr);
    }
    SECTION("Valid: drops in, candidates out, existing rules from the rules ABI") {
        const char *scope[] = {"192.168.10.0/24"};
        fw_synth_options o = FW_SYNTH_OPTIONS_INIT;
        o.scope = scope;
        o.scope_count = 1;
        o.profile = FW_PROFILE_DOMAIN;
        fw_synth *s = nullptr;
        REQUIRE(fw_synth_new(&s, &o) == FW_OK);
        std::unique_ptr<fw_synth, decltype(&fw_synth_free)> guard(s, &fw_synth_free);
        std::vector<drop> drops{in("192.168.10.21", 6, 49154, 10), in("10.1.1.1", 6, 49154, 11)};
        CHECK(fw_synth_add_drops(s, drops.data(), 0) == FW_OK);
        CHECK(fw_synth_add_drops(s, nullptr, 3) == FW_EINVALID);
        drops.push_back(drops[0]);
        drops.back().direction = 7;
        CHECK(fw_synth_add_drops(s, drops.data(), drops.size()) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).rfind("drop 2: direction", 0) == 0);
        REQUIRE(fw_synth_add_drops(s, drops.data(), 2) == FW_OK);
        {
            // Item by item: the bad drop is skipped and named, the good ones go in (checked on a second synthesiser).
            fw_synth *s2 = nullptr;
            REQUIRE(fw_synth_new(&s2, &o) == FW_OK);
            std::unique_ptr<fw_synth, decltype(&fw_synth_free)> guard2(s2, &fw_synth_free);
            int results[3] = {9, 9, 9};
            CHECK(fw_synth_add_valid_drops(s2, drops.data(), drops.size(), results) == FW_EINVALID);
            CHECK(std::string(fw_error_last()->message) ==
                  "drop 2: direction 7 is neither inbound (1) nor outbound (2) (1 of 3 drop(s) skipped, the others added)");
            CHECK(results[0] == FW_OK);
            CHECK(results[1] == FW_OK);
            CHECK(results[2] == FW_EINVALID);
            size_t n2 = 0;
            REQUIRE(fw_synth_run(s2, &n2) == FW_OK);
            CHECK(n2 == 2);
            CHECK(fw_synth_add_valid_drops(s2, drops.data(), 2, nullptr) == FW_OK);
            CHECK(fw_synth_add_valid_drops(nullptr, drops.data(), 2, nullptr) == FW_EINVALID);
            CHECK(fw_synth_add_valid_drops(s2, nullptr, 2, nullptr) == FW_EINVALID);
            CHECK(fw_synth_drop_check(&drops[0]) == FW_OK);
            CHECK(fw_synth_drop_check(&drops[2]) == FW_EINVALID);
            CHECK(std::string(fw_error_last()->message) == "direction 7 is neither inbound (1) nor outbound (2)");
            CHECK(fw_synth_drop_check(nullptr) == FW_EINVALID);
        }
        fw_synth_candidate c{};
        CHECK(fw_synth_candidate_get(s, 0, &c) == FW_EINVALID); // not run yet
        size_t n = 0;
        REQUIRE(fw_synth_run(s, &n) == FW_OK);
        REQUIRE(n == 2);
        REQUIRE(fw_synth_candidate_get(s, 0, &c) == FW_OK);
        CHECK(c.status == FW_SYNTH_NEW);
        CHECK(std::string(c.port) == "49154");
        CHECK(c.port_lo == 49154);
        CHECK(std::string(c.remote_address) == "192.168.10.0/24");
        CHECK(std::string(c.protocol_text) == "TCP");
        CHECK(c.profile == FW_PROFILE_DOMAIN);
        CHECK((c.flags & FW_SYNTH_FLAG_DYNAMIC_RPC) != 0);
        CHECK(std::string(c.rule).empty());
        const std::string name = c.name, rule_string = c.rule_string;
        REQUIRE(fw_synth_candidate_get(s, 1, &c) == FW_OK);
        CHECK(c.status == FW_SYNTH_OUT_OF_SCOPE);
        CHECK(std::string(c.remote_seen) == "10.1.1.1");
        CHECK(fw_synth_candidate_get(s, 2, &c) == FW_ITEROVER);

        fw_ruleset *rs = nullptr;
        REQUIRE(fw_ruleset_new(&rs) == FW_OK);
        REQUIRE(fw_ruleset_add(rs, name.c_str(), rule_string.c_str(), FW_STORE_LOCAL) == FW_OK);
        REQUIRE(fw_synth_set_existing(s, rs) == FW_OK);
        fw_ruleset_free(rs); // copied
        REQUIRE(fw_synth_run(s, &n) == FW_OK);
        REQUIRE(n == 2);
        REQUIRE(fw_synth_candidate_get(s, 0, &c) == FW_OK);
        CHECK(c.status == FW_SYNTH_ALREADY_ALLOWED);
        CHECK(std::string(c.rule) == name);
        CHECK(fw_synth_set_existing(s, nullptr) == FW_OK);
        REQUIRE(fw_synth_run(s, &n) == FW_OK);
        REQUIRE(fw_synth_candidate_get(s, 0, &c) == FW_OK);
        CHECK(c.status == FW_SYNTH_NEW);
    }
}
