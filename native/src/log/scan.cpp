#include "log/scan.hpp"

namespace fw::log {

std::size_t count_leading_nuls(const char *p, const char *end) noexcept {
    const char *q = p;
#ifdef FW_SCAN_SSE2
    const __m128i zero = _mm_setzero_si128();
    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(q));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
        if (m != 0xffffu) {
            return static_cast<std::size_t>(q - p) + detail::ctz64(~m);
        }
        q += 16;
    }
#endif
    while (q < end && *q == '\0') ++q;
    return static_cast<std::size_t>(q - p);
}

std::uint64_t count_newlines(const char *p, const char *end) noexcept {
    std::uint64_t n = 0;
#ifdef FW_SCAN_SSE2
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i zero = _mm_setzero_si128();
    while (end - p >= 16) {
        // Up to 255 blocks of per-byte counters, then a horizontal sum.
        __m128i acc = _mm_setzero_si128();
        std::size_t blocks = static_cast<std::size_t>(end - p) / 16;
        if (blocks > 255) blocks = 255;
        for (std::size_t b = 0; b < blocks; ++b, p += 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
        }
        __m128i sums = _mm_sad_epu8(acc, zero);
        n += static_cast<std::uint64_t>(_mm_cvtsi128_si32(sums)) +
             static_cast<std::uint64_t>(_mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
    }
#endif
    for (; p < end; ++p) n += (*p == '\n') ? 1u : 0u;
    return n;
}

const char *find_candidate(const char *p, const char *end, const char *readable_end, std::string_view lit) noexcept {
    const std::size_t len = lit.size();
    auto hit = [&](const char *c) {
        return *c == '#' || *c == '\0' ||
               (static_cast<std::size_t>(end - c) >= len && std::memcmp(c, lit.data(), len) == 0);
    };
    const char *q = p;
#ifdef FW_SCAN_SSE2
    // Muła's generic SIMD substring search: the first and the last byte of lit compared at once, plus the
    // two bytes that always stop the scan; a full compare only where both ends agree.
    const __m128i first = _mm_set1_epi8(lit[0]), last = _mm_set1_epi8(lit[len - 1]);
    const __m128i hash = _mm_set1_epi8('#'), zero = _mm_setzero_si128();
    while (q < end && readable_end - q >= static_cast<std::ptrdiff_t>(16 + len - 1)) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(q));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(q + len - 1));
        const __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(a, hash), _mm_cmpeq_epi8(a, zero));
        const __m128i ends = _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(stop, ends)));
        while (m != 0) {
            const char *c = q + detail::ctz64(m);
            if (c >= end) return end;
            if (hit(c)) return c;
            m &= m - 1;
        }
        q += 16;
    }
#endif
    for (; q < end; ++q)
        if ((*q == lit[0] || *q == '#' || *q == '\0') && hit(q)) return q;
    return end;
}

namespace {

// The header text when a '#Fields:' line starts at p, else nullopt.
std::optional<std::string_view> fields_header_at(const char *begin, const char *p, const char *limit) noexcept {
    constexpr std::string_view tag = "#Fields:";
    bool at_line_start = p == begin || p[-1] == '\n' || p[-1] == '\0';
    if (!at_line_start || static_cast<std::size_t>(limit - p) < tag.size() ||
        std::memcmp(p, tag.data(), tag.size()) != 0)
        return std::nullopt;
    const char *text = p + tag.size();
    const char *e = find_line_end(text, limit);
    if (e == limit) return std::nullopt; // no line end: not a complete header line
    if (e > text && e[-1] == '\r') --e;
    return std::string_view(text, static_cast<std::size_t>(e - text));
}

} // namespace

std::optional<std::string_view> find_last_fields_header(const char *begin, const char *end, const char *limit) noexcept {
    const char *p = end;
#ifdef FW_SCAN_SSE2
    const __m128i hash = _mm_set1_epi8('#');
    while (p - begin >= 16) {
        p -= 16;
        unsigned m = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)), hash)));
        for (int bit = 15; m != 0 && bit >= 0; --bit) {
            if ((m & (1u << bit)) == 0) continue;
            m &= ~(1u << bit);
            if (auto h = fields_header_at(begin, p + bit, limit)) return h;
        }
    }
#endif
    while (p > begin) {
        --p;
        if (*p == '#') {
            if (auto h = fields_header_at(begin, p, limit)) return h;
        }
    }
    return std::nullopt;
}

void narrow_utf16le(const unsigned char *in, std::size_t units, char *out) noexcept {
    for (std::size_t i = 0; i < units; ++i) {
        unsigned lo = in[2 * i], hi = in[2 * i + 1];
        out[i] = static_cast<char>(hi == 0 && lo < 0x80 ? lo : 0xffu);
    }
}

} // namespace fw::log
