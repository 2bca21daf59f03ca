// Byte-level mutation of a text for the differential tests (dotted quads,
// addresses): near misses of valid inputs reach the edge cases random texts
// rarely hit.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace fw_test {

// 1..3 edits of s, each at a random place: a byte replaced by one of `bytes`,
// one of `bytes` inserted, a byte deleted, or a byte doubled.
inline void mutate_bytes(std::string &s, std::string_view bytes, std::mt19937_64 &rng) {
    const int edits = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < edits; ++k) {
        const std::size_t at = std::uniform_int_distribution<std::size_t>(0, s.size())(rng);
        const char c = bytes[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng)];
        switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0:
            if (at < s.size()) s[at] = c;
            break;
        case 1: s.insert(at, 1, c); break;
        case 2:
            if (at < s.size()) s.erase(at, 1);
            break;
        default:
            if (at < s.size()) s.insert(at, 1, s[at]);
            break;
        }
    }
}

} // namespace fw_test
