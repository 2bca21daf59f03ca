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

constexpr std::uint64_t hash_seed = 0x243f6a8885a308d3ULL;
inline std::uint64_t hash_step(std::uint64_t h, std::uint64_t w) noexcept {
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}
// Every step is a bijection of the 64-bit state: for 8-byte keys, equal hashes are equal keys.
inline std::uint64_t hash_final(std::uint64_t h) noexcept {
    // A final mix (MurmurHash3's fmix64): the table indexes by the low bits, and
    // without it they hardly depend on a key's high bytes (a local port's low
    // byte sits there), which made probe runs ~27 slots long.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}
std::uint64_t hash_words(const std::byte *p, std::size_t size) noexcept {
    std::uint64_t h = hash_seed;
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = hash_step(h, w);
    }
    return hash_final(h);
}

// The inverse of put_number.
template <class T>
T get_number(const std::byte *p) noexcept {
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) u = static_cast<U>((u << 8) | static_cast<U>(p[i]));
    return static_cast<T>(u ^ (U{1} << (sizeof(T) * 8 - 1)));
}
fw_addr get_address(const std::byte *p) noexcept {
    fw_addr a{};
    a.family = static_cast<std::uint8_t>(p[0]);
    std::memcpy(a.bytes, p + 1, 16);
    return a;
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

// A group's key fields, read back from its packed key.
fw_summary_group describe_key(const std::vector<int> &keys, const std::byte *p) noexcept {
    fw_summary_group g = empty_group();
    for (int k : keys) {
        switch (k) {
        case FW_KEY_ACTION: g.action = static_cast<std::uint8_t>(*p); break;
        case FW_KEY_DIRECTION: g.path = static_cast<std::uint8_t>(*p); break;
        case FW_KEY_PROTOCOL: g.protocol = get_number<std::int16_t>(p); break;
        case FW_KEY_ICMP_TYPE: g.icmp_type = get_number<std::int16_t>(p); break;
        case FW_KEY_SRC_PORT: g.src_port = get_number<std::int32_t>(p); break;
        case FW_KEY_DST_PORT: g.dst_port = get_number<std::int32_t>(p); break;
        case FW_KEY_LOCAL_PORT: g.local_port = get_number<std::int32_t>(p); break;
        case FW_KEY_REMOTE_PORT: g.remote_port = get_number<std::int32_t>(p); break;
        case FW_KEY_PID: g.pid = get_number<std::int64_t>(p); break;
        case FW_KEY_HOUR: g.hour = get_number<std::int64_t>(p); break;
        case FW_KEY_SRC_ADDRESS: g.src = get_address(p); break;
        case FW_KEY_DST_ADDRESS: g.dst = get_address(p); break;
        case FW_KEY_LOCAL_ADDRESS: g.local = get_address(p); break;
        case FW_KEY_REMOTE_ADDRESS: g.remote = get_address(p); break;
        default: break;
        }
        p += width(k);
    }
    return g;
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
    static_assert(max_key_size >= (FW_SUMMARY_KEYS_MAX * address_width + 7) / 8 * 8);
    slots_.assign(1024, slot{});
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

// The probe inline (every record takes it), the insertion out of line (once per group).
inline counter::slot &counter::find_or_insert(const std::byte *key, std::uint64_t hash) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t at = hash & mask;
    for (;; at = (at + 1) & mask) {
        slot &s = slots_[at];
        if (s.group == 0) return insert(key, hash, at);
        // 8-byte keys: the hash is a bijection of the key, so equal hashes are equal keys.
        if (s.hash == hash && (key_size_ == 8 || same_key(key_bytes_.data() + (s.group - 1) * key_size_, key, key_size_)))
            return s;
    }
}

counter::slot &counter::insert(const std::byte *key, std::uint64_t hash, std::size_t empty) {
    // A new group: only its key is kept (finish() reads the group's fields back from it).
    const auto index = gsl::narrow<std::uint32_t>(slot_of_.size());
    key_bytes_.insert(key_bytes_.end(), key, key + key_size_);
    slots_[empty] = slot{hash, index + 1, tally{}}; // the free slot the lookup stopped at
    slot_of_.push_back(static_cast<std::uint32_t>(empty));
    if (slot_of_.size() * 2 <= slots_.size()) return slots_[empty];
    grow();
    return slots_[slot_of_[index]];
}

void counter::pack_key(const fw_record &r, std::byte *key) const noexcept {
    std::byte *p = key;
    // The padding (under 8 bytes) is in the last word: zeroed first, then the keys overwrite the rest.
    std::memset(key + key_size_ - 8, 0, 8);
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
}

std::uint64_t counter::key_word(const fw_record &r) const noexcept {
    // pack_key's bytes for keys of at most 8 bytes (no address), built in a register: the same bytes,
    // without narrow stores that a word load right after would wait for.
    std::uint64_t be = 0; // the key as a big-endian number
    unsigned bits = 0;
    auto put = [&](std::uint64_t v, unsigned width) {
        be = width == 64 ? v : (be << width) | v;
        bits += width;
    };
    const ends e = ends_of(r);
    for (int k : keys_) {
        switch (k) {
        case FW_KEY_ACTION: put(r.action, 8); break;
        case FW_KEY_DIRECTION: put(r.path, 8); break;
        case FW_KEY_PROTOCOL: put(static_cast<std::uint16_t>(r.protocol) ^ 0x8000u, 16); break;
        case FW_KEY_ICMP_TYPE: put(static_cast<std::uint16_t>(r.icmp_type) ^ 0x8000u, 16); break;
        case FW_KEY_SRC_PORT: put(static_cast<std::uint32_t>(r.src_port) ^ 0x80000000u, 32); break;
        case FW_KEY_DST_PORT: put(static_cast<std::uint32_t>(r.dst_port) ^ 0x80000000u, 32); break;
        case FW_KEY_LOCAL_PORT: put(static_cast<std::uint32_t>(e.local_port) ^ 0x80000000u, 32); break;
        case FW_KEY_REMOTE_PORT: put(static_cast<std::uint32_t>(e.remote_port) ^ 0x80000000u, 32); break;
        case FW_KEY_PID: put(static_cast<std::uint64_t>(r.pid) ^ (1ull << 63), 64); break;
        case FW_KEY_HOUR: put(static_cast<std::uint64_t>(hour_of(r.time)) ^ (1ull << 63), 64); break;
        default: break; // addresses: never in a one-word key
        }
    }
    if (bits < 64) be <<= 64 - bits; // the padding: zero bytes at the end
    if constexpr (std::endian::native == std::endian::little) be = util::byte_swap64(be);
    return be; // as the packed bytes read into a word
}

void counter::add(std::span<const fw_record> records) {
    // In rounds of `round` records: the keys and hashes first, with the slot each hash starts at fetched ahead,
    // then the counting, whose slot is by then in the cache (a log's many groups do not fit in it).
    constexpr std::size_t round = 16;
    std::array<std::byte, round * max_key_size> keys;
    std::array<std::uint64_t, round> hashes;
    for (std::size_t base = 0; base < records.size(); base += round) {
        const std::size_t n = std::min(round, records.size() - base);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = 0; i < n; ++i) {
            std::byte *key = keys.data() + i * key_size_;
            if (key_size_ == 8) {
                const std::uint64_t w = key_word(records[base + i]);
                std::memcpy(key, &w, 8);
                hashes[i] = hash_final(hash_step(hash_seed, w));
            } else {
                pack_key(records[base + i], key);
                hashes[i] = hash_words(key, key_size_);
            }
#if defined(__GNUC__) || defined(__clang__)
            __builtin_prefetch(&slots_[hashes[i] & mask], 1);
#endif
        }
        for (std::size_t i = 0; i < n; ++i) {
            const fw_record &r = records[base + i];
            tally &t = find_or_insert(keys.data() + i * key_size_, hashes[i]).totals;
            ++t.count;
            add_time(t, r.time);
            t.bytes += r.size > 0 ? r.size : 0;
        }
    }
    ranked_.clear();
}

void counter::clear() noexcept {
    for (std::uint32_t i : slot_of_) slots_[i] = slot{};
    slot_of_.clear();
    key_bytes_.clear();
    ranked_.clear();
}

void counter::add_time(tally &t, std::int64_t time) noexcept {
    if (time == FW_NO_TIME) return;
    t.first = std::min(t.first, time);
    t.last = std::max(t.last, time);
}

void counter::merge(const counter &other) {
    Expects(other.keys_ == keys_);
    // The other's groups in order (not its slots: most are empty), fetching ahead as add() does.
    constexpr std::size_t ahead = 8;
    const std::size_t n = other.slot_of_.size();
    for (std::size_t i = 0; i < n; ++i) {
#if defined(__GNUC__) || defined(__clang__)
        if (i + ahead < n) __builtin_prefetch(&slots_[other.slots_[other.slot_of_[i + ahead]].hash & (slots_.size() - 1)], 1);
#endif
        const slot &o = other.slots_[other.slot_of_[i]];
        tally &t = find_or_insert(other.key_bytes_.data() + i * key_size_, o.hash).totals;
        t.count += o.totals.count;
        t.first = std::min(t.first, o.totals.first);
        t.last = std::max(t.last, o.totals.last);
        t.bytes += o.totals.bytes;
    }
    ranked_.clear();
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
                slot_of_[s.group - 1] = static_cast<std::uint32_t>(i);
                break;
            }
        }
    }
}

std::size_t counter::finish() {
    // Sorted as (count, index) pairs, not through the slots: the table is cold by now, the pairs are not.
    struct entry {
        std::uint64_t count;
        std::uint32_t group;
    };
    const std::size_t n = slot_of_.size();
    std::vector<entry> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = {slots_[slot_of_[i]].totals.count, gsl::narrow<std::uint32_t>(i)};
    std::sort(order.begin(), order.end(), [&](const entry &a, const entry &b) {
        if (a.count != b.count) return a.count > b.count;
        return key_less(key_bytes_.data() + std::size_t{a.group} * key_size_, key_bytes_.data() + std::size_t{b.group} * key_size_, key_size_);
    });
    ranked_.clear();
    ranked_.reserve(n);
    for (const entry &e : order) {
        const tally &t = slots_[slot_of_[e.group]].totals;
        fw_summary_group g = describe_key(keys_, key_bytes_.data() + std::size_t{e.group} * key_size_);
        g.count = t.count;
        g.bytes = t.bytes;
        const bool timed = t.first <= t.last;
        g.first_time = timed ? t.first : FW_NO_TIME;
        g.last_time = timed ? t.last : FW_NO_TIME;
        ranked_.push_back(g);
    }
    return ranked_.size();
}

const fw_summary_group &counter::group(std::size_t index) const {
    Expects(index < ranked_.size());
    return ranked_[index];
}

} // namespace fw::summary
