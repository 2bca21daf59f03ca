// The structs behind the C ABI's opaque handles that more than one component
// needs (a cursor keeps its own copy of the caller's filter and hands out the
// readers of its segments).
#pragma once

#include "log/filter.hpp"
#include "log/reader.hpp"

struct fw_filter {
    fw::log::filter value;
};

struct fw_reader {
    fw::log::reader value;
};

// The rules behind a ruleset handle (rules_abi.cpp), for the exports of other
// components: they use the parsed rules, not fw_ruleset_get.
namespace fw::rules {
class ruleset;
}
struct fw_ruleset;
namespace fw::abi {
[[nodiscard]] const fw::rules::ruleset &rules_of(const fw_ruleset &rs) noexcept;
}
