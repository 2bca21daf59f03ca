// The structs behind the C ABI's opaque handles that more than one component
// needs (a cursor keeps its own copy of the caller's filter and hands out the
// readers of its segments).
#pragma once

#include "log/filter.hpp"
#include "log/parallel.hpp"
#include "log/reader.hpp"

#include <vector>

struct fw_filter {
    fw::log::filter value;
};

// A reader handle reads with every core (fw_reader_options.threads); a cursor's segments use one thread.
struct fw_reader {
    fw_reader(std::string_view path, fw::log::reader_options o, fw::log::parallel_options par)
        : value(path, std::move(o), par) {}
    fw::log::parallel_reader value;
    std::vector<int> counting_keys; // fw_summary_read: the keys of the summary it counts for (empty: none yet)
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
