// File identity that survives a rename: OS identity plus a hash of the file's
// first bytes (see fw/cursor.h).
#pragma once

#include "io/file.hpp"
#include "util/fnv.hpp"

#include <fw/cursor.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fw::cursor {

using util::fnv1a64; // the prefix hash of fw_file_id
using io::file;
using io::os_identity;

// The identity of an open file, hashing its first min(prefix_len, FW_PREFIX_MAX, size) bytes.
[[nodiscard]] fw_file_id identify(const file &f, std::uint64_t prefix_len);

// Identity from an OS identity, a size and bytes already read from the file's start.
[[nodiscard]] fw_file_id make_id(const os_identity &os, std::uint64_t size, std::span<const std::byte> prefix);

// How an open file relates to id (never FW_FILE_MISSING).
[[nodiscard]] fw_file_match compare(const file &f, const fw_file_id &id);

// Same, for a path; FW_FILE_MISSING when nothing is there.
[[nodiscard]] fw_file_match compare(std::string_view path, const fw_file_id &id);

// 1 when both sides know the OS identity and it is equal, 0 when it differs,
// -1 when either side does not know it.
[[nodiscard]] inline int same_os(const fw_file_id &a, const os_identity &b) noexcept {
    if (a.has_os_id == 0 || !b.known) return -1;
    return a.volume == b.volume && a.index_lo == b.index_lo && a.index_hi == b.index_hi ? 1 : 0;
}

// path + ".old": where the firewall service moves a full log.
[[nodiscard]] inline std::string rotated_path(std::string_view live) { return std::string(live) + ".old"; }

} // namespace fw::cursor
