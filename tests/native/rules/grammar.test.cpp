// The rule-string grammar: every real rule string of the reference parses into
// the fields it means; deviations seen in real Windows rules; malformed strings.
#include "abi/error.hpp"
#include "rules/rule.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace fw::rules;

namespace {

rule parse(std::string_view s) { return parse_rule(s); }

// Real rule strings from public sources ([MS-GPFAS] 4.2, Microsoft docs, published captures; see the file),
// shipped with the tests so the suite does not depend on files outside the repo.
std::vector<std::string> reference_rules() {
    std::ifstream in(FW_TEST_DATA_DIR "/rules/reference-rules.txt");
    REQUIRE(in);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("v", 0) == 0 || line.rfind("V", 0) == 0) out.push_back(line);
    }
    REQUIRE(out.size() == 17);
    return out;
}

// Returns the column of the parse error, or 0 if it parsed.
std::int64_t error_column(std::string_view s, std::string *message = nullptr) {
    try {
        (void)parse_rule(s);
    } catch (const fw::error &e) {
        CHECK(e.code() == FW_EFORMAT);
        if (message) *message = e.what();
        return e.column();
    }
    return 0;
}

} // namespace

TEST_CASE("fw::rules grammar: every reference rule string parses", "[rules][grammar]") {
    auto rules = reference_rules();
    REQUIRE(rules.size() == 17);
    for (const auto &s : rules) {
        INFO(s);
        rule r;
        REQUIRE_NOTHROW(r = parse(s));
        CHECK(r.unknown.empty());
        CHECK(r.raw == s);
    }
}

TEST_CASE("fw::rules grammar: the reference rules mean what they say", "[rules][grammar]") {
    auto rules = reference_rules();
    REQUIRE(rules.size() == 17);

    SECTION("[MS-GPFAS] 4.2 example") {
        auto r = parse(rules[0]);
        CHECK(r.version_major == 2);
        CHECK(r.version_minor == 10);
        CHECK(r.act == action::allow);
        CHECK(r.active);
        CHECK(r.dir == direction::inbound);
        CHECK(r.protocol == 6);
        CHECK(r.profiles == FW_PROFILE_PUBLIC);
        CHECK(r.local_ports.keywords == pk_dynamic_rpc);
        CHECK(ports_text(r.local_ports) == "RPC");
        CHECK(ports_text(r.remote_ports) == "49000");
        CHECK(addresses_text(r.local_addresses) == "192.168.1.0/24,192.168.0.0/24");
        CHECK(addresses_text(r.remote_addresses) == "LocalSubnet");
        CHECK(r.remote_addresses.keywords4 == ak_local_subnet);
        CHECK(r.remote_addresses.keywords6 == ak_local_subnet);
        CHECK(r.app == "c:\\\\path\\\\foo.exe"); // verbatim: the grammar has no escapes
        CHECK(r.display_name == "Firewall Rule Test");
        CHECK(r.security == (sec_authenticate | sec_no_encap));
        CHECK(security_text(r.security) == "Authenticate, An-NoEncap");
    }
    SECTION("RemoteDesktop-UserMode-In-TCP") {
        auto r = parse(rules[1]);
        CHECK(r.version_minor == 22);
        CHECK(r.profiles == FW_PROFILE_ALL);
        CHECK(r.profile_given);
        CHECK(profiles_text(r.profiles) == "Any");
        CHECK(ports_text(r.local_ports) == "3389");
        CHECK(r.app == "%SystemRoot%\\system32\\svchost.exe");
        CHECK(r.svc == "termservice");
        CHECK(r.display_name == "@FirewallAPI.dll,-28775");
        CHECK(r.display_name_indirect());
        CHECK(r.description_indirect());
        CHECK(r.group == "@FirewallAPI.dll,-28752");
        CHECK(r.group_indirect());
    }
    SECTION("RPC endpoint mapper and RPC dynamic ports") {
        auto epm = parse(rules[2]);
        CHECK(epm.local_ports.keywords == pk_rpc_epmap);
        CHECK(ports_text(epm.local_ports) == "RPC-EPMap");
        CHECK(epm.svc == "Rpcss");
        CHECK(epm.app.empty());
        CHECK(epm.profiles == FW_PROFILE_ALL);
        CHECK_FALSE(epm.profile_given);
        auto spool = parse(rules[3]);
        CHECK(ports_text(spool.local_ports) == "RPC");
        CHECK(spool.svc == "Spooler");
    }
    SECTION("ICMP") {
        auto v4 = parse(rules[4]);
        CHECK(v4.protocol == 1);
        REQUIRE(v4.icmp.size() == 1);
        CHECK(v4.icmp[0].type == 8);
        CHECK(v4.icmp[0].code == 256);
        CHECK(icmp_text(v4.icmp) == "8:*");
        CHECK(protocol_text(v4.protocol) == "ICMPv4");
        auto v6 = parse(rules[5]);
        CHECK(v6.protocol == 58);
        CHECK(icmp_text(v6.icmp) == "128:*");
    }
    SECTION("LLMNR, SMB, SSDP") {
        auto llmnr = parse(rules[6]);
        CHECK(llmnr.protocol == 17);
        CHECK(ports_text(llmnr.local_ports) == "5355");
        CHECK(addresses_text(llmnr.remote_addresses) == "LocalSubnet");
        CHECK(llmnr.svc == "dnscache");
        auto smb = parse(rules[7]);
        CHECK(smb.app == "System");
        CHECK(ports_text(smb.local_ports) == "445");
        auto ssdp = parse(rules[8]);
        CHECK(ports_text(ssdp.local_ports) == "1900");
        CHECK(ssdp.svc == "Ssdpsrv");
    }
    SECTION("DHCP server service hardening: V2.0, no Active (= disabled), no Protocol (= any)") {
        auto block = parse(rules[9]);
        CHECK(block.version_major == 2);
        CHECK(block.version_minor == 0);
        CHECK(block.act == action::block);
        CHECK_FALSE(block.active);
        CHECK(block.protocol == any_protocol);
        CHECK(protocol_text(block.protocol) == "Any");
        CHECK(block.svc == "DHCPServer");
        CHECK(block.display_name == "@%SystemRoot%\\system32\\dhcpssvc.dll,-205");
        auto allow = parse(rules[10]);
        CHECK(allow.act == action::allow);
        CHECK(ports_text(allow.local_ports) == "RPC-EPMap");
    }
    SECTION("Windows 11 deviations: Dir=out, Svc==, Protocol=tcp, rport=, comma lists") {
        auto bfe = parse(rules[11]);
        CHECK(bfe.dir == direction::outbound);
        CHECK(bfe.svc == "DisplayEnhancementService");
        CHECK(bfe.display_name == "Block outbound traffic from BFE");
        auto search = parse(rules[12]);
        CHECK(search.protocol == 6);
        CHECK(search.dir == direction::outbound);
        CHECK(ports_text(search.remote_ports) == "3268,389,563,993,995,80,443");
        CHECK(search.remote_ports.ranges.size() == 7);
        CHECK(search.local_ports.any());
        auto wmp = parse(rules[13]);
        CHECK(wmp.protocol == 6); // Protocol after LPort: accepted
        CHECK(ports_text(wmp.local_ports) == "1-553,555-8553,8555-65535");
        CHECK(wmp.app == "%PROGRAMFILES%\\Windows Media Player\\wmpnetwk.exe");
    }
    SECTION("RDP shadow, MSDTC, user-created") {
        auto shadow = parse(rules[14]);
        CHECK(shadow.version_minor == 33);
        CHECK(shadow.edge);
        CHECK(shadow.defer_to == defer::app);
        CHECK(shadow.local_ports.any());
        auto ktm = parse(rules[15]);
        CHECK_FALSE(ktm.active);
        CHECK(ports_text(ktm.local_ports) == "RPC");
        CHECK(ktm.svc == "ktmrm");
        auto java = parse(rules[16]);
        CHECK(java.profiles == (FW_PROFILE_PRIVATE | FW_PROFILE_PUBLIC));
        CHECK(profiles_text(java.profiles) == "Private, Public");
        CHECK(java.app == "c:\\program files\\java\\jdk-21\\bin\\java.exe");
        CHECK(java.defer_to == defer::user);
        CHECK(java.label() == "java.exe");
    }
}

TEST_CASE("fw::rules grammar: tokens and keywords", "[rules][grammar]") {
    SECTION("every port keyword") {
        auto r = parse("v2.29|Action=Allow|Dir=In|Protocol=17|LPort=RPC|LPort=RPC-EPMap|LPort=Teredo|"
                       "LPort2_10=IPTLSIn|RPort2_10=IPHTTPSOut|LPort2_20=Ply2Disc|LPort2_20=DHCP|"
                       "LPort2_25=mDNS|RPort2_28=CortanaOut|LPort2_29=TcpCDPSvc|LPort=RPCEPMap|");
        CHECK(r.local_ports.keywords == (pk_dynamic_rpc | pk_rpc_epmap | pk_teredo | pk_iptls_in |
                                         pk_playto_discovery | pk_dhcp | pk_mdns | pk_proximal_tcp_cdp));
        CHECK(r.remote_ports.keywords == (pk_iptls_out | pk_cortana_out));
        CHECK(ports_text(r.remote_ports) == "IPHTTPSOut,CortanaOut");
    }
    SECTION("every address keyword, per family") {
        auto r = parse("v2.26|Action=Allow|Dir=In|RA4=LocalSubnet|RA4=DNS|RA4=DHCP|RA4=WINS|RA4=DefaultGateway|"
                       "RA42=IntrAnet|RA42=IntErnet|RA62=RmtIntrAnet|RA62=Ply2Renders|RA42=CaptivePortal|RA6=DNS|");
        CHECK(r.remote_addresses.keywords4 == (ak_local_subnet | ak_dns | ak_dhcp | ak_wins | ak_default_gateway |
                                               ak_intranet | ak_internet | ak_captive_portal));
        CHECK(r.remote_addresses.keywords6 == (ak_remote_intranet | ak_playto_renderers | ak_dns));
        CHECK(addresses_text(r.remote_addresses) ==
              "LocalSubnet4,DNS,DHCP4,WINS4,DefaultGateway4,Intranet4,Internet4,IntranetRemoteAccess6,"
              "PlayToDevice6,CaptivePortal4");
    }
    SECTION("subnets and ranges, both families") {
        auto r = parse("v2.10|Action=Block|Dir=Out|RA4=10.0.0.0/8|RA4=192.0.2.0/255.255.255.0|"
                       "RA4=198.51.100.10-198.51.100.20|RA4=203.0.113.7|RA6=2001:db8::/32|"
                       "RA6=2001:db8::1-2001:db8::9|LA4=*|");
        CHECK(addresses_text(r.remote_addresses) ==
              "10.0.0.0/8,192.0.2.0/24,198.51.100.10-198.51.100.20,203.0.113.7,2001:db8::/32,"
              "2001:db8::1-2001:db8::9");
        CHECK(r.local_addresses.any());
        CHECK(addresses_text(r.local_addresses) == "Any");
    }
    SECTION("lowercase names, letters for protocols, Any") {
        auto r = parse("v2.30|action=block|dir=in|protocol=UDP|lport=Any|profile=domain|active=true|");
        CHECK(r.act == action::block);
        CHECK(r.protocol == 17);
        CHECK(r.local_ports.any());
        CHECK(r.profiles == FW_PROFILE_DOMAIN);
        CHECK(r.active);
    }
    SECTION("everything else is kept") {
        auto r = parse("v2.31|Action=ByPass|Dir=In|Protocol=6|LPort=22|IF={5B5A1B2E-0000-4000-8000-000000000001}|"
                       "IFType=Wireless|IFType=RemoteAccess|RMauth=O:LSD:(A;;CC;;;S-1-5-21-1)|RUAuth=O:LSD:(A;;CC;;;WD)|"
                       "LUAuth=O:LSD:(A;;CC;;;BA)|LUOwn=S-1-5-18|AppPkgId=S-1-15-2-1|LSM=TRUE|LOM=FALSE|"
                       "Platform=2:6:2|Platform2=GTEQ|TTK=Proximity|NNm=corp|SkipVer=2.30|PCross=TRUE|"
                       "Future2_40=whatever|Name=\\@FirewallAPI.dll,-1|");
        CHECK(r.act == action::bypass);
        REQUIRE(r.interfaces.size() == 1);
        CHECK(r.interface_types == (if_wireless | if_remote_access));
        CHECK(interface_types_text(r.interface_types) == "Wireless, RemoteAccess");
        CHECK(r.remote_machine_auth == "O:LSD:(A;;CC;;;S-1-5-21-1)");
        CHECK(r.remote_user_auth == "O:LSD:(A;;CC;;;WD)");
        CHECK(r.local_user_owner == "S-1-5-18");
        CHECK(r.package == "S-1-15-2-1");
        CHECK(r.loose_source_mapping);
        CHECK_FALSE(r.local_only_mapping);
        REQUIRE(r.dynamic_targets.size() == 1);
        CHECK(tokens_text(r.other) == "Platform=2:6:2|Platform2=GTEQ|NNm=corp|SkipVer=2.30|PCross=TRUE");
        REQUIRE(r.unknown.size() == 1);
        CHECK(r.unknown[0].name == "Future2_40");
        CHECK(r.unknown[0].value == "whatever");
        CHECK(r.display_name == "@FirewallAPI.dll,-1"); // Markdown's "\@" undone
        CHECK(r.display_name_indirect());
    }
    SECTION("last field without its '|', surrounding whitespace") {
        auto r = parse("  v2.10|Action=Allow|Dir=In|Protocol=6|LPort=80\r\n");
        CHECK(ports_text(r.local_ports) == "80");
    }
}

TEST_CASE("fw::rules grammar: malformed strings give the position", "[rules][grammar]") {
    struct bad_case {
        const char *text;
        std::int64_t column;
        const char *words; // in the message
    };
    auto c = GENERATE(values<bad_case>({
        {"", 1, "empty"},
        {"Action=Allow|", 1, "version"},
        {"v2|Action=Allow|", 2, "schema version"},
        {"v2.10 Action=Allow", 2, "followed by '|'"},
        {"v2.10|Action=Permit|", 14, "Action must be"},
        {"v2.10|Action=Allow|Dir=Sideways|", 24, "Dir must be"},
        {"v2.10|Protocol=300|", 16, "Protocol"},
        {"v2.10|Protocol=6|LPort=70000|", 24, "not a port"},
        {"v2.10|Protocol=6|LPort=80,,90|", 27, "empty item"},
        {"v2.10|Protocol=6|LPort=90-80|", 24, "not a port"},
        {"v2.10|RA4=10.0.0.0/33|", 11, "not an address"},
        {"v2.10|RA4=2001:db8::1|", 11, "IPv4"},
        {"v2.10|RA4=192.0.2.1,LocalSubnet,Bogus|", 33, "not an address"},
        {"v2.10|Active=yes|", 14, "TRUE or FALSE"},
        {"v2.10|Action=Allow||Dir=In|", 20, "empty field"},
        {"v2.10|Action|", 7, "Name=value"},
        {"v2.10|Action=Allow|Action=Block|", 20, "only once"},
        {"v2.10|Profile=Home|", 15, "Profile"},
        {"v2.10|Protocol=1|ICMP4=300:0|", 24, "ICMP"},
    }));
    INFO(c.text);
    std::string message;
    CHECK(error_column(c.text, &message) == c.column);
    CHECK_THAT(message, Catch::Contains(c.words));
}

TEST_CASE("fw::rules grammar: canonical text", "[rules][grammar]") {
    CHECK(protocol_text(47) == "47");
    CHECK(profiles_text(FW_PROFILE_DOMAIN | FW_PROFILE_PUBLIC) == "Domain, Public");
    auto single = fw::net::parse_ip_spec("192.0.2.0/255.255.255.128");
    REQUIRE(single);
    CHECK(range_text(*single) == "192.0.2.0/25");
    auto odd = fw::net::parse_ip_spec("192.0.2.1-192.0.2.2");
    REQUIRE(odd);
    CHECK(range_text(*odd) == "192.0.2.1-192.0.2.2");
    auto all = fw::net::parse_ip_spec("0.0.0.0/0");
    REQUIRE(all);
    CHECK(range_text(*all) == "0.0.0.0/0");
}

TEST_CASE("fw::rules grammar: mangled reference strings never crash", "[rules][grammar]") {
    // Every truncation and a few byte substitutions at every position: the parser either
    // succeeds or throws FW_EFORMAT with a column inside the string (checked under ASan/UBSan).
    const char subst[] = {'|', '=', ',', '-', '/', ':', '\0', '\xff', ' ', 'x', '9'};
    std::size_t parsed = 0, rejected = 0;
    for (const auto &s : reference_rules()) {
        for (std::size_t i = 0; i <= s.size(); ++i) {
            std::vector<std::string> variants{s.substr(0, i)};
            if (i < s.size())
                for (char c : subst) {
                    auto v = s;
                    v[i] = c;
                    variants.push_back(std::move(v));
                }
            for (const auto &v : variants) {
                try {
                    (void)parse_rule(v);
                    ++parsed;
                } catch (const fw::error &e) {
                    ++rejected;
                    REQUIRE(e.code() == FW_EFORMAT);
                    REQUIRE(e.column() >= 1);
                    REQUIRE(static_cast<std::size_t>(e.column()) <= v.size() + 1);
                }
            }
        }
    }
    CHECK(parsed > 0);
    CHECK(rejected > 0);
}
