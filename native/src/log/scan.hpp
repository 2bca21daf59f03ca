// Stage 1 of reading a log: find line ends and field boundaries, without
// interpreting any field. The hot path is inline; it uses SSE2 where the
// target has it (every x86-64) and portable code elsewhere.
#pragma once

#include "log/layout.hpp"

#include <array>
#include <cstddef>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define FW_SCAN_SSE2 1
#include <emmintrin.h>
#endif

// The scan may use POPCNT and BMI1 (TZCNT, BLSR) beyond the target's baseline
// when the CPU has them, chosen at run time (has_popcnt_bmi): the hot loop is
// compiled twice, once inside a function marked FW_TARGET_POPCNT_BMI, into which
// the FW_SCAN_INLINE helpers below are always inlined (a copy left out of line
// would be compiled for the baseline).
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define FW_SCAN_DISPATCH 1
#define FW_TARGET_POPCNT_BMI __attribute__((target("popcnt,bmi")))
#else
#define FW_TARGET_POPCNT_BMI
#endif
#if defined(__GNUC__) || defined(__clang__)
#define FW_SCAN_INLINE [[gnu::always_inline]] inline
#define FW_NOINLINE [[gnu::noinline]]
#elif defined(_MSC_VER)
#define FW_SCAN_INLINE inline
#define FW_NOINLINE __declspec(noinline)
#else
#define FW_SCAN_INLINE inline
#define FW_NOINLINE
#endif

namespace fw::log {

// Where each field of one line starts. Fields are separated by runs of spaces.
struct field_index {
    std::uint32_t count = 0;                         // fields in the line (may exceed max_fields)
    std::array<std::uint32_t, max_fields + 1> start; // offsets of the first max_fields fields in the line

    // Field i (i < min(count, max_fields)) of line, of length n. Needs the start
    // of field i + 1 as well when there is one (it ends the field).
    [[nodiscard]] std::string_view get(const char *line, std::size_t n, std::size_t i) const noexcept {
        std::size_t b = start[i];
        std::size_t e = (i + 1 < count && i + 1 < max_fields) ? start[i + 1] - 1 : n;
        while (e > b && line[e - 1] == ' ') --e;
        return {line + b, e - b};
    }
};

namespace detail {

// True when the CPU has POPCNT and BMI1. Ask once (per reader), not per line.
inline bool has_popcnt_bmi() noexcept {
#ifdef FW_SCAN_DISPATCH
    return __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi");
#else
    return false;
#endif
}

FW_SCAN_INLINE unsigned ctz64(std::uint64_t v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<unsigned>(__builtin_ctzll(v));
#else
    return static_cast<unsigned>(std::countr_zero(v)); // v != 0: TZCNT or BSF
#endif
}

// Bit i is set when p[i] == c, for the 64 bytes at p. The bytes must be readable.
FW_SCAN_INLINE std::uint64_t byte_mask64(const char *p, char c) noexcept {
#ifdef FW_SCAN_SSE2
    const __m128i needle = _mm_set1_epi8(c);
    auto m = [&](int k) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * k));
        return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle))));
    };
    return m(0) | (m(1) << 16) | (m(2) << 32) | (m(3) << 48);
#else
    std::uint64_t mask = 0;
    for (unsigned i = 0; i < 64; ++i) mask |= std::uint64_t{p[i] == c} << i;
    return mask;
#endif
}

// Hw: the caller was compiled for POPCNT (then the builtin is one instruction;
// elsewhere it would call libgcc).
template <bool Hw = false>
FW_SCAN_INLINE unsigned popcount64(std::uint64_t v) noexcept {
#if defined(FW_SCAN_DISPATCH)
    if constexpr (Hw) return static_cast<unsigned>(__builtin_popcountll(v));
#endif
#if defined(__POPCNT__)
    return static_cast<unsigned>(__builtin_popcountll(v));
#else
    // SWAR: baseline x86-64 has no POPCNT and the builtin would call libgcc.
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return static_cast<unsigned>((v * 0x0101010101010101ull) >> 56);
#endif
}

// Bit i is set when p[i] is a or b, for the 64 bytes at p (one movemask per 16 bytes).
FW_SCAN_INLINE std::uint64_t byte_mask64_either(const char *p, char a, char b) noexcept {
#ifdef FW_SCAN_SSE2
    const __m128i na = _mm_set1_epi8(a), nb = _mm_set1_epi8(b);
    auto m = [&](int k) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * k));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, na), _mm_cmpeq_epi8(v, nb));
        return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(hit)));
    };
    return m(0) | (m(1) << 16) | (m(2) << 32) | (m(3) << 48);
#else
    std::uint64_t mask = 0;
    for (unsigned i = 0; i < 64; ++i) mask |= std::uint64_t{p[i] == a || p[i] == b} << i;
    return mask;
#endif
}

// The 64 bytes at p when they are readable; near readable_end, tmp holding what is, padded with spaces.
FW_SCAN_INLINE const char *block64(const char *p, const char *readable_end, char (&tmp)[64]) noexcept {
    if (readable_end - p >= 64) return p;
    const auto readable = static_cast<std::size_t>(readable_end - p);
    std::memcpy(tmp, p, readable);
    std::memset(tmp + readable, ' ', 64 - readable);
    return tmp;
}

} // namespace detail

// The first '\n' in [p, end), or end.
[[nodiscard]] inline const char *find_line_end(const char *p, const char *end) noexcept {
    const void *nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    return nl != nullptr ? static_cast<const char *>(nl) : end;
}

// Index the fields of line[0, n): count them all, record where the first
// `need` (at most max_fields) start. Bytes up to readable_end may be read (but
// are not used) past n; the scan never reads at or beyond readable_end.
template <bool Hw = false>
FW_SCAN_INLINE void tokenize(const char *line, std::size_t n, const char *readable_end, field_index &f,
                     std::size_t need = max_fields) noexcept {
    std::uint32_t count = 0;
    std::uint64_t prev_space = 1; // a virtual space before the line
    for (std::size_t base = 0; base < n; base += 64) {
        const char *p = line + base;
        char tmp[64];
        std::uint64_t sp = detail::byte_mask64(detail::block64(p, readable_end, tmp), ' ');
        std::size_t rem = n - base;
        if (rem < 64) sp |= ~std::uint64_t{0} << rem; // past the line: spaces
        std::uint64_t starts = ~sp & ((sp << 1) | prev_space);
        prev_space = sp >> 63;
        std::uint32_t end_count = count + detail::popcount64<Hw>(starts);
        while (count < need && starts != 0) {
            f.start[count++] = static_cast<std::uint32_t>(base + detail::ctz64(starts));
            starts &= starts - 1;
        }
        count = end_count;
    }
    f.count = count;
}

// Stage 1 for one line in a single pass: find the line end in [line, end) and
// index the fields before it, as tokenize does. The line ends at '\n' or at a
// NUL byte (padding left by a crash or by preallocation: the text before it is
// a line of its own, the text after the NUL run another). Returns the '\n' or
// NUL, or nullptr when [line, end) has neither (f is then unspecified). n gets
// the line's length without the line end ("\r\n", "\n", "\r\0" or "\0").
// Hw: called from a function compiled for POPCNT and BMI1.
template <bool Hw = false>
FW_SCAN_INLINE const char *scan_line(const char *line, const char *end, const char *readable_end, field_index &f,
                             std::size_t need, std::size_t &n) noexcept {
    std::uint32_t count = 0;
    std::uint64_t prev_space = 1;
    for (std::size_t base = 0;; base += 64) {
        const char *p = line + base;
        if (p >= end) return nullptr;
        std::size_t avail = static_cast<std::size_t>(end - p);
        char tmp[64];
        const char *block = detail::block64(p, readable_end, tmp);
        std::uint64_t sp = detail::byte_mask64(block, ' ');
        std::uint64_t nl = detail::byte_mask64_either(block, '\n', '\0');
        if (avail < 64) nl &= (std::uint64_t{1} << avail) - 1;
        std::uint64_t keep = ~std::uint64_t{0}; // bits of this block inside the line
        const char *found = nullptr;
        bool cr_before = false; // a '\r' ending the previous block ends the line
        if (nl != 0) {
            unsigned k = detail::ctz64(nl);
            found = p + k;
            std::size_t len = base + k;
            if (len != 0 && line[len - 1] == '\r') {
                --len;
                cr_before = k == 0;
            }
            n = len;
            keep = k == 0 ? 0 : (~std::uint64_t{0} >> (64 - k));
            if (!cr_before && len < base + k) keep >>= 1; // drop the '\r' inside this block
            sp |= ~keep;
        }
        std::uint64_t starts = ~sp & ((sp << 1) | prev_space);
        prev_space = sp >> 63;
        const std::uint32_t in_block = detail::popcount64<Hw>(starts);
        if (count < need) {
            std::size_t take = need - count < in_block ? need - count : in_block;
            for (std::size_t t = 0; t < take; ++t) {
                f.start[count + t] = static_cast<std::uint32_t>(base + detail::ctz64(starts));
                starts &= starts - 1;
            }
        }
        count += in_block;
        if (found != nullptr) {
            // A '\r' at the very end of the previous block was taken for the start
            // of a field if a space (or the line start) came before it.
            if (cr_before && (n == 0 || line[n - 1] == ' ')) --count;
            f.count = count;
            return found;
        }
    }
}

// How many NUL bytes start [p, end).
[[nodiscard]] std::size_t count_leading_nuls(const char *p, const char *end) noexcept;

// How many '\n' bytes [p, end) holds.
[[nodiscard]] std::uint64_t count_newlines(const char *p, const char *end) noexcept;

// The first place in [p, end) where a line must be read under a filter whose match needs the text lit
// (2 to 16 bytes; a port's digits): the start of a whole copy of lit before end, a '#' (a header may
// start there) or a NUL (padding cuts lines); end when there is none. A line without any of them cannot
// match, and the reader passes over it. Bytes up to readable_end may be read.
[[nodiscard]] const char *find_candidate(const char *p, const char *end, const char *readable_end,
                                         std::string_view lit) noexcept;

// The text after "#Fields:" of the last '#Fields:' line that starts in
// [begin, end), searching backwards; nullopt if there is none. The line
// must end before limit (a line end is searched up to limit).
[[nodiscard]] std::optional<std::string_view> find_last_fields_header(const char *begin, const char *end,
                                                                      const char *limit) noexcept;

// UTF-16LE -> one byte per code unit: ASCII stays, every other unit becomes 0xFF
// (never a separator, a digit or a line end, so a line holding one is malformed,
// as it would be in the original). One byte per unit keeps offsets linear:
// byte k of the output is bytes [2k, 2k+2) of the input.
void narrow_utf16le(const unsigned char *in, std::size_t units, char *out) noexcept;

} // namespace fw::log
