// One firewall rule as Windows stores it in the registry: the rule-string
// grammar of [MS-GPFAS] 2.2.2.19 ("v2.10|Action=Allow|Dir=In|...|"), parsed into
// a value type. The parser takes what real rules contain against the spec too:
// "V2.0", "Protocol=tcp", lowercase token names, comma lists, "Svc==name".
#pragma once

#include "net/address.hpp"

#include <fw/common.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fw::rules {

enum class action : std::uint8_t { allow = 0, block = 1, bypass = 2 };
enum class direction : std::uint8_t { inbound = FW_DIR_INBOUND, outbound = FW_DIR_OUTBOUND };

// Where a rule came from (the store or the kind of file).
enum class store : std::uint8_t { unspecified = 0, local = 1, group_policy = 2, file = 3, other = 4 };

inline constexpr int any_protocol = 256; // no Protocol token

// Port keywords: the FW_PORT_KEYWORD bits of [MS-FASP] 2.2.14.
enum port_keyword : std::uint16_t {
    pk_dynamic_rpc = 0x01,    // "RPC": ports the RPC runtime handed out (within 49152-65535 by default)
    pk_rpc_epmap = 0x02,      // "RPC-EPMap": TCP 135 and 593
    pk_teredo = 0x04,         // "Teredo"
    pk_iptls_in = 0x08,       // "IPTLSIn" / "IPHTTPSIn"
    pk_iptls_out = 0x10,      // "IPTLSOut" / "IPHTTPSOut"
    pk_dhcp = 0x20,           // "DHCP" (UDP 67/68)
    pk_playto_discovery = 0x40, // "Ply2Disc"
    pk_mdns = 0x80,           // "mDNS" (UDP 5353)
    pk_cortana_out = 0x100,   // "CortanaOut"
    pk_proximal_tcp_cdp = 0x200 // "TcpCDPSvc"
};

// A port condition: empty ranges and no keywords means any port.
struct port_set {
    std::vector<net::port_range> ranges;
    std::uint16_t keywords = 0;
    [[nodiscard]] bool any() const noexcept { return ranges.empty() && keywords == 0; }
};

// Address keywords (registry spellings; the PowerShell names in comments).
enum address_keyword : std::uint16_t {
    ak_local_subnet = 0x01,     // LocalSubnet
    ak_dns = 0x02,              // DNS
    ak_dhcp = 0x04,             // DHCP
    ak_wins = 0x08,             // WINS
    ak_default_gateway = 0x10,  // DefaultGateway
    ak_intranet = 0x20,         // IntrAnet (Intranet)
    ak_internet = 0x40,         // IntErnet (Internet)
    ak_remote_intranet = 0x80,  // RmtIntrAnet (IntranetRemoteAccess)
    ak_playto_renderers = 0x100, // Ply2Renders (PlayToDevice)
    ak_captive_portal = 0x200   // CaptivePortal
};

// An address condition, per family (a rule that lists only IPv4 addresses does
// not apply to IPv6 traffic). any() when no address token was given at all.
struct address_set {
    std::vector<net::ip_range> ranges; // both families, in token order
    std::uint16_t keywords4 = 0;       // address_keyword bits given in LA4/RA4/RA42
    std::uint16_t keywords6 = 0;       // ... in LA6/RA6/RA62
    bool given = false;                // some address token was present (and was not "*"/"Any" only)
    [[nodiscard]] bool any() const noexcept { return !given; }
};

// An ICMP type:code pair; code 256 means any code ("*"), type 256 any type.
struct icmp_type_code {
    std::uint16_t type = 256;
    std::uint16_t code = 256;
};

// Interface types (IFType=).
enum interface_type : std::uint8_t { if_lan = 1, if_wireless = 2, if_remote_access = 4 };

// Authentication/encryption requirements (Security=, Security2_9=, Security2=).
enum security_flag : std::uint8_t {
    sec_authenticate = 1,         // Authenticate
    sec_authenticate_encrypt = 2, // AuthenticateEncrypt
    sec_no_encap = 4,             // An-NoEncap
    sec_negotiate_encrypt = 8,    // AnE-Nego
    sec_other = 16                // a value this library does not know
};

enum class defer : std::uint8_t { none = 0, app = 1, user = 2 };

// A name=value pair kept verbatim.
struct token {
    std::string name;
    std::string value;
};

struct rule {
    // Identity and provenance (not part of the string).
    std::string name;   // registry value name (rule ID)
    store origin = store::unspecified;
    std::string source; // file path or registry key it was read from; "" for strings
    std::uint64_t line = 0; // line in the source file; 0 if none
    std::string raw;    // the rule string as given

    std::uint8_t version_major = 0, version_minor = 0;

    // Semantics of absent tokens per the spec: Action absent -> Allow; Dir absent -> In;
    // Active absent -> disabled; Protocol absent -> any; Profile absent -> all profiles.
    action act = action::allow;
    direction dir = direction::inbound;
    bool active = false;
    int protocol = any_protocol;          // 0..255, or any_protocol
    std::uint8_t profiles = FW_PROFILE_ALL; // fw_profile mask
    bool profile_given = false;
    // Profiles in which the rule's store is in force: Group Policy's AllowLocalPolicyMerge = 0
    // takes the local store's rules out of a profile (set by ruleset::set_local_merge; not part of the string).
    std::uint8_t merged_profiles = FW_PROFILE_ALL;

    port_set local_ports, remote_ports;
    address_set local_addresses, remote_addresses;
    std::vector<icmp_type_code> icmp; // empty = any type/code

    std::string app;         // App= (verbatim; may hold %SystemRoot% etc.)
    std::string svc;         // Svc= ("*" = any service)
    std::string package;     // AppPkgId=
    std::string display_name; // Name=
    std::string description; // Desc=
    std::string group;       // EmbedCtxt=

    std::vector<std::string> interfaces; // IF= (GUIDs)
    std::uint8_t interface_types = 0;    // interface_type bits; 0 = any
    std::uint8_t security = 0;           // security_flag bits
    std::string remote_machine_auth;     // RMauth= (SDDL)
    std::string remote_user_auth;        // RUAuth= (SDDL)
    std::string local_user_auth;         // LUAuth= (SDDL)
    std::string local_user_owner;        // LUOwn= (SID)
    bool edge = false;                   // Edge=
    defer defer_to = defer::none;        // Defer=
    bool loose_source_mapping = false;   // LSM=
    bool local_only_mapping = false;     // LOM=
    std::vector<std::string> dynamic_targets; // TTK=, TTK2_xx= values

    std::vector<token> other;   // known tokens not modelled above (Platform, NNm, SkipVer, ...)
    std::vector<token> unknown; // tokens this library does not know (kept, not fatal)

    // Indirect resource strings ("@FirewallAPI.dll,-28775"): resolving them needs Windows.
    [[nodiscard]] bool display_name_indirect() const noexcept { return !display_name.empty() && display_name[0] == '@'; }
    [[nodiscard]] bool description_indirect() const noexcept { return !description.empty() && description[0] == '@'; }
    [[nodiscard]] bool group_indirect() const noexcept { return !group.empty() && group[0] == '@'; }
    // What to call the rule in a sentence: the display name if direct, else the rule ID.
    [[nodiscard]] std::string_view label() const noexcept;
};

// Parse a rule string. Throws fw::error(FW_EFORMAT) whose column() is the
// 1-based byte offset of the offending field or value and whose message names
// what was expected. name/origin/source/line are left for the caller.
[[nodiscard]] rule parse_rule(std::string_view text);

// ---- Canonical text (what Get-FwRule shows) ---------------------------------

// "TCP", "UDP", "ICMPv4", "ICMPv6", "Any" or the number.
[[nodiscard]] std::string protocol_text(int protocol);
// Comma-separated: keywords first (registry spelling), then ranges: "RPC-EPMap,135,1000-2000"; "Any" when any.
[[nodiscard]] std::string ports_text(const port_set &ports);
// Comma-separated: keywords ("LocalSubnet", or "LocalSubnet4" when only one family),
// then addresses as "a", "a/len" (a prefix) or "a-b"; "Any" when any.
[[nodiscard]] std::string addresses_text(const address_set &addresses);
// "8:*,0:0"; "Any" when empty.
[[nodiscard]] std::string icmp_text(const std::vector<icmp_type_code> &icmp);
// "Domain, Private"; "Any" for all three.
[[nodiscard]] std::string profiles_text(std::uint8_t profiles);
// "Lan, Wireless"; "Any" when 0.
[[nodiscard]] std::string interface_types_text(std::uint8_t types);
// "Authenticate, An-NoEncap"; "" when none.
[[nodiscard]] std::string security_text(std::uint8_t security);
// "Name=value|Name=value" of a token list; "" when empty.
[[nodiscard]] std::string tokens_text(const std::vector<token> &tokens);
// Single address range as "a", "a/len" or "a-b".
[[nodiscard]] std::string range_text(const net::ip_range &range);

} // namespace fw::rules
