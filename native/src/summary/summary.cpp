#include "summary/summary.hpp"

#include "util/endian.hpp"

#include <gsl/gsl>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace fw::summary {
namespace {

constexpr std::size_t address_width = 17; // family + 16 bytes

std::size_t width(int key) noexcept {
    switch (key) {
    case FW_KEY_ACTION:
    case FW_KEY_DIRECTION: return 1;
    case FW_KEY_PROTOCOL:
    case FW_KEY_ICMP_TYPE: return 2;
    case FW_KEY_SRC_PORT:
    case FW_KEY_DST_PORT:
    case FW_KEY_LOCAL_PORT:
    case FW_KEY_REMOTE_PORT: return 4;
    case FW_KEY_PID:
    case FW_KEY_HOUR: return 8;
    default: return address_width;
    }
}

// The ends of a record as this machine sees them, from the path column.
struct ends {
    const fw_addr *local = nullptr, *remote = nullptr;
    std::int32_t local_port = FW_ABSENT, remote_port = FW_ABSENT;
};

ends ends_of(const fw_record &r) noexcept {
    if (r.path == FW_PATH_RECEIVE) return {&r.dst, &r.src, r.dst_port, r.src_port};
    if (r.path == FW_PATH_SEND) return {&r.src, &r.dst, r.src_port, r.dst_port};
    return {};
}

std::int64_t hour_of(std::int64_t t) noexcept {
    if (t == FW_NO_TIME) return FW_NO_TIME;
    std::int64_t rem = t % 3600;
    if (rem < 0) rem += 3600;
    return t - rem;
}

// Big-endian, sign bit flipped: byte order equals numeric order (absent -1 before 0).
template <class T>
std::byte *put_number(std::byte *p, T value) noexcept {
    using U = std::make_unsigned_t<T>;
    U u = static_cast<U>(value) ^ (U{1} << (sizeof(T) * 8 - 1));
    for (std::size_t i = 0; i < sizeof(T); ++i)
        p[i] = static_cast<std::byte>(u >> (8 * (sizeof(T) - 1 - i)));
    return p + sizeof(T);
}

std::byte *put_address(std::byte *p, const fw_addr *a) noexcept {
    if (a == nullptr || a->family == FW_AF_NONE) {
        std::memset(p, 0, address_width);
    } else {
        p[0] = static_cast<std::byte>(a->family);
        std::memcpy(p + 1, a->bytes, 16);
    }
    return p + address_width;
}

std::uint64_t hash_words(const std::byte *p, std::size_t size) noexcept {
    std::uint64_t h = 0x243f6a8885a308d3ULL;
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    // A final mix (MurmurHash3's fmix64): the table indexes by the low bits, and
    // without it they hardly depend on a key's high bytes (a local port's low
    // byte sits there), which made probe runs ~27 slots long.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

fw_summary_group empty_group() noexcept {
    fw_summary_group g{};
    g.first_time = g.last_time = g.hour = FW_NO_TIME;
    g.pid = FW_ABSENT;
    g.src_port = g.dst_port = g.local_port = g.remote_port = FW_ABSENT;
    g.protocol = g.icmp_type = FW_ABSENT;
    g.action = FW_ACTION_OTHER;
    g.path = FW_PATH_NONE;
    return g;
}

void copy_address(fw_addr &to, const fw_addr *from) noexcept {
    if (from != nullptr) to = *from;
}

} // namespace

bool counter::valid_key(int key) noexcept { return key >= FW_KEY_ACTION && key <= FW_KEY_HOUR; }

std::uint32_t counter::record_fields() const noexcept {
    std::uint32_t f = FW_FIELDS_TIME | FW_FIELDS_SIZE; // first/last seen, bytes
    for (int k : keys_) {
        switch (k) {
        case FW_KEY_ACTION: f |= FW_FIELDS_ACTION; break;
        case FW_KEY_PROTOCOL: f |= FW_FIELDS_PROTOCOL; break;
        case FW_KEY_SRC_ADDRESS: f |= FW_FIELDS_SRC_ADDRESS; break;
        case FW_KEY_DST_ADDRESS: f |= FW_FIELDS_DST_ADDRESS; break;
        case FW_KEY_SRC_PORT: f |= FW_FIELDS_SRC_PORT; break;
        case FW_KEY_DST_PORT: f |= FW_FIELDS_DST_PORT; break;
        case FW_KEY_DIRECTION: f |= FW_FIELDS_PATH; break;
        case FW_KEY_LOCAL_ADDRESS:
        case FW_KEY_REMOTE_ADDRESS: f |= FW_FIELDS_PATH | FW_FIELDS_SRC_ADDRESS | FW_FIELDS_DST_ADDRESS; break;
        case FW_KEY_LOCAL_PORT:
        case FW_KEY_REMOTE_PORT: f |= FW_FIELDS_PATH | FW_FIELDS_SRC_PORT | FW_FIELDS_DST_PORT; break;
        case FW_KEY_ICMP_TYPE: f |= FW_FIELDS_ICMP; break;
        case FW_KEY_PID: f |= FW_FIELDS_PID; break;
        case FW_KEY_HOUR: f |= FW_FIELDS_TIME; break;
        default: break;
        }
    }
    return f;
}

counter::counter(std::vector<int> keys) : keys_(std::move(keys)) {
    Expects(!keys_.empty() && keys_.size() <= FW_SUMMARY_KEYS_MAX);
    std::size_t size = 0;
    for (int k : keys_) {
        Expects(valid_key(k));
        size += width(k);
    }
    key_size_ = (size + 7) / 8 * 8;
    slots_.assign(1024, slot{});
}

void counter::add(std::span<const fw_record> records) {
    std::array<std::byte, FW_SUMMARY_KEYS_MAX * address_width + 8> key{};
    for (const fw_record &r : records) {
        std::byte *p = key.data();
        // The padding (under 8 bytes) is in the last word: zeroed first, then the keys overwrite the rest.
        std::memset(key.data() + key_size_ - 8, 0, 8);
        const ends e = ends_of(r);
        for (int k : keys_) {
            switch (k) {
            case FW_KEY_ACTION: *p++ = static_cast<std::byte>(r.action); break;
            case FW_KEY_DIRECTION: *p++ = static_cast<std::byte>(r.path); break;
            case FW_KEY_PROTOCOL: p = put_number<std::int16_t>(p, r.protocol); break;
            case FW_KEY_ICMP_TYPE: p = put_number<std::int16_t>(p, r.icmp_type); break;
            case FW_KEY_SRC_PORT: p = put_number<std::int32_t>(p, r.src_port); break;
            case FW_KEY_DST_PORT: p = put_number<std::int32_t>(p, r.dst_port); break;
            case FW_KEY_LOCAL_PORT: p = put_number<std::int32_t>(p, e.local_port); break;
            case FW_KEY_REMOTE_PORT: p = put_number<std::int32_t>(p, e.remote_port); break;
            case FW_KEY_PID: p = put_number<std::int64_t>(p, r.pid); break;
            case FW_KEY_HOUR: p = put_number<std::int64_t>(p, hour_of(r.time)); break;
            case FW_KEY_SRC_ADDRESS: p = put_address(p, &r.src); break;
            case FW_KEY_DST_ADDRESS: p = put_address(p, &r.dst); break;
            case FW_KEY_LOCAL_ADDRESS: p = put_address(p, e.local); break;
            case FW_KEY_REMOTE_ADDRESS: p = put_address(p, e.remote); break;
            default: break;
            }
        }
        const std::uint64_t h = hash_words(key.data(), key_size_);
        fw_summary_group &g = groups_[find_or_insert(key.data(), h, r)];
        ++g.count;
        if (r.time != FW_NO_TIME) {
            if (g.first_time == FW_NO_TIME || r.time < g.first_time) g.first_time = r.time;
            if (g.last_time == FW_NO_TIME || r.time > g.last_time) g.last_time = r.time;
        }
        if (r.size > 0) g.bytes += r.size;
    }
    order_.clear();
}

namespace {
// Keys are whole words (key_size_ is a multiple of 8): compared inline, not through a memcmp call.
bool same_key(const std::byte *a, const std::byte *b, std::size_t size) noexcept {
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    return diff == 0;
}
std::uint64_t load_big_endian(const std::byte *p) noexcept { return util::load_big_endian64(p); }
// memcmp(a, b, size) < 0 for whole words, inline: each word read big-endian.
bool key_less(const std::byte *a, const std::byte *b, std::size_t size) noexcept {
    for (std::size_t i = 0; i < size; i += 8) {
        const std::uint64_t x = load_big_endian(a + i), y = load_big_endian(b + i);
        if (x != y) return x < y;
    }
    return false;
}
} // namespace

std::uint32_t counter::find_or_insert(const std::byte *key, std::uint64_t hash, const fw_record &r) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t empty = hash & mask;
    for (;; empty = (empty + 1) & mask) {
        const slot &s = slots_[empty];
        if (s.group == 0) break;
        if (s.hash == hash && same_key(key_bytes_.data() + (s.group - 1) * key_size_, key, key_size_))
            return s.group - 1;
    }
    // A new group: its key fields, from the record that opened it.
    fw_summary_group g = empty_group();
    const ends e = ends_of(r);
    for (int k : keys_) {
        switch (k) {
        case FW_KEY_ACTION: g.action = r.action; break;
        case FW_KEY_DIRECTION: g.path = r.path; break;
        case FW_KEY_PROTOCOL: g.protocol = r.protocol; break;
        case FW_KEY_ICMP_TYPE: g.icmp_type = r.icmp_type; break;
        case FW_KEY_SRC_PORT: g.src_port = r.src_port; break;
        case FW_KEY_DST_PORT: g.dst_port = r.dst_port; break;
        case FW_KEY_LOCAL_PORT: g.local_port = e.local_port; break;
        case FW_KEY_REMOTE_PORT: g.remote_port = e.remote_port; break;
        case FW_KEY_PID: g.pid = r.pid; break;
        case FW_KEY_HOUR: g.hour = hour_of(r.time); break;
        case FW_KEY_SRC_ADDRESS: g.src = r.src; break;
        case FW_KEY_DST_ADDRESS: g.dst = r.dst; break;
        case FW_KEY_LOCAL_ADDRESS: copy_address(g.local, e.local); break;
        case FW_KEY_REMOTE_ADDRESS: copy_address(g.remote, e.remote); break;
        default: break;
        }
    }
    const auto index = gsl::narrow<std::uint32_t>(groups_.size());
    groups_.push_back(g);
    key_bytes_.insert(key_bytes_.end(), key, key + key_size_);
    slots_[empty] = slot{hash, index + 1}; // the free slot the lookup stopped at
    if (groups_.size() * 2 > slots_.size()) grow();
    return index;
}

void counter::grow() {
    std::vector<slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const slot &s : old) {
        if (s.group == 0) continue;
        for (std::size_t i = s.hash & mask;; i = (i + 1) & mask) {
            if (slots_[i].group == 0) {
                slots_[i] = s;
                break;
            }
        }
    }
}

std::size_t counter::finish() {
    order_.resize(groups_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = gsl::narrow<std::uint32_t>(i);
    std::sort(order_.begin(), order_.end(), [this](std::uint32_t a, std::uint32_t b) {
        if (groups_[a].count != groups_[b].count) return groups_[a].count > groups_[b].count;
        return key_less(key_bytes_.data() + a * key_size_, key_bytes_.data() + b * key_size_, key_size_);
    });
    return order_.size();
}

const fw_summary_group &counter::group(std::size_t index) const {
    Expects(index < order_.size());
    return groups_[order_[index]];
}

} // namespace fw::summary
