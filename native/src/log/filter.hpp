// What a reader keeps: values OR'ed within a column, columns AND'ed.
// The reader evaluates it on the raw fields of a line before typing the rest.
#pragma once

#include "log/filter_expr.hpp"
#include "net/address.hpp"

#include <fw/log.h>

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace fw::log {

struct filter {
    std::uint32_t actions = 0;    // bit per fw_action; 0 = any
    std::bitset<256> protocols;   // protocol numbers; none = any
    std::vector<net::ip_range> src, dst;
    std::vector<net::port_range> src_ports, dst_ports;
    std::uint32_t paths = 0;      // bit per fw_path; 0 = any
    std::int64_t after = FW_NO_TIME;  // inclusive
    std::int64_t before = FW_NO_TIME; // exclusive
    std::optional<filter_expr> expr;  // AND'ed with the rest (Get-FwDrop -Filter)

    // Add one accepted value for field (fw_filter_field). Throws fw::error
    // (FW_EINVALID, naming the value) if it cannot be parsed; then nothing changes.
    void add(int field, std::string_view value);
    // Moves what the expression ANDs and the columns above can say exactly (a port, address, action,
    // protocol, path or time test on a column not used yet) into those columns: the reader tests them
    // first and faster. The matches do not change.
    void lift_expression();
    // Throws FW_EINVALID when after >= before (both set).
    void set_time(std::int64_t after, std::int64_t before);

    [[nodiscard]] bool has_time() const noexcept { return after != FW_NO_TIME || before != FW_NO_TIME; }
    [[nodiscard]] bool empty() const noexcept {
        return actions == 0 && protocols.none() && src.empty() && dst.empty() && src_ports.empty() &&
               dst_ports.empty() && paths == 0 && !has_time() &&
               !expr;
    }

    [[nodiscard]] bool match_time(std::int64_t t) const noexcept {
        if (t == FW_NO_TIME) return !has_time();
        return (after == FW_NO_TIME || t >= after) && (before == FW_NO_TIME || t < before);
    }
    [[nodiscard]] static bool match_addr(const std::vector<net::ip_range> &set, const fw_addr &a) noexcept;
    [[nodiscard]] static bool match_port(const std::vector<net::port_range> &set, std::int32_t port) noexcept {
        if (set.empty()) return true;
        if (port < 0) return false;
        for (const auto &r : set)
            if (net::contains(r, static_cast<std::uint32_t>(port))) return true;
        return false;
    }
    [[nodiscard]] bool match_protocol(std::int16_t p) const noexcept {
        return protocols.none() || (p >= 0 && p <= 255 && protocols.test(static_cast<std::size_t>(p)));
    }

    // The whole filter on a typed record (what the raw evaluation must agree with).
    [[nodiscard]] bool matches(const fw_record &r) const noexcept;
};

} // namespace fw::log
