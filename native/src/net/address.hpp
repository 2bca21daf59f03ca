// IP addresses, address ranges and port ranges: the vocabulary shared by the
// log filters and the rule matcher. Parsing is strict and allocation-free;
// only to_string allocates.
#pragma once

#include <fw/common.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fw::net {

// An IPv4 or IPv6 address. family is 0 (none), 4 or 6; bytes are in network
// order, IPv4 in bytes[0..3] and the rest zero, so the defaulted ordering sorts
// by family, then numerically.
struct ip {
    std::uint8_t family = 0;
    std::array<std::uint8_t, 16> bytes{};
    auto operator<=>(const ip &) const = default;
};

// An IPv4 dotted quad ("192.0.2.1": four decimal parts 0-255, no leading zeros,
// which inet_aton would read as octal) or an IPv6 address ("2001:db8::1", "::",
// "::ffff:192.0.2.1", the tail a dotted quad as strict). Refused: the inet_aton
// shorthands ("10.5", "167772165", "0x0a000005"), brackets, and zone ids
// ("fe80::1%eth0"): a log never has one, and a firewall rule or -Scope cannot use
// one (a zone names an interface of one machine; rules scope interfaces with IF=).
// The C# side (DropValues.TryParseAddress) accepts exactly the same.
[[nodiscard]] std::optional<ip> parse_ip(std::string_view text) noexcept;
[[nodiscard]] std::optional<ip> parse_ipv4(std::string_view text) noexcept;
[[nodiscard]] std::optional<ip> parse_ipv6(std::string_view text) noexcept;

// parse_ipv6 for text with ipv6_readable bytes readable from its start (more
// than the text: a line buffer's rest and padding): the same answers, found
// with 16-byte compares and bit masks instead of a byte-by-byte walk.
inline constexpr std::size_t ipv6_readable = 48;
[[nodiscard]] bool parse_ipv6_readable(std::string_view text, ip &out) noexcept;
// The byte-by-byte parse parse_ipv6 replaced, kept as the reference the
// differential test compares against (tests/native/net/address_diff.test.cpp).
[[nodiscard]] std::optional<ip> parse_ipv6_reference(std::string_view text) noexcept;

// An inclusive range of addresses of one family.
struct ip_range {
    ip lo, hi;
};

// "a", "a/len", "a/255.255.255.0" (IPv4 dotted mask, contiguous), "a-b".
// Host bits under a prefix are ignored ("10.1.2.3/8" is 10.0.0.0-10.255.255.255).
// Rejects lo > hi, mixed families, bad lengths and non-contiguous masks.
[[nodiscard]] std::optional<ip_range> parse_ip_spec(std::string_view text) noexcept;

// True when a has the range's family and lies within it.
[[nodiscard]] bool contains(const ip_range &range, const ip &a) noexcept;

// Canonical text: IPv4 dotted quad; IPv6 as RFC 5952 (lowercase, longest run of two
// or more zero groups compressed, IPv4-mapped addresses as ::ffff:a.b.c.d); "" for none.
[[nodiscard]] std::string to_string(const ip &a);
[[nodiscard]] std::string to_string(const ip_range &r);

// An inclusive port range.
struct port_range {
    std::uint16_t lo = 0, hi = 0;
    auto operator<=>(const port_range &) const = default;
};

// "443" or "49152-65535", decimal 0..65535, lo <= hi.
[[nodiscard]] std::optional<port_range> parse_port_spec(std::string_view text) noexcept;

[[nodiscard]] constexpr bool contains(const port_range &r, std::uint32_t port) noexcept {
    return port >= r.lo && port <= r.hi;
}

[[nodiscard]] fw_addr to_abi(const ip &a) noexcept;
[[nodiscard]] ip from_abi(const fw_addr &a) noexcept;

} // namespace fw::net
