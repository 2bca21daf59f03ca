// A set of parsed rules plus the problems found while loading them, and the
// loaders: rule strings, .reg exports, plain text files, the Windows registry.
#pragma once

#include "rules/rule.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fw::rules {

// A rule that could not be loaded. The other rules still load.
struct diagnostic {
    std::string name;        // rule ID (registry value name), "" if unknown
    std::string source;      // file path or registry key, "" for strings
    std::uint64_t line = 0;  // 1-based line in the file, 0 if none
    std::uint64_t column = 0; // 1-based byte offset in the rule string, 0 if none
    std::string message;     // "rule 'X': position 17: unknown Action value 'Permit'"
};

class ruleset {
public:
    // Parse and append one rule; throws fw::error(FW_EFORMAT) with the column
    // (and a message naming the rule) when the string is malformed; the set is then unchanged.
    const rule &add(std::string_view name, std::string_view text, store origin, std::string_view source = {},
                    std::uint64_t line = 0);

    // Parse and append one rule; a malformed one becomes a diagnostic. Returns true if added.
    bool add_or_report(std::string_view name, std::string_view text, store origin, std::string_view source = {},
                       std::uint64_t line = 0);

    void report(diagnostic d) { diagnostics_.push_back(std::move(d)); }

    // Profiles (FW_PROFILE_* mask) in which local-store rules apply. Group Policy's
    // AllowLocalPolicyMerge = 0 for a profile takes it out: there only Group Policy rules count.
    // Applies to the rules already added and to those added later; default FW_PROFILE_ALL.
    void set_local_merge(std::uint8_t profiles) noexcept;
    [[nodiscard]] std::uint8_t local_merge() const noexcept { return local_merge_; }

    [[nodiscard]] std::size_t size() const noexcept { return rules_.size(); }
    [[nodiscard]] const rule &operator[](std::size_t i) const { return rules_.at(i); }
    [[nodiscard]] std::span<const rule> rules() const noexcept { return rules_; }
    [[nodiscard]] std::span<const diagnostic> diagnostics() const noexcept { return diagnostics_; }
    void reserve(std::size_t n) { rules_.reserve(n); }

private:
    std::vector<rule> rules_;
    std::vector<diagnostic> diagnostics_;
    std::uint8_t local_merge_ = FW_PROFILE_ALL;
};

// ---- Loaders ------------------------------------------------------------------
// Bad rules become diagnostics; only unreadable input throws (fw::error).

// Contents of a file: a .reg export (detected by its "Windows Registry Editor"
// or "REGEDIT4" first line, UTF-16LE with BOM or UTF-8/ANSI) or plain text.
// Plain text: one rule per line; "name=v2.10|..." gives the rule ID (a name is
// everything before the first '=' that comes before the first '|' when the line
// does not start with the version); otherwise the ID is "<file>:<line>". Blank
// lines and lines starting with '#' or ';' are skipped. A UTF-8 or UTF-16 BOM is honoured.
// For .reg: every string value of a key ending in FirewallRules is a rule; in other keys
// (RestrictedServices\...\System, profile settings) only values that start with a version
// ("v2.") are. The store is `origin`, or, when origin is
// store::unspecified, inferred from the key path (...\Policies\Microsoft\WindowsFirewall\... ->
// group_policy, ...\SharedAccess\... -> local, else file). Non-string values
// (dword:, hex:) are skipped (not rules; e.g. PolicyVersion).
// Returns the number of rules added.
std::size_t load_bytes(ruleset &rs, std::span<const std::byte> bytes, store origin, std::string_view source);

// Read the file at a UTF-8 path (wide on Windows) and load_bytes it.
// Throws FW_ENOTFOUND / FW_EACCESS / FW_EIO.
std::size_t load_file(ruleset &rs, const std::string &path, store origin);

// Windows: the local store (HKLM SYSTEM/CurrentControlSet/Services/SharedAccess/Parameters/
// FirewallPolicy/FirewallRules) for store::local, the GPO store (HKLM SOFTWARE/Policies/
// Microsoft/WindowsFirewall/FirewallRules) for store::group_policy. A missing key adds
// nothing (no GPO rules). Elsewhere throws FW_ENOTFOUND ("the registry exists only on Windows").
std::size_t load_registry(ruleset &rs, store which);

// Decode a .reg file body (already converted to UTF-8) into (key, value name, string data)
// triples; exposed for tests. Handles the escapes of string data (backslash, quote) and
// skips non-string values, including hex values continued over several lines.
struct reg_value {
    std::string key;
    std::string name;
    std::string data;
    std::uint64_t line = 0;
};
struct reg_problem {
    std::uint64_t line = 0;
    std::string message;
};
[[nodiscard]] std::vector<reg_value> parse_reg_text(std::string_view text, std::vector<reg_problem> *problems);

// Bytes to UTF-8: a UTF-16LE (BOM or detected) body is converted, a UTF-8 BOM dropped.
[[nodiscard]] std::string decode_text(std::span<const std::byte> bytes);

} // namespace fw::rules
