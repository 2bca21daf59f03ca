// xorshift64: a deterministic generator, the same numbers on every machine. Shared by the
// benchmark tools and the tests that generate input (tests/native/rules).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw_bench {

struct rng {
    std::uint64_t s;
    std::uint64_t next() noexcept {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::uint32_t below(std::uint32_t n) noexcept { return static_cast<std::uint32_t>(next() % n); }
    bool chance(std::uint32_t percent) noexcept { return below(100) < percent; }
    template <class T, std::size_t N>
    const T &pick(const T (&a)[N]) noexcept { return a[below(N)]; }
};

} // namespace fw_bench
