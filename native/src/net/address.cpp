#include "net/address.hpp"

#include "util/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define FW_NET_SSE2 1
#include <emmintrin.h>
#endif

namespace fw::net {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

using util::trim;

// Decimal without sign or leading zeros, at most max.
std::optional<std::uint32_t> parse_decimal(std::string_view s, std::uint32_t max) noexcept {
    if (s.empty() || s.size() > 10) return std::nullopt;
    if (s.size() > 1 && s.front() == '0') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > max) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

bool parse_v4_into(std::string_view s, std::uint8_t *out) noexcept {
    for (int part = 0; part < 4; ++part) {
        std::size_t end = part < 3 ? s.find('.') : s.size();
        if (end == std::string_view::npos) return false;
        auto v = parse_decimal(s.substr(0, end), 255);
        if (!v) return false;
        out[part] = static_cast<std::uint8_t>(*v);
        s.remove_prefix(part < 3 ? end + 1 : end);
    }
    return s.empty();
}

// Set bytes to a prefix mask of len bits.
std::array<std::uint8_t, 16> prefix_mask(unsigned len) noexcept {
    std::array<std::uint8_t, 16> m{};
    for (unsigned i = 0; i < 16; ++i) {
        if (len >= 8) {
            m[i] = 0xff;
            len -= 8;
        } else {
            m[i] = static_cast<std::uint8_t>(0xff00u >> len);
            len = 0;
        }
    }
    return m;
}

// Prefix length of a contiguous IPv4 dotted mask, or nullopt.
std::optional<unsigned> mask_length(const ip &mask) noexcept {
    std::uint32_t m = (std::uint32_t{mask.bytes[0]} << 24) | (std::uint32_t{mask.bytes[1]} << 16) |
                      (std::uint32_t{mask.bytes[2]} << 8) | std::uint32_t{mask.bytes[3]};
    std::uint32_t inverted = ~m;
    if ((inverted & (inverted + 1)) != 0) return std::nullopt; // ones must be contiguous from the top
    unsigned len = 0;
    while (len < 32 && (m & (0x80000000u >> len)) != 0) ++len;
    return len;
}

} // namespace

std::optional<ip> parse_ipv4(std::string_view text) noexcept {
    ip a;
    a.family = 4;
    if (!parse_v4_into(text, a.bytes.data())) return std::nullopt;
    return a;
}

std::optional<ip> parse_ipv6_reference(std::string_view s) noexcept {
    if (s.size() < 2 || s.size() > 45) return std::nullopt;
    std::array<std::uint16_t, 8> groups{};
    int count = 0;       // groups written
    int gap = -1;        // index in groups where '::' stands
    std::size_t i = 0;
    if (s[0] == ':') {
        if (s[1] != ':') return std::nullopt;
        gap = 0;
        i = 2;
        if (i == s.size()) return ip{6, {}};
    }
    while (i < s.size()) {
        if (count == 8) return std::nullopt;
        // An embedded IPv4 tail: the rest of the text has a '.'.
        std::size_t colon = s.find(':', i);
        std::string_view piece = s.substr(i, colon == std::string_view::npos ? std::string_view::npos : colon - i);
        if (colon == std::string_view::npos && piece.find('.') != std::string_view::npos) {
            if (count > 6) return std::nullopt;
            std::uint8_t v4[4];
            if (!parse_v4_into(piece, v4)) return std::nullopt;
            groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
            groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
            i = s.size();
            break;
        }
        if (piece.empty() || piece.size() > 4) return std::nullopt;
        unsigned v = 0;
        for (char c : piece) {
            int h = hex_value(c);
            if (h < 0) return std::nullopt;
            v = v * 16 + static_cast<unsigned>(h);
        }
        groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(v);
        if (colon == std::string_view::npos) {
            i = s.size();
            break;
        }
        i = colon + 1;
        if (i == s.size()) return std::nullopt; // trailing single ':'
        if (s[i] == ':') {
            if (gap >= 0) return std::nullopt; // a second '::'
            gap = count;
            ++i;
            if (i == s.size()) break;
        }
    }
    if (gap < 0) {
        if (count != 8) return std::nullopt;
    } else {
        if (count > 7) return std::nullopt; // '::' stands for at least one group
        int tail = count - gap;
        std::copy_backward(groups.begin() + gap, groups.begin() + count, groups.end());
        std::fill(groups.begin() + gap, groups.end() - tail, std::uint16_t{0});
    }
    ip a;
    a.family = 6;
    for (std::size_t g = 0; g < 8; ++g) {
        a.bytes[2 * g] = static_cast<std::uint8_t>(groups[g] >> 8);
        a.bytes[2 * g + 1] = static_cast<std::uint8_t>(groups[g] & 0xff);
    }
    return a;
}

namespace {
#ifdef FW_NET_SSE2
// Bit i set when p[i] is a hex digit / a colon, for the 16 bytes at p.
inline void hex_colon_masks16(const char *p, unsigned &hex, unsigned &colon) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    const __m128i digit = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const __m128i letter = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit);
    const __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(5)), letter);
    hex = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is_digit, is_letter)));
    colon = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));
}

// 1..4 hex digits at p (already checked), n of them, as a number; 4 bytes readable at p.
inline unsigned hex_group(const char *p, unsigned n) noexcept {
    std::uint32_t w;
    std::memcpy(&w, p, 4); // x86: little-endian
    // '0'..'9' -> 0..9, 'a'..'f' and 'A'..'F' -> 10..15 (bit 6 marks a letter);
    // the digits moved to the top bytes, the first one lowest.
    w = ((w & 0x0f0f0f0fu) + ((w >> 6) & 0x01010101u) * 9) << (8 * (4 - n));
    return (w >> 24) | ((w >> 12) & 0xf0u) | (w & 0xf00u) | ((w << 12) & 0xf000u);
}
#endif
} // namespace

bool parse_ipv6_readable(std::string_view s, ip &out) noexcept {
#ifdef FW_NET_SSE2
    const std::size_t len = s.size();
    if (len < 2 || len > 45) return false;
    const char *p = s.data();
    unsigned h0, h1, h2, c0, c1, c2;
    hex_colon_masks16(p, h0, c0);
    hex_colon_masks16(p + 16, h1, c1);
    hex_colon_masks16(p + 32, h2, c2);
    const std::uint64_t in = (std::uint64_t{1} << len) - 1;
    const std::uint64_t hex = (std::uint64_t{h0} | (std::uint64_t{h1} << 16) | (std::uint64_t{h2} << 32)) & in;
    const std::uint64_t colon = (std::uint64_t{c0} | (std::uint64_t{c1} << 16) | (std::uint64_t{c2} << 32)) & in;
    if ((hex | colon) != in) {
        // Another byte: an IPv4 tail (rare in a log) or garbage. The reference decides.
        auto a = parse_ipv6_reference(s);
        if (!a) return false;
        out = *a;
        return true;
    }
    // Hex digits and colons only. Refused as the reference refuses: ":::", a
    // second "::", a single ':' first or last, a group of five digits or more,
    // and a wrong number of groups (8 without "::", at most 7 with one).
    const std::uint64_t pair = colon & (colon >> 1); // bit i: colons at i and i + 1
    const std::uint64_t starts = hex & ~(hex << 1);
    const std::uint64_t ends = hex & ~(hex >> 1); // the last digit of each group
    const auto groups = static_cast<unsigned>(std::popcount(starts));
    const std::uint64_t last = std::uint64_t{1} << (len - 1);
    const bool bad = (pair & (pair >> 1)) != 0 || (pair & (pair - 1)) != 0 ||
                     ((colon & 1u) != 0 && (colon & 2u) == 0) || ((colon & last) != 0 && (colon & (last >> 1)) == 0) ||
                     (hex & (hex >> 1) & (hex >> 2) & (hex >> 3) & (hex >> 4)) != 0 ||
                     (pair == 0 ? groups != 8 : groups > 7);
    if (bad) return false;
    ip a;
    a.family = 6;
    // Groups after the "::" move to the end.
    const std::uint64_t after_gap = pair == 0 ? 0 : ~((pair << 1) - 1) & ~pair;
    unsigned slot = 0;
    std::uint64_t b = starts, e = ends;
    while (b != 0) {
        const auto first = static_cast<unsigned>(std::countr_zero(b));
        const auto end = static_cast<unsigned>(std::countr_zero(e));
        b &= b - 1;
        e &= e - 1;
        const unsigned at = slot + (((after_gap >> first) & 1u) != 0 ? 8 - groups : 0);
        const unsigned v = hex_group(p + first, end - first + 1);
        a.bytes[2 * at] = static_cast<std::uint8_t>(v >> 8);
        a.bytes[2 * at + 1] = static_cast<std::uint8_t>(v);
        ++slot;
    }
    out = a;
    return true;
#else
    auto a = parse_ipv6_reference(s);
    if (!a) return false;
    out = *a;
    return true;
#endif
}

std::optional<ip> parse_ipv6(std::string_view s) noexcept {
    if (s.size() < 2 || s.size() > 45) return std::nullopt;
    char padded[ipv6_readable]{};
    std::memcpy(padded, s.data(), s.size());
    ip a;
    if (!parse_ipv6_readable({padded, s.size()}, a)) return std::nullopt;
    return a;
}

std::optional<ip> parse_ip(std::string_view text) noexcept {
    if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
    return parse_ipv4(text);
}

std::optional<ip_range> parse_ip_spec(std::string_view text) noexcept {
    text = trim(text);
    if (text.empty()) return std::nullopt;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        auto base = parse_ip(trim(text.substr(0, slash)));
        auto suffix = trim(text.substr(slash + 1));
        if (!base) return std::nullopt;
        unsigned bits = base->family == 4 ? 32u : 128u;
        std::optional<unsigned> len;
        if (suffix.find('.') != std::string_view::npos) {
            if (base->family != 4) return std::nullopt;
            auto mask = parse_ipv4(suffix);
            if (!mask) return std::nullopt;
            len = mask_length(*mask);
        } else if (auto v = parse_decimal(suffix, bits)) {
            len = *v;
        }
        if (!len) return std::nullopt;
        auto mask = prefix_mask(*len);
        ip_range r{*base, *base};
        std::size_t n = base->family == 4 ? 4 : 16;
        for (std::size_t i = 0; i < n; ++i) {
            r.lo.bytes[i] = static_cast<std::uint8_t>(base->bytes[i] & mask[i]);
            r.hi.bytes[i] = static_cast<std::uint8_t>(base->bytes[i] | static_cast<std::uint8_t>(~mask[i]));
        }
        return r;
    }
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        auto lo = parse_ip(trim(text.substr(0, dash)));
        auto hi = parse_ip(trim(text.substr(dash + 1)));
        if (!lo || !hi || lo->family != hi->family || *hi < *lo) return std::nullopt;
        return ip_range{*lo, *hi};
    }
    auto a = parse_ip(text);
    if (!a) return std::nullopt;
    return ip_range{*a, *a};
}

bool contains(const ip_range &range, const ip &a) noexcept {
    return a.family != 0 && a.family == range.lo.family && !(a < range.lo) && !(range.hi < a);
}

std::string to_string(const ip &a) {
    if (a.family == 4) {
        // By hand: synthesis writes every distinct address it saw.
        char buf[16];
        std::size_t n = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            unsigned v = a.bytes[i];
            if (i != 0) buf[n++] = '.';
            if (v >= 100) buf[n++] = static_cast<char>('0' + v / 100);
            if (v >= 10) buf[n++] = static_cast<char>('0' + v / 10 % 10);
            buf[n++] = static_cast<char>('0' + v % 10);
        }
        return std::string(buf, n);
    }
    if (a.family != 6) return {};
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = (unsigned{a.bytes[2 * i]} << 8) | a.bytes[2 * i + 1];
    // IPv4-mapped ::ffff:a.b.c.d keeps the dotted tail (RFC 5952 section 5).
    bool mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
    if (mapped) return fmt::format("::ffff:{}.{}.{}.{}", a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15]);
    // Longest run of two or more zero groups; the first one on a tie.
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[static_cast<std::size_t>(i)] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[static_cast<std::size_t>(j)] == 0) ++j;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    std::string out;
    out.reserve(40);
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        out += fmt::format("{:x}", g[static_cast<std::size_t>(i)]);
    }
    return out;
}

std::string to_string(const ip_range &r) {
    if (r.lo == r.hi) return to_string(r.lo);
    return to_string(r.lo) + "-" + to_string(r.hi);
}

std::optional<port_range> parse_port_spec(std::string_view text) noexcept {
    text = trim(text);
    auto dash = text.find('-');
    auto lo = parse_decimal(trim(text.substr(0, dash)), 65535);
    if (!lo) return std::nullopt;
    if (dash == std::string_view::npos) return port_range{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*lo)};
    auto hi = parse_decimal(trim(text.substr(dash + 1)), 65535);
    if (!hi || *hi < *lo) return std::nullopt;
    return port_range{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*hi)};
}

fw_addr to_abi(const ip &a) noexcept {
    fw_addr out{};
    out.family = (a.family == 4 || a.family == 6) ? a.family : std::uint8_t{FW_AF_NONE};
    if (out.family != FW_AF_NONE) std::memcpy(out.bytes, a.bytes.data(), a.family == 4 ? 4 : 16);
    return out;
}

ip from_abi(const fw_addr &a) noexcept {
    ip out;
    if (a.family != FW_AF_INET && a.family != FW_AF_INET6) return out;
    out.family = a.family;
    std::memcpy(out.bytes.data(), a.bytes, a.family == FW_AF_INET ? 4 : 16);
    return out;
}

} // namespace fw::net
