// Stage 2 of reading a log: turn the fields that stage 1 indexed into typed
// values. Each parser takes one raw field; '-' is absent everywhere.
#pragma once

#include "log/layout.hpp"
#include "log/scan.hpp"

#include <fw/log.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace fw::log {

namespace detail {
inline bool is_dash(std::string_view s) noexcept { return s.size() == 1 && s[0] == '-'; }
inline char upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
// s equals an upper-case word, ignoring ASCII case.
inline bool is_word(std::string_view s, std::string_view upper_word) noexcept {
    if (s.size() != upper_word.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (upper(s[i]) != upper_word[i]) return false;
    return true;
}
// The same for a word of up to 8 letters known at compile time: one load, one
// compare. OR-ing 0x20 maps exactly {x, X} to x for letters, so case is ignored
// and nothing else can match.
template <std::size_t N>
inline bool is_letters(std::string_view s, const char (&upper_word)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    static_assert(n >= 1 && n <= 8);
    if (s.size() != n) return false;
    // Built in a register, byte by byte: a partial memcpy into a stack word
    // would stall on store forwarding.
    std::uint64_t a = 0, b = 0;
    for (std::size_t i = 0; i < n; ++i) {
        a |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
        b |= std::uint64_t{static_cast<unsigned char>(upper_word[i])} << (8 * i);
    }
    constexpr std::uint64_t fold = 0x2020202020202020ull >> (64 - 8 * n);
    return (a | fold) == (b | fold);
}
} // namespace detail

// Decimal digits only, value <= max; '-' gives FW_ABSENT. False when malformed.
[[nodiscard]] inline bool parse_number(std::string_view s, std::int64_t max, std::int64_t &out) noexcept {
    if (s.empty() || s.size() > 19) return false;
    if (detail::is_dash(s)) {
        out = FW_ABSENT;
        return true;
    }
    std::uint64_t v = 0;
    for (char c : s) {
        unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
        if (d > 9) return false;
        v = v * 10 + d; // 19 digits cannot overflow 64 bits
    }
    if (v > static_cast<std::uint64_t>(max)) return false;
    out = static_cast<std::int64_t>(v);
    return true;
}

[[nodiscard]] inline bool parse_port(std::string_view s, std::int32_t &out) noexcept {
    // Fast path: 1-5 digits.
    if (!s.empty() && s.size() <= 5) {
        std::uint32_t v = 0;
        bool ok = true;
        for (char c : s) {
            unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
            ok &= d <= 9;
            v = v * 10 + d;
        }
        if (ok) {
            if (v > 65535) return false;
            out = static_cast<std::int32_t>(v);
            return true;
        }
    }
    if (detail::is_dash(s)) {
        out = FW_ABSENT;
        return true;
    }
    return false;
}

// DROP, ALLOW, ... (ASCII case ignored); anything else is FW_ACTION_OTHER.
[[nodiscard]] inline std::uint8_t parse_action(std::string_view s) noexcept {
    using detail::is_letters;
    using detail::is_word;
    switch (s.size()) {
    case 4:
        if (is_letters(s, "DROP")) return FW_ACTION_DROP;
        if (is_letters(s, "OPEN")) return FW_ACTION_OPEN;
        break;
    case 5:
        if (is_letters(s, "ALLOW")) return FW_ACTION_ALLOW;
        if (is_letters(s, "CLOSE")) return FW_ACTION_CLOSE;
        break;
    case 12:
        if (is_word(s, "OPEN-INBOUND")) return FW_ACTION_OPEN_INBOUND;
        break;
    case 16:
        if (is_word(s, "INFO-EVENTS-LOST")) return FW_ACTION_INFO_EVENTS_LOST;
        break;
    default: break;
    }
    return FW_ACTION_OTHER;
}

// SEND, RECEIVE, FORWARD, UNKNOWN; '-' is FW_PATH_NONE; anything else FW_PATH_OTHER.
[[nodiscard]] inline std::uint8_t parse_path(std::string_view s) noexcept {
    using detail::is_letters;
    if (is_letters(s, "RECEIVE")) return FW_PATH_RECEIVE;
    if (is_letters(s, "SEND")) return FW_PATH_SEND;
    if (detail::is_dash(s)) return FW_PATH_NONE;
    if (is_letters(s, "FORWARD")) return FW_PATH_FORWARD;
    if (is_letters(s, "UNKNOWN")) return FW_PATH_UNKNOWN;
    return FW_PATH_OTHER;
}

// The IP protocol number for a name (TCP, udp, ICMPv6, ...), or -1 if unknown.
[[nodiscard]] int protocol_by_name(std::string_view name) noexcept;
// The usual name of a protocol number ("TCP"), or "" if it has none here.
[[nodiscard]] std::string_view protocol_name(int number) noexcept;

// A protocol column: a number 0..255, a name, '-' (FW_ABSENT), or an unknown
// name (FW_PROTOCOL_OTHER). False for a number over 255 or an empty field.
[[nodiscard]] inline bool parse_protocol(std::string_view s, std::int16_t &out) noexcept {
    using detail::is_letters;
    if (s.size() == 3) { // the common cases first
        if (is_letters(s, "TCP")) return out = 6, true;
        if (is_letters(s, "UDP")) return out = 17, true;
    }
    if (s.empty()) return false;
    unsigned d0 = static_cast<unsigned char>(s[0]) - static_cast<unsigned>('0');
    if (d0 <= 9) {
        std::int64_t v = 0;
        if (!parse_number(s, 255, v)) return false;
        out = static_cast<std::int16_t>(v);
        return true;
    }
    if (detail::is_dash(s)) return out = FW_ABSENT, true;
    int n = protocol_by_name(s);
    out = static_cast<std::int16_t>(n >= 0 ? n : FW_PROTOCOL_OTHER);
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The last date text parsed and its day number: consecutive log lines nearly
// always share the date, so a reader keeps one of these (per reader, never shared).
struct date_cache {
    std::uint64_t head = 0, tail = 0; // the text's first and last 8 bytes (a date has 8..10)
    std::size_t size = 0;             // 0: empty
    std::int64_t days = 0;
};

// date "YYYY-MM-DD" (month and day may have one digit) and time "HH:MM:SS" ->
// wall-clock seconds since 1970; FW_NO_TIME if either is '-'. False when malformed.
// The cache, when given, remembers the last valid date.
[[nodiscard]] bool parse_date_time(std::string_view date, std::string_view time, std::int64_t &out,
                                   date_cache *cache = nullptr) noexcept;

// IPv4 dotted quad, strict as net::parse_ipv4 (four parts 0..255, no leading
// zeros): bytes in network order. False when s is anything else.
[[nodiscard]] inline bool parse_ipv4_quad(std::string_view s, std::uint8_t (&out)[4]) noexcept {
    if (s.size() < 7 || s.size() > 15) return false;
    const char *p = s.data();
    const char *end = p + s.size();
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (p == end || *p != '.') return false;
            ++p;
        }
        const char *q = p;
        unsigned v = 0;
        while (q != end && q - p < 3) {
            unsigned d = static_cast<unsigned char>(*q) - static_cast<unsigned>('0');
            if (d > 9) break;
            v = v * 10 + d;
            ++q;
        }
        const auto digits = q - p;
        if (digits == 0 || v > 255 || (digits > 1 && *p == '0')) return false;
        out[part] = static_cast<std::uint8_t>(v);
        p = q;
    }
    return p == end;
}

// parse_ipv4_quad for a field that has at least ipv4_readable bytes readable
// from s.data() (more than s: the rest of its line). Same answers, fewer
// instructions: one 16-byte compare finds the dots and checks that every other
// byte is a digit, then each part is converted without a loop or a branch.
inline constexpr std::size_t ipv4_readable = 20;
[[nodiscard]] inline bool parse_ipv4_quad_wide(std::string_view s, std::uint8_t (&out)[4]) noexcept {
#ifdef FW_SCAN_SSE2
    const std::size_t len = s.size();
    if (len - 7 > 8) return false; // 7..15 bytes
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const auto digit = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)));
    const auto dot = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
    const unsigned in = (1u << len) - 1;
    if (((digit | dot) & in) != in) return false; // a byte that is neither
    unsigned dots = dot & in;
    // Exactly three dots, at e0 < e1 < e2.
    const unsigned e0 = detail::ctz64(dots | 0x10000u);
    dots &= dots - 1;
    const unsigned e1 = detail::ctz64(dots | 0x10000u);
    dots &= dots - 1;
    const unsigned e2 = detail::ctz64(dots | 0x10000u);
    if (e2 >= 16 || (dots & (dots - 1)) != 0) return false;
    // Part [b, e): 1..3 digits, no leading zero, at most 255. The bytes after
    // a short part are read but weighted 0.
    static constexpr std::uint16_t weight[4][3] = {{0, 0, 0}, {1, 0, 0}, {10, 1, 0}, {100, 10, 1}};
    unsigned bad = 0;
    auto part = [&](unsigned b, unsigned e) noexcept {
        const unsigned l = e - b;
        bad |= (l - 1 > 2) ? 1u : 0u;
        const auto &w = weight[l & 3];
        const unsigned a0 = p[b] - 48u, a1 = (p[b + 1] - 48u) & 0xffu, a2 = (p[b + 2] - 48u) & 0xffu;
        const unsigned value = a0 * w[0] + a1 * w[1] + a2 * w[2];
        bad |= (l > 1 && a0 == 0) ? 1u : 0u;
        bad |= value > 255 ? 1u : 0u;
        return static_cast<std::uint8_t>(value);
    };
    const std::uint8_t q0 = part(0, e0), q1 = part(e0 + 1, e1), q2 = part(e1 + 1, e2),
                       q3 = part(e2 + 1, static_cast<unsigned>(len));
    if (bad != 0) return false;
    out[0] = q0;
    out[1] = q1;
    out[2] = q2;
    out[3] = q3;
    return true;
#else
    return parse_ipv4_quad(s, out);
#endif
}

// An address column: IPv4, IPv6 or '-'. False when malformed. readable_end,
// when given, is where the readable bytes after s end (the line's end): the
// wide IPv4 parse is used when enough of them follow s.
[[nodiscard]] bool parse_address(std::string_view s, fw_addr &out, const char *readable_end = nullptr) noexcept;

// Type the columns of a well-formed line (field count already checked against
// the layout) into out: those of `wanted` (fw_record_fields); the other fields
// of out are set absent. Returns the first typed column that is malformed, if
// any. cache may be null. fields must hold the starts of every typed column
// and of the field after it (typed_fields_needed).
[[nodiscard]] std::optional<column> type_record(const char *line, std::size_t n, const field_index &fields,
                                                const layout &lay, fw_record &out, date_cache *cache = nullptr,
                                                std::uint32_t wanted = FW_FIELDS_ALL) noexcept;

// The highest layout position type_record reads for `wanted`, or -1.
[[nodiscard]] int last_typed_position(const layout &lay, std::uint32_t wanted) noexcept;

} // namespace fw::log
