// Does a rule apply to a packet, and what does the whole rule set say about it?
// Conditions the packet alone can't decide (program, service, authentication,
// interface, address keywords such as LocalSubnet, RPC dynamic ports, an unknown
// profile) make the answer "maybe" with the reason, never a guess.
#pragma once

#include "net/address.hpp"
#include "rules/ruleset.hpp"

#include <fw/common.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fw::rules {

// A packet as a log line describes it, seen from this machine.
struct packet {
    int dir = FW_DIR_INBOUND;      // fw_direction; FW_DIR_ANY matches both
    int protocol = -1;             // 0..255; -1 unknown (only rules with any protocol decide)
    net::ip local, remote;         // family 0 = unknown
    std::int32_t local_port = -1;  // -1 = absent
    std::int32_t remote_port = -1;
    std::int16_t icmp_type = -1;   // -1 = absent
    std::int16_t icmp_code = -1;
};

// Whether a rule applies, as if it were enabled.
enum class applies : std::uint8_t { no = 0, yes = 1, maybe = 2 };

// Why (the main reason; values are the FW_REASON_* of rules.h).
enum class reason : std::uint8_t {
    applies = 0,
    disabled = 1,            // would apply (or maybe apply) but Active is not TRUE
    other_direction = 2,
    other_protocol = 3,
    other_local_port = 4,
    other_remote_port = 5,
    other_local_address = 6,
    other_remote_address = 7,
    other_icmp = 8,
    other_profile = 9,
    profile_unknown = 10,    // applies on some profiles only and the profile is unknown
    program = 11,            // scoped to a program / package / local user
    service = 12,            // scoped to a service
    authentication = 13,     // requires IPsec authentication (Security=, RMauth=, RUAuth=, ByPass)
    interface = 14,          // scoped to interfaces / interface types / dynamic transports
    address_keyword = 15,    // LocalSubnet, DNS, Internet ... (needs the machine's configuration)
    rpc_dynamic = 16,        // RPC keyword: only ports the RPC runtime handed out
    port_keyword = 17,       // Teredo, IPHTTPS, Ply2Disc ... (ports chosen at run time)
    local_not_merged = 18    // a local-store rule in a profile where Group Policy does not merge local
                             // rules (AllowLocalPolicyMerge = 0): not in force there
};

// Condition bits: everything that made a rule "maybe" (FW_COND_* of rules.h).
enum condition : std::uint32_t {
    cond_profile = 1u << 0,
    cond_program = 1u << 1,
    cond_service = 1u << 2,
    cond_authentication = 1u << 3,
    cond_interface = 1u << 4,
    cond_address_keyword = 1u << 5,
    cond_rpc_dynamic = 1u << 6,
    cond_port_keyword = 1u << 7
};
inline constexpr std::uint32_t process_conditions = cond_program | cond_service;

// One rule's answer, as listed in an evaluation: plain values, no text (a listing of a hundred
// results copies a few kilobytes and allocates nothing).
struct listed_result {
    std::size_t index = 0;   // into the ruleset
    applies how = applies::no;
    reason why = reason::applies;
    std::uint32_t conditions = 0; // condition bits (when how == maybe)
    bool enabled = false;
    bool specific = false;   // the rule names ports, ICMP types or addresses that the packet matched
};

// match(): one rule's answer and its text.
struct rule_result : listed_result {
    std::string text;        // one phrase: "disabled", "other remote port (rule: 80,443)",
                             // "scoped to service termservice: applies only to its traffic", ...
};

enum class verdict : std::uint8_t {
    no_matching_rule = 0,
    blocked_by_rule = 1,
    allowed_by_rule = 2,
    allowed_by_disabled_rule = 3,
    undecidable = 4
};

struct evaluation {
    verdict result = verdict::no_matching_rule;
    std::string explanation; // one sentence
    std::vector<listed_result> rules; // the relevant rules, most decisive first
    std::vector<std::string> texts;   // the text of each of `rules` (same order), or empty when
                                      // they were not asked for (rule_text() makes one)
    std::vector<std::size_t> deciding; // indexes (into `rules`) of the results the verdict rests on
};

// What counts as relevant in evaluation::rules.
enum class detail : std::uint8_t {
    relevant = 0, // rules that apply or maybe apply (enabled or not), and near misses: rules
                  // that name the packet's port, ICMP type or address and fail on exactly one
                  // other condition (protocol, local or remote address, profile). Rules scoped
                  // to a program or service that name no port (app rules, service hardening)
                  // are listed only when the verdict rests on them, at most 10 of them.
    all = 1       // every rule of the set
};

// One rule against one packet. profiles: FW_PROFILE_* mask of the active profile(s), 0 = unknown.
[[nodiscard]] rule_result match(const rule &r, const packet &p, std::uint32_t profiles);

// The whole set. Windows precedence: an (authenticated) bypass rule beats a block
// rule, a block rule beats an allow rule, and with no rule the default
// (block inbound) holds. Verdict, in order:
//  1. an enabled block rule that certainly applies             -> blocked_by_rule
//  2. an enabled allow rule that certainly applies             -> allowed_by_rule
//  3. an enabled allow rule scoped only to a program/service that names the
//     port (or ICMP type / address) the packet used            -> allowed_by_rule ("but only for ...")
//  4. an enabled allow rule that maybe applies for another reason (profile,
//     LocalSubnet, authentication, interface, RPC dynamic ports) -> undecidable (names the condition)
//  5. a disabled allow rule that (maybe) applies                -> allowed_by_disabled_rule
//  6. an enabled program-scoped allow rule for any port          -> undecidable
//  7. otherwise                                                  -> no_matching_rule
// An enabled local allow rule that would apply but for Group Policy's AllowLocalPolicyMerge = 0
// never allows; the explanation of verdicts 4-7 names it, and with 7 the verdict rests on it.
[[nodiscard]] evaluation evaluate(const ruleset &rs, const packet &p, std::uint32_t profiles,
                                  detail level = detail::relevant);

// ---- The two steps of evaluate(), shared with the index (rules/index.hpp) ------

enum category : std::uint8_t;

// A rule relevant to a packet, before its text is made.
struct classified {
    std::uint32_t index = 0; // into the rule set
    applies how = applies::no;
    reason why = reason::applies;
    std::uint32_t conditions = 0;
    bool enabled = false;
    bool specific = false;
    category at{};      // categorize() of the result, worked out once by classify()
    bool quiet = false; // ... and whether it is quiet
};

// What a rule leaves to conditions no packet shows (program, service, authentication,
// interface): they are the same for every packet, so an index works them out once.
struct static_conditions {
    std::uint32_t bits = 0;         // condition bits
    reason first = reason::applies; // the reason of the first of them
};
[[nodiscard]] static_conditions static_conditions_of(const rule &r) noexcept;

// Step 1, one rule: false when the rule is not relevant to p at this level.
// pre: static_conditions_of(r), when the caller keeps them.
[[nodiscard]] bool classify(const rule &r, std::uint32_t index, const packet &p, std::uint32_t profiles,
                            detail level, classified &out, const static_conditions *pre = nullptr);

// Step 2: the verdict and the listed results from the relevant rules, in rule order.
// texts: make the text of every listed result (evaluation::texts); otherwise there are none.
[[nodiscard]] evaluation decide(std::span<const rule> rules, std::span<const classified> relevant, const packet &p,
                                std::uint32_t profiles, detail level, bool texts);

// ---- Step 2 in parts, for results that are the same for many packets -----------
//
// The verdict rests on a few numbers per category of relevant result (how many, the first in
// rule order); the listing rests on the results themselves, except the quiet ones (program- or
// service-scoped maybe-rules that name nothing the packet used), which are listed only when they
// decide, and then only the first max_quiet_listed. So a set of results shared by many packets
// (the flat rules of a direction, protocol and profile) is summed up once, and a packet merges
// the summary instead of going through hundreds of results.

// Categories of a relevant result, in the order of the verdict rules. Each is in at most one
// (bypass rules are allow_env too: they need authentication).
enum category : std::uint8_t {
    cat_none = 0, cat_block_yes, cat_allow_yes, cat_allow_process, cat_allow_env, cat_disabled_allow,
    cat_allow_any_port, cat_block_maybe,
    cat_unmerged_allow, // an enabled local allow rule that fails only because Group Policy does not merge local rules
    cat_count
};
inline constexpr std::size_t max_quiet_listed = 10;

struct categorized {
    category at = cat_none;
    bool quiet = false; // listed only when it decides
};
[[nodiscard]] categorized categorize(const rule &r, const classified &c, detail level) noexcept;

struct verdict_summary {
    std::array<std::uint32_t, cat_count> size{};
    std::array<classified, cat_count> first{}; // the lowest rule index of each category (when size > 0)
    std::uint32_t bypass_count = 0;            // allow_env results of bypass rules
    classified bypass_first;
    std::uint32_t env_plain_count = 0;         // allow_env results of other rules
    classified env_first_plain;

    void add(const rule &r, const classified &c, detail level) noexcept;
    void merge(const verdict_summary &o) noexcept;
    // The category the verdict rests on (cat_none: no rule decides).
    [[nodiscard]] category deciding() const noexcept;
};

// Step 2 from a summary of every relevant result and the results that may be listed, in rule
// order: every relevant result that is not quiet, and at least the first max_quiet_listed quiet
// results of the deciding category (more, and quiet results of other categories, are skipped).
[[nodiscard]] evaluation decide(std::span<const rule> rules, const verdict_summary &all,
                                std::span<const classified> listable, const packet &p, std::uint32_t profiles,
                                detail level, bool texts);

// The verdict and its explanation alone (evaluation::rules left empty).
[[nodiscard]] evaluation verdict_of(std::span<const rule> rules, const verdict_summary &all, const packet &p,
                                    std::uint32_t profiles);
// Whether verdict_of's explanation quotes the text of a rule's result (which may name the
// packet's port or address). When it does not, the explanation depends only on the summary,
// whether the packet is inbound and whether it is ICMP: an evaluator shares it between packets.
[[nodiscard]] bool explanation_quotes_text(const verdict_summary &all) noexcept;
// Where a listed (not quiet) result goes when `deciding` decides: 0 the deciding results, then
// 1 yes, 2 maybe, 3 disabled, 4 near misses; results of a rank are listed in rule order.
inline constexpr std::size_t listing_ranks = 5;
[[nodiscard]] std::uint8_t listing_rank(const classified &c, category deciding) noexcept;

[[nodiscard]] const char *verdict_name(verdict v) noexcept; // "NoMatchingRule", ...
[[nodiscard]] const char *reason_name(reason r) noexcept;   // "Applies", "Disabled", "OtherDirection", ...

} // namespace fw::rules
