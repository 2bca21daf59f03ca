// The rule index and the batch evaluator.
#include "rules/index.hpp"

#include "util/endian.hpp"

#include <gsl/gsl>

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <numeric>
#include <type_traits>

namespace fw::rules {

// ---- interval_index -----------------------------------------------------------

template <class Key>
void interval_index<Key>::build() {
    bounds_.clear();
    node_.clear();
    if (pending_.empty()) return;
    // Segment boundaries: every lo, and every hi + 1 that does not wrap past the largest key.
    for (const auto &it : pending_) {
        bounds_.push_back(it.lo);
        Key next = it.hi;
        if constexpr (std::is_same_v<Key, addr_key>) {
            if (++next.lo == 0) ++next.hi;
            if (next.hi == 0 && next.lo == 0) continue; // hi was the largest key
        } else {
            if (++next == 0) continue;
        }
        bounds_.push_back(next);
    }
    std::sort(bounds_.begin(), bounds_.end());
    bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
    node_.resize(4 * bounds_.size());
    for (const auto &it : pending_) {
        // Segments a..b are those from the one starting at lo to the last starting at or before hi.
        auto a = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), it.lo) - bounds_.begin());
        auto b = static_cast<std::size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), it.hi) - bounds_.begin()) - 1;
        insert(1, 0, bounds_.size() - 1, a, b, it.value);
    }
    pending_.clear();
    pending_.shrink_to_fit();
}

template <class Key>
void interval_index<Key>::insert(std::size_t node, std::size_t lo, std::size_t hi, std::size_t a, std::size_t b,
                                 std::uint32_t v) {
    if (b < lo || hi < a) return;
    if (a <= lo && hi <= b) {
        node_[node].push_back(v);
        return;
    }
    std::size_t mid = lo + (hi - lo) / 2;
    insert(2 * node, lo, mid, a, b, v);
    insert(2 * node + 1, mid + 1, hi, a, b, v);
}

template <class Key>
template <class F>
void interval_index<Key>::stab(const Key &x, F &&f) const {
    if (bounds_.empty() || x < bounds_.front()) return;
    auto seg = static_cast<std::size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), x) - bounds_.begin()) - 1;
    std::size_t node = 1, lo = 0, hi = bounds_.size() - 1;
    for (;;) {
        for (auto v : node_[node]) f(v);
        if (lo == hi) return;
        std::size_t mid = lo + (hi - lo) / 2;
        if (seg <= mid) node = 2 * node, hi = mid;
        else node = 2 * node + 1, lo = mid + 1;
    }
}

template <class Key>
std::size_t interval_index<Key>::segment_of(const Key &x) const noexcept {
    if (bounds_.empty() || x < bounds_.front()) return npos;
    return static_cast<std::size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), x) - bounds_.begin()) - 1;
}

template class interval_index<std::uint32_t>;
template class interval_index<addr_key>;

// ---- rule_index ---------------------------------------------------------------

namespace {

// The 16 bytes as two big-endian numbers: two loads (and byte swaps), not 16 shifts.
std::uint64_t big_endian_at(const std::uint8_t *bytes) noexcept { return util::load_big_endian64(bytes); }

addr_key key_of(const net::ip &a) noexcept { return {big_endian_at(a.bytes.data()), big_endian_at(a.bytes.data() + 8)}; }

// Every port a port set can pass (or maybe pass), as intervals; a superset: the
// protocol conditions of the keywords are left to the matcher.
template <class F>
void port_intervals(const port_set &ports, F &&add) {
    for (const auto &r : ports.ranges) add(r.lo, r.hi);
    auto kw = ports.keywords;
    if (kw & pk_rpc_epmap) add(135, 135), add(593, 593);
    if (kw & pk_dhcp) add(67, 68);
    if (kw & pk_mdns) add(5353, 5353);
    if (kw & pk_dynamic_rpc) add(49152, 65535);
    if (kw & (pk_iptls_in | pk_iptls_out)) add(443, 443);
    constexpr std::uint16_t known = pk_rpc_epmap | pk_dhcp | pk_mdns | pk_dynamic_rpc | pk_iptls_in | pk_iptls_out;
    if (kw & ~known) add(0, 65535); // ports chosen at run time (Teredo, Ply2Disc ...): any port may pass
}

int bucket_of(int dir) noexcept { return dir == FW_DIR_OUTBOUND ? 1 : 0; }

// How many ports a port set may pass: the smaller side is the better place for a rule.
std::uint64_t port_coverage(const port_set &ports) {
    std::uint64_t n = 0;
    port_intervals(ports, [&](std::uint32_t lo, std::uint32_t hi) { n += hi - lo + 1; });
    return n;
}

// See rule_index::single_port. A port set of ranges only passes every port of them alike; a
// single keyword passes (or maybe passes, or fails) every port of its intervals alike for a
// given protocol. Ranges and keywords together, or two keywords, may not.
bool single_port_condition(const rule &r, bool addresses = false) noexcept {
    if ((!addresses && (r.local_addresses.given || r.remote_addresses.given)) || !r.icmp.empty()) return false;
    if (r.local_ports.any() == r.remote_ports.any()) return false; // none (a flat rule) or both
    const auto &ports = r.local_ports.any() ? r.remote_ports : r.local_ports;
    return ports.keywords == 0 || (ports.ranges.empty() && std::has_single_bit(unsigned{ports.keywords}));
}

// Key of the per-evaluator caches: rule direction, protocol (-1: unknown) and profile mask.
std::uint32_t key_of(int dir, const packet &p, std::uint32_t profiles) noexcept {
    int proto = p.protocol < 0 || p.protocol > 255 ? -1 : p.protocol;
    return static_cast<std::uint32_t>(bucket_of(dir)) << 16 | static_cast<std::uint32_t>(proto + 1) << 4 | profiles;
}

void set_mark(std::vector<std::uint64_t> &marks, std::uint32_t i) noexcept { marks[i >> 6] |= std::uint64_t{1} << (i & 63); }

} // namespace

rule_index::rule_index(std::span<const rule> rules) : rules_(rules.begin(), rules.end()) {
    statics_.reserve(rules_.size());
    single_port_.reserve(rules_.size());
    for (const auto &r : rules_) {
        statics_.push_back(static_conditions_of(r));
        single_port_.push_back(single_port_condition(r) ? 1 : 0);
        bool port_address = !single_port_.back() && single_port_condition(r, true);
        slot_.push_back(port_address ? static_cast<std::uint32_t>(bounds_.size()) : no_slot);
        if (!port_address) continue;
        auto &sides = bounds_.emplace_back();
        const address_set *sets[2] = {&r.local_addresses, &r.remote_addresses};
        for (std::size_t s = 0; s < 2; ++s) {
            sides[s].given = sets[s]->given;
            sides[s].kw4 = sets[s]->keywords4 != 0;
            sides[s].kw6 = sets[s]->keywords6 != 0;
            for (const auto &range : sets[s]->ranges)
                (range.lo.family == 4 ? sides[s].v4 : sides[s].v6).emplace_back(key_of(range.lo), key_of(range.hi));
        }
    }
    for (std::uint32_t i = 0; i < rules_.size(); ++i) place(buckets_[static_cast<std::size_t>(bucket_of(static_cast<int>(rules_[i].dir)))], rules_[i], i);
    for (auto &b : buckets_) {
        b.local_port.build();
        b.remote_port.build();
        b.local_single.build();
        b.remote_single.build();
        for (auto &t : b.addr4) t.build();
        for (auto &t : b.addr6) t.build();
    }
    for (std::size_t d = 0; d < 2; ++d) {
        auto &by_proto = buckets_[d].flat_by_protocol;
        flat_[d].resize(257);
        // Protocol -1 (unknown) passes only rules for any protocol.
        flat_[d][0] = by_proto[256];
        for (std::size_t proto = 0; proto < 256; ++proto) {
            auto &out = flat_[d][proto + 1];
            std::merge(by_proto[proto].begin(), by_proto[proto].end(), by_proto[256].begin(), by_proto[256].end(),
                       std::back_inserter(out));
        }
    }
}

void rule_index::place(bucket &b, const rule &r, std::uint32_t i) {
    // Each rule goes where its most selective condition is: a rule is relevant only if
    // that condition passes or may pass (a near miss fails on protocol, address or profile only).
    // A packet that fails a port condition is never relevant (a near miss fails on protocol,
    // address or profile), so either side will do: the one that passes fewer ports.
    bool local = !r.local_ports.any() &&
                 (r.remote_ports.any() || port_coverage(r.local_ports) <= port_coverage(r.remote_ports));
    bool single = single_port_[i] != 0;
    if (local) {
        auto &to = single ? b.local_single : b.local_port;
        port_intervals(r.local_ports, [&](std::uint32_t lo, std::uint32_t hi) { to.add(lo, hi, i); });
    } else if (!r.remote_ports.any()) {
        auto &to = single ? b.remote_single : b.remote_port;
        port_intervals(r.remote_ports, [&](std::uint32_t lo, std::uint32_t hi) { to.add(lo, hi, i); });
    } else if (!r.icmp.empty()) {
        for (const auto &tc : r.icmp) {
            auto &list = b.icmp_by_type[tc.type > 255 ? 256 : tc.type];
            if (list.empty() || list.back() != i) list.push_back(i);
        }
    } else if (r.local_addresses.given || r.remote_addresses.given) {
        // Relevant only if one of its address conditions passes or may pass.
        const address_set *sides[2] = {&r.local_addresses, &r.remote_addresses};
        for (std::size_t s = 0; s < 2; ++s) {
            const auto &set = *sides[s];
            if (!set.given) continue;
            b.addr_unknown[s].push_back(i);
            if (set.keywords4) b.kw4[s].push_back(i);
            if (set.keywords6) b.kw6[s].push_back(i);
            for (const auto &range : set.ranges)
                (range.lo.family == 4 ? b.addr4 : b.addr6)[s].add(key_of(range.lo), key_of(range.hi), i);
        }
    } else {
        b.flat_by_protocol[r.protocol == any_protocol ? 256 : static_cast<std::size_t>(r.protocol & 0xff)].push_back(i);
    }
}

void rule_index::mark(const bucket &b, const packet &p, std::vector<std::uint64_t> &marks) const {
    auto on = [&](std::uint32_t i) { set_mark(marks, i); };
    if (p.local_port >= 0) b.local_port.stab(static_cast<std::uint32_t>(p.local_port), on);
    if (p.remote_port >= 0) b.remote_port.stab(static_cast<std::uint32_t>(p.remote_port), on);
    if (p.icmp_type >= 0) {
        if (p.icmp_type <= 255)
            for (auto i : b.icmp_by_type[static_cast<std::size_t>(p.icmp_type)]) on(i);
        for (auto i : b.icmp_by_type[256]) on(i);
    }
    const net::ip *sides[2] = {&p.local, &p.remote};
    for (std::size_t s = 0; s < 2; ++s) {
        const auto &a = *sides[s];
        if (a.family == 4) {
            b.addr4[s].stab(key_of(a), on);
            for (auto i : b.kw4[s]) on(i);
        } else if (a.family == 6) {
            b.addr6[s].stab(key_of(a), on);
            for (auto i : b.kw6[s]) on(i);
        } else {
            for (auto i : b.addr_unknown[s]) on(i);
        }
    }
}

void rule_index::mark_candidates(const packet &p, std::vector<std::uint64_t> &marks) const {
    if (p.dir != FW_DIR_OUTBOUND) mark(buckets_[0], p, marks);
    if (p.dir != FW_DIR_INBOUND) mark(buckets_[1], p, marks);
}

const interval_index<std::uint32_t> &rule_index::single_ports(int dir, bool local) const noexcept {
    const auto &b = buckets_[static_cast<std::size_t>(bucket_of(dir))];
    return local ? b.local_single : b.remote_single;
}

rule_index::packet_addresses rule_index::addresses_of(const packet &p) noexcept {
    return {key_of(p.local), key_of(p.remote), p.local.family, p.remote.family};
}

std::uint32_t rule_index::address_outcome(std::uint32_t slot, const packet_addresses &p) const noexcept {
    // Per side, as check_addresses decides: 0 passes (or no condition), 1 maybe (an unknown
    // address, or a keyword of its family), 2 fails.
    auto side = [](const address_bounds &b, const addr_key &key, std::uint8_t family) -> std::uint32_t {
        if (!b.given) return 0;
        if (family != 4 && family != 6) return 1;
        for (const auto &[lo, hi] : family == 4 ? b.v4 : b.v6)
            if (!(key < lo) && !(hi < key)) return 0;
        return (family == 4 ? b.kw4 : b.kw6) ? 1 : 2;
    };
    const auto &sides = bounds_[slot];
    return side(sides[0], p.local, p.local_family) * 3 + side(sides[1], p.remote, p.remote_family);
}

std::span<const std::uint32_t> rule_index::flat(int dir, int protocol) const {
    const auto &by = flat_[static_cast<std::size_t>(bucket_of(dir))];
    return by[protocol < 0 || protocol > 255 ? 0 : static_cast<std::size_t>(protocol) + 1];
}

// ---- evaluator ----------------------------------------------------------------

namespace {

// Beyond this many listed results in the cache, it starts over: a batch of millions of
// distinct flows keeps memory bounded, a batch of repeated flows still hits.
constexpr std::size_t max_cached_results = std::size_t{1} << 18;

std::size_t mix(std::size_t h, std::uint64_t v) noexcept {
    h ^= static_cast<std::size_t>(v) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

listed_result listed_of(const classified &c) noexcept {
    return listed_result{c.index, c.how, c.why, c.conditions, c.enabled, c.specific};
}

bool by_listed_index(const listed_result &a, const listed_result &b) noexcept { return a.index < b.index; }

bool same_packet(const packet &a, const packet &b) noexcept {
    return a.dir == b.dir && a.protocol == b.protocol && a.local == b.local && a.remote == b.remote &&
           a.local_port == b.local_port && a.remote_port == b.remote_port && a.icmp_type == b.icmp_type &&
           a.icmp_code == b.icmp_code;
}

} // namespace

bool evaluator::flow_key::operator==(const flow_key &o) const noexcept {
    return hash == o.hash && profiles == o.profiles && level == o.level && same_packet(p, o.p);
}

std::size_t evaluator::flow_key::hash_of(const packet &p, std::uint32_t profiles, detail level) noexcept {
    std::size_t h = 0;
    h = mix(h, static_cast<std::uint64_t>(static_cast<std::uint32_t>(p.dir)) << 32 |
                   static_cast<std::uint32_t>(p.protocol));
    h = mix(h, static_cast<std::uint64_t>(static_cast<std::uint32_t>(p.local_port)) << 32 |
                   static_cast<std::uint32_t>(p.remote_port));
    h = mix(h, static_cast<std::uint64_t>(static_cast<std::uint16_t>(p.icmp_type)) << 32 |
                   static_cast<std::uint64_t>(static_cast<std::uint16_t>(p.icmp_code)) << 16 | profiles << 4 |
                   static_cast<std::uint64_t>(level) << 2);
    for (const auto *a : {&p.local, &p.remote}) {
        std::uint64_t hi, lo; // any order of the bytes hashes as well
        std::memcpy(&hi, a->bytes.data(), sizeof hi);
        std::memcpy(&lo, a->bytes.data() + 8, sizeof lo);
        h = mix(h, hi);
        h = mix(h, lo ^ a->family);
    }
    return h;
}

evaluator::evaluator(std::shared_ptr<const rule_index> index) : index_(std::move(index)) {}

evaluator::port_results &evaluator::single_port_results(int dir, const packet &p, std::uint32_t profiles) {
    auto [it, added] = port_cache_.try_emplace(key_of(dir, p, profiles));
    if (added) {
        for (int side = 0; side < 2; ++side)
            it->second.segments[static_cast<std::size_t>(side)].resize(
                index_->single_ports(dir, side == 0).segment_count());
        it->second.address_state.assign(index_->port_address_count() * rule_index::address_outcomes, 0);
        it->second.address_result.resize(index_->port_address_count() * rule_index::address_outcomes);
    }
    return it->second;
}

const evaluator::flat_summary &evaluator::flat_results(int dir, const packet &p, std::uint32_t profiles) {
    auto [it, added] = flat_cache_.try_emplace(key_of(dir, p, profiles));
    if (added) {
        auto &flat = it->second;
        const auto rules = index_->rules();
        classified c;
        for (auto i : index_->flat(dir, p.protocol < 0 || p.protocol > 255 ? -1 : p.protocol)) {
            if (!classify(rules[i], i, p, profiles, detail::relevant, c, &index_->statics(i))) continue;
            flat.summary.add(rules[i], c, detail::relevant);
            if (!c.quiet) flat.listed.push_back(c);
            else if (auto &q = flat.quiet_by_category[c.at]; c.at != cat_none && q.size() < max_quiet_listed)
                q.push_back(c);
        }
    }
    return it->second;
}

void evaluator::compute(const packet &p, std::uint32_t profiles, detail level, flow_answer &out) {
    const auto rules = index_->rules();
    if (level == detail::all) {
        // Every rule is listed: nothing to narrow.
        scratch_.clear();
        classified c;
        for (std::uint32_t i = 0; i < rules.size(); ++i)
            if (classify(rules[i], i, p, profiles, level, c, &index_->statics(i))) scratch_.push_back(c);
        auto ev = decide(rules, scratch_, p, profiles, level, false);
        out.result = ev.result;
        out.own_explanation = std::move(ev.explanation);
        std::copy(ev.rules.begin(), ev.rules.end(), listing_room(ev.rules.size(), out));
        out.deciding = ev.deciding.size();
        return;
    }
    // Candidates from the index, in rule order (a bit per rule), classified exactly as evaluate() does.
    marks_.assign((rules.size() + 63) / 64, 0);
    index_->mark_candidates(p, marks_);
    scratch_.clear();
    verdict_summary summary;
    // Single-port rules classify alike for every packet the index finds them for (per rule
    // direction, protocol and profiles), port-and-address rules alike for every packet with the
    // same address outcome: classified once, looked up after.
    port_results *by_port[2] = {nullptr, nullptr};
    if (p.dir != FW_DIR_OUTBOUND) by_port[0] = &single_port_results(FW_DIR_INBOUND, p, profiles);
    if (p.dir != FW_DIR_INBOUND) by_port[1] = &single_port_results(FW_DIR_OUTBOUND, p, profiles);
    const auto addresses = rule_index::addresses_of(p);
    classified c;
    for (std::size_t w = 0; w < marks_.size(); ++w) {
        for (auto bits = marks_[w]; bits; bits &= bits - 1) {
            auto i = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
            const auto &r = rules[i];
            bool relevant;
            if (auto slot = index_->port_address_slot(i); slot != rule_index::no_slot) {
                auto &known = *by_port[bucket_of(static_cast<int>(r.dir))];
                auto k = slot * rule_index::address_outcomes + index_->address_outcome(slot, addresses);
                if (known.address_state[k] == 0) {
                    known.address_state[k] =
                        classify(r, i, p, profiles, level, known.address_result[k], &index_->statics(i)) ? 2 : 1;
                }
                relevant = known.address_state[k] == 2;
                if (relevant) c = known.address_result[k];
            } else {
                relevant = classify(r, i, p, profiles, level, c, &index_->statics(i));
            }
            if (relevant) {
                scratch_.push_back(c);
                summary.add(r, c, level);
            }
        }
    }
    // The shared parts: the results of the port segments the packet's ports fall in (single-port
    // rules) and of the flat rules of each direction the packet may have.
    listing_key key;
    std::array<const std::vector<classified> *, max_parts> parts{};
    std::size_t part_count = 0;
    auto add_part = [&](const void *id, const std::vector<classified> &results) {
        Expects(part_count < max_parts);
        key.parts[part_count] = id;
        parts[part_count++] = &results;
    };
    std::array<const flat_summary *, 2> flats{};
    for (int d = 0; d < 2; ++d) {
        if (!by_port[d]) continue;
        const int dir = d == 0 ? FW_DIR_INBOUND : FW_DIR_OUTBOUND;
        for (int side = 0; side < 2; ++side) {
            const std::int32_t port = side == 0 ? p.local_port : p.remote_port;
            if (port < 0) continue;
            const auto &ports = index_->single_ports(dir, side == 0);
            auto seg = ports.segment_of(static_cast<std::uint32_t>(port));
            if (seg == ports.npos) continue;
            auto &known = by_port[d]->segments[static_cast<std::size_t>(side)][seg];
            if (!known.made) {
                known.made = true;
                found_.clear();
                ports.stab(static_cast<std::uint32_t>(port), [&](std::uint32_t i) { found_.push_back(i); });
                std::sort(found_.begin(), found_.end());
                found_.erase(std::unique(found_.begin(), found_.end()), found_.end());
                for (auto i : found_) {
                    if (!classify(rules[i], i, p, profiles, level, c, &index_->statics(i))) continue;
                    known.relevant.push_back(c);
                    known.summary.add(rules[i], c, level);
                }
            }
            if (known.relevant.empty()) continue;
            summary.merge(known.summary);
            add_part(&known, known.relevant);
        }
        const auto &flat = flat_results(dir, p, profiles);
        summary.merge(flat.summary);
        flats[static_cast<std::size_t>(d)] = &flat;
    }
    const auto deciding = summary.deciding();
    key.deciding = deciding;
    // Flat rules: those that may be listed, and the quiet ones only when their category decides.
    for (const auto *f : flats) {
        if (!f) continue;
        if (!f->listed.empty()) add_part(&f->listed, f->listed);
        if (deciding != cat_none && !f->quiet_by_category[deciding].empty())
            add_part(&f->quiet_by_category[deciding], f->quiet_by_category[deciding]);
    }
    const auto &shared = listing_of(key, std::span(parts.data(), part_count));

    // The packet's own results (scratch_, rule order) by rank, merged into the shared listing.
    for (auto &own : own_) own.clear();
    own_quiet_.clear();
    for (const auto &o : scratch_) {
        if (!o.quiet) own_[listing_rank(o, deciding)].push_back(listed_of(o));
        else if (deciding != cat_none && o.at == deciding) own_quiet_.push_back(o);
    }
    // Quiet deciding results: the first max_quiet_listed of the packet's and the shared ones.
    merged_.clear();
    if (!own_quiet_.empty() || !shared.quiet.empty()) {
        merged_.resize(own_quiet_.size() + shared.quiet.size());
        std::merge(own_quiet_.begin(), own_quiet_.end(), shared.quiet.begin(), shared.quiet.end(), merged_.begin(),
                   [](const classified &a, const classified &b) { return a.index < b.index; });
        if (merged_.size() > max_quiet_listed) merged_.resize(max_quiet_listed);
        const auto before = own_[0].size();
        for (const auto &q : merged_) own_[0].push_back(listed_of(q));
        std::inplace_merge(own_[0].begin(), own_[0].begin() + static_cast<std::ptrdiff_t>(before), own_[0].end(),
                           by_listed_index);
    }
    verdict_for(summary, p, profiles, out);
    std::size_t total = 0;
    for (std::size_t r = 0; r < listing_ranks; ++r) total += own_[r].size() + shared.by_rank[r].size();
    auto *const start = listing_room(total, out);
    auto *to = start;
    for (std::size_t r = 0; r < listing_ranks; ++r) {
        const auto &mine = own_[r];
        const auto &theirs = shared.by_rank[r];
        to = mine.empty() ? std::copy(theirs.begin(), theirs.end(), to)
                          : std::merge(mine.begin(), mine.end(), theirs.begin(), theirs.end(), to, by_listed_index);
        if (r == 0) out.deciding = static_cast<std::size_t>(to - start);
    }
    Ensures(to == start + total);
}

listed_result *evaluator::listing_room(std::size_t n, flow_answer &out) {
    // A block holds many listings; a listing longer than a block (every rule of a large set)
    // gets one of its own. 96 KiB: below the allocator's mmap threshold, so a freed block's
    // memory is reused rather than mapped afresh (page faults) for the next.
    constexpr std::size_t block_results = std::size_t{1} << 12;
    if (!block_ || block_->capacity - block_->used < n) {
        auto fresh = std::make_shared<listing_block>();
        fresh->capacity = std::max(n, block_results);
        fresh->storage = std::make_unique_for_overwrite<std::byte[]>(fresh->capacity * sizeof(listed_result));
        block_ = std::move(fresh);
    }
    auto *at = block_->items() + block_->used;
    block_->used += n;
    out.rules = std::span<const listed_result>(at, n);
    out.block = block_;
    return at;
}

std::size_t evaluator::explanation_hash::operator()(const explanation_key &k) const noexcept {
    std::size_t h = static_cast<std::size_t>(k.first_disabled_how) << 2 | (k.inbound ? 2u : 0u) | (k.icmp ? 1u : 0u);
    for (std::size_t at = 0; at < cat_count; ++at)
        h = mix(h, static_cast<std::uint64_t>(k.size[at]) << 32 | k.first[at]);
    h = mix(h, static_cast<std::uint64_t>(k.bypass_count) << 32 | k.bypass_first);
    return mix(h, static_cast<std::uint64_t>(k.env_plain_count) << 32 | k.env_first_plain);
}

void evaluator::verdict_for(const verdict_summary &summary, const packet &p, std::uint32_t profiles,
                            flow_answer &out) {
    if (explanation_quotes_text(summary)) {
        auto made = verdict_of(index_->rules(), summary, p, profiles);
        out.result = made.result;
        out.own_explanation = std::move(made.explanation);
        return;
    }
    explanation_key key;
    for (std::size_t at = 0; at < cat_count; ++at) {
        if (summary.size[at] == 0) continue;
        key.size[at] = summary.size[at];
        key.first[at] = summary.first[at].index;
    }
    if (summary.size[cat_disabled_allow]) key.first_disabled_how = static_cast<std::uint8_t>(summary.first[cat_disabled_allow].how);
    if (summary.bypass_count) key.bypass_count = summary.bypass_count, key.bypass_first = summary.bypass_first.index;
    if (summary.env_plain_count)
        key.env_plain_count = summary.env_plain_count, key.env_first_plain = summary.env_first_plain.index;
    key.inbound = p.dir != FW_DIR_OUTBOUND;
    key.icmp = p.protocol == 1 || p.protocol == 58;
    auto [it, added] = explanation_cache_.try_emplace(key);
    if (added) {
        auto made = verdict_of(index_->rules(), summary, p, profiles);
        it->second = shared_explanation{made.result, std::make_shared<const std::string>(std::move(made.explanation))};
    }
    out.result = it->second.result;
    out.shared_explanation = it->second.explanation;
}

std::size_t evaluator::listing_hash::operator()(const listing_key &k) const noexcept {
    std::size_t h = k.deciding;
    for (const auto *part : k.parts) h = mix(h, reinterpret_cast<std::uintptr_t>(part));
    return h;
}

const evaluator::shared_listing &evaluator::listing_of(const listing_key &key,
                                                       std::span<const std::vector<classified> *const> parts) {
    auto [it, added] = listing_cache_.try_emplace(key);
    if (!added) return it->second;
    auto &listing = it->second;
    merged_.clear();
    for (const auto *part : parts) merged_.insert(merged_.end(), part->begin(), part->end());
    std::sort(merged_.begin(), merged_.end(), [](const classified &a, const classified &b) { return a.index < b.index; });
    for (const auto &c : merged_) {
        if (!c.quiet) listing.by_rank[listing_rank(c, key.deciding)].push_back(listed_of(c));
        else if (key.deciding != cat_none && c.at == key.deciding && listing.quiet.size() < max_quiet_listed)
            listing.quiet.push_back(c);
    }
    listed_in_cache_ += merged_.size() + 1;
    return listing;
}

std::shared_ptr<const flow_answer> evaluator::evaluate(const packet &p, std::uint32_t profiles, detail level) {
    const flow_key key{p, profiles, level, flow_key::hash_of(p, profiles, level)};
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto made = std::make_shared<flow_answer>();
    compute(p, profiles, level, *made);
    std::shared_ptr<const flow_answer> ev = std::move(made);
    if (cached_results_ + ev->rules.size() > max_cached_results || listed_in_cache_ > max_cached_results) {
        cache_.clear();
        cached_results_ = 0;
        listing_cache_.clear();
        listed_in_cache_ = 0;
        explanation_cache_.clear();
    }
    cached_results_ += ev->rules.size() + 1;
    cache_.emplace(key, ev);
    return ev;
}

evaluation evaluator::evaluate_with_texts(const packet &p, std::uint32_t profiles, detail level) {
    const auto answer = evaluate(p, profiles, level);
    evaluation ev;
    ev.result = answer->result;
    ev.explanation = answer->explanation();
    ev.rules.assign(answer->rules.begin(), answer->rules.end());
    ev.deciding.resize(answer->deciding);
    std::iota(ev.deciding.begin(), ev.deciding.end(), std::size_t{0});
    ev.texts.reserve(ev.rules.size());
    for (const auto &res : ev.rules) ev.texts.push_back(rule_text(index_->rules()[res.index], p, profiles));
    return ev;
}

std::string rule_text(const rule &r, const packet &p, std::uint32_t profiles) { return match(r, p, profiles).text; }

} // namespace fw::rules
