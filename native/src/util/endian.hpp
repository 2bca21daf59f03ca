// Loads of big-endian words (network byte order), for comparing addresses and keys as numbers.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace fw::util {

// w with its bytes in the other order.
[[nodiscard]] inline std::uint64_t byte_swap64(std::uint64_t w) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap64(w);
#else
    std::uint64_t r = 0;
    for (int k = 0; k < 8; ++k, w >>= 8) r = (r << 8) | (w & 0xff);
    return r;
#endif
}

// The 8 bytes at p as a big-endian number.
[[nodiscard]] inline std::uint64_t load_big_endian64(const void *p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    if constexpr (std::endian::native == std::endian::little) w = byte_swap64(w);
    return w;
}

} // namespace fw::util
