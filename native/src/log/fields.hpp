// Stage 2 of reading a log: turn the fields that stage 1 indexed into typed
// values. Each parser takes one raw field; '-' is absent everywhere.
#pragma once

#include "log/layout.hpp"
#include "log/scan.hpp"
#include "util/ascii.hpp"

#include <fw/log.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace fw::log {

namespace detail {
inline bool is_dash(std::string_view s) noexcept { return s.size() == 1 && s[0] == '-'; }
// s equals an upper-case word, ignoring ASCII case.
inline bool is_word(std::string_view s, std::string_view upper_word) noexcept { return util::iequals(s, upper_word); }
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
// The first min(8, s.size()) bytes of s in a little-endian word, the rest
// zero: one load when 8 bytes are readable from s.data() (before readable_end).
FW_SCAN_INLINE std::uint64_t head_word(std::string_view s, const char *readable_end) noexcept {
    const std::size_t n = s.size() < 8 ? s.size() : 8;
    if constexpr (std::endian::native == std::endian::little) {
        if (readable_end - s.data() >= 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data(), 8);
            return n == 8 ? w : w & ((std::uint64_t{1} << (8 * n)) - 1);
        }
    }
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n; ++i) w |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
    return w;
}
// An upper-case word of 1..8 letters as a template argument: word_is<"DROP">.
template <std::size_t N>
struct letters {
    static_assert(N >= 2 && N <= 9);
    std::uint64_t word = 0; // little-endian
    std::size_t size = N - 1;
    constexpr letters(const char (&s)[N]) noexcept { // NOLINT: implicit on purpose
        for (std::size_t i = 0; i + 1 < N; ++i) word |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
    }
};
// is_letters for s given as its size and head_word. OR-ing 0x20 maps exactly
// {x, X} to x for letters, so case is ignored and nothing else can match.
template <letters L>
FW_SCAN_INLINE bool word_is(std::uint64_t w, std::size_t size) noexcept {
    constexpr std::uint64_t fold = 0x2020202020202020ull >> (64 - 8 * L.size);
    return size == L.size && (w | fold) == (L.word | fold);
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

// 1..8 decimal digits (leading zeros allowed) read as one 8-byte word, when
// 8 bytes are readable from s.data() (before readable_end) on a little-endian
// host. Returns false when it cannot tell (then use the plain parse);
// otherwise sets ok (all digits) and, when ok, value.
namespace detail {
FW_SCAN_INLINE bool digits_word(std::string_view s, const char *readable_end, bool &ok, std::uint32_t &value) noexcept {
    const std::size_t n = s.size();
    if constexpr (std::endian::native != std::endian::little) return false;
    if (n - 1 > 7 || readable_end - s.data() < 8) return false;
    std::uint64_t w;
    std::memcpy(&w, s.data(), 8);
    // Bytes past the field are shifted out; '0'..'9' become 0..9 (a byte
    // below '0' borrows from the bytes above it, and is itself over 9).
    const unsigned shift = static_cast<unsigned>(8 * (8 - n));
    const std::uint64_t x = (w - 0x3030303030303030ull) << shift;
    const std::uint64_t in = ~std::uint64_t{0} << shift;
    ok = ((x | (x + 0x7676767676767676ull)) & 0x8080808080808080ull & in) == 0;
    // Digits at the top bytes, the first one lowest: pairs, then fours, then all eight.
    std::uint64_t v = x * 10 + (x >> 8);
    v = (((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
         (((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >> 32;
    value = static_cast<std::uint32_t>(v);
    return true;
}
// digits_word for 1..16 digits: one word, or two (the last 8 digits and
// those before them: TCP sequence numbers have up to 10).
FW_SCAN_INLINE bool digits_words(std::string_view s, const char *readable_end, bool &ok, std::uint64_t &value) noexcept {
    std::uint32_t high = 0, low = 0;
    if (digits_word(s, readable_end, ok, high)) {
        value = high;
        return true;
    }
    bool ok_low = false;
    const std::size_t n = s.size();
    if (n > 8 && n <= 16 && digits_word({s.data(), n - 8}, readable_end, ok, high) &&
        digits_word({s.data() + n - 8, 8}, readable_end, ok_low, low)) {
        ok = ok && ok_low;
        value = std::uint64_t{high} * 100000000u + low;
        return true;
    }
    return false;
}
} // namespace detail

// parse_number for a field followed by readable bytes up to readable_end.
[[nodiscard]] FW_SCAN_INLINE bool parse_number(std::string_view s, std::int64_t max, std::int64_t &out,
                                               const char *readable_end) noexcept {
    bool ok = false;
    std::uint64_t v = 0;
    if (detail::digits_words(s, readable_end, ok, v) && ok) { // else '-' or malformed
        if (v > static_cast<std::uint64_t>(max)) return false;
        out = static_cast<std::int64_t>(v);
        return true;
    }
    return parse_number(s, max, out);
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

// parse_port for a field followed by readable bytes up to readable_end.
[[nodiscard]] FW_SCAN_INLINE bool parse_port(std::string_view s, std::int32_t &out, const char *readable_end) noexcept {
    bool ok = false;
    std::uint32_t v = 0;
    if (s.size() <= 5 && detail::digits_word(s, readable_end, ok, v) && ok) {
        if (v > 65535) return false;
        out = static_cast<std::int32_t>(v);
        return true;
    }
    return parse_port(s, out);
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

// parse_action for a field followed by readable bytes up to readable_end.
[[nodiscard]] FW_SCAN_INLINE std::uint8_t parse_action(std::string_view s, const char *readable_end) noexcept {
    using detail::word_is;
    if (s.size() > 5) return parse_action(s);
    const std::uint64_t w = detail::head_word(s, readable_end);
    if (word_is<"DROP">(w, s.size())) return FW_ACTION_DROP;
    if (word_is<"ALLOW">(w, s.size())) return FW_ACTION_ALLOW;
    if (word_is<"OPEN">(w, s.size())) return FW_ACTION_OPEN;
    if (word_is<"CLOSE">(w, s.size())) return FW_ACTION_CLOSE;
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

// parse_path for a field followed by readable bytes up to readable_end.
[[nodiscard]] FW_SCAN_INLINE std::uint8_t parse_path(std::string_view s, const char *readable_end) noexcept {
    using detail::word_is;
    const std::uint64_t w = detail::head_word(s, readable_end);
    if (word_is<"RECEIVE">(w, s.size())) return FW_PATH_RECEIVE;
    if (word_is<"SEND">(w, s.size())) return FW_PATH_SEND;
    if (detail::is_dash(s)) return FW_PATH_NONE;
    if (word_is<"FORWARD">(w, s.size())) return FW_PATH_FORWARD;
    if (word_is<"UNKNOWN">(w, s.size())) return FW_PATH_UNKNOWN;
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
    if (s.size() == 4 && is_letters(s, "ICMP")) return out = 1, true; // not through protocol_by_name's list
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

namespace detail {
// "HH:MM:SS" (exactly 8 bytes) -> seconds of the day. False when malformed.
FW_SCAN_INLINE bool clock_word(std::string_view s, std::int64_t &seconds) noexcept {
    if (s.size() != 8) return false;
    std::uint64_t w = 0;
    std::memcpy(&w, s.data(), 8);
    if constexpr (std::endian::native == std::endian::big) {
        std::uint64_t r = 0;
        for (int i = 0; i < 8; ++i) r = (r << 8) | ((w >> (8 * i)) & 0xff);
        w = r;
    }
    // XOR with "00:00:00" maps exactly '0'..'9' to 0..9 and ':' to 0.
    const std::uint64_t x = w ^ 0x30303a30303a3030ull;
    const bool colons = (x & 0x0000ff0000ff0000ull) == 0;
    const bool digits = ((x | (x + 0x7676767676767676ull)) & 0x8080808080808080ull) == 0; // every byte <= 9
    if (!colons || !digits) return false;
    // Byte k of y: 10 * digit k + digit k+1 (no carries: at most 99).
    const std::uint64_t y = x * 10 + (x >> 8);
    const auto h = static_cast<unsigned>(y & 0xff), m = static_cast<unsigned>((y >> 24) & 0xff),
               sec = static_cast<unsigned>((y >> 48) & 0xff);
    if (h > 23 || m > 59 || sec > 59) return false;
    seconds = h * 3600 + m * 60 + sec;
    return true;
}
} // namespace detail

// parse_date_time with a cache, inline for the usual case: the cached date
// again and an HH:MM:SS time.
[[nodiscard]] FW_SCAN_INLINE bool parse_date_time(std::string_view date, std::string_view time, std::int64_t &out,
                                                  date_cache &cache) noexcept {
    if (date.size() == cache.size && date.size() >= 8 && date.size() <= 10) {
        std::uint64_t head, tail;
        std::memcpy(&head, date.data(), 8);
        std::memcpy(&tail, date.data() + date.size() - 8, 8);
        std::int64_t secs = 0;
        if (head == cache.head && tail == cache.tail && detail::clock_word(time, secs)) {
            out = cache.days * 86400 + secs;
            return true;
        }
    }
    return parse_date_time(date, time, out, &cache);
}

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
// instructions and no data-dependent branch: 16-byte compares find the dots,
// the digits and the zeros, bit masks check the shape, and each part is
// converted from one 4-byte load.
inline constexpr std::size_t ipv4_readable = 20;
[[nodiscard]] FW_SCAN_INLINE bool parse_ipv4_quad_wide(std::string_view s, std::uint8_t (&out)[4]) noexcept {
#if defined(FW_SCAN_SSE2)
    const std::size_t len = s.size();
    if (len - 7 > 8) return false; // 7..15 bytes
    const char *p = s.data();
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const unsigned in = (1u << len) - 1;
    const auto digit =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d))) & in;
    const auto dot = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')))) & in;
    const auto zero = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())));
    // Every byte a digit or a dot; no dot first, last or next to a dot (so no
    // empty part); no four digits in a row; no part starting with '0' and a digit.
    unsigned bad = ((digit | dot) ^ in) | (dot & 1u) | (dot >> (len - 1)) | (dot & (dot >> 1)) |
                   (digit & (digit >> 1) & (digit >> 2) & (digit >> 3)) | (zero & ((dot << 1) | 1u) & (digit >> 1));
    // Exactly three dots, at e0 < e1 < e2 (16: missing).
    unsigned rest = dot;
    const unsigned e0 = detail::ctz64(rest | 0x10000u);
    rest &= rest - 1;
    const unsigned e1 = detail::ctz64(rest | 0x10000u);
    rest &= rest - 1;
    const unsigned e2 = detail::ctz64(rest | 0x10000u);
    rest &= rest - 1;
    if ((bad | rest) != 0 || e2 == 16) return false;
    // Part [b, e) has 1..3 digits: moved to the top bytes of a word, whose
    // other bytes are shifted out (the lowest byte is then 0). One multiply
    // sums 100, 10 and 1 times them into the top byte (the bytes below hold at
    // most 99: no carry), exact when the part is at most 255; the digits read
    // as a big-endian number tell that (at most 2, 5, 5).
    unsigned over = 0;
    auto part = [p, &over](unsigned b, unsigned e) noexcept {
        std::uint32_t w;
        std::memcpy(&w, p + b, 4); // x86: little-endian
        w = (w - 0x30303030u) << (32 - 8 * (e - b));
        const std::uint32_t big = (w >> 24) | ((w >> 8) & 0xff00u) | ((w << 8) & 0xff0000u) | (w << 24);
        over |= big > 0x00020505u ? 1u : 0u; // digits 2, 5, 5 (the top byte is the 0 below them)
        return static_cast<std::uint8_t>((w * 0x00640a01u) >> 24);
    };
    const std::uint8_t q0 = part(0, e0), q1 = part(e0 + 1, e1), q2 = part(e1 + 1, e2),
                       q3 = part(e2 + 1, static_cast<unsigned>(len));
    if (over != 0) return false;
    out[0] = q0;
    out[1] = q1;
    out[2] = q2;
    out[3] = q3;
    return true;
#else
    return parse_ipv4_quad(s, out);
#endif
}

#if defined(FW_SCAN_SSE2) && (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define FW_QUAD_SSSE3 1
#endif

// True when the CPU has SSSE3 (parse_ipv4_quad_ssse3 may run). Ask once (per reader), not per line.
inline bool has_ssse3() noexcept {
#ifdef FW_QUAD_SSSE3
    return __builtin_cpu_supports("ssse3");
#else
    return false;
#endif
}

// True when the CPU has AVX2 and the OS saves its YMM registers (cpuid leaf 7
// EBX bit 5; OSXSAVE and XCR0 bits 1-2): the plain path's AVX2 build may run.
// Ask once (per reader), not per line.
[[nodiscard]] bool has_avx2() noexcept;

namespace detail {
// The 81 shapes of a dotted quad (parts of 1..3 digits) as the mask of its
// three dots and of the byte after its end (bit len): hashed by a multiply
// (quad_hash_multiplier, found by search: distinct top 8 bits for all 81) to
// a row giving that mask (0: no shape) and the byte shuffle that moves part i
// right-aligned into bytes 4i+1..4i+3 (0x80: a zero byte).
inline constexpr std::uint32_t quad_hash_multiplier = 0xe07bdb9fu;
FW_SCAN_INLINE constexpr unsigned quad_hash(std::uint32_t shape) noexcept {
    return (shape * quad_hash_multiplier) >> 24;
}
struct quad_row {
    alignas(16) std::uint8_t shuffle[16];
    std::uint32_t shape;
};
struct quad_table {
    quad_row rows[256];
};
inline constexpr quad_table make_quad_table() noexcept {
    quad_table t{};
    for (unsigned code = 0; code < 81; ++code) {
        unsigned lens[4] = {code % 3 + 1, code / 3 % 3 + 1, code / 9 % 3 + 1, code / 27 + 1};
        std::uint32_t shape = 0;
        std::uint8_t shuffle[16];
        unsigned pos = 0;
        for (unsigned i = 0; i < 4; ++i) {
            for (unsigned k = 0; k < 4; ++k) shuffle[4 * i + k] = 0x80;
            for (unsigned k = 0; k < lens[i]; ++k) shuffle[4 * i + 4 - lens[i] + k] = static_cast<std::uint8_t>(pos + k);
            pos += lens[i];
            shape |= 1u << pos;
            ++pos;
        }
        quad_row &row = t.rows[quad_hash(shape)];
        row.shape = shape;
        for (unsigned k = 0; k < 16; ++k) row.shuffle[k] = shuffle[k];
    }
    return t;
}
inline constexpr quad_table quad_rows = make_quad_table();
constexpr bool quad_rows_distinct() noexcept { // every shape got its own row
    unsigned used = 0;
    for (const auto &row : quad_rows.rows) used += row.shape != 0 ? 1u : 0u;
    return used == 81;
}
static_assert(quad_rows_distinct(), "quad_hash_multiplier must give the 81 shapes distinct rows");
} // namespace detail

// parse_ipv4_quad_wide with SSSE3 (call only when has_ssse3()): the dots' shape
// picks a shuffle that lines the digits up as four 32-bit lanes, and two
// multiply-adds weigh them by 100, 10 and 1 (after Wojciech Mula's SIMD-ized
// IPv4 parsing). The two SSSE3 instructions are inline asm so that this can be
// inlined into code compiled for the baseline (intrinsics would need the
// caller compiled for SSSE3); it runs only when the reader found the CPU has it.
[[nodiscard]] FW_SCAN_INLINE bool parse_ipv4_quad_ssse3(std::string_view s, std::uint8_t (&out)[4]) noexcept {
#ifdef FW_QUAD_SSSE3
    const std::size_t len = s.size();
    if (len - 7 > 8) return false; // 7..15 bytes
    const char *p = s.data();
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const unsigned in = (1u << len) - 1;
    const auto digit =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d))) & in;
    const auto dot = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')))) & in;
    const auto zero = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())));
    // Every byte a digit or a dot; no part starting with '0' and a digit. The
    // shape (the row's mask equal to ours) checks the rest: 3 dots, 1..3 digits each side.
    const unsigned bad = ((digit | dot) ^ in) | (zero & ((dot << 1) | 1u) & (digit >> 1));
    const std::uint32_t shape = dot | (1u << len);
    const detail::quad_row &row = detail::quad_rows.rows[detail::quad_hash(shape)];
    if ((bad | (row.shape ^ shape)) != 0) return false;
    __m128i shuffle = _mm_load_si128(reinterpret_cast<const __m128i *>(row.shuffle));
    asm("pshufb %1, %0" : "+x"(d) : "x"(shuffle));                  // digits: 0, hundreds, tens, ones per lane
    asm("pmaddubsw %1, %0" : "+x"(d) : "x"(_mm_set1_epi32(0x010a6400))); // 100h, 10t + o
    const __m128i parts = _mm_madd_epi16(d, _mm_set1_epi16(1));        // 100h + 10t + o
    if (_mm_movemask_epi8(_mm_cmpgt_epi32(parts, _mm_set1_epi32(255))) != 0) return false;
    const __m128i words = _mm_packs_epi32(parts, parts);
    const auto bytes = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_packus_epi16(words, words)));
    std::memcpy(out, &bytes, 4);
    return true;
#else
    return parse_ipv4_quad_wide(s, out);
#endif
}

// parse_address without the wide IPv4 parse ('-', IPv6, short rests of line).
[[nodiscard]] bool parse_address_narrow(std::string_view s, fw_addr &out) noexcept;
// parse_address for a text that is no IPv4 dotted quad, with
// parse_address_readable bytes readable from its start: '-' or IPv6 (parsed
// with the wide net::parse_ipv6_readable).
inline constexpr std::size_t parse_address_readable = 48; // net::ipv6_readable, checked in fields.cpp
[[nodiscard]] bool parse_address_not_ipv4(std::string_view s, fw_addr &out) noexcept;

// An address column: IPv4, IPv6 or '-'. False when malformed. readable_end,
// when given, is where the readable bytes after s end (the line's end): the
// wide IPv4 parse is used when enough of them follow s. Ssse3: that parse is
// parse_ipv4_quad_ssse3 (only when has_ssse3()).
template <bool Ssse3 = false>
[[nodiscard]] FW_SCAN_INLINE bool parse_address(std::string_view s, fw_addr &out,
                                                const char *readable_end = nullptr) noexcept {
    std::uint8_t quad[4];
    if (readable_end != nullptr && readable_end - s.data() >= static_cast<std::ptrdiff_t>(ipv4_readable) &&
        (Ssse3 ? parse_ipv4_quad_ssse3(s, quad) : parse_ipv4_quad_wide(s, quad))) {
        out = fw_addr{};
        out.family = FW_AF_INET;
        std::memcpy(out.bytes, quad, 4);
        return true;
    }
    if (readable_end != nullptr && readable_end - s.data() >= static_cast<std::ptrdiff_t>(parse_address_readable))
        return parse_address_not_ipv4(s, out); // the wide IPv4 parse said no: '-', IPv6 or malformed
    return parse_address_narrow(s, out);
}

// Type the columns of a well-formed line (field count already checked against
// the layout) into out: those of `wanted` (fw_record_fields); the other fields
// of out are set absent. Returns the first typed column that is malformed, if
// any. cache may be null. fields must hold the starts of every typed column
// and of the field after it (typed_fields_needed).
// readable_end, when given, is where the readable bytes after the line end
// (a buffer's padding): parsers may load words across the end of a field.
[[nodiscard]] std::optional<column> type_record(const char *line, std::size_t n, const field_index &fields,
                                                const layout &lay, fw_record &out, date_cache *cache = nullptr,
                                                std::uint32_t wanted = FW_FIELDS_ALL,
                                                const char *readable_end = nullptr) noexcept;

// The fast path for the lines the firewall writes: the columns of
// layout::standard(pid) in order, each separated from the next by one space,
// ended by "\n" or "\r\n" (spaces before it allowed), with no control byte
// (NUL, tab, lone '\r') anywhere. Such a line is typed in one pass that finds
// each field's end as it goes, with no field index. Anything else (a header,
// another shape, a malformed typed column, a line longer than
// plain_line_max) is left to stage 1 and type_record, which read it and say
// why: the fast path never rejects, it only declines.
struct plain_options {
    bool pid = true;                         // 18 columns (with pid), else 17
    std::uint32_t wanted = FW_FIELDS_ALL;    // fw_record_fields to type (as type_record)
    std::uint32_t actions = ~std::uint32_t{0}; // the action filter: bit a set passes action a
    bool ssse3 = false;                      // the CPU has SSSE3 (has_ssse3(): asked once per reader)
    bool hw = false;                         // the CPU has POPCNT and BMI1 (detail::has_popcnt_bmi(): once per reader)
    bool avx2 = false; // and AVX2 (has_avx2(): once per reader): Measure-FwDrop's sets find fields with 32-byte loads
};
inline constexpr std::size_t plain_line_max = 18 * 64;
// Bytes that must be readable from the line's start (the loads of the last
// fields and of their parsers stay below this).
inline constexpr std::size_t plain_readable = plain_line_max + 128;
// Returns the '\n' that ends the line, or nullptr when the fast path declines
// it (then out, and passed, are unspecified). passed: false when the action
// filter rejected the line (out is then not typed). line must have
// plain_readable bytes readable.
[[nodiscard]] const char *type_plain_line(const char *line, const plain_options &how, fw_record &out,
                                          date_cache &cache, bool &passed) noexcept;

// The highest layout position type_record reads for `wanted`, or -1.
[[nodiscard]] int last_typed_position(const layout &lay, std::uint32_t wanted) noexcept;

} // namespace fw::log
