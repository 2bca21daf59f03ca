#include "synth/existing.hpp"

#include "rules/match.hpp"

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace fw::synth {
namespace {

bool covers_dynamic_range(const rules::rule &r) noexcept {
    if ((r.local_ports.keywords & rules::pk_dynamic_rpc) != 0) return true;
    if (r.local_ports.any()) return true;
    for (const auto &range : r.local_ports.ranges)
        if (range.lo <= dynamic_port_lo && range.hi == 65535) return true;
    return false;
}

bool names_dynamic_rpc(const rules::rule &r) noexcept { return (r.local_ports.keywords & rules::pk_dynamic_rpc) != 0; }

bool port_may_match(const rules::port_set &ports, std::int32_t port) noexcept {
    if (ports.any() || ports.keywords != 0) return true;
    if (port < 0) return false;
    for (const auto &r : ports.ranges)
        if (net::contains(r, static_cast<std::uint32_t>(port))) return true;
    return false;
}

rules::packet packet_of(const probe &q) {
    rules::packet p;
    p.dir = q.direction;
    p.protocol = q.protocol;
    p.remote = q.remote;
    p.icmp_type = q.icmp_type;
    std::int32_t port = -1;
    switch (q.kind) {
    case port_kind::number: port = q.port; break;
    case port_kind::rpc: port = dynamic_port_lo; break;
    case port_kind::rpc_epmap: port = rpc_epmap_port; break;
    case port_kind::none: break;
    }
    (q.direction == FW_DIR_INBOUND ? p.local_port : p.remote_port) = port;
    return p;
}

// The matcher's answer for one probe, reduced to what synthesis needs.
coverage decide(const rules::ruleset &rs, const probe &q) {
    const auto ev = rules::evaluate(rs, packet_of(q), q.profile, rules::detail::relevant);
    coverage allowed, disabled;
    for (const auto &res : ev.rules) {
        const auto &r = rs[res.index];
        const bool certain = res.how == rules::applies::yes && (q.kind != port_kind::rpc || covers_dynamic_range(r));
        const bool rpc_keyword = q.kind == port_kind::rpc && res.how == rules::applies::maybe &&
                                 res.conditions == rules::cond_rpc_dynamic && names_dynamic_rpc(r);
        if (r.act == rules::action::block) {
            // Block wins over allow, as in the firewall.
            if (res.enabled && res.how == rules::applies::yes) return coverage{coverage_kind::blocked, r.name};
            continue;
        }
        if (!certain && !rpc_keyword) continue;
        if (res.enabled) {
            if (allowed.kind == coverage_kind::none) allowed = coverage{coverage_kind::allowed, r.name};
        } else if (disabled.kind == coverage_kind::none) {
            disabled = coverage{coverage_kind::disabled_allow, r.name};
        }
    }
    if (allowed.kind != coverage_kind::none) return allowed;
    return disabled;
}

// Answers are cached: for one direction, protocol, port and profile, the answer
// depends on the remote address only through its family and the set of rules
// whose remote addresses contain it, so addresses with the same membership
// share one evaluation.
struct cache {
    std::shared_ptr<const rules::ruleset> rs;
    using service_key = std::tuple<std::uint8_t, std::uint8_t, port_kind, std::uint16_t, std::int16_t>;
    struct service {
        std::vector<std::size_t> rules; // rules that may apply to the service
        std::map<std::tuple<std::uint32_t, std::uint8_t, std::string>, coverage> answers;
    };
    std::map<service_key, service> services;
    service_key last_key{};
    service *last = nullptr;

    service &service_for(const probe &q) {
        const service_key key{q.direction, q.protocol, q.kind, q.port, q.icmp_type};
        if (last != nullptr && key == last_key) return *last;
        auto it = services.find(key);
        if (it == services.end()) {
            const auto p = packet_of(q);
            service s;
            for (std::size_t i = 0; i < rs->size(); ++i) {
                const auto &r = (*rs)[i];
                if (static_cast<int>(r.dir) != q.direction) continue;
                if (r.protocol != rules::any_protocol && r.protocol != q.protocol) continue;
                if (!port_may_match(r.local_ports, p.local_port) || !port_may_match(r.remote_ports, p.remote_port))
                    continue;
                s.rules.push_back(i);
            }
            it = services.emplace(key, std::move(s)).first;
        }
        last_key = key;
        last = &it->second;
        return it->second;
    }

    coverage check(const probe &q) {
        auto &svc = service_for(q);
        if (svc.rules.empty()) return {};
        std::string membership(svc.rules.size(), '0');
        for (std::size_t j = 0; j < svc.rules.size(); ++j) {
            for (const auto &range : (*rs)[svc.rules[j]].remote_addresses.ranges)
                if (net::contains(range, q.remote)) {
                    membership[j] = '1';
                    break;
                }
        }
        auto key = std::make_tuple(q.profile, q.remote.family, std::move(membership));
        auto it = svc.answers.find(key);
        if (it != svc.answers.end()) return it->second;
        auto c = decide(*rs, q);
        svc.answers.emplace(std::move(key), c);
        return c;
    }
};

} // namespace

existing_rules existing_from(std::shared_ptr<const rules::ruleset> rs) {
    existing_rules e;
    auto state = std::make_shared<cache>();
    state->rs = rs;
    e.check = [state](const probe &q) { return state->check(q); };
    e.enabled_allow_with_id = [rs](std::string_view id) {
        for (const auto &r : rs->rules())
            if (r.name == id && r.active && r.act != rules::action::block) return true;
        return false;
    };
    return e;
}

} // namespace fw::synth
