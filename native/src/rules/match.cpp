// The matcher: one rule against one packet, and the verdict of a rule set.
#include "rules/match.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace fw::rules {
namespace {

// What one condition of a rule says about the packet.
enum class cond_state : std::uint8_t { pass, fail, maybe };

struct detailed {
    rule_result res;
    int fails = 0;
};

// Texts are made only when asked for (want_text): evaluating a packet against
// a thousand rules formats the text of the few relevant ones only.
struct collector {
    detailed &d;
    bool want_text;
    std::string fail_text;
    std::vector<std::string> maybe_texts;
    reason first_maybe = reason::applies;

    template <class F>
    void fail(reason why, F &&text) {
        if (d.fails++ == 0) {
            d.res.why = why;
            if (want_text) fail_text = text();
        }
    }
    template <class F>
    void maybe(reason why, std::uint32_t cond, F &&text) {
        if (d.res.conditions == 0) first_maybe = why;
        d.res.conditions |= cond;
        if (want_text) maybe_texts.push_back(text());
    }
};

bool is_dynamic_rpc_port(std::int32_t port) noexcept { return port >= 49152 && port <= 65535; }

// Port condition. local: the rule's local ports vs the packet's local port.
void check_ports(collector &c, const port_set &ports, std::int32_t port, int protocol, bool local) {
    if (ports.any()) return;
    reason other = local ? reason::other_local_port : reason::other_remote_port;
    const char *which = local ? "local" : "remote";
    if (port < 0) {
        c.fail(other, [&] { return std::string(fmt::format("other {} port (rule: {}; the packet has no port)", which, ports_text(ports))); });
        return;
    }
    for (const auto &r : ports.ranges) {
        if (net::contains(r, static_cast<std::uint32_t>(port))) {
            c.d.res.specific = true;
            return;
        }
    }
    auto kw = ports.keywords;
    bool tcp = protocol == 6, udp = protocol == 17;
    if ((kw & pk_rpc_epmap) && tcp && (port == 135 || port == 593)) {
        c.d.res.specific = true;
        return;
    }
    if ((kw & pk_dhcp) && udp && (port == 67 || port == 68)) {
        c.d.res.specific = true;
        return;
    }
    if ((kw & pk_mdns) && udp && port == 5353) {
        c.d.res.specific = true;
        return;
    }
    if ((kw & pk_dynamic_rpc) && tcp && is_dynamic_rpc_port(port)) {
        c.d.res.specific = true;
        c.maybe(reason::rpc_dynamic, cond_rpc_dynamic, [&] { return std::string(fmt::format("only if the RPC runtime handed out port {} (RPC dynamic ports: the firewall opens "
                            "only the ports RPC servers registered, not the whole 49152-65535 range)",
                            port)); });
        return;
    }
    if ((kw & pk_iptls_in) && tcp && local && port == 443) {
        c.maybe(reason::port_keyword, cond_port_keyword, [&] { return std::string("only for IP-HTTPS (IPHTTPSIn) connections to port 443"); });
        return;
    }
    if ((kw & pk_iptls_out) && tcp && !local && port == 443) {
        c.maybe(reason::port_keyword, cond_port_keyword, [&] { return std::string("only for IP-HTTPS (IPHTTPSOut) connections to port 443"); });
        return;
    }
    constexpr std::uint16_t run_time = pk_teredo | pk_playto_discovery | pk_cortana_out | pk_proximal_tcp_cdp;
    if (kw & run_time) {
        c.maybe(reason::port_keyword, cond_port_keyword, [&] { return std::string(fmt::format("only if port {} is one the system chose at run time for {}", port, ports_text(ports))); });
        return;
    }
    std::string note;
    if ((kw & pk_dynamic_rpc) && !is_dynamic_rpc_port(port))
        note = "; RPC dynamic ports are 49152-65535 unless the RPC port range was changed";
    c.fail(other, [&] { return std::string(fmt::format("other {} port (rule: {}{})", which, ports_text(ports), note)); });
}

const char *keyword_name(std::uint16_t bits) noexcept {
    static constexpr std::array<const char *, 10> names{
        "LocalSubnet", "DNS",      "DHCP",         "WINS",          "DefaultGateway",
        "Intranet",    "Internet", "IntranetRemoteAccess", "PlayToDevice", "CaptivePortal"};
    for (std::size_t i = 0; i < names.size(); ++i)
        if (bits & (1u << i)) return names[i];
    return "an address keyword";
}

void check_addresses(collector &c, const address_set &set, const net::ip &a, bool local) {
    if (set.any()) return;
    reason other = local ? reason::other_local_address : reason::other_remote_address;
    const char *which = local ? "local" : "remote";
    if (a.family != 4 && a.family != 6) {
        c.maybe(reason::address_keyword, cond_address_keyword, [&] { return std::string(fmt::format("only for {} addresses {} (the packet's address is unknown)", which,
                            addresses_text(set))); });
        return;
    }
    for (const auto &r : set.ranges) {
        if (net::contains(r, a)) {
            c.d.res.specific = true;
            return;
        }
    }
    auto kw = a.family == 4 ? set.keywords4 : set.keywords6;
    if (kw) {
        c.maybe(reason::address_keyword, cond_address_keyword, [&] { return std::string(fmt::format("only if the {} address {} is in {} (that depends on this machine's network "
                            "configuration, which the log does not record)",
                            which, net::to_string(a), keyword_name(kw))); });
        return;
    }
    c.fail(other, [&] { return std::string(fmt::format("other {} address (rule: {})", which, addresses_text(set))); });
}

detailed match_detailed(const rule &r, const packet &p, std::uint32_t profiles, bool want_text) {
    detailed d;
    d.res.enabled = r.active;
    collector c{d, want_text, {}, {}, reason::applies};

    if (p.dir != FW_DIR_ANY && p.dir != static_cast<int>(r.dir))
        c.fail(reason::other_direction, [&] { return std::string(fmt::format("other direction (rule: {})", r.dir == direction::inbound ? "inbound" : "outbound")); });
    if (r.protocol != any_protocol && p.protocol != r.protocol)
        c.fail(reason::other_protocol, [&] { return std::string(fmt::format("other protocol (rule: {})", protocol_text(r.protocol))); });
    check_ports(c, r.local_ports, p.local_port, p.protocol, true);
    check_ports(c, r.remote_ports, p.remote_port, p.protocol, false);
    check_addresses(c, r.local_addresses, p.local, true);
    check_addresses(c, r.remote_addresses, p.remote, false);
    if (!r.icmp.empty()) {
        bool hit = false;
        if (p.icmp_type >= 0)
            for (const auto &tc : r.icmp)
                hit = hit || ((tc.type == 256 || tc.type == p.icmp_type) &&
                              (tc.code == 256 || (p.icmp_code >= 0 && tc.code == p.icmp_code)));
        if (hit) d.res.specific = true;
        else c.fail(reason::other_icmp, [&] { return std::string(fmt::format("other ICMP type (rule: {})", icmp_text(r.icmp))); });
    }
    if ((r.profiles & FW_PROFILE_ALL) != FW_PROFILE_ALL) {
        if (profiles == FW_PROFILE_UNKNOWN)
            c.maybe(reason::profile_unknown, cond_profile, [&] { return std::string(fmt::format("only on the {} profile{} (the active profile is unknown)",
                                profiles_text(r.profiles), std::popcount(unsigned{r.profiles}) > 1 ? "s" : "")); });
        else if ((r.profiles & profiles) == 0)
            c.fail(reason::other_profile, [&] { return std::string(fmt::format("other profile (rule: {})", profiles_text(r.profiles))); });
    }
    if (!r.svc.empty()) {
        if (r.svc == "*")
            c.maybe(reason::service, cond_service, [&] { return std::string("only for traffic of Windows services (Svc=*)"); });
        else
            c.maybe(reason::service, cond_service, [&] { return std::string(fmt::format("only for service {}", r.svc)); });
    }
    if (!r.app.empty()) c.maybe(reason::program, cond_program, [&] { return std::string(fmt::format("only for program {}", r.app)); });
    if (!r.package.empty()) c.maybe(reason::program, cond_program, [&] { return std::string(fmt::format("only for app package {}", r.package)); });
    if (!r.local_user_owner.empty() || !r.local_user_auth.empty())
        c.maybe(reason::program, cond_program, [&] { return std::string("only for processes of certain local users"); });
    if (r.security || !r.remote_machine_auth.empty() || !r.remote_user_auth.empty() || r.act == action::bypass)
        c.maybe(reason::authentication, cond_authentication, [&] { return std::string(r.security ? fmt::format("only for IPsec-authenticated connections ({})", security_text(r.security))
                           : std::string("only for IPsec-authenticated remote machines or users")); });
    if (!r.interfaces.empty())
        c.maybe(reason::interface, cond_interface, [&] { return std::string("only on specific network interfaces"); });
    if (r.interface_types)
        c.maybe(reason::interface, cond_interface, [&] { return std::string(fmt::format("only on {} interfaces", interface_types_text(r.interface_types))); });
    if (!r.dynamic_targets.empty())
        c.maybe(reason::interface, cond_interface, [&] { return std::string(fmt::format("only for the dynamic transport {}", r.dynamic_targets.front())); });

    if (d.fails > 0) {
        d.res.how = applies::no;
        d.res.text = std::move(c.fail_text);
        return d;
    }
    d.res.how = d.res.conditions ? applies::maybe : applies::yes;
    d.res.why = d.res.conditions ? c.first_maybe : reason::applies;
    if (!r.active) d.res.why = reason::disabled;
    if (!want_text) return d;
    std::string conds;
    for (const auto &t : c.maybe_texts) {
        if (!conds.empty()) conds += ", and ";
        conds += t;
    }
    if (!r.active)
        d.res.text = conds.empty() ? std::string("disabled (would apply if enabled)")
                                   : "disabled (would apply " + conds + ")";
    else
        d.res.text = conds.empty() ? std::string("applies") : "applies " + conds;
    return d;
}

// A rule that names what the packet used (its port, ICMP type or address) and
// fails on exactly one other condition: protocol, address or profile.
bool is_near_miss(const detailed &d) noexcept {
    if (d.fails != 1 || !d.res.specific) return false;
    switch (d.res.why) {
    case reason::other_protocol:
    case reason::other_local_address:
    case reason::other_remote_address:
    case reason::other_profile: return true;
    default: return false;
    }
}

// At most this many any-port program/service rules are listed when the verdict rests on them.
constexpr std::size_t max_quiet_listed = 10;

std::string quoted(const rule &r) { return fmt::format("'{}'", r.label()); }

// Which process a rule is scoped to: "service termservice", "program C:\\x.exe", ...
std::string scope_of(const rule &r) {
    if (!r.svc.empty() && r.svc != "*") return fmt::format("service {}", r.svc);
    if (r.svc == "*") return "Windows services (Svc=*)";
    if (!r.package.empty()) return fmt::format("app package {}", r.package);
    if (!r.app.empty()) return fmt::format("program {}", r.app);
    return "certain local users' processes";
}

// The sentence part after "but": which process the rule is scoped to, and the question to ask.
std::string process_scope(const rule &r) {
    if (!r.svc.empty() && r.svc != "*") return fmt::format("only for {}: is the service running?", scope_of(r));
    if (r.svc == "*") return fmt::format("only for {}: is the service that listens on it running?", scope_of(r));
    if (!r.package.empty()) return fmt::format("only for {}: is the app running?", scope_of(r));
    if (!r.app.empty()) return fmt::format("only for {}: is it running and listening?", scope_of(r));
    return fmt::format("only for {}", scope_of(r));
}

std::string and_more(std::size_t n) { return n > 1 ? fmt::format(" (and {} more)", n - 1) : std::string(); }

} // namespace

rule_result match(const rule &r, const packet &p, std::uint32_t profiles) {
    return match_detailed(r, p, profiles, true).res;
}

evaluation evaluate(const ruleset &rs, const packet &p, std::uint32_t profiles, detail level) {
    evaluation ev;
    // Categories (indexes into ev.rules), in the order of the verdict rules.
    std::vector<std::size_t> block_yes, allow_yes, allow_process, allow_env, disabled_allow, allow_any_port, block_maybe;
    std::vector<std::size_t> bypass_maybe; // enabled allow-bypass rules (also in allow_env: they need authentication)
    auto rules = rs.rules();
    // "Quiet" results: maybe-rules scoped to a program or service that name nothing the
    // packet used (an app rule for any port, a service-hardening block). On a real
    // machine there are hundreds; they are listed only when the verdict rests on them.
    std::vector<bool> quiet;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto &r = rules[i];
        // Another direction is never relevant: skip the other checks.
        if (level != detail::all && p.dir != FW_DIR_ANY && p.dir != static_cast<int>(r.dir)) continue;
        auto d = match_detailed(r, p, profiles, false); // no texts yet: most rules are not relevant
        bool relevant = level == detail::all || d.res.how != applies::no || is_near_miss(d);
        if (!relevant) continue;
        d.res.index = i;
        std::size_t k = ev.rules.size();
        bool allowing = r.act != action::block;
        bool process_only = d.res.how == applies::maybe && (d.res.conditions & ~process_conditions) == 0;
        if (d.res.how != applies::no) {
            if (!r.active) {
                if (allowing) disabled_allow.push_back(k);
            } else if (!allowing) {
                if (d.res.how == applies::yes) block_yes.push_back(k);
                else if (d.res.specific) block_maybe.push_back(k);
            } else if (d.res.how == applies::yes) {
                allow_yes.push_back(k);
            } else if (process_only) {
                (d.res.specific ? allow_process : allow_any_port).push_back(k);
            } else {
                allow_env.push_back(k);
                if (r.act == action::bypass) bypass_maybe.push_back(k);
            }
        }
        quiet.push_back(level != detail::all && process_only && !d.res.specific);
        ev.rules.push_back(std::move(d.res));
    }
    auto rule_at = [&](std::size_t k) -> const rule & { return rules[ev.rules[k].index]; };
    auto text_of = [&](std::size_t k) -> const std::string & {
        auto &res = ev.rules[k];
        if (res.text.empty()) res.text = match_detailed(rules[res.index], p, profiles, true).res.text;
        return res.text;
    };
    auto unless_blocks = [&]() {
        if (block_maybe.empty()) return std::string();
        return fmt::format(", unless block rule {} applies ({})", quoted(rule_at(block_maybe.front())),
                           text_of(block_maybe.front()));
    };
    bool inbound = p.dir != FW_DIR_OUTBOUND;

    if (!block_yes.empty()) {
        ev.result = verdict::blocked_by_rule;
        ev.deciding = block_yes;
        ev.explanation = fmt::format("Blocked by rule {}{}", quoted(rule_at(block_yes.front())), and_more(block_yes.size()));
        if (!allow_yes.empty() || !allow_process.empty() || !allow_env.empty()) {
            auto &a = !allow_yes.empty() ? allow_yes : !allow_process.empty() ? allow_process : allow_env;
            if (&a != &allow_env || bypass_maybe.size() < allow_env.size()) {
                std::size_t k = a.front();
                if (&a == &allow_env)
                    for (auto x : allow_env)
                        if (rule_at(x).act != action::bypass) { k = x; break; }
                ev.explanation += fmt::format(", which wins over allow rule {}", quoted(rule_at(k)));
            }
        }
        // Windows precedence: an authenticated bypass rule beats a block rule.
        if (!bypass_maybe.empty())
            ev.explanation += fmt::format(", unless the connection was IPsec-authenticated: then bypass rule {} "
                                          "overrides the block",
                                          quoted(rule_at(bypass_maybe.front())));
        ev.explanation += ".";
    } else if (!allow_yes.empty()) {
        ev.result = verdict::allowed_by_rule;
        ev.deciding = allow_yes;
        ev.explanation = fmt::format("Allowed by rule {}{}{}; if it was still dropped, look for a block rule "
                                     "or policy (e.g. Group Policy not merging local rules).",
                                     quoted(rule_at(allow_yes.front())), and_more(allow_yes.size()), unless_blocks());
    } else if (!allow_process.empty()) {
        ev.result = verdict::allowed_by_rule;
        ev.deciding = allow_process;
        const auto &r = rule_at(allow_process.front());
        ev.explanation = fmt::format("Allowed by rule {}{}, but {}", quoted(r), unless_blocks(), process_scope(r));
    } else if (!allow_env.empty()) {
        ev.result = verdict::undecidable;
        ev.deciding = allow_env;
        ev.explanation = fmt::format("Undecidable: rule {}{} allows this flow {}.", quoted(rule_at(allow_env.front())),
                                     and_more(allow_env.size()),
                                     text_of(allow_env.front()).substr(std::string_view("applies ").size()));
    } else if (!disabled_allow.empty()) {
        ev.result = verdict::allowed_by_disabled_rule;
        ev.deciding = disabled_allow;
        const auto &res = ev.rules[disabled_allow.front()];
        text_of(disabled_allow.front());
        ev.explanation = fmt::format("Only the disabled rule {}{} would allow this flow{}; enable it to allow it.",
                                     quoted(rule_at(disabled_allow.front())), and_more(disabled_allow.size()),
                                     res.how == applies::maybe ? " (" + res.text.substr(std::string_view("disabled (would apply ").size())
                                                               : std::string());
        // res.text for a maybe is "disabled (would apply <conds>)": the substring keeps the closing ')'.
    } else if (!allow_any_port.empty()) {
        ev.result = verdict::undecidable;
        ev.deciding = allow_any_port;
        const auto &r = rule_at(allow_any_port.front());
        ev.explanation = fmt::format(
            "Undecidable: no rule names this {}, but rule {}{} allows any port {}; the log does not say which "
            "program the traffic was for.",
            p.protocol == 1 || p.protocol == 58 ? "ICMP type" : "port", quoted(r), and_more(allow_any_port.size()),
            "only for " + scope_of(r));
    } else {
        ev.result = verdict::no_matching_rule;
        ev.explanation = fmt::format("No enabled or disabled rule allows this flow; the profile's default {} action "
                                     "applies{}.",
                                     inbound ? "inbound" : "outbound",
                                     !block_maybe.empty() ? fmt::format(" (block rule {} may apply too)",
                                                                        quoted(rule_at(block_maybe.front())))
                                                          : std::string());
    }

    // Drop the quiet results the verdict does not rest on; give the rest their texts.
    std::vector<bool> is_deciding(ev.rules.size(), false);
    for (auto k : ev.deciding) is_deciding[k] = true;
    // Most decisive first: the deciding rules, then yes, maybe, disabled, near misses; stable within.
    std::vector<std::uint8_t> rank(ev.rules.size());
    std::vector<std::size_t> order;
    order.reserve(ev.rules.size());
    std::size_t quiet_listed = 0;
    for (std::size_t k = 0; k < rank.size(); ++k) {
        const auto &res = ev.rules[k];
        rank[k] = is_deciding[k] ? 0 : res.how == applies::no ? 4 : !res.enabled ? 3 : res.how == applies::yes ? 1 : 2;
        if (!quiet[k] || (is_deciding[k] && quiet_listed++ < max_quiet_listed)) {
            text_of(k);
            order.push_back(k);
        }
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
    std::vector<rule_result> sorted;
    sorted.reserve(order.size());
    std::vector<std::size_t> deciding;
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (rank[order[k]] == 0) deciding.push_back(k);
        sorted.push_back(std::move(ev.rules[order[k]]));
    }
    ev.rules = std::move(sorted);
    ev.deciding = std::move(deciding);
    return ev;
}

const char *verdict_name(verdict v) noexcept {
    switch (v) {
    case verdict::no_matching_rule: return "NoMatchingRule";
    case verdict::blocked_by_rule: return "BlockedByRule";
    case verdict::allowed_by_rule: return "AllowedByRule";
    case verdict::allowed_by_disabled_rule: return "AllowedByDisabledRule";
    case verdict::undecidable: return "Undecidable";
    }
    return "Unknown";
}

const char *reason_name(reason r) noexcept {
    switch (r) {
    case reason::applies: return "Applies";
    case reason::disabled: return "Disabled";
    case reason::other_direction: return "OtherDirection";
    case reason::other_protocol: return "OtherProtocol";
    case reason::other_local_port: return "OtherLocalPort";
    case reason::other_remote_port: return "OtherRemotePort";
    case reason::other_local_address: return "OtherLocalAddress";
    case reason::other_remote_address: return "OtherRemoteAddress";
    case reason::other_icmp: return "OtherIcmpType";
    case reason::other_profile: return "OtherProfile";
    case reason::profile_unknown: return "ProfileUnknown";
    case reason::program: return "ScopedToProgram";
    case reason::service: return "ScopedToService";
    case reason::authentication: return "RequiresAuthentication";
    case reason::interface: return "ScopedToInterface";
    case reason::address_keyword: return "AddressKeyword";
    case reason::rpc_dynamic: return "RpcDynamicPorts";
    case reason::port_keyword: return "PortKeyword";
    }
    return "Unknown";
}

} // namespace fw::rules
