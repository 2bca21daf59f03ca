#include "synth/existing.hpp"

#include "rules/match.hpp"

#include <utility>

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

} // namespace

existing_rules existing_from(std::shared_ptr<const rules::ruleset> rs) {
    existing_rules e;
    e.check = [rs](const probe &q) {
        rules::packet p;
        p.dir = q.direction;
        p.protocol = q.protocol;
        p.remote = q.remote;
        p.icmp_type = q.icmp_type;
        const bool in = q.direction == FW_DIR_INBOUND;
        std::int32_t port = -1;
        switch (q.kind) {
        case port_kind::number: port = q.port; break;
        case port_kind::rpc: port = dynamic_port_lo; break;
        case port_kind::rpc_epmap: port = rpc_epmap_port; break;
        case port_kind::none: break;
        }
        (in ? p.local_port : p.remote_port) = port;
        const auto ev = rules::evaluate(*rs, p, q.profile, rules::detail::relevant);

        coverage allowed, disabled;
        for (const auto &res : ev.rules) {
            const auto &r = (*rs)[res.index];
            const bool certain = res.how == rules::applies::yes &&
                                 (q.kind != port_kind::rpc || covers_dynamic_range(r));
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
    };
    e.enabled_allow_with_id = [rs](std::string_view id) {
        for (const auto &r : rs->rules())
            if (r.name == id && r.active && r.act != rules::action::block) return true;
        return false;
    };
    return e;
}

} // namespace fw::synth
