#include "cursor/identity.hpp"

#include <algorithm>
#include <array>

namespace fw::cursor {

fw_file_id make_id(const os_identity &os, std::uint64_t size, std::span<const std::byte> prefix) {
    fw_file_id id{};
    id.volume = os.volume;
    id.index_lo = os.index_lo;
    id.index_hi = os.index_hi;
    id.has_os_id = os.known ? 1u : 0u;
    id.size = size;
    const std::size_t n = std::min<std::size_t>(prefix.size(), FW_PREFIX_MAX);
    id.prefix_len = static_cast<std::uint32_t>(n);
    id.prefix_hash = fnv1a64(prefix.first(n));
    return id;
}

fw_file_id identify(const file &f, std::uint64_t prefix_len) {
    std::array<std::byte, FW_PREFIX_MAX> buf{};
    const std::uint64_t size = f.size();
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>({prefix_len, FW_PREFIX_MAX, size}));
    const std::size_t got = f.read_at(0, std::span(buf).first(want));
    return make_id(f.identity(), size, std::span<const std::byte>(buf).first(got));
}

fw_file_match compare(const file &f, const fw_file_id &id) {
    const int os = same_os(id, f.identity());
    if (os == 0) return FW_FILE_OTHER;
    std::array<std::byte, FW_PREFIX_MAX> buf{};
    const std::size_t want = std::min<std::size_t>(id.prefix_len, FW_PREFIX_MAX);
    const std::size_t got = f.read_at(0, std::span(buf).first(want));
    const bool prefix_ok = got == want && fnv1a64(std::span<const std::byte>(buf).first(got)) == id.prefix_hash;
    if (prefix_ok) return FW_FILE_SAME;
    // Same inode/file id but other first bytes: truncated and rewritten in place.
    return os == 1 ? FW_FILE_REWRITTEN : FW_FILE_OTHER;
}

fw_file_match compare(std::string_view path, const fw_file_id &id) {
    auto f = file::open_if_exists(path);
    if (!f) return FW_FILE_MISSING;
    return compare(*f, id);
}

} // namespace fw::cursor
