#include "log/filter.hpp"

#include "core/error.hpp"
#include "log/fields.hpp"
#include "util/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace fw::log {
namespace {

using util::trim;

// The value as it may be shown in a message: printable ASCII, at most 80 bytes.
std::string shown(std::string_view v) {
    std::string out;
    for (char c : v.substr(0, 80)) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && c != '\'') out += c;
        else out += fmt::format("\\x{:02x}", u);
    }
    if (v.size() > 80) out += "...";
    return out;
}

} // namespace

void filter::add(int field, std::string_view raw) {
    std::string_view v = trim(raw);
    switch (field) {
    case FW_FILTER_ACTION: {
        auto a = parse_action(v);
        if (a == FW_ACTION_OTHER)
            fail_invalid(fmt::format("invalid action '{}' (expected Drop, Allow, Info-Events-Lost, Open, "
                                     "Open-Inbound or Close)",
                                     shown(raw)));
        actions |= 1u << a;
        return;
    }
    case FW_FILTER_PROTOCOL: {
        std::int16_t p = FW_ABSENT;
        bool ok = !v.empty() && !detail::is_dash(v) && parse_protocol(v, p) && p >= 0;
        if (!ok)
            fail_invalid(fmt::format("invalid protocol '{}' (expected a name such as TCP, UDP, ICMP, ICMPv6 or a "
                                     "number 0-255)",
                                     shown(raw)));
        protocols.set(static_cast<std::size_t>(p));
        return;
    }
    case FW_FILTER_SRC_ADDRESS:
    case FW_FILTER_DST_ADDRESS: {
        auto r = net::parse_ip_spec(v);
        if (!r)
            fail_invalid(fmt::format("invalid {} address '{}' (expected an address, a/len, a/mask or a-b, IPv4 or "
                                     "IPv6)",
                                     field == FW_FILTER_SRC_ADDRESS ? "source" : "destination", shown(raw)));
        (field == FW_FILTER_SRC_ADDRESS ? src : dst).push_back(*r);
        return;
    }
    case FW_FILTER_SRC_PORT:
    case FW_FILTER_DST_PORT: {
        auto r = net::parse_port_spec(v);
        if (!r)
            fail_invalid(fmt::format("invalid {} port '{}' (expected a port 0-65535 or a range such as 49152-65535)",
                                     field == FW_FILTER_SRC_PORT ? "source" : "destination", shown(raw)));
        (field == FW_FILTER_SRC_PORT ? src_ports : dst_ports).push_back(*r);
        return;
    }
    case FW_FILTER_DIRECTION: {
        using detail::is_word;
        if (is_word(v, "INBOUND") || is_word(v, "IN") || is_word(v, "RECEIVE")) {
            paths |= 1u << FW_PATH_RECEIVE;
        } else if (is_word(v, "OUTBOUND") || is_word(v, "OUT") || is_word(v, "SEND")) {
            paths |= 1u << FW_PATH_SEND;
        } else {
            fail_invalid(fmt::format("invalid direction '{}' (expected Inbound or Outbound)", shown(raw)));
        }
        return;
    }
    default: fail_invalid(fmt::format("invalid filter field {} (expected 1-7, see fw_filter_field)", field));
    }
}

void filter::set_time(std::int64_t a, std::int64_t b) {
    if (a != FW_NO_TIME && b != FW_NO_TIME && a >= b)
        fail_invalid(fmt::format("invalid time window: after ({}) must be earlier than before ({})", a, b));
    after = a;
    before = b;
}

void filter::lift_expression() {
    if (!expr) return;
    bool empty = expr->lift([&](const filter_expr::node &nd, const std::vector<std::int64_t> &numbers,
                                const std::vector<net::ip> &addresses) {
        const std::int64_t *v = numbers.data() + nd.first;
        switch (nd.kind) {
        case FW_EXPR_CODES: {
            const auto w0 = static_cast<std::uint64_t>(v[0]);
            if (nd.field == FW_EXPR_ACTION && actions == 0 && (w0 & 0x7f) != 0) {
                actions = static_cast<std::uint32_t>(w0 & 0x7f);
                return true;
            }
            if (nd.field == FW_EXPR_PATH && paths == 0 && (w0 & 0x3f) != 0) {
                paths = static_cast<std::uint32_t>(w0 & 0x3f);
                return true;
            }
            // Protocols: only numbers 0-255 (no OTHER, no absent), and at least one.
            if (nd.field == FW_EXPR_PROTOCOL && protocols.none() && (static_cast<std::uint64_t>(v[4]) & 3u) == 0) {
                std::bitset<256> set;
                for (std::size_t b = 0; b < 256; ++b)
                    if ((static_cast<std::uint64_t>(v[b / 64]) >> (b % 64)) & 1u) set.set(b);
                if (set.none()) return false;
                protocols = set;
                return true;
            }
            return false;
        }
        case FW_EXPR_NUMBERS: {
            if (nd.absent_passes || nd.count == 0) return false;
            if (nd.field == FW_EXPR_SRC_PORT || nd.field == FW_EXPR_DST_PORT) {
                auto &set = nd.field == FW_EXPR_SRC_PORT ? src_ports : dst_ports;
                if (!set.empty()) return false;
                std::vector<net::port_range> ranges;
                for (std::uint32_t k = 0; k < nd.count; ++k) {
                    std::int64_t lo = std::max<std::int64_t>(v[2 * k], 0), hi = std::min<std::int64_t>(v[2 * k + 1], 65535);
                    if (lo <= hi) ranges.push_back({static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)});
                }
                if (ranges.empty()) return false;
                set = std::move(ranges);
                return true;
            }
            if (nd.field == FW_EXPR_TIME && nd.count == 1 && !has_time() && v[0] != FW_NO_TIME && v[1] != INT64_MAX) {
                after = v[0];
                before = v[1] + 1;
                return true;
            }
            return false;
        }
        case FW_EXPR_ADDRESSES: {
            if (nd.absent_passes || nd.count == 0) return false;
            if (nd.field != FW_EXPR_SRC_ADDRESS && nd.field != FW_EXPR_DST_ADDRESS) return false;
            auto &set = nd.field == FW_EXPR_SRC_ADDRESS ? src : dst;
            if (!set.empty()) return false;
            for (std::uint32_t k = 0; k < nd.count; ++k)
                set.push_back({addresses[nd.first + 2 * k], addresses[nd.first + 2 * k + 1]});
            return true;
        }
        default: return false;
        }
    });
    if (empty) expr.reset();
}

bool filter::match_addr(const std::vector<net::ip_range> &set, const fw_addr &a) noexcept {
    if (set.empty()) return true;
    if (a.family == FW_AF_NONE) return false;
    auto ip = net::from_abi(a);
    for (const auto &r : set)
        if (net::contains(r, ip)) return true;
    return false;
}

bool filter::matches(const fw_record &r) const noexcept {
    return (actions == 0 || (actions & (1u << r.action)) != 0) && match_protocol(r.protocol) &&
           match_addr(src, r.src) && match_addr(dst, r.dst) && match_port(src_ports, r.src_port) &&
           match_port(dst_ports, r.dst_port) && (paths == 0 || (paths & (1u << r.path)) != 0) && match_time(r.time) &&
           (!expr || expr->matches(r));
}

} // namespace fw::log
