// 64-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/): a small, stable
// hash for identities that are stored (a log file's prefix in a bookmark) or
// shown (a synthesised rule's name), so it must never change between versions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace fw::util {

inline constexpr std::uint64_t fnv1a64_offset = 0xcbf29ce484222325ull;
inline constexpr std::uint64_t fnv1a64_prime = 0x100000001b3ull;

// Continues from h (the offset basis for a new hash).
[[nodiscard]] constexpr std::uint64_t fnv1a64(std::span<const std::byte> bytes,
                                              std::uint64_t h = fnv1a64_offset) noexcept {
    for (std::byte b : bytes) {
        h ^= static_cast<std::uint64_t>(b);
        h *= fnv1a64_prime;
    }
    return h;
}

} // namespace fw::util
