// Counting records by key (fw/summary.h): a flat open-addressing table from a
// fixed-width key (the key fields of a record, packed) to a group. A slot holds
// the group's running totals, so counting a record touches one cache line; the
// group's description (its key fields) is only read when it is made and ranked.
#pragma once

#include "log/sink.hpp"

#include <fw/summary.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <span>
#include <vector>

namespace fw::summary {

class counter {
public:
    // keys: 1..FW_SUMMARY_KEYS_MAX distinct fw_summary_key values (validated by the caller).
    explicit counter(std::vector<int> keys);

    void add(std::span<const fw_record> records);

    // An empty counter with the same keys (for a thread counting a part of a log).
    [[nodiscard]] counter fresh() const { return counter(keys_); }
    // Adds other's groups (same keys, as fresh() makes) to this one's: afterwards this counts the records of both.
    void merge(const counter &other);
    // Forgets every group, keeping the memory (a part counted again).
    void clear() noexcept;
    [[nodiscard]] const std::vector<int> &keys() const noexcept { return keys_; }

    // Orders the groups (most records first, ties by key) and returns how many there are.
    std::size_t finish();

    [[nodiscard]] std::size_t size() const noexcept { return slot_of_.size(); }
    // Groups in the order of the last finish() (group() takes an index below this).
    [[nodiscard]] std::size_t ranked() const noexcept { return ranked_.size(); }
    // The index-th group in the order of the last finish().
    [[nodiscard]] const fw_summary_group &group(std::size_t index) const;

    [[nodiscard]] static bool valid_key(int key) noexcept;

    // The fw_record_fields add() reads: the keys' fields, the time and the size.
    [[nodiscard]] std::uint32_t record_fields() const noexcept;

private:
    // A group's running totals (first/last: no time seen while first > last).
    struct tally {
        std::uint64_t count = 0;
        std::int64_t first = INT64_MAX, last = INT64_MIN;
        std::int64_t bytes = 0;
    };
    struct slot {
        std::uint64_t hash = 0;  // of the key; with 8-byte keys the hash is a bijection: equal hash, equal key
        std::uint32_t group = 0; // 0 = empty, else group index + 1
        tally totals;
    };
    // The slot of the group with this key (key_size_ bytes), made if there is none yet.
    slot &find_or_insert(const std::byte *key, std::uint64_t hash);
    // A new group's slot at `empty` (where a lookup for key stopped).
    slot &insert(const std::byte *key, std::uint64_t hash, std::size_t empty);
    void grow();
    // The key of r: its key fields packed (key_size_ bytes at key).
    void pack_key(const fw_record &r, std::byte *key) const noexcept;
    // The same key as one word (the packed bytes loaded), when key_size_ is 8.
    [[nodiscard]] std::uint64_t key_word(const fw_record &r) const noexcept;
    void add_time(tally &t, std::int64_t time) noexcept;

    static constexpr std::size_t max_key_size = FW_SUMMARY_KEYS_MAX * 17 + 8; // eight addresses, rounded up
    std::vector<int> keys_;
    std::size_t key_size_;             // bytes of a packed key, a multiple of 8
    std::vector<std::byte> key_bytes_; // group i's key at i * key_size_
    std::vector<slot> slots_;
    std::vector<std::uint32_t> slot_of_;      // group i's slot
    std::vector<fw_summary_group> ranked_;    // finish(): the groups, most records first
};

// A counter as the sink of a counting read (log/sink.hpp): counts into a
// counter it borrows, or (a part made by fresh()) into one of its own.
class counting final : public log::record_sink {
public:
    explicit counting(counter &target) noexcept : target_(&target) {}
    counting(std::in_place_t, counter owned) : owned_(std::move(owned)), target_(&*owned_) {}
    counting(const counting &) = delete;
    counting &operator=(const counting &) = delete;

    void add(std::span<const fw_record> records) override { target_->add(records); }
    [[nodiscard]] std::unique_ptr<log::record_sink> fresh() const override {
        return std::make_unique<counting>(std::in_place, target_->fresh());
    }
    // part: made by fresh() of a counting sink with the same keys (the only kind a counting read is given).
    void merge(const log::record_sink &part) override { target_->merge(*static_cast<const counting &>(part).target_); }
    void clear() override { target_->clear(); }

private:
    std::optional<counter> owned_;
    counter *target_;
};

} // namespace fw::summary
