// Rule synthesis: drops grouped into candidate allow rules, scoped, optionally
// merged and turned into RPC keyword rules, and deduplicated against the rules
// in force. See fw/synth.h for the contract; this is the C++ side of it.
#pragma once

#include "net/address.hpp"

#include <fw/synth.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fw::synth {

inline constexpr std::uint16_t dynamic_port_lo = 49152; // [formats.md 5] default dynamic range
inline constexpr std::uint16_t rpc_epmap_port = 135;

// One drop (the ABI struct, validated).
using drop = fw_synth_drop;

// Throws fw::error (FW_EINVALID) naming the field when d cannot become part of a rule.
void validate(const drop &d, std::size_t index);

// ---- Scope ---------------------------------------------------------------

// One scope entry: an address range, or an address keyword.
struct scope_entry {
    std::string text;                // as written for -RemoteAddress (keywords in canonical spelling)
    std::optional<net::ip_range> range; // set for address entries
    std::uint8_t family = 0;         // keywords: 4 or 6 when suffixed ("LocalSubnet4"), else 0
    bool any = false;                // the keyword Any
    [[nodiscard]] bool is_keyword() const noexcept { return !range.has_value(); }
};

// Parse "192.0.2.0/24", "a-b", "LocalSubnet", "Intranet6", "Any", ... (case-insensitive keywords).
// Throws fw::error FW_EINVALID naming the entry.
[[nodiscard]] scope_entry parse_scope_entry(std::string_view text);

// Index of the scope entry that accepts a, or nullopt when none does:
// the narrowest address entry containing a; else the first keyword entry whose
// family fits (not Any); else Any. keyword_only is set when a keyword decided.
[[nodiscard]] std::optional<std::size_t> match_scope(const std::vector<scope_entry> &scope, const net::ip &a,
                                                     bool &keyword_only) noexcept;

// ---- Existing rules ------------------------------------------------------

// The port side of a probe: a number, or a keyword rule port.
enum class port_kind : std::uint8_t { none, number, rpc, rpc_epmap };

// One question to the rules in force: would this traffic be allowed?
struct probe {
    std::uint8_t direction = FW_DIR_INBOUND;
    std::uint8_t protocol = 6;
    port_kind kind = port_kind::none;
    std::uint16_t port = 0;          // for number: the service port (local inbound, remote outbound)
    std::int16_t icmp_type = -1;
    net::ip remote;
    std::uint32_t profile = FW_PROFILE_DOMAIN; // exactly one profile bit
};

enum class coverage_kind : std::uint8_t { none, allowed, blocked, disabled_allow };

struct coverage {
    coverage_kind kind = coverage_kind::none;
    std::string rule; // id of the deciding rule
};

// The rules in force as the synthesiser sees them. check answers one probe:
// blocked when an enabled block rule matches (block wins, as in the firewall),
// else allowed when an enabled allow rule matches, else disabled_allow when
// only a disabled allow rule would, else none. enabled_allow_with_id answers
// whether an enabled allow rule has that exact id (how a rerun finds its own rules).
struct existing_rules {
    std::function<coverage(const probe &)> check;
    std::function<bool(std::string_view id)> enabled_allow_with_id;
};

// ---- Candidates ----------------------------------------------------------

struct options {
    std::vector<scope_entry> scope;
    bool merge_ports = false;
    bool use_rpc_keyword = false;
    std::uint32_t profile = 0; // 0 = Any
};

struct candidate {
    fw_synth_status status = FW_SYNTH_NEW;
    std::uint32_t flags = 0;
    std::uint8_t direction = FW_DIR_INBOUND;
    std::uint8_t protocol = 0;
    port_kind kind = port_kind::none;
    net::port_range ports{};
    std::int16_t icmp_type = -1;
    std::uint32_t profile = 0;
    std::uint64_t hits = 0;
    std::int64_t first_seen = FW_NO_TIME;
    std::int64_t last_seen = FW_NO_TIME;
    std::vector<net::ip> remotes_seen;      // sorted, distinct
    std::vector<std::size_t> scope_used;    // indexes into options.scope, sorted (scoped runs)
    std::string rule;                       // covering / blocking / disabled rule id
    // Rendered by finish():
    std::string name, protocol_text, port_text, icmp_text, remote_address, remote_seen, rule_string;
};

// Text forms shared with the module.
[[nodiscard]] std::string protocol_text(std::uint8_t protocol);
// Sorted distinct addresses as comma-separated singles and a-b runs of consecutive addresses.
[[nodiscard]] std::string compress_addresses(const std::vector<net::ip> &sorted);
// Why a drop cannot be synthesised ("direction 7 is neither inbound (1) nor outbound (2)"); empty when it can.
[[nodiscard]] std::string problem(const drop &d);

// The synthesiser: aggregate drops, then run.
class synthesizer {
public:
    explicit synthesizer(options opts);
    ~synthesizer();
    synthesizer(synthesizer &&) noexcept;
    synthesizer &operator=(synthesizer &&) noexcept;
    synthesizer(const synthesizer &) = delete;
    synthesizer &operator=(const synthesizer &) = delete;

    // Validates every drop first (throws fw::error naming the index); adds all or nothing.
    void add(const drop *drops, std::size_t count);
    void add(const drop &d) { add(&d, 1); }
    // Adds the valid drops and skips the others (one bad item does not cost the batch). results, when not null,
    // receives FW_OK or FW_EINVALID per drop; first_problem the first rejection ("drop 3: direction 7 ...").
    // Returns how many were rejected.
    std::size_t add_valid(const drop *drops, std::size_t count, int *results, std::string *first_problem);

    void set_existing(std::optional<existing_rules> rules);

    // Builds the candidates from everything added so far.
    [[nodiscard]] const std::vector<candidate> &run();
    [[nodiscard]] const std::vector<candidate> &candidates() const noexcept;
    [[nodiscard]] const options &opts() const noexcept;
    [[nodiscard]] std::uint64_t drops_added() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace fw::synth
