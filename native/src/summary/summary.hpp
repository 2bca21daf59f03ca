// Counting records by key (fw/summary.h): a flat open-addressing table from a
// fixed-width key (the key fields of a record, packed) to a group.
#pragma once

#include <fw/summary.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fw::summary {

class counter {
public:
    // keys: 1..FW_SUMMARY_KEYS_MAX distinct fw_summary_key values (validated by the caller).
    explicit counter(std::vector<int> keys);

    void add(std::span<const fw_record> records);

    // Orders the groups (most records first, ties by key) and returns how many there are.
    std::size_t finish();

    [[nodiscard]] std::size_t size() const noexcept { return groups_.size(); }
    // Groups in the order of the last finish() (group() takes an index below this).
    [[nodiscard]] std::size_t ranked() const noexcept { return order_.size(); }
    // The index-th group in the order of the last finish().
    [[nodiscard]] const fw_summary_group &group(std::size_t index) const;

    [[nodiscard]] static bool valid_key(int key) noexcept;

    // The fw_record_fields add() reads: the keys' fields, the time and the size.
    [[nodiscard]] std::uint32_t record_fields() const noexcept;

private:
    std::uint32_t find_or_insert(const std::byte *key, std::uint64_t hash, const fw_record &r);
    void grow();

    std::vector<int> keys_;
    std::size_t key_size_;             // bytes of a packed key, a multiple of 8
    std::vector<std::byte> key_bytes_; // group i's key at i * key_size_
    std::vector<fw_summary_group> groups_;
    // A slot holds the hash beside the group index, so a probe touches one cache line, not three.
    struct slot {
        std::uint64_t hash = 0;
        std::uint32_t group = 0; // 0 = empty, else group index + 1
    };
    std::vector<slot> slots_;
    std::vector<std::uint32_t> order_;
};

} // namespace fw::summary
