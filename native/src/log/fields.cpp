#include "log/fields.hpp"

#include "net/address.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>

// The plain path's AVX2 build (Measure-FwDrop's field sets): GCC and clang
// compile it for AVX2 inside a target function; MSVC compiles AVX2 intrinsics
// without flags. It runs only when has_avx2().
#if defined(FW_SCAN_DISPATCH)
#define FW_FIELDS_AVX2 1
#define FW_TARGET_AVX2 __attribute__((target("avx2,popcnt,bmi")))
#include <immintrin.h>
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#define FW_FIELDS_AVX2 1
#define FW_TARGET_AVX2
#include <immintrin.h>
#include <intrin.h>
#endif

namespace fw::log {
namespace {

struct protocol_entry {
    std::string_view name; // upper case
    int number;
};

// Names Windows and IANA use for the protocols a firewall log can show.
constexpr std::array<protocol_entry, 22> protocols = {{
    {"TCP", 6},        {"UDP", 17},       {"ICMP", 1},         {"ICMPV6", 58},     {"IGMP", 2},
    {"HOPOPT", 0},     {"GGP", 3},        {"IPV4", 4},         {"EGP", 8},         {"PUP", 12},
    {"IDP", 22},       {"IPV6", 41},      {"IPV6-ROUTE", 43},  {"IPV6-FRAG", 44},  {"GRE", 47},
    {"ESP", 50},       {"AH", 51},        {"IPV6-ICMP", 58},   {"IPV6-NONXT", 59}, {"IPV6-OPTS", 60},
    {"L2TP", 115},     {"SCTP", 132},
}};

// tcpflags as logged ("S", "AP", ...): letters only, shorter than out; '-' leaves out empty.
bool parse_tcp_flags(std::string_view flags, char (&out)[8]) noexcept {
    std::memset(out, 0, sizeof out);
    if (detail::is_dash(flags)) return true;
    if (flags.size() >= sizeof out) return false;
    for (char c : flags)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    std::memcpy(out, flags.data(), flags.size());
    return true;
}

// One or two digits.
bool small_number(std::string_view s, unsigned &out) noexcept {
    if (s.empty() || s.size() > 2) return false;
    unsigned v = 0;
    for (char c : s) {
        unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
        if (d > 9) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

bool parse_date(std::string_view s, std::int64_t &days) noexcept {
    // YYYY-M[M]-D[D]
    if (s.size() < 8 || s.size() > 10 || s[4] != '-') return false;
    unsigned y = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned d = static_cast<unsigned char>(s[i]) - static_cast<unsigned>('0');
        if (d > 9) return false;
        y = y * 10 + d;
    }
    std::string_view rest = s.substr(5);
    auto dash = rest.find('-');
    if (dash == std::string_view::npos) return false;
    unsigned m = 0, d = 0;
    if (!small_number(rest.substr(0, dash), m) || !small_number(rest.substr(dash + 1), d)) return false;
    if (m < 1 || m > 12 || d < 1) return false;
    static constexpr unsigned char month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    unsigned limit = month_days[m - 1] + ((m == 2 && leap) ? 1u : 0u);
    if (d > limit) return false;
    days = days_from_civil(y, m, d);
    return true;
}

bool parse_clock(std::string_view s, std::int64_t &seconds) noexcept {
    // H[H]:MM:SS
    if (s.size() == 8) return detail::clock_word(s, seconds); // HH:MM:SS, the usual form
    auto c1 = s.find(':');
    if (c1 == std::string_view::npos) return false;
    auto c2 = s.find(':', c1 + 1);
    if (c2 == std::string_view::npos || c2 - c1 != 3 || s.size() - c2 != 3) return false;
    unsigned h = 0, m = 0, sec = 0;
    if (!small_number(s.substr(0, c1), h) || !small_number(s.substr(c1 + 1, 2), m) ||
        !small_number(s.substr(c2 + 1, 2), sec))
        return false;
    if (h > 23 || m > 59 || sec > 59) return false;
    seconds = h * 3600 + m * 60 + sec;
    return true;
}

} // namespace

int protocol_by_name(std::string_view name) noexcept {
    for (const auto &p : protocols)
        if (detail::is_word(name, p.name)) return p.number;
    if (detail::is_word(name, "ICMP6")) return 58;
    return -1;
}

std::string_view protocol_name(int number) noexcept {
    switch (number) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 115: return "L2TP";
    case 132: return "SCTP";
    default: return {};
    }
}

bool parse_date_time(std::string_view date, std::string_view time, std::int64_t &out, date_cache *cache) noexcept {
    if (detail::is_dash(date) || detail::is_dash(time)) {
        // Absent only when both are absent; half a timestamp is malformed.
        if (detail::is_dash(date) && detail::is_dash(time)) {
            out = FW_NO_TIME;
            return true;
        }
        return false;
    }
    std::int64_t days = 0, secs = 0;
    // Compared as two overlapping 8-byte words (a cached date has 8..10 bytes).
    std::uint64_t head = 0, tail = 0;
    const bool date_sized = date.size() >= 8 && date.size() <= 10;
    if (date_sized) {
        std::memcpy(&head, date.data(), 8);
        std::memcpy(&tail, date.data() + date.size() - 8, 8);
    }
    if (cache != nullptr && date_sized && cache->size == date.size() && cache->head == head && cache->tail == tail) {
        days = cache->days;
    } else {
        if (!parse_date(date, days)) return false;
        if (cache != nullptr) { // parse_date took it: 8..10 bytes
            cache->head = head;
            cache->tail = tail;
            cache->size = date.size();
            cache->days = days;
        }
    }
    if (!parse_clock(time, secs)) return false;
    out = days * 86400 + secs;
    return true;
}

bool parse_address_narrow(std::string_view s, fw_addr &out) noexcept {
    std::uint8_t quad[4];
    if (parse_ipv4_quad(s, quad)) {
        out = fw_addr{};
        out.family = FW_AF_INET;
        std::memcpy(out.bytes, quad, 4);
        return true;
    }
    if (detail::is_dash(s)) {
        out = fw_addr{};
        return true;
    }
    if (s.find(':') == std::string_view::npos) return false; // not IPv6, and not a valid IPv4 either
    auto a = net::parse_ipv6(s);
    if (!a) return false;
    out = net::to_abi(*a);
    return true;
}

bool has_avx2() noexcept {
    // The AVX2 build uses POPCNT and BMI1 too.
#if defined(FW_SCAN_DISPATCH)
    // The compiler runtime asked the CPU once per process (cpuid in a VM can trap to the hypervisor, and a
    // parallel read makes a reader per range); its "avx2" includes the OS's YMM support (XCR0 bits 1-2).
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi");
#elif defined(FW_FIELDS_AVX2)
    // Leaf 1: POPCNT (ECX 23), OSXSAVE (ECX 27), AVX (ECX 28); XCR0: the OS saves XMM and YMM state (bits 1-2);
    // leaf 7: BMI1 (EBX 3), AVX2 (EBX 5).
    constexpr unsigned leaf1_ecx = (1u << 23) | (1u << 27) | (1u << 28), leaf7_ebx = (1u << 3) | (1u << 5);
    int r[4] = {};
    __cpuid(r, 0);
    if (r[0] < 7) return false;
    __cpuid(r, 1);
    if ((static_cast<unsigned>(r[2]) & leaf1_ecx) != leaf1_ecx) return false;
    if ((_xgetbv(0) & 6u) != 6u) return false;
    __cpuidex(r, 7, 0);
    return (static_cast<unsigned>(r[1]) & leaf7_ebx) == leaf7_ebx;
#else
    return false;
#endif
}

static_assert(parse_address_readable >= net::ipv6_readable && parse_address_readable >= ipv4_readable);

bool parse_address_not_ipv4(std::string_view s, fw_addr &out) noexcept {
    if (detail::is_dash(s)) {
        out = fw_addr{};
        return true;
    }
    net::ip a;
    if (!net::parse_ipv6_readable(s, a)) return false;
    out = net::to_abi(a);
    return true;
}

namespace {

// A number column into dest (parse_number, then narrowed: max fits dest).
template <class T>
FW_NOINLINE bool number_into_long(std::string_view v, std::int64_t max, T &dest) noexcept {
    std::int64_t x = 0;
    if (!parse_number(v, max, x)) return false;
    dest = static_cast<T>(x);
    return true;
}
// readable_end: as parse_number's (nullptr: none).
template <class T>
FW_SCAN_INLINE bool number_into(std::string_view v, std::int64_t max, T &dest,
                                const char *readable_end = nullptr) noexcept {
    if (v.size() == 1) { // '-' or one digit: most numeric fields of a drop line
        const unsigned d = static_cast<unsigned char>(v[0]) - static_cast<unsigned>('0');
        if (d <= 9) return dest = static_cast<T>(d), true;
        if (v[0] == '-') return dest = static_cast<T>(FW_ABSENT), true;
        return false;
    }
    if (readable_end != nullptr) {
        bool ok = false;
        std::uint32_t x = 0;
        if (detail::digits_word(v, readable_end, ok, x)) { // 2..8 digits
            if (!ok || x > static_cast<std::uint64_t>(max)) return false;
            dest = static_cast<T>(x);
            return true;
        }
        std::uint64_t wide = 0;
        if (detail::digits_words(v, readable_end, ok, wide)) { // 9..16 digits (TCP sequence numbers): two words
            if (!ok || wide > static_cast<std::uint64_t>(max)) return false;
            dest = static_cast<T>(wide);
            return true;
        }
    }
    return number_into_long(v, max, dest);
}

} // namespace

namespace {

// The columns behind each fw_record_fields bit.
struct field_columns {
    std::uint32_t bit;
    column first, last; // a run of consecutive columns in the enum
};
constexpr field_columns field_map[] = {
    {FW_FIELDS_TIME, column::date, column::time},       {FW_FIELDS_ACTION, column::action, column::action},
    {FW_FIELDS_PROTOCOL, column::protocol, column::protocol}, {FW_FIELDS_SRC_ADDRESS, column::src_ip, column::src_ip},
    {FW_FIELDS_DST_ADDRESS, column::dst_ip, column::dst_ip}, {FW_FIELDS_SRC_PORT, column::src_port, column::src_port},
    {FW_FIELDS_DST_PORT, column::dst_port, column::dst_port}, {FW_FIELDS_SIZE, column::size, column::size},
    {FW_FIELDS_TCP, column::tcpflags, column::tcpwin},  {FW_FIELDS_ICMP, column::icmptype, column::icmpcode},
    {FW_FIELDS_INFO, column::info, column::info},       {FW_FIELDS_PATH, column::path, column::path},
    {FW_FIELDS_PID, column::pid, column::pid},
};

template <int Standard>
std::optional<column> type_every_column(const char *line, std::size_t n, const field_index &f, const layout &lay,
                                        fw_record &r, date_cache *cache, const char *readable_end) noexcept;

const layout standard17 = layout::standard(false);
const layout standard18 = layout::standard(true);

} // namespace

namespace {
// The text of a column the layout lacks: "-", in 32 bytes so that the word-at-a-time parsers, which load up to
// 20 bytes from a field's start, stay inside it (a plain "-" literal is 2 bytes).
constexpr char absent_text[32] = "-                              ";
constexpr std::string_view absent_field{absent_text, 1};

// A column's text, from the field starts stage 1 found ("-" when the layout has
// no such column): a field ends one byte before the next starts, unless more
// than one space separates them. count: the fields indexed (at most max_fields).
FW_SCAN_INLINE std::string_view field_text(const char *line, std::size_t n, const field_index &f, std::size_t count,
                                           const layout &lay, column c) noexcept {
    const auto k = lay[c];
    if (k == layout::absent) return absent_field;
    const auto i = static_cast<std::size_t>(k);
    const std::size_t b = f.start[i];
    std::size_t e = i + 1 < count ? f.start[i + 1] - 1 : n;
    if (line[e - 1] == ' ') [[unlikely]]
        while (e > b && line[e - 1] == ' ') --e;
    return {line + b, e - b};
}
// The columns of `wanted` into r, the others absent; at(c) is column c's text.
// Returns the first typed column that is malformed, if any. Wanted: a
// std::uint32_t, or a std::integral_constant when the set is known when
// compiling (then no field is tested per line).
template <class At, class Wanted>
FW_SCAN_INLINE std::optional<column> type_columns(At at, Wanted wanted, fw_record &r, date_cache *cache,
                                                  const char *end) noexcept {
    auto want = [&](std::uint32_t bit) { return (static_cast<std::uint32_t>(wanted) & bit) != 0; };
    r.time = FW_NO_TIME;
    if (want(FW_FIELDS_TIME))
        if (!(cache != nullptr ? parse_date_time(at(column::date), at(column::time), r.time, *cache)
                               : parse_date_time(at(column::date), at(column::time), r.time)))
            return column::date;
    r.action = want(FW_FIELDS_ACTION) ? parse_action(at(column::action), end) : std::uint8_t{FW_ACTION_OTHER};
    r.protocol = FW_ABSENT;
    if (want(FW_FIELDS_PROTOCOL) && !parse_protocol(at(column::protocol), r.protocol)) return column::protocol;
    r.src = fw_addr{};
    if (want(FW_FIELDS_SRC_ADDRESS) && !parse_address(at(column::src_ip), r.src, end)) return column::src_ip;
    r.dst = fw_addr{};
    if (want(FW_FIELDS_DST_ADDRESS) && !parse_address(at(column::dst_ip), r.dst, end)) return column::dst_ip;
    r.src_port = r.dst_port = FW_ABSENT;
    if (want(FW_FIELDS_SRC_PORT) && !parse_port(at(column::src_port), r.src_port, end)) return column::src_port;
    if (want(FW_FIELDS_DST_PORT) && !parse_port(at(column::dst_port), r.dst_port, end)) return column::dst_port;
    r.size = FW_ABSENT;
    if (want(FW_FIELDS_SIZE) && !number_into(at(column::size), INT64_MAX, r.size, end)) return column::size;
    std::memset(r.tcp_flags, 0, sizeof r.tcp_flags);
    r.tcp_syn = r.tcp_ack = FW_ABSENT;
    r.tcp_win = FW_ABSENT;
    if (want(FW_FIELDS_TCP)) {
        if (!parse_tcp_flags(at(column::tcpflags), r.tcp_flags)) return column::tcpflags;
        if (!number_into(at(column::tcpsyn), INT64_MAX, r.tcp_syn, end)) return column::tcpsyn;
        if (!number_into(at(column::tcpack), INT64_MAX, r.tcp_ack, end)) return column::tcpack;
        if (!number_into(at(column::tcpwin), INT32_MAX, r.tcp_win, end)) return column::tcpwin;
    }
    r.icmp_type = r.icmp_code = FW_ABSENT;
    if (want(FW_FIELDS_ICMP)) {
        if (!number_into(at(column::icmptype), INT16_MAX, r.icmp_type, end)) return column::icmptype;
        if (!number_into(at(column::icmpcode), INT16_MAX, r.icmp_code, end)) return column::icmpcode;
    }
    r.info = FW_ABSENT;
    if (want(FW_FIELDS_INFO) && !number_into(at(column::info), INT64_MAX, r.info, end)) return column::info;
    r.path = want(FW_FIELDS_PATH) ? parse_path(at(column::path), end) : std::uint8_t{FW_PATH_NONE};
    r.pid = FW_ABSENT;
    if (want(FW_FIELDS_PID) && !number_into(at(column::pid), INT64_MAX, r.pid, end)) return column::pid;
    return std::nullopt;
}
} // namespace

int last_typed_position(const layout &lay, std::uint32_t wanted) noexcept {
    int last = -1;
    for (const auto &m : field_map) {
        if ((wanted & m.bit) == 0) continue;
        for (auto c = static_cast<unsigned>(m.first); c <= static_cast<unsigned>(m.last); ++c)
            last = std::max<int>(last, lay.index[c]);
    }
    return last;
}

std::optional<column> type_record(const char *line, std::size_t n, const field_index &f, const layout &lay,
                                  fw_record &r, date_cache *cache, std::uint32_t wanted,
                                  const char *readable_end) noexcept {
    if (wanted == FW_FIELDS_ALL) {
        // (layout's == calls memcmp: compared here as words)
        auto same = [](const layout &a, const layout &b) noexcept {
            static_assert(sizeof(layout) == column_count + 1 && column_count >= 16);
            std::uint64_t x[2], y[2];
            std::memcpy(x, a.index.data(), 16);
            std::memcpy(y, b.index.data(), 16);
            return x[0] == y[0] && x[1] == y[1] && a.index[16] == b.index[16] && a.index[17] == b.index[17] &&
                   a.fields == b.fields;
        };
        if (f.count == 18 && same(lay, standard18)) return type_every_column<18>(line, n, f, lay, r, cache, readable_end);
        if (f.count == 17 && same(lay, standard17)) return type_every_column<17>(line, n, f, lay, r, cache, readable_end);
        return type_every_column<0>(line, n, f, lay, r, cache, readable_end);
    }
    // Each column's text when it is read ("-" when the layout has no such column).
    const std::size_t count = f.count < max_fields ? f.count : max_fields;
    const char *const end = readable_end != nullptr ? readable_end : line + n;
    return type_columns([&](column c) noexcept { return field_text(line, n, f, count, lay, c); }, wanted, r, cache,
                        end);
}

namespace {
// Every column (type_record with FW_FIELDS_ALL). Standard: 17 or 18 when lay
// is layout::standard(Standard == 18) and the line has that many fields (then
// every position is known when compiling), 0 for any layout.
template <int Standard>
std::optional<column> type_every_column(const char *line, std::size_t n, const field_index &f, const layout &lay,
                                  fw_record &r, date_cache *cache, const char *readable_end) noexcept {
    // A column's text, from the field starts stage 1 found: a field ends one
    // byte before the next starts, unless more than one space separates them.
    const std::size_t count = Standard != 0 ? std::size_t{Standard} : (f.count < max_fields ? f.count : max_fields);
    const char *const end = readable_end != nullptr ? readable_end : line + n;
    auto at = [&](column c) noexcept -> std::string_view {
        std::size_t i;
        if constexpr (Standard != 0) {
            i = static_cast<std::size_t>(c);
            if (i >= std::size_t{Standard}) return absent_field; // pid in a 17-column log
        } else {
            const auto k = lay[c];
            if (k == layout::absent) return absent_field;
            i = static_cast<std::size_t>(k);
        }
        const std::size_t b = f.start[i];
        std::size_t e = i + 1 < count ? f.start[i + 1] - 1 : n;
        if (line[e - 1] == ' ') [[unlikely]]
            while (e > b && line[e - 1] == ' ') --e;
        return {line + b, e - b};
    };

    if (lay.has(column::date) || lay.has(column::time)) {
        const bool ok = cache != nullptr ? parse_date_time(at(column::date), at(column::time), r.time, *cache)
                                         : parse_date_time(at(column::date), at(column::time), r.time);
        if (!ok) return column::date;
    } else {
        r.time = FW_NO_TIME;
    }
    r.action = parse_action(at(column::action), end);
    if (!parse_protocol(at(column::protocol), r.protocol)) return column::protocol;
    if (!parse_address(at(column::src_ip), r.src, end)) return column::src_ip;
    if (!parse_address(at(column::dst_ip), r.dst, end)) return column::dst_ip;
    if (!parse_port(at(column::src_port), r.src_port, end)) return column::src_port;
    if (!parse_port(at(column::dst_port), r.dst_port, end)) return column::dst_port;
    if (!number_into(at(column::size), INT64_MAX, r.size, end)) return column::size;
    if (!parse_tcp_flags(at(column::tcpflags), r.tcp_flags)) return column::tcpflags;
    if (!number_into(at(column::tcpsyn), INT64_MAX, r.tcp_syn, end)) return column::tcpsyn;
    if (!number_into(at(column::tcpack), INT64_MAX, r.tcp_ack, end)) return column::tcpack;
    if (!number_into(at(column::tcpwin), INT32_MAX, r.tcp_win, end)) return column::tcpwin;
    if (!number_into(at(column::icmptype), INT16_MAX, r.icmp_type, end)) return column::icmptype;
    if (!number_into(at(column::icmpcode), INT16_MAX, r.icmp_code, end)) return column::icmpcode;
    if (!number_into(at(column::info), INT64_MAX, r.info, end)) return column::info;
    r.path = parse_path(at(column::path), end);
    if (!number_into(at(column::pid), INT64_MAX, r.pid, end)) return column::pid;
    return std::nullopt;
}
} // namespace

namespace {
// Bit i set when p[i] <= ' ' (a space, a line end, NUL, a tab or another
// control byte), for the 16 bytes at p.
FW_SCAN_INLINE unsigned low_bytes16(const char *p) noexcept {
#ifdef FW_SCAN_SSE2
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(v, _mm_set1_epi8(' ')), _mm_setzero_si128())));
#else
    unsigned m = 0;
    for (unsigned i = 0; i < 16; ++i) m |= unsigned{static_cast<unsigned char>(p[i]) <= ' '} << i;
    return m;
#endif
}
} // namespace

namespace {
// Bit i set when p[i] <= ' ', for the 64 bytes at p: four loads that do not
// depend on where fields end, so a line's masks are found in parallel.
FW_SCAN_INLINE std::uint64_t low_bytes64(const char *p) noexcept {
    return std::uint64_t{low_bytes16(p)} | (std::uint64_t{low_bytes16(p + 16)} << 16) |
           (std::uint64_t{low_bytes16(p + 32)} << 32) | (std::uint64_t{low_bytes16(p + 48)} << 48);
}

// The bytes of 64 at p that stop a field: low (bit i: p[i] <= ' ') and, of
// those, the control bytes (p[i] < ' ': a line end, NUL, tab, ...).
struct stops64 {
    std::uint64_t low = 0, control = 0;
};
FW_SCAN_INLINE stops64 stops_of64(const char *p) noexcept {
    stops64 s;
#ifdef FW_SCAN_SSE2
    for (unsigned k = 0; k < 4; ++k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * k));
        const __m128i low = _mm_cmpeq_epi8(_mm_subs_epu8(v, _mm_set1_epi8(' ')), _mm_setzero_si128());
        const __m128i space = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
        s.low |= std::uint64_t{static_cast<unsigned>(_mm_movemask_epi8(low))} << (16 * k);
        s.control |= std::uint64_t{static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(space, low)))}
                     << (16 * k);
    }
#else
    for (unsigned i = 0; i < 64; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        s.low |= std::uint64_t{c <= ' '} << i;
        s.control |= std::uint64_t{c < ' '} << i;
    }
#endif
    return s;
}
// The stops of a line's first 128 bytes, which walk_plain_short reads. Found by
// the function that types the line (not inside the inline helpers, which are
// compiled for the baseline), so that its AVX2 build can find them with AVX2.
struct stops128 {
    stops64 a, b; // bytes 0..63, 64..127
};
FW_SCAN_INLINE stops128 stops_of128(const char *p) noexcept { return {stops_of64(p), stops_of64(p + 64)}; }
#ifdef FW_FIELDS_AVX2
// stops_of128 from four 32-byte loads (call only in a function compiled for AVX2).
FW_SCAN_INLINE FW_TARGET_AVX2 std::uint64_t low_bytes64_avx2(const char *p, char below) noexcept {
    // Bit i: p[i] <= below.
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 32));
    const __m256i b = _mm256_set1_epi8(below), zero = _mm256_setzero_si256();
    const auto m_lo = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_subs_epu8(lo, b), zero)));
    const auto m_hi = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_subs_epu8(hi, b), zero)));
    return std::uint64_t{m_lo} | (std::uint64_t{m_hi} << 32);
}
FW_SCAN_INLINE FW_TARGET_AVX2 stops128 stops_of128_avx2(const char *p) noexcept {
    return {{low_bytes64_avx2(p, ' '), low_bytes64_avx2(p, ' ' - 1)},
            {low_bytes64_avx2(p + 64, ' '), low_bytes64_avx2(p + 64, ' ' - 1)}};
}
#endif

// The field ends of a plain line: end[i] is the offset of the byte after
// field i (a space, or the line end after the last field); field i starts at
// end[i - 1] + 1 (field 0 at 0).

// walk_plain for a line whose last field ends before byte 127 (nearly every
// IPv4 line): the ends come from two 128-byte masks with no load and no
// branch per field, and the shape (no empty field, no control byte before the
// last field's end) is checked on the masks once. Returns the end of the last
// field, or 0 when the line is not plain or longer (then use walk_plain).
// stops: stops_of128(line).
template <std::size_t Columns>
FW_SCAN_INLINE std::uint32_t walk_plain_short(const stops128 &stops, std::uint32_t (&end)[column_count]) noexcept {
    const stops64 &a = stops.a, &b = stops.b;
    std::uint64_t lo = a.low, hi = b.low;
    constexpr std::uint64_t last = std::uint64_t{1} << 63; // byte 127 stops every line: too long here
    unsigned e = 0;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 18
#endif
    for (std::size_t i = 0; i < Columns; ++i) {
        const bool in_lo = lo != 0;
        const std::uint64_t w = in_lo ? lo : hi | last;
        e = detail::ctz64(w) + (in_lo ? 0u : 64u);
        lo &= lo - 1;
        hi &= hi - (in_lo ? 0u : 1u); // the stop just taken, when it was in hi
        end[i] = e;
    }
    if (e >= 127) return 0;
    // Before the last field's end: no control byte (the separators are single
    // spaces), no two stops in a row (an empty field) and no stop first.
    const std::uint64_t bad_lo = a.control | (a.low & ((a.low >> 1) | (b.low << 63))) | (a.low & 1u);
    const std::uint64_t bad_hi = b.control | (b.low & (b.low >> 1));
    const std::uint64_t below_lo = e >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << e) - 1;
    const std::uint64_t below_hi = e >= 64 ? (std::uint64_t{1} << (e - 64)) - 1 : 0;
    if (((bad_lo & below_lo) | (bad_hi & below_hi)) != 0) return 0;
    return e;
}

// The field ends of any plain line, from the 64-byte masks one set bit at a
// time, so finding the next field waits on one bit operation, not on a load at
// the previous field's end. Returns the end of the last field, or 0 when the
// line is not plain up to there.
template <std::size_t Columns>
FW_SCAN_INLINE std::uint32_t walk_plain(const char *line, std::uint32_t (&end)[column_count]) noexcept {
    std::size_t block = 0;                   // offset of the mask's block in the line
    std::uint64_t stops = low_bytes64(line); // bytes <= ' ' of the block not passed yet
    std::size_t begin = 0;                   // where the current field starts
    for (std::size_t i = 0; i < Columns; ++i) {
        while (stops == 0) {
            block += 64;
            if (block >= plain_line_max) return 0;
            stops = low_bytes64(line + block);
        }
        const std::size_t e = block + detail::ctz64(stops);
        stops &= stops - 1;
        // An empty field: a space, a line end or a control byte where a field should start.
        if (e <= begin) return 0;
        end[i] = static_cast<std::uint32_t>(e);
        if (i + 1 < Columns && line[e] != ' ') return 0; // a line end too early, or a control byte
        begin = e + 1;
    }
    return end[Columns - 1];
}

// parse_action and parse_path for the fields of a plain line (plain_readable
// bytes readable from the line's start): the same answers, with no branch on
// which word a field holds (DROP or ALLOW, RECEIVE or SEND), which the
// firewall's lines mix. (Done likewise for protocol, tcpflags and the
// one-byte numbers, it cost more instructions and saved no mispredictions
// under callgrind's branch simulation.)

// s equals an upper-case word of 1..8 letters, ASCII case ignored, given its
// head_word: as detail::word_is, with no branch.
template <detail::letters L>
FW_SCAN_INLINE bool plain_word_is(std::uint64_t w, std::size_t size) noexcept {
    constexpr std::uint64_t fold = 0x2020202020202020ull >> (64 - 8 * L.size);
    return (size == L.size) & ((w | fold) == (L.word | fold));
}
FW_SCAN_INLINE std::uint8_t plain_action(std::string_view s, const char *readable) noexcept {
    if (s.size() > 5) [[unlikely]] return parse_action(s); // OPEN-INBOUND, INFO-EVENTS-LOST or other
    const std::uint64_t w = detail::head_word(s, readable);
    const unsigned code = (plain_word_is<"DROP">(w, s.size()) ? unsigned{FW_ACTION_DROP} : 0u) |
                          (plain_word_is<"ALLOW">(w, s.size()) ? unsigned{FW_ACTION_ALLOW} : 0u) |
                          (plain_word_is<"OPEN">(w, s.size()) ? unsigned{FW_ACTION_OPEN} : 0u) |
                          (plain_word_is<"CLOSE">(w, s.size()) ? unsigned{FW_ACTION_CLOSE} : 0u);
    static_assert(FW_ACTION_OTHER == 0);
    return static_cast<std::uint8_t>(code);
}
FW_SCAN_INLINE std::uint8_t plain_path(std::string_view s, const char *readable) noexcept {
    const std::uint64_t w = detail::head_word(s, readable);
    const unsigned code = (plain_word_is<"RECEIVE">(w, s.size()) ? unsigned{FW_PATH_RECEIVE} : 0u) |
                          (plain_word_is<"SEND">(w, s.size()) ? unsigned{FW_PATH_SEND} : 0u) |
                          (plain_word_is<"FORWARD">(w, s.size()) ? unsigned{FW_PATH_FORWARD} : 0u) |
                          (plain_word_is<"UNKNOWN">(w, s.size()) ? unsigned{FW_PATH_UNKNOWN} : 0u);
    const bool dash = (s.size() == 1) & (w == '-');
    static_assert(FW_PATH_NONE == 0);
    return static_cast<std::uint8_t>(code != 0 || dash ? code : unsigned{FW_PATH_OTHER});
}
// type_columns for every field of a plain line: false when any is malformed
// (the plain path then declines the line; which column does not matter).
template <bool Ssse3, class At>
FW_SCAN_INLINE bool type_every_plain(At at, fw_record &r, date_cache &cache, const char *end) noexcept {
    bool ok = parse_date_time(at(column::date), at(column::time), r.time, cache);
    r.action = plain_action(at(column::action), end);
    ok &= parse_protocol(at(column::protocol), r.protocol);
    ok &= parse_address<Ssse3>(at(column::src_ip), r.src, end);
    ok &= parse_address<Ssse3>(at(column::dst_ip), r.dst, end);
    ok &= parse_port(at(column::src_port), r.src_port, end);
    ok &= parse_port(at(column::dst_port), r.dst_port, end);
    ok &= number_into(at(column::size), INT64_MAX, r.size, end);
    ok &= parse_tcp_flags(at(column::tcpflags), r.tcp_flags);
    ok &= number_into(at(column::tcpsyn), INT64_MAX, r.tcp_syn, end);
    ok &= number_into(at(column::tcpack), INT64_MAX, r.tcp_ack, end);
    ok &= number_into(at(column::tcpwin), INT32_MAX, r.tcp_win, end);
    ok &= number_into(at(column::icmptype), INT16_MAX, r.icmp_type, end);
    ok &= number_into(at(column::icmpcode), INT16_MAX, r.icmp_code, end);
    ok &= number_into(at(column::info), INT64_MAX, r.info, end);
    r.path = plain_path(at(column::path), end);
    ok &= number_into(at(column::pid), INT64_MAX, r.pid, end);
    return ok;
}

// type_plain_line for lines of Columns columns; All: every field wanted and
// no action filter (then nothing is set absent first, nothing is tested);
// Ssse3: the CPU has SSSE3. Inlined into type_plain_base, into
// type_plain_hw, compiled for POPCNT and BMI1 (TZCNT, BLSR, ANDN: a few
// instructions fewer per field in the walks and the parsers), or into
// type_plain_avx2. stops: stops_of128(line), found by the caller.
template <std::size_t Columns, bool All, bool Ssse3, std::uint32_t Fixed>
FW_SCAN_INLINE const char *type_plain(const char *line, const stops128 &stops, const plain_options &how,
                                      fw_record &r, date_cache &cache, bool &passed) noexcept {
    static_assert(plain_readable >= plain_line_max + 128, "masks are loaded up to 64 bytes past plain_line_max");
    std::uint32_t end[column_count];
    std::uint32_t last = walk_plain_short<Columns>(stops, end);
    if (last == 0) [[unlikely]] {
        last = walk_plain<Columns>(line, end);
        if (last == 0) return nullptr;
    }
    const char *p = line + last;
    while (*p == ' ' && p < line + plain_line_max) ++p; // spaces after the last field are no field
    if (*p == '\r') ++p;
    if (*p != '\n' || p >= line + plain_line_max) return nullptr;
    auto at = [&](column c) noexcept {
        const auto i = static_cast<std::size_t>(c);
        if (i >= Columns) return absent_field; // pid in a 17-column line
        const std::uint32_t b = i == 0 ? 0 : end[i - 1] + 1;
        return std::string_view(line + b, end[i] - b);
    };
    const char *const readable = line + plain_readable;
    if (!All && how.actions != ~std::uint32_t{0}) {
        // The filter's only test: a rejected line is counted, not typed (as record_line does).
        if ((how.actions & (1u << parse_action(at(column::action), readable))) == 0) {
            passed = false;
            return p;
        }
    }
    passed = true;
    if constexpr (All) return type_every_plain<Ssse3>(at, r, cache, readable) ? p : nullptr;
    if constexpr (Fixed != 0) // how.wanted == Fixed
        return type_columns(at, std::integral_constant<std::uint32_t, Fixed>{}, r, &cache, readable) ? nullptr : p;
    return type_columns(at, how.wanted, r, &cache, readable) ? nullptr : p;
}

// (Out of line, so that the dispatch in type_plain_line stays a few tests and a jump.)
template <std::size_t Columns, bool All, bool Ssse3, std::uint32_t Fixed>
FW_NOINLINE const char *type_plain_base(const char *line, const plain_options &how, fw_record &r,
                                              date_cache &cache, bool &passed) noexcept {
    return type_plain<Columns, All, Ssse3, Fixed>(line, stops_of128(line), how, r, cache, passed);
}
// Called only when the CPU has POPCNT and BMI1 (plain_options::hw).
template <std::size_t Columns, bool All, bool Ssse3, std::uint32_t Fixed>
FW_NOINLINE FW_TARGET_POPCNT_BMI const char *type_plain_hw(const char *line, const plain_options &how,
                                                                 fw_record &r, date_cache &cache,
                                                                 bool &passed) noexcept {
    return type_plain<Columns, All, Ssse3, Fixed>(line, stops_of128(line), how, r, cache, passed);
}
#ifdef FW_FIELDS_AVX2
// Called only when has_avx2() (plain_options::avx2), for field sets without
// addresses: the SSSE3 dotted quad is legacy-encoded inline asm, never to be
// mixed with this function's VEX code.
template <std::size_t Columns, std::uint32_t Fixed>
FW_NOINLINE FW_TARGET_AVX2 const char *type_plain_avx2(const char *line, const plain_options &how, fw_record &r,
                                                            date_cache &cache, bool &passed) noexcept {
    static_assert((Fixed & (FW_FIELDS_SRC_ADDRESS | FW_FIELDS_DST_ADDRESS)) == 0);
    return type_plain<Columns, false, false, Fixed>(line, stops_of128_avx2(line), how, r, cache, passed);
}
#endif
template <std::size_t Columns, bool All, bool Ssse3, std::uint32_t Fixed = 0>
FW_SCAN_INLINE const char *type_plain_on(bool hw, const char *line, const plain_options &how, fw_record &r,
                                         date_cache &cache, bool &passed) noexcept {
    return hw ? type_plain_hw<Columns, All, Ssse3, Fixed>(line, how, r, cache, passed)
              : type_plain_base<Columns, All, Ssse3, Fixed>(line, how, r, cache, passed);
}

// A compile-time field set without addresses: on AVX2 when the CPU has it.
template <std::size_t Columns, std::uint32_t Fixed>
FW_SCAN_INLINE const char *type_plain_fixed(const char *line, const plain_options &how, fw_record &r,
                                            date_cache &cache, bool &passed) noexcept {
#ifdef FW_FIELDS_AVX2
    if (how.avx2) return type_plain_avx2<Columns, Fixed>(line, how, r, cache, passed);
#endif
    return type_plain_on<Columns, false, false, Fixed>(how.hw, line, how, r, cache, passed);
}

// The fields Measure-FwDrop types by default (fw_summary_fields for direction,
// protocol and local port: first/last seen and bytes too), with the action or
// without: typed with no test per field.
constexpr std::uint32_t summary_fields = FW_FIELDS_TIME | FW_FIELDS_SIZE | FW_FIELDS_PATH | FW_FIELDS_PROTOCOL |
                                         FW_FIELDS_SRC_PORT | FW_FIELDS_DST_PORT;
constexpr std::uint32_t summary_action_fields = summary_fields | FW_FIELDS_ACTION;
} // namespace

const char *type_plain_line(const char *line, const plain_options &how, fw_record &r, date_cache &cache,
                            bool &passed) noexcept {
    if (how.wanted == FW_FIELDS_ALL && how.actions == ~std::uint32_t{0}) {
        if (how.ssse3)
            return how.pid ? type_plain_on<18, true, true>(how.hw, line, how, r, cache, passed)
                           : type_plain_on<17, true, true>(how.hw, line, how, r, cache, passed);
        return how.pid ? type_plain_on<18, true, false>(how.hw, line, how, r, cache, passed)
                       : type_plain_on<17, true, false>(how.hw, line, how, r, cache, passed);
    }
    if (how.wanted == summary_fields)
        return how.pid ? type_plain_fixed<18, summary_fields>(line, how, r, cache, passed)
                       : type_plain_fixed<17, summary_fields>(line, how, r, cache, passed);
    if (how.wanted == summary_action_fields)
        return how.pid ? type_plain_fixed<18, summary_action_fields>(line, how, r, cache, passed)
                       : type_plain_fixed<17, summary_action_fields>(line, how, r, cache, passed);
    return how.pid ? type_plain_on<18, false, false>(how.hw, line, how, r, cache, passed)
                   : type_plain_on<17, false, false>(how.hw, line, how, r, cache, passed);
}

} // namespace fw::log
