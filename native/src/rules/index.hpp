// An index over a rule set for evaluating many packets: which rules can be
// relevant to a packet, found without looking at the others, and an evaluator
// that answers each distinct flow of a batch once.
//
// The index only narrows the candidates; every candidate goes through the same
// classification and the same verdict rules as the linear evaluate() in
// match.hpp, so the answers are the same (tests compare the two on random rule
// sets and packets).
#pragma once

#include "rules/match.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace fw::rules {

// Intervals over an ordered key (a port, an IPv4 or IPv6 address) and a point
// query that returns every interval holding the point: a segment tree over
// the elementary segments between interval ends, O(log n + answers) a query.
template <class Key>
class interval_index {
public:
    void add(Key lo, Key hi, std::uint32_t value) { pending_.push_back({lo, hi, value}); }
    void build();
    // Calls f(value) for each interval containing x (a value once per interval holding x).
    template <class F>
    void stab(const Key &x, F &&f) const;
    [[nodiscard]] bool empty() const noexcept { return bounds_.empty(); }
    // The elementary segment holding x (every x of a segment is in the same intervals), or npos.
    static constexpr std::size_t npos = ~std::size_t{0};
    [[nodiscard]] std::size_t segment_of(const Key &x) const noexcept;
    [[nodiscard]] std::size_t segment_count() const noexcept { return bounds_.size(); }

private:
    struct item {
        Key lo, hi;
        std::uint32_t value;
    };
    void insert(std::size_t node, std::size_t lo, std::size_t hi, std::size_t a, std::size_t b, std::uint32_t v);
    std::vector<item> pending_;
    std::vector<Key> bounds_;                      // segment i is [bounds_[i], bounds_[i+1]); the last is open-ended
    std::vector<std::vector<std::uint32_t>> node_; // segment-tree nodes (1-based heap layout)
};

// 128-bit address key: IPv4 and IPv6 addresses as big-endian numbers.
struct addr_key {
    std::uint64_t hi = 0, lo = 0;
    auto operator<=>(const addr_key &) const = default;
};

class rule_index {
public:
    // Copies the rules: evaluations made from the index stay valid while the
    // set it was built from grows.
    explicit rule_index(std::span<const rule> rules);

    [[nodiscard]] std::span<const rule> rules() const noexcept { return rules_; }
    // static_conditions_of each rule, by index.
    [[nodiscard]] const static_conditions &statics(std::uint32_t i) const noexcept { return statics_[i]; }

    // Marks in `marks` (one bit per rule) every rule that may be relevant to p
    // at detail::relevant, except the "flat" rules (no port, ICMP or address
    // condition), which depend only on direction, protocol and profile: those
    // are appended per direction through flat(); and the single_port rules,
    // found per port segment through single_ports().
    void mark_candidates(const packet &p, std::vector<std::uint64_t> &marks) const;
    // Flat rules of a direction (FW_DIR_INBOUND/OUTBOUND) whose protocol is `protocol` or any.
    [[nodiscard]] std::span<const std::uint32_t> flat(int dir, int protocol) const;
    // Whether rule i has a single port condition (one side, ranges only or one keyword) and
    // no address or ICMP condition: for every port the index marks it for, it classifies the
    // same given the direction, protocol and profiles, so one classification serves them all.
    [[nodiscard]] bool single_port(std::uint32_t i) const noexcept { return single_port_[i] != 0; }
    // The single_port rules of a direction by the port they name: local (true) or remote side.
    // Every port of a segment finds the same rules, so their results serve the whole segment.
    [[nodiscard]] const interval_index<std::uint32_t> &single_ports(int dir, bool local) const noexcept;

    // Rules like single_port ones but with address conditions too: for every packet the index
    // marks one for, its classification depends on the direction, protocol and profiles and on
    // which of its address conditions pass, may pass or fail (address_outcome). Each has a slot
    // (0.. port_address_count()); no_slot for the others.
    static constexpr std::uint32_t no_slot = ~std::uint32_t{0};
    static constexpr std::uint32_t address_outcomes = 9; // 3 per side
    [[nodiscard]] std::uint32_t port_address_slot(std::uint32_t i) const noexcept { return slot_[i]; }
    [[nodiscard]] std::size_t port_address_count() const noexcept { return bounds_.size(); }
    // A packet's addresses as numbers, made once for all its rules.
    struct packet_addresses {
        addr_key local, remote;
        std::uint8_t local_family = 0, remote_family = 0;
    };
    [[nodiscard]] static packet_addresses addresses_of(const packet &p) noexcept;
    // 0 .. address_outcomes - 1: what the address conditions of the rule in `slot` say about p,
    // from bounds precomputed as numbers (the same answers as the matcher's check_addresses).
    [[nodiscard]] std::uint32_t address_outcome(std::uint32_t slot, const packet_addresses &p) const noexcept;

private:
    // One side's address condition as numbers: ranges of each family, keywords of each family.
    struct address_bounds {
        std::vector<std::pair<addr_key, addr_key>> v4, v6;
        bool given = false, kw4 = false, kw6 = false;
    };
    struct bucket { // one direction
        interval_index<std::uint32_t> local_port, remote_port;
        interval_index<std::uint32_t> local_single, remote_single; // single_port rules only
        std::array<std::vector<std::uint32_t>, 257> icmp_by_type; // [256]: any type
        std::array<interval_index<addr_key>, 2> addr4, addr6;     // [0] local, [1] remote
        std::array<std::vector<std::uint32_t>, 2> addr_unknown, kw4, kw6;
        std::array<std::vector<std::uint32_t>, 257> flat_by_protocol; // [256]: any protocol
    };
    void place(bucket &b, const rule &r, std::uint32_t i);
    void mark(const bucket &b, const packet &p, std::vector<std::uint64_t> &marks) const;

    std::vector<rule> rules_;
    std::vector<static_conditions> statics_;
    std::vector<std::uint8_t> single_port_;
    std::vector<std::uint32_t> slot_;                    // by rule: port_address_slot
    std::vector<std::array<address_bounds, 2>> bounds_;  // by slot: [0] local, [1] remote
    std::array<bucket, 2> buckets_; // [0] inbound, [1] outbound
    // flat_[dir][protocol + 1]: flat rules of the protocol or any, in rule order (protocol -1: any only).
    std::array<std::vector<std::vector<std::uint32_t>>, 2> flat_;
};

// Listed results of many answers, written one after the other: an answer keeps the block its
// results are in alive, so a listing costs no allocation of its own (a listing of a hundred
// results is too large for the allocator's fast path).
struct listing_block {
    // Storage only: results are copied in as they are made (listed_result is trivially copyable;
    // a byte array provides storage for them), so a block is not initialised result by result.
    static_assert(std::is_trivially_copyable_v<listed_result> && std::is_trivially_destructible_v<listed_result>);
    std::unique_ptr<std::byte[]> storage;
    std::size_t capacity = 0, used = 0; // in results
    [[nodiscard]] listed_result *items() const noexcept { return reinterpret_cast<listed_result *>(storage.get()); }
};

// An evaluation as the evaluator keeps and hands it out: the verdict, the explanation (shared
// between the flows whose explanation quotes no rule text) and the listed results, of which the
// first `deciding` are those the verdict rests on. One allocation a distinct flow (itself).
struct flow_answer {
    verdict result = verdict::no_matching_rule;
    std::shared_ptr<const std::string> shared_explanation; // or, when null, own_explanation
    std::string own_explanation;
    std::span<const listed_result> rules; // most decisive first, in `block`
    std::size_t deciding = 0;             // rules[0 .. deciding) decide
    std::shared_ptr<const listing_block> block;
    [[nodiscard]] const std::string &explanation() const noexcept {
        return shared_explanation ? *shared_explanation : own_explanation;
    }
};

// Evaluates a batch of packets against one index. Each distinct flow (the
// packet's fields, the profiles and the detail level) is evaluated once; the
// cache belongs to this evaluator and is bounded. Texts of listed rules are
// not made (evaluation::texts is empty; rule_text() makes one): a caller that shows a few
// pays for a few.
class evaluator {
public:
    explicit evaluator(std::shared_ptr<const rule_index> index);

    [[nodiscard]] std::shared_ptr<const flow_answer> evaluate(const packet &p, std::uint32_t profiles,
                                                              detail level = detail::relevant);
    // evaluate() with every text filled in: equal to rules::evaluate on the same rules.
    [[nodiscard]] evaluation evaluate_with_texts(const packet &p, std::uint32_t profiles,
                                                 detail level = detail::relevant);
    [[nodiscard]] const std::shared_ptr<const rule_index> &index() const noexcept { return index_; }
    [[nodiscard]] std::size_t cached_flows() const noexcept { return cache_.size(); }

private:
    struct flow_key {
        packet p;
        std::uint32_t profiles;
        detail level;
        std::size_t hash = 0; // of the rest, worked out once (a lookup and an insertion use it)
        bool operator==(const flow_key &o) const noexcept;
        [[nodiscard]] static std::size_t hash_of(const packet &p, std::uint32_t profiles, detail level) noexcept;
    };
    struct flow_hash {
        std::size_t operator()(const flow_key &k) const noexcept { return k.hash; }
    };
    // The flat rules of a direction, protocol and profile mask, classified once and summed up:
    // a packet merges the summary and the few results that may be listed, not every result.
    struct flat_summary {
        verdict_summary summary;
        std::vector<classified> listed;                                   // not quiet, rule order
        std::array<std::vector<classified>, cat_count> quiet_by_category; // the first max_quiet_listed
    };
    // Classified single-port rules (rule_index::single_port) of a rule direction, protocol and
    // profile mask, made on the first packet that reaches each rule.
    struct port_results {
        // By port segment of rule_index::single_ports (local, remote): the results of the
        // single-port rules that every port of the segment finds, in rule order, summed up.
        struct segment {
            bool made = false;
            verdict_summary summary;
            std::vector<classified> relevant;
        };
        std::array<std::vector<segment>, 2> segments;
        // The for port-and-address rules, by slot * address_outcomes + address outcome.
        std::vector<std::uint8_t> address_state;
        std::vector<classified> address_result;
    };
    // The listing of the results a packet shares with others (its port segments' and its flat
    // rules'), made once per set of parts and deciding category: by rank, in rule order. A packet
    // merges its own few results into it.
    // Per direction (a packet of FW_DIR_ANY has both): local port segment, remote port segment,
    // listed flat rules, quiet flat rules of the deciding category.
    static constexpr std::size_t max_parts = 8;
    struct shared_listing {
        std::array<std::vector<listed_result>, listing_ranks> by_rank; // not quiet
        std::vector<classified> quiet; // quiet results of the deciding category, the first max_quiet_listed
    };
    struct listing_key {
        std::array<const void *, max_parts> parts{};
        category deciding = cat_none;
        bool operator==(const listing_key &) const noexcept = default;
    };
    struct listing_hash {
        std::size_t operator()(const listing_key &k) const noexcept;
    };
    const shared_listing &listing_of(const listing_key &key,
                                     std::span<const std::vector<classified> *const> parts);
    // What an explanation that quotes no rule text depends on (explanation_quotes_text).
    struct explanation_key {
        std::array<std::uint32_t, cat_count> size{}, first{};
        std::uint32_t bypass_count = 0, bypass_first = 0, env_plain_count = 0, env_first_plain = 0;
        std::uint8_t first_disabled_how = 0;
        bool inbound = false, icmp = false;
        bool operator==(const explanation_key &) const noexcept = default;
    };
    struct explanation_hash {
        std::size_t operator()(const explanation_key &k) const noexcept;
    };
    struct shared_explanation {
        verdict result = verdict::no_matching_rule;
        std::shared_ptr<const std::string> explanation;
    };
    // The verdict and explanation of a summary into `out`: shared between packets when no rule
    // text is quoted.
    void verdict_for(const verdict_summary &summary, const packet &p, std::uint32_t profiles, flow_answer &out);
    void compute(const packet &p, std::uint32_t profiles, detail level, flow_answer &out);
    // Room for n listed results, in the current block or a new one, owned by `out`.
    listed_result *listing_room(std::size_t n, flow_answer &out);
    port_results &single_port_results(int dir, const packet &p, std::uint32_t profiles);
    const flat_summary &flat_results(int dir, const packet &p, std::uint32_t profiles);

    std::shared_ptr<const rule_index> index_;
    std::unordered_map<flow_key, std::shared_ptr<const flow_answer>, flow_hash> cache_;
    std::size_t cached_results_ = 0;
    // Classified flat rules per (direction, protocol + 1, profiles): they depend on nothing else.
    std::unordered_map<std::uint32_t, flat_summary> flat_cache_;
    std::unordered_map<std::uint32_t, port_results> port_cache_;
    std::unordered_map<listing_key, shared_listing, listing_hash> listing_cache_;
    std::size_t listed_in_cache_ = 0;
    std::unordered_map<explanation_key, shared_explanation, explanation_hash> explanation_cache_;
    std::shared_ptr<listing_block> block_; // where the next answers' listings go
    std::vector<std::uint64_t> marks_;
    std::array<std::vector<listed_result>, listing_ranks> own_;
    std::vector<classified> scratch_, merged_, own_quiet_; // own_quiet_: quiet results of the deciding category
    std::vector<std::uint32_t> found_;
};

// The text of one listed result, as evaluate() would have made it.
[[nodiscard]] std::string rule_text(const rule &r, const packet &p, std::uint32_t profiles);

} // namespace fw::rules
