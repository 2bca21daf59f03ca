// The rule-string grammar ([MS-GPFAS] 2.2.2.19) and the canonical text of
// parsed rules. See rule.hpp for the accepted deviations.
#include "rules/rule.hpp"

#include "core/error.hpp"
#include "util/ascii.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstddef>

namespace fw::rules {
namespace {

constexpr auto &lower = util::ascii_lower;
constexpr auto &ieq = util::iequals;
constexpr auto &istarts = util::istarts_with;

constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

[[noreturn]] void bad(std::size_t offset, std::string_view message) {
    throw fw::error(FW_EFORMAT, FW_ERRCLASS_FORMAT, fmt::format("position {}: {}", offset + 1, message), 0, 0,
                    static_cast<std::int64_t>(offset + 1));
}

// Decimal number within [0, max]; nullopt otherwise.
std::optional<unsigned> number(std::string_view s, unsigned max) noexcept {
    if (s.empty() || s.size() > 5) return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

bool is_any(std::string_view v) noexcept { return v == "*" || ieq(v, "Any"); }

enum class kind : std::uint8_t {
    action, active, dir, protocol, profile, port, address, app, svc, name, desc, embed_ctxt, icmp4, icmp6, edge,
    defer, iface, iftype, security, rmauth, ruauth, luauth, luown, apppkgid, lsm, lom, ttk, other, unknown
};

struct field_kind {
    kind k = kind::unknown;
    bool local = false; // ports/addresses: L vs R
    int family = 0;     // addresses: 4 or 6
};

// Known tokens that this library keeps verbatim in rule::other.
constexpr std::array<std::string_view, 11> other_tokens{"Platform", "Platform2", "SkipVer", "PCross", "NNm",
                                                        "SecurityRealmId", "AuthByPassOut", "LUAuth2_24",
                                                        "RSAuth", "Platform2_x", "FLAGS"};

bool is_version_suffix(std::string_view s) noexcept { // "" or "2_10", "2_20"...
    if (s.empty()) return true;
    if (s.size() < 3 || s[0] != '2' || s[1] != '_') return false;
    for (char c : s.substr(2))
        if (c < '0' || c > '9') return false;
    return true;
}

field_kind classify(std::string_view n) noexcept {
    switch (n.size() ? lower(n[0]) : '\0') {
    case 'a':
        if (ieq(n, "Action")) return {kind::action};
        if (ieq(n, "Active")) return {kind::active};
        if (ieq(n, "App")) return {kind::app};
        if (ieq(n, "AppPkgId")) return {kind::apppkgid};
        break;
    case 'd':
        if (ieq(n, "Dir")) return {kind::dir};
        if (ieq(n, "Desc")) return {kind::desc};
        if (ieq(n, "Defer")) return {kind::defer};
        break;
    case 'e':
        if (ieq(n, "EmbedCtxt")) return {kind::embed_ctxt};
        if (ieq(n, "Edge")) return {kind::edge};
        break;
    case 'i':
        if (ieq(n, "ICMP4")) return {kind::icmp4};
        if (ieq(n, "ICMP6")) return {kind::icmp6};
        if (ieq(n, "IF")) return {kind::iface};
        if (ieq(n, "IFType")) return {kind::iftype};
        break;
    case 'n':
        if (ieq(n, "Name")) return {kind::name};
        break;
    case 'p':
        if (ieq(n, "Protocol")) return {kind::protocol};
        if (ieq(n, "Profile")) return {kind::profile};
        break;
    case 's':
        if (ieq(n, "Svc")) return {kind::svc};
        if (ieq(n, "Security") || (istarts(n, "Security2") && is_version_suffix(n.substr(8))))
            return {kind::security};
        break;
    case 'r':
        if (ieq(n, "RMauth")) return {kind::rmauth};
        if (ieq(n, "RUAuth")) return {kind::ruauth};
        break;
    case 'l':
        if (ieq(n, "LUAuth")) return {kind::luauth};
        if (ieq(n, "LUOwn")) return {kind::luown};
        if (ieq(n, "LSM")) return {kind::lsm};
        if (ieq(n, "LOM")) return {kind::lom};
        break;
    case 't':
        if (istarts(n, "TTK") && is_version_suffix(n.substr(3))) return {kind::ttk};
        break;
    default:
        break;
    }
    // LPort, RPort, LPort2_10, RPort2_10, LPort2_20, ...
    if (n.size() >= 5 && (lower(n[0]) == 'l' || lower(n[0]) == 'r') && istarts(n.substr(1), "Port") &&
        is_version_suffix(n.substr(5)))
        return {kind::port, lower(n[0]) == 'l'};
    // LA4, LA6, RA4, RA6, RA42, RA62
    if ((n.size() == 3 || (n.size() == 4 && n[3] == '2')) && (lower(n[0]) == 'l' || lower(n[0]) == 'r') &&
        lower(n[1]) == 'a' && (n[2] == '4' || n[2] == '6'))
        return {kind::address, lower(n[0]) == 'l', n[2] == '4' ? 4 : 6};
    for (auto o : other_tokens)
        if (ieq(n, o)) return {kind::other};
    return {kind::unknown};
}

struct keyword16 {
    std::string_view name;
    std::uint16_t bit;
};

constexpr std::array<keyword16, 13> port_keywords{{
    {"RPC", pk_dynamic_rpc},
    {"RPC-EPMap", pk_rpc_epmap},
    {"RPCEPMap", pk_rpc_epmap},
    {"Teredo", pk_teredo},
    {"IPTLSIn", pk_iptls_in},
    {"IPHTTPSIn", pk_iptls_in},
    {"IPTLSOut", pk_iptls_out},
    {"IPHTTPSOut", pk_iptls_out},
    {"DHCP", pk_dhcp},
    {"Ply2Disc", pk_playto_discovery},
    {"mDNS", pk_mdns},
    {"CortanaOut", pk_cortana_out},
    {"TcpCDPSvc", pk_proximal_tcp_cdp},
}};

constexpr std::array<keyword16, 14> address_keywords{{
    {"LocalSubnet", ak_local_subnet},
    {"DNS", ak_dns},
    {"DHCP", ak_dhcp},
    {"WINS", ak_wins},
    {"DefaultGateway", ak_default_gateway},
    {"IntrAnet", ak_intranet},
    {"IntErnet", ak_internet},
    {"RmtIntrAnet", ak_remote_intranet},
    {"Ply2Renders", ak_playto_renderers},
    {"CaptivePortal", ak_captive_portal},
    // PowerShell spellings, accepted too
    {"Intranet", ak_intranet},
    {"IntranetRemoteAccess", ak_remote_intranet},
    {"PlayToDevice", ak_playto_renderers},
    {"Internet", ak_internet},
}};

template <std::size_t N>
std::uint16_t find_keyword(const std::array<keyword16, N> &table, std::string_view v) noexcept {
    for (const auto &k : table)
        if (ieq(k.name, v)) return k.bit;
    return 0;
}

// Calls f(item, offset) for each comma-separated item of a value; empty items are errors.
template <class F>
void for_each_item(std::string_view value, std::size_t offset, std::string_view what, F &&f) {
    std::size_t i = 0;
    for (;;) {
        auto comma = value.find(',', i);
        auto raw = value.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
        std::size_t lead = 0;
        while (lead < raw.size() && is_space(raw[lead])) ++lead;
        auto item = trim(raw);
        if (item.empty()) bad(offset + i, fmt::format("empty item in {} list", what));
        f(item, offset + i + lead);
        if (comma == std::string_view::npos) break;
        i = comma + 1;
    }
}

bool parse_bool(std::string_view v, std::size_t offset, std::string_view token) {
    if (ieq(v, "TRUE")) return true;
    if (ieq(v, "FALSE")) return false;
    bad(offset, fmt::format("{} must be TRUE or FALSE, not '{}'", token, v));
}

int parse_protocol(std::string_view v, std::size_t offset) {
    if (auto n = number(v, 256)) return static_cast<int>(*n);
    if (ieq(v, "TCP")) return 6;
    if (ieq(v, "UDP")) return 17;
    if (ieq(v, "ICMPv4") || ieq(v, "ICMP")) return 1;
    if (ieq(v, "ICMPv6")) return 58;
    if (is_any(v)) return any_protocol;
    bad(offset, fmt::format("Protocol must be a number 0-255 or TCP/UDP/ICMPv4/ICMPv6, not '{}'", v));
}

void parse_ports(port_set &ports, std::string_view value, std::size_t offset) {
    for_each_item(value, offset, "port", [&](std::string_view item, std::size_t at) {
        if (is_any(item)) return;
        if (auto bit = find_keyword(port_keywords, item)) {
            ports.keywords = static_cast<std::uint16_t>(ports.keywords | bit);
            return;
        }
        auto r = net::parse_port_spec(item);
        if (!r) bad(at, fmt::format("'{}' is not a port (0-65535), a range 'a-b' or a port keyword", item));
        ports.ranges.push_back(*r);
    });
}

void parse_addresses(address_set &set, std::string_view value, std::size_t offset, int family,
                     std::string_view token) {
    for_each_item(value, offset, "address", [&](std::string_view item, std::size_t at) {
        if (is_any(item)) return;
        set.given = true;
        if (auto bit = find_keyword(address_keywords, item)) {
            auto &kw = family == 4 ? set.keywords4 : set.keywords6;
            kw = static_cast<std::uint16_t>(kw | bit);
            return;
        }
        auto r = net::parse_ip_spec(item);
        if (!r) bad(at, fmt::format("'{}' is not an address, subnet, range or address keyword", item));
        if (r->lo.family != family)
            bad(at, fmt::format("{} takes IPv{} addresses, not '{}'", token, family, item));
        set.ranges.push_back(*r);
    });
}

void parse_icmp(std::vector<icmp_type_code> &out, std::string_view value, std::size_t offset) {
    for_each_item(value, offset, "ICMP", [&](std::string_view item, std::size_t at) {
        icmp_type_code tc;
        auto colon = item.find(':');
        auto type = trim(item.substr(0, colon));
        auto code = colon == std::string_view::npos ? std::string_view{"*"} : trim(item.substr(colon + 1));
        if (type != "*") {
            auto t = number(type, 255);
            if (!t) bad(at, fmt::format("'{}' is not an ICMP type:code (0-255, code may be '*')", item));
            tc.type = static_cast<std::uint16_t>(*t);
        }
        if (code != "*") {
            auto c = number(code, 255);
            if (!c) bad(at, fmt::format("'{}' is not an ICMP type:code (0-255, code may be '*')", item));
            tc.code = static_cast<std::uint16_t>(*c);
        }
        out.push_back(tc);
    });
}

void parse_profiles(rule &r, std::string_view value, std::size_t offset) {
    if (!r.profile_given) r.profiles = 0;
    r.profile_given = true;
    for_each_item(value, offset, "profile", [&](std::string_view item, std::size_t at) {
        if (ieq(item, "Domain")) r.profiles |= FW_PROFILE_DOMAIN;
        else if (ieq(item, "Private")) r.profiles |= FW_PROFILE_PRIVATE;
        else if (ieq(item, "Public")) r.profiles |= FW_PROFILE_PUBLIC;
        else if (is_any(item) || ieq(item, "All")) r.profiles |= FW_PROFILE_ALL;
        else bad(at, fmt::format("Profile must be Domain, Private or Public, not '{}'", item));
    });
}

// Value of a string token: "Svc==name" (seen in shipped rules) loses the extra '=',
// a Markdown-escaped "\@res" becomes "@res".
std::string_view clean_string(std::string_view v) noexcept {
    if (!v.empty() && v.front() == '=') v.remove_prefix(1);
    if (v.size() >= 2 && v[0] == '\\' && v[1] == '@') v.remove_prefix(1);
    return v;
}

void set_once(std::string &field, bool &seen, std::string_view value, std::size_t offset, std::string_view token) {
    if (seen) bad(offset, fmt::format("{} may appear only once", token));
    seen = true;
    field.assign(clean_string(value));
}

} // namespace

std::string_view rule::label() const noexcept {
    if (!display_name.empty() && !display_name_indirect()) return display_name;
    if (!name.empty()) return name;
    if (!display_name.empty()) return display_name;
    return "(unnamed)";
}

rule parse_rule(std::string_view text) {
    rule r;
    // A NUL would end the text handed back through the C ABI (raw, names): the rule
    // would no longer read as what was parsed. Refused, with its position.
    if (auto nul = text.find('\0'); nul != std::string_view::npos)
        bad(nul, "a NUL byte inside the rule string (a rule string is text; the file or value is damaged)");
    r.raw.assign(text);
    // Trim, keeping offsets relative to the given text.
    std::size_t begin = 0, end = text.size();
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;
    if (begin == end) bad(0, "empty rule string");

    // "v2.10|" (the spec) or "V2.0|" (shipped Windows 11 rules).
    std::size_t pos = begin;
    if (text[pos] != 'v' && text[pos] != 'V') bad(pos, "a rule string starts with the version, e.g. 'v2.10|'");
    ++pos;
    auto bar = text.find('|', pos);
    if (bar == std::string_view::npos || bar > end) bad(pos, "the version must be followed by '|'");
    auto version = text.substr(pos, bar - pos);
    auto dot = version.find('.');
    auto major = dot == std::string_view::npos ? std::nullopt : number(version.substr(0, dot), 255);
    auto minor = dot == std::string_view::npos ? std::nullopt : number(version.substr(dot + 1), 255);
    if (!major || !minor) bad(pos, fmt::format("'{}' is not a schema version MAJOR.MINOR", version));
    r.version_major = static_cast<std::uint8_t>(*major);
    r.version_minor = static_cast<std::uint8_t>(*minor);
    pos = bar + 1;

    bool seen_action = false, seen_dir = false, seen_app = false, seen_svc = false, seen_name = false,
         seen_desc = false, seen_ctxt = false, seen_pkg = false;
    while (pos < end) {
        auto next = text.find('|', pos);
        if (next == std::string_view::npos || next > end) next = end; // last field without its '|': accepted
        auto field = text.substr(pos, next - pos);
        if (field.empty()) bad(pos, "empty field ('||')");
        auto eq = field.find('=');
        if (eq == std::string_view::npos) bad(pos, fmt::format("expected Name=value, found '{}'", field));
        auto name = field.substr(0, eq);
        auto value = field.substr(eq + 1);
        std::size_t at = pos + eq + 1; // offset of the value
        if (trim(name).empty()) bad(pos, "a field has no name before '='");
        auto fk = classify(name);
        switch (fk.k) {
        case kind::action:
            if (seen_action) bad(pos, "Action may appear only once");
            seen_action = true;
            if (ieq(value, "Allow")) r.act = action::allow;
            else if (ieq(value, "Block")) r.act = action::block;
            else if (ieq(value, "ByPass")) r.act = action::bypass;
            else bad(at, fmt::format("Action must be Allow, Block or ByPass, not '{}'", value));
            break;
        case kind::active:
            r.active = parse_bool(value, at, "Active");
            break;
        case kind::dir:
            if (seen_dir) bad(pos, "Dir may appear only once");
            seen_dir = true;
            if (ieq(value, "In") || ieq(value, "Inbound")) r.dir = direction::inbound;
            else if (ieq(value, "Out") || ieq(value, "Outbound")) r.dir = direction::outbound;
            else bad(at, fmt::format("Dir must be In or Out, not '{}'", value));
            break;
        case kind::protocol:
            r.protocol = parse_protocol(value, at);
            break;
        case kind::profile:
            parse_profiles(r, value, at);
            break;
        case kind::port:
            parse_ports(fk.local ? r.local_ports : r.remote_ports, value, at);
            break;
        case kind::address:
            parse_addresses(fk.local ? r.local_addresses : r.remote_addresses, value, at, fk.family, name);
            break;
        case kind::app: set_once(r.app, seen_app, value, pos, "App"); break;
        case kind::svc: set_once(r.svc, seen_svc, value, pos, "Svc"); break;
        case kind::name: set_once(r.display_name, seen_name, value, pos, "Name"); break;
        case kind::desc: set_once(r.description, seen_desc, value, pos, "Desc"); break;
        case kind::embed_ctxt: set_once(r.group, seen_ctxt, value, pos, "EmbedCtxt"); break;
        case kind::apppkgid: set_once(r.package, seen_pkg, value, pos, "AppPkgId"); break;
        case kind::icmp4:
        case kind::icmp6:
            parse_icmp(r.icmp, value, at);
            break;
        case kind::edge:
            r.edge = parse_bool(value, at, "Edge");
            break;
        case kind::defer:
            if (ieq(value, "App")) r.defer_to = defer::app;
            else if (ieq(value, "User")) r.defer_to = defer::user;
            else r.other.push_back({std::string(name), std::string(value)});
            break;
        case kind::iface:
            for_each_item(value, at, "interface", [&](std::string_view item, std::size_t) {
                r.interfaces.emplace_back(item);
            });
            break;
        case kind::iftype:
            for_each_item(value, at, "interface type", [&](std::string_view item, std::size_t iat) {
                if (ieq(item, "Lan") || ieq(item, "Wired")) r.interface_types |= if_lan;
                else if (ieq(item, "Wireless")) r.interface_types |= if_wireless;
                else if (ieq(item, "RemoteAccess") || ieq(item, "RAS")) r.interface_types |= if_remote_access;
                else if (is_any(item) || ieq(item, "All")) r.interface_types |= if_lan | if_wireless | if_remote_access;
                else bad(iat, fmt::format("IFType must be Lan, Wireless or RemoteAccess, not '{}'", item));
            });
            if (r.interface_types == (if_lan | if_wireless | if_remote_access)) r.interface_types = 0;
            break;
        case kind::security:
            if (ieq(value, "Authenticate")) r.security |= sec_authenticate;
            else if (ieq(value, "AuthenticateEncrypt")) r.security |= sec_authenticate_encrypt;
            else if (ieq(value, "An-NoEncap")) r.security |= sec_no_encap;
            else if (ieq(value, "AnE-Nego")) r.security |= sec_negotiate_encrypt;
            else if (ieq(value, "NotRequired")) {
            } else {
                r.security |= sec_other;
                r.other.push_back({std::string(name), std::string(value)});
            }
            break;
        case kind::rmauth: r.remote_machine_auth.assign(value); break;
        case kind::ruauth: r.remote_user_auth.assign(value); break;
        case kind::luauth: r.local_user_auth.assign(value); break;
        case kind::luown: r.local_user_owner.assign(value); break;
        case kind::lsm: r.loose_source_mapping = parse_bool(value, at, "LSM"); break;
        case kind::lom: r.local_only_mapping = parse_bool(value, at, "LOM"); break;
        case kind::ttk: r.dynamic_targets.emplace_back(value); break;
        case kind::other: r.other.push_back({std::string(name), std::string(value)}); break;
        case kind::unknown: r.unknown.push_back({std::string(name), std::string(value)}); break;
        }
        pos = next + 1;
    }
    return r;
}

// ---- Canonical text --------------------------------------------------------------

std::string protocol_text(int protocol) {
    switch (protocol) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMPv4";
    case 58: return "ICMPv6";
    case any_protocol: return "Any";
    default: return fmt::format("{}", protocol);
    }
}

std::string ports_text(const port_set &ports) {
    if (ports.any()) return "Any";
    static constexpr std::array<std::string_view, 10> names{"RPC",      "RPC-EPMap", "Teredo", "IPHTTPSIn",
                                                            "IPHTTPSOut", "DHCP",    "Ply2Disc", "mDNS",
                                                            "CortanaOut", "TcpCDPSvc"};
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (ports.keywords & (1u << i)) {
            if (!out.empty()) out += ',';
            out += names[i];
        }
    }
    for (const auto &r : ports.ranges) {
        if (!out.empty()) out += ',';
        if (r.lo == r.hi) fmt::format_to(std::back_inserter(out), "{}", r.lo);
        else fmt::format_to(std::back_inserter(out), "{}-{}", r.lo, r.hi);
    }
    return out;
}

std::string range_text(const net::ip_range &range) {
    if (range.lo == range.hi) return net::to_string(range.lo);
    std::size_t n = range.lo.family == 4 ? 4 : 16;
    // A prefix: lo ^ hi is a run of trailing one bits and lo has zeros there.
    unsigned ones = 0;
    bool prefix = true, in_ones = false;
    for (std::size_t i = 0; i < n && prefix; ++i) {
        auto x = static_cast<std::uint8_t>(range.lo.bytes[i] ^ range.hi.bytes[i]);
        if ((range.lo.bytes[i] & x) != 0) prefix = false;
        for (int b = 7; b >= 0 && prefix; --b) {
            bool one = (x >> b) & 1;
            if (one) in_ones = true, ++ones;
            else if (in_ones) prefix = false;
        }
    }
    if (prefix) return fmt::format("{}/{}", net::to_string(range.lo), n * 8 - ones);
    return net::to_string(range.lo) + "-" + net::to_string(range.hi);
}

std::string addresses_text(const address_set &addresses) {
    if (addresses.any()) return "Any";
    static constexpr std::array<std::string_view, 10> names{
        "LocalSubnet", "DNS",      "DHCP",         "WINS",          "DefaultGateway",
        "Intranet",    "Internet", "IntranetRemoteAccess", "PlayToDevice", "CaptivePortal"};
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        bool v4 = addresses.keywords4 & (1u << i), v6 = addresses.keywords6 & (1u << i);
        if (!v4 && !v6) continue;
        if (!out.empty()) out += ',';
        out += names[i];
        if (v4 != v6) out += v4 ? '4' : '6';
    }
    for (const auto &r : addresses.ranges) {
        if (!out.empty()) out += ',';
        out += range_text(r);
    }
    return out.empty() ? "Any" : out;
}

std::string icmp_text(const std::vector<icmp_type_code> &icmp) {
    if (icmp.empty()) return "Any";
    std::string out;
    for (const auto &tc : icmp) {
        if (!out.empty()) out += ',';
        if (tc.type == 256) out += '*';
        else fmt::format_to(std::back_inserter(out), "{}", tc.type);
        out += ':';
        if (tc.code == 256) out += '*';
        else fmt::format_to(std::back_inserter(out), "{}", tc.code);
    }
    return out;
}

std::string profiles_text(std::uint8_t profiles) {
    if ((profiles & FW_PROFILE_ALL) == FW_PROFILE_ALL || profiles == 0) return "Any";
    std::string out;
    auto add = [&](std::string_view s) {
        if (!out.empty()) out += ", ";
        out += s;
    };
    if (profiles & FW_PROFILE_DOMAIN) add("Domain");
    if (profiles & FW_PROFILE_PRIVATE) add("Private");
    if (profiles & FW_PROFILE_PUBLIC) add("Public");
    return out;
}

std::string interface_types_text(std::uint8_t types) {
    if (types == 0) return "Any";
    std::string out;
    auto add = [&](std::string_view s) {
        if (!out.empty()) out += ", ";
        out += s;
    };
    if (types & if_lan) add("Lan");
    if (types & if_wireless) add("Wireless");
    if (types & if_remote_access) add("RemoteAccess");
    return out;
}

std::string security_text(std::uint8_t security) {
    std::string out;
    auto add = [&](std::string_view s) {
        if (!out.empty()) out += ", ";
        out += s;
    };
    if (security & sec_authenticate) add("Authenticate");
    if (security & sec_authenticate_encrypt) add("AuthenticateEncrypt");
    if (security & sec_no_encap) add("An-NoEncap");
    if (security & sec_negotiate_encrypt) add("AnE-Nego");
    if (security & sec_other) add("Other");
    return out;
}

std::string tokens_text(const std::vector<token> &tokens) {
    std::string out;
    for (const auto &t : tokens) {
        if (!out.empty()) out += '|';
        out += t.name;
        out += '=';
        out += t.value;
    }
    return out;
}

} // namespace fw::rules
