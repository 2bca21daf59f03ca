// Helpers shared by the benchmark tools: a deterministic generator and timing.
#pragma once

#include "xorshift.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>

namespace fw_bench {

using clock = std::chrono::steady_clock;

// Wall-clock time since t0.
inline double seconds_since(clock::time_point t0) {
    return std::chrono::duration<double>(clock::now() - t0).count();
}
inline double ms_since(clock::time_point t0) { return 1000.0 * seconds_since(t0); }

// Processor time of this process so far, in seconds. On a shared machine this,
// not the wall clock, says what the code costs.
inline double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

} // namespace fw_bench
