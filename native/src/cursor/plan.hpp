// Resume plans: what to read to continue from a position, given what is now
// at the live path and at path.old (see fw_log_plan in fw/cursor.h).
#pragma once

#include <fw/cursor.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace fw::cursor {

struct plan_result {
    fw_plan plan{};
    std::string message; // the warnings as sentences; empty when none
};

[[nodiscard]] plan_result make_plan(std::string_view live_path, const fw_position *from, std::uint32_t flags);

} // namespace fw::cursor
