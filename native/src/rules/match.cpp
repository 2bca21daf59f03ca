// The matcher: one rule against one packet, and the verdict of a rule set.
#include "rules/match.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>

namespace fw::rules {
namespace {

// What one condition of a rule says about the packet.
enum class cond_state : std::uint8_t { pass, fail, maybe };

struct detailed {
    rule_result res;
    int fails = 0;
};

// Texts are made only when asked for (Text): evaluating a packet against
// a thousand rules formats the text of the few relevant ones only.
template <bool Text>
struct collector {
    detailed &d;
    reason first_maybe = reason::applies;
    std::string fail_text;
    std::vector<std::string> maybe_texts;

    template <class F>
    void fail(reason why, F &&text) {
        if (d.fails++ == 0) {
            d.res.why = why;
            if constexpr (Text) fail_text = text();
        }
    }
    template <class F>
    void maybe(reason why, std::uint32_t cond, F &&text) {
        if (d.res.conditions == 0) first_maybe = why;
        d.res.conditions |= cond;
        if constexpr (Text) maybe_texts.push_back(text());
    }
};

bool is_dynamic_rpc_port(std::int32_t port) noexcept { return port >= 49152 && port <= 65535; }

// Port condition. local: the rule's local ports vs the packet's local port.
template <class collector>
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

template <class collector>
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

// pre: the rule's static conditions when already known (no texts are made then).
template <bool Text>
detailed match_detailed(const rule &r, const packet &p, std::uint32_t profiles, const static_conditions *pre = nullptr) {
    detailed d;
    d.res.enabled = r.active;
    collector<Text> c{d, reason::applies, {}, {}};

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
    // The profiles the rule is in force in: its own, less those where Group Policy does not merge
    // local rules (AllowLocalPolicyMerge = 0; merged_profiles is all of them for other stores).
    // The merge check is the last that can fail, so a rule whose reason is local_not_merged fails
    // on nothing else.
    const auto own = static_cast<std::uint8_t>(r.profiles & FW_PROFILE_ALL);
    const auto in_force = static_cast<std::uint8_t>(own & r.merged_profiles);
    const auto not_merged = static_cast<std::uint8_t>(own & ~r.merged_profiles);
    auto plural = [](unsigned mask) { return std::popcount(mask) > 1 ? "s" : ""; };
    auto not_merged_text = [&](std::uint8_t which) {
        return fmt::format("Group Policy does not merge local rules in the {} profile{} (AllowLocalPolicyMerge = 0)",
                           profiles_text(which), plural(which));
    };
    if (own != FW_PROFILE_ALL || not_merged != 0) {
        if (profiles == FW_PROFILE_UNKNOWN) {
            if (in_force == 0)
                c.fail(reason::local_not_merged, [&] { return not_merged_text(not_merged); });
            else
                c.maybe(reason::profile_unknown, cond_profile, [&] {
                    return fmt::format("only on the {} profile{}{} (the active profile is unknown)", profiles_text(in_force),
                                       plural(in_force),
                                       not_merged ? ", where Group Policy merges local rules" : "");
                });
        } else if ((own & profiles) == 0) {
            c.fail(reason::other_profile, [&] { return std::string(fmt::format("other profile (rule: {})", profiles_text(r.profiles))); });
        } else if ((in_force & profiles) == 0) {
            c.fail(reason::local_not_merged, [&] { return not_merged_text(static_cast<std::uint8_t>(own & profiles)); });
        }
    }
    if (!Text && pre) {
        if (d.res.conditions == 0 && pre->bits) c.first_maybe = pre->first;
        d.res.conditions |= pre->bits;
    } else {
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
    }

    if (d.fails > 0) {
        d.res.how = applies::no;
        d.res.text = std::move(c.fail_text);
        return d;
    }
    d.res.how = d.res.conditions ? applies::maybe : applies::yes;
    d.res.why = d.res.conditions ? c.first_maybe : reason::applies;
    if (!r.active) d.res.why = reason::disabled;
    if constexpr (!Text) return d;
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
    // A local rule that would apply but for Group Policy's merge setting: the answer to "I added a
    // rule and it still drops". Listed unless it is a program-scoped rule that names nothing the packet used.
    if (d.fails == 1 && d.res.why == reason::local_not_merged)
        return d.res.specific || (d.res.conditions & process_conditions) == 0;
    if (d.fails != 1 || !d.res.specific) return false;
    switch (d.res.why) {
    case reason::other_protocol:
    case reason::other_local_address:
    case reason::other_remote_address:
    case reason::other_profile: return true;
    default: return false;
    }
}

// Which process a rule is scoped to: "service termservice", "program C:\\x.exe", ...
void scope_to(fmt::memory_buffer &buf, const rule &r) {
    auto out = std::back_inserter(buf);
    if (!r.svc.empty() && r.svc != "*") fmt::format_to(out, "service {}", r.svc);
    else if (r.svc == "*") buf.append(std::string_view("Windows services (Svc=*)"));
    else if (!r.package.empty()) fmt::format_to(out, "app package {}", r.package);
    else if (!r.app.empty()) fmt::format_to(out, "program {}", r.app);
    else buf.append(std::string_view("certain local users' processes"));
}
std::string scope_of(const rule &r) {
    fmt::memory_buffer buf;
    scope_to(buf, r);
    return fmt::to_string(buf);
}

// The sentence part after "but": which process the rule is scoped to, and the question to ask.
std::string process_scope(const rule &r) {
    if (!r.svc.empty() && r.svc != "*") return fmt::format("only for {}: is the service running?", scope_of(r));
    if (r.svc == "*") return fmt::format("only for {}: is the service that listens on it running?", scope_of(r));
    if (!r.package.empty()) return fmt::format("only for {}: is the app running?", scope_of(r));
    if (!r.app.empty()) return fmt::format("only for {}: is it running and listening?", scope_of(r));
    return fmt::format("only for {}", scope_of(r));
}


} // namespace

rule_result match(const rule &r, const packet &p, std::uint32_t profiles) {
    return match_detailed<true>(r, p, profiles).res;
}

static_conditions static_conditions_of(const rule &r) noexcept {
    // The same conditions, in the same order, as the end of match_detailed.
    static_conditions s;
    auto add = [&](reason why, std::uint32_t bit) {
        if (s.bits == 0) s.first = why;
        s.bits |= bit;
    };
    if (!r.svc.empty()) add(reason::service, cond_service);
    if (!r.app.empty()) add(reason::program, cond_program);
    if (!r.package.empty()) add(reason::program, cond_program);
    if (!r.local_user_owner.empty() || !r.local_user_auth.empty()) add(reason::program, cond_program);
    if (r.security || !r.remote_machine_auth.empty() || !r.remote_user_auth.empty() || r.act == action::bypass)
        add(reason::authentication, cond_authentication);
    if (!r.interfaces.empty()) add(reason::interface, cond_interface);
    if (r.interface_types) add(reason::interface, cond_interface);
    if (!r.dynamic_targets.empty()) add(reason::interface, cond_interface);
    return s;
}

bool classify(const rule &r, std::uint32_t index, const packet &p, std::uint32_t profiles, detail level,
              classified &out, const static_conditions *pre) {
    // Another direction is never relevant: skip the other checks.
    if (level != detail::all && p.dir != FW_DIR_ANY && p.dir != static_cast<int>(r.dir)) return false;
    auto d = match_detailed<false>(r, p, profiles, pre); // no texts yet: most rules are not relevant
    if (level != detail::all && d.res.how == applies::no && !is_near_miss(d)) return false;
    out.index = index;
    out.how = d.res.how;
    out.why = d.res.why;
    out.conditions = d.res.conditions;
    out.enabled = d.res.enabled;
    out.specific = d.res.specific;
    auto cat = categorize(r, out, level);
    out.at = cat.at;
    out.quiet = cat.quiet;
    return true;
}

categorized categorize(const rule &r, const classified &c, detail level) noexcept {
    // Quiet: a maybe-rule scoped to a program or service that names nothing the packet used (an
    // app rule for any port, a service-hardening block). A real machine has hundreds of them.
    bool allowing = r.act != action::block;
    bool process_only = c.how == applies::maybe && (c.conditions & ~process_conditions) == 0;
    categorized out;
    out.quiet = level != detail::all && process_only && !c.specific;
    if (c.how == applies::no) {
        // Fails only on the merge setting (the last check that can fail; see match_detailed).
        if (c.why == reason::local_not_merged && r.active && allowing) out.at = cat_unmerged_allow;
        return out;
    }
    if (!r.active) {
        if (allowing) out.at = cat_disabled_allow;
    } else if (!allowing) {
        if (c.how == applies::yes) out.at = cat_block_yes;
        else if (c.specific) out.at = cat_block_maybe;
    } else if (c.how == applies::yes) {
        out.at = cat_allow_yes;
    } else if (process_only) {
        out.at = c.specific ? cat_allow_process : cat_allow_any_port;
    } else {
        out.at = cat_allow_env;
    }
    return out;
}

void verdict_summary::add(const rule &r, const classified &c, detail) noexcept {
    auto at = c.at; // categorize(r, c, level), made by classify
    if (at == cat_none) return;
    auto lower = [](std::uint32_t &count, classified &first, const classified &x) {
        if (count++ == 0 || x.index < first.index) first = x;
    };
    lower(size[at], first[at], c);
    if (at == cat_allow_env) {
        if (r.act == action::bypass) lower(bypass_count, bypass_first, c);
        else lower(env_plain_count, env_first_plain, c);
    }
}

void verdict_summary::merge(const verdict_summary &o) noexcept {
    auto lower = [](std::uint32_t &count, classified &first, std::uint32_t o_count, const classified &o_first) {
        if (o_count == 0) return;
        if (count == 0 || o_first.index < first.index) first = o_first;
        count += o_count;
    };
    for (std::size_t at = 0; at < cat_count; ++at) lower(size[at], first[at], o.size[at], o.first[at]);
    lower(bypass_count, bypass_first, o.bypass_count, o.bypass_first);
    lower(env_plain_count, env_first_plain, o.env_plain_count, o.env_first_plain);
}

category verdict_summary::deciding() const noexcept {
    for (auto at : {cat_block_yes, cat_allow_yes, cat_allow_process, cat_allow_env, cat_disabled_allow, cat_allow_any_port,
                    cat_unmerged_allow})
        if (size[at]) return at;
    return cat_none;
}

evaluation decide(std::span<const rule> rules, std::span<const classified> relevant, const packet &p,
                  std::uint32_t profiles, detail level, bool texts) {
    verdict_summary all;
    for (const auto &c : relevant) all.add(rules[c.index], c, level);
    return decide(rules, all, relevant, p, profiles, level, texts);
}

std::uint8_t listing_rank(const classified &c, category deciding) noexcept {
    if (deciding != cat_none && c.at == deciding) return 0;
    return c.how == applies::no ? 4 : !c.enabled ? 3 : c.how == applies::yes ? 1 : 2;
}

// The branches of verdict_of that call text_of.
bool explanation_quotes_text(const verdict_summary &all) noexcept {
    const auto &size = all.size;
    if (size[cat_block_yes]) return false;
    if (size[cat_allow_yes] || size[cat_allow_process]) return size[cat_block_maybe] != 0;
    if (size[cat_allow_env] || size[cat_unmerged_allow]) return true;
    if (size[cat_disabled_allow]) return all.first[cat_disabled_allow].how == applies::maybe;
    return false;
}

evaluation verdict_of(std::span<const rule> rules, const verdict_summary &all, const packet &p,
                      std::uint32_t profiles) {
    const auto &size = all.size;
    const auto &first = all.first;
    const std::uint32_t bypass_count = all.bypass_count;

    // The last text made (each branch quotes at most one; no list to allocate): rule index, text.
    std::size_t made_at = ~std::size_t{0};
    std::string made;
    // Results are named by their rule index (a rule is relevant once).
    auto rule_at = [&](const classified &c) -> const rule & { return rules[c.index]; };
    auto text_of = [&](const classified &c) -> const std::string & {
        if (made_at != c.index) {
            made = std::move(match_detailed<true>(rule_at(c), p, profiles).res.text);
            made_at = c.index;
        }
        return made;
    };
    // Written into one buffer: no string per part.
    fmt::memory_buffer buf;
    auto out = std::back_inserter(buf);
    auto label = [&](const classified &c) { return rule_at(c).label(); };
    auto more = [&](std::uint32_t n) {
        if (n > 1) fmt::format_to(out, " (and {} more)", n - 1);
    };
    auto unless_blocks = [&]() {
        if (size[cat_block_maybe] == 0) return;
        fmt::format_to(out, ", unless block rule '{}' applies ({})", label(first[cat_block_maybe]),
                       text_of(first[cat_block_maybe]));
    };
    auto put = [&](std::string_view text) { buf.append(text); };
    // A local allow rule Group Policy keeps out of this profile: named wherever no rule in force allows.
    auto unmerged_note = [&]() {
        if (size[cat_unmerged_allow] == 0) return;
        const auto &k = first[cat_unmerged_allow];
        fmt::format_to(out, " Local rule '{}'", label(k));
        more(size[cat_unmerged_allow]);
        fmt::format_to(out, " would allow it, but {}.", text_of(k));
    };
    // What else the explanation depends on (explanation_quotes_text: keep in step).
    bool inbound = p.dir != FW_DIR_OUTBOUND;
    bool icmp = p.protocol == 1 || p.protocol == 58;

    evaluation ev;
    if (size[cat_block_yes]) {
        ev.result = verdict::blocked_by_rule;
        fmt::format_to(out, "Blocked by rule '{}'", label(first[cat_block_yes]));
        more(size[cat_block_yes]);
        if (size[cat_allow_yes] || size[cat_allow_process] || size[cat_allow_env]) {
            auto a = size[cat_allow_yes] ? cat_allow_yes : size[cat_allow_process] ? cat_allow_process : cat_allow_env;
            if (a != cat_allow_env || bypass_count < size[cat_allow_env])
                fmt::format_to(out, ", which wins over allow rule '{}'",
                               label(a == cat_allow_env ? all.env_first_plain : first[a]));
        }
        // Windows precedence: an authenticated bypass rule beats a block rule.
        if (bypass_count)
            fmt::format_to(out, ", unless the connection was IPsec-authenticated: then bypass rule '{}' overrides the "
                                "block",
                           label(all.bypass_first));
        put(".");
    } else if (size[cat_allow_yes]) {
        ev.result = verdict::allowed_by_rule;
        fmt::format_to(out, "Allowed by rule '{}'", label(first[cat_allow_yes]));
        more(size[cat_allow_yes]);
        unless_blocks();
        put("; if it was still dropped, look for a block rule or policy (e.g. Group Policy not merging local rules).");
    } else if (size[cat_allow_process]) {
        ev.result = verdict::allowed_by_rule;
        const auto &r = rule_at(first[cat_allow_process]);
        fmt::format_to(out, "Allowed by rule '{}'", r.label());
        unless_blocks();
        fmt::format_to(out, ", but {}", process_scope(r));
    } else if (size[cat_allow_env]) {
        ev.result = verdict::undecidable;
        fmt::format_to(out, "Undecidable: rule '{}'", label(first[cat_allow_env]));
        more(size[cat_allow_env]);
        fmt::format_to(out, " allows this flow {}.",
                       std::string_view(text_of(first[cat_allow_env])).substr(std::string_view("applies ").size()));
        unmerged_note();
    } else if (size[cat_disabled_allow]) {
        ev.result = verdict::allowed_by_disabled_rule;
        const auto &k = first[cat_disabled_allow];
        fmt::format_to(out, "Only the disabled rule '{}'", label(k));
        more(size[cat_disabled_allow]);
        put(" would allow this flow");
        // The text of a maybe is "disabled (would apply <conds>)": the substring keeps the closing ')'.
        if (k.how == applies::maybe)
            fmt::format_to(out, " ({}",
                           std::string_view(text_of(k)).substr(std::string_view("disabled (would apply ").size()));
        put("; enable it to allow it.");
        unmerged_note();
    } else if (size[cat_allow_any_port]) {
        ev.result = verdict::undecidable;
        const auto &r = rule_at(first[cat_allow_any_port]);
        fmt::format_to(out, "Undecidable: no rule names this {}, but rule '{}'",
                       icmp ? "ICMP type" : "port", r.label());
        more(size[cat_allow_any_port]);
        put(" allows any port only for ");
        scope_to(buf, r);
        put("; the log does not say which program the traffic was for.");
        unmerged_note();
    } else if (size[cat_unmerged_allow]) {
        ev.result = verdict::no_matching_rule;
        const auto &k = first[cat_unmerged_allow];
        fmt::format_to(out, "No rule in force allows this flow: local rule '{}'", label(k));
        more(size[cat_unmerged_allow]);
        fmt::format_to(out, " would, but {}; the profile's default {} action applies", text_of(k),
                       inbound ? "inbound" : "outbound");
        if (size[cat_block_maybe])
            fmt::format_to(out, " (block rule '{}' may apply too)", label(first[cat_block_maybe]));
        put(". Add the rule to the Group Policy object, or allow local rules there.");
    } else {
        ev.result = verdict::no_matching_rule;
        fmt::format_to(out, "No enabled or disabled rule allows this flow; the profile's default {} action applies",
                       inbound ? "inbound" : "outbound");
        if (size[cat_block_maybe])
            fmt::format_to(out, " (block rule '{}' may apply too)", label(first[cat_block_maybe]));
        put(".");
    }
    ev.explanation.assign(buf.data(), buf.size());
    return ev;
}

// The level is in each result already (classify categorized it).
evaluation decide(std::span<const rule> rules, const verdict_summary &all, std::span<const classified> listable,
                  const packet &p, std::uint32_t profiles, detail, bool texts) {
    evaluation ev = verdict_of(rules, all, p, profiles);
    const category deciding_cat = all.deciding();
    // Most decisive first: the deciding rules, then yes, maybe, disabled, near misses; stable
    // within. Quiet results are listed only when the verdict rests on them, and at most 10.
    constexpr std::uint8_t unlisted = 7;
    const std::size_t n = listable.size();
    std::vector<std::uint8_t> ranks(n, unlisted);
    std::array<std::size_t, 8> at_rank{};
    std::size_t quiet_listed = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const auto &c = listable[k];
        bool deciding = deciding_cat != cat_none && c.at == deciding_cat;
        std::uint8_t rank = listing_rank(c, deciding_cat);
        if (c.quiet && !(deciding && quiet_listed++ < max_quiet_listed)) rank = unlisted;
        ranks[k] = rank;
        ++at_rank[rank];
    }
    std::size_t listed = n - at_rank[unlisted];
    // Slots: where each rank starts in the list.
    std::array<std::size_t, 8> slot{};
    for (std::size_t r = 1; r < slot.size(); ++r) slot[r] = slot[r - 1] + at_rank[r - 1];
    ev.rules.resize(listed);
    if (texts) ev.texts.resize(listed);
    ev.deciding.reserve(at_rank[0]);
    for (std::size_t k = 0; k < at_rank[0]; ++k) ev.deciding.push_back(k);
    for (std::size_t k = 0; k < n; ++k) {
        auto rank = static_cast<std::size_t>(ranks[k]);
        if (rank == unlisted) continue;
        const auto &c = listable[k];
        const auto at = slot[rank]++;
        ev.rules[at] = listed_result{c.index, c.how, c.why, c.conditions, c.enabled, c.specific};
        if (texts) ev.texts[at] = match_detailed<true>(rules[c.index], p, profiles).res.text;
    }
    return ev;
}

evaluation evaluate(const ruleset &rs, const packet &p, std::uint32_t profiles, detail level) {
    auto rules = rs.rules();
    std::vector<classified> relevant;
    classified c;
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (classify(rules[i], static_cast<std::uint32_t>(i), p, profiles, level, c)) relevant.push_back(c);
    return decide(rules, relevant, p, profiles, level, true);
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
    case reason::local_not_merged: return "LocalRuleNotMerged";
    }
    return "Unknown";
}

} // namespace fw::rules
