// The structs behind the C ABI's opaque handles that more than one component
// needs (a cursor keeps its own copy of the caller's filter).
#pragma once

#include "log/filter.hpp"

struct fw_filter {
    fw::log::filter value;
};
