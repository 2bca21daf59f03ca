// The firewall's logging settings: where Windows writes the logs, whether drops and successes are logged,
// and where each value comes from (Group Policy over local settings over the default). The resolution is
// portable and runs on a policy_source: the live registry (Windows) or a .reg export (everywhere).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fw::win {

enum class store { local, group_policy };

// The values of one <Profile>\Logging key as stored; empty optionals are "not set".
struct logging_values {
    std::optional<std::uint32_t> dropped;
    std::optional<std::uint32_t> allowed;
    std::optional<std::uint32_t> size_kb;
    std::optional<std::string> path; // UTF-8, non-empty
};

// Read access to the two firewall policy roots.
class policy_source {
public:
    virtual ~policy_source() = default;
    // Whether HKLM\<root>\<profile_key> exists (profile_key e.g. "PrivateProfile").
    [[nodiscard]] virtual bool profile_exists(store s, std::string_view profile_key) const = 0;
    // The values of HKLM\<root>\<profile_key>\Logging (all empty when the key is missing).
    [[nodiscard]] virtual logging_values logging(store s, std::string_view profile_key) const = 0;
    // Environment variables expanded, where that means something (the live registry); else unchanged.
    [[nodiscard]] virtual std::string expand(const std::string &path) const { return path; }
    // A REG_DWORD value of HKLM\<root>\<profile_key> itself (empty when the key or value is missing
    // or the value has another type).
    [[nodiscard]] virtual std::optional<std::uint32_t> profile_dword(store s, std::string_view profile_key,
                                                                    std::string_view name) const = 0;
};

enum class origin : std::uint32_t { default_value = 0, local = 1, group_policy = 2 };

struct logging_profile {
    std::uint32_t profile = 0; // FW_PROFILE_DOMAIN/PRIVATE/PUBLIC
    bool dropped = false;
    origin dropped_origin = origin::default_value;
    bool allowed = false;
    origin allowed_origin = origin::default_value;
    std::uint32_t size_kb = 0;
    origin size_origin = origin::default_value;
    std::string file_name; // as configured
    std::string file_path; // expanded
    origin file_origin = origin::default_value;
    std::string policy_key; // HKLM\... consulted for Group Policy
    std::string local_key;  // HKLM\... consulted for the local value
};

inline constexpr std::string_view policy_root = "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall";
inline constexpr std::string_view local_root =
    "SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy";

// Domain, Private, Public: each value from Group Policy when set there, else local, else the default.
// [MS-GPFAS] 2.2.3: Group Policy's StandardProfile applies to Private and Public unless a PrivateProfile or
// PublicProfile key exists under the policy root; locally StandardProfile is the Private profile.
[[nodiscard]] std::array<logging_profile, 3> resolve_logging(const policy_source &source);

// The profiles (FW_PROFILE_* mask) in which the local store's firewall rules are in force: all but those
// whose Group Policy key sets AllowLocalPolicyMerge = 0 ([MS-GPFAS] 2.2.3.13: a DWORD under DomainProfile,
// PrivateProfile, PublicProfile of the policy root, never StandardProfile; absent means merged). The same
// setting for connection security rules (AllowLocalIPsecPolicyMerge) does not concern firewall rules.
[[nodiscard]] std::uint8_t resolve_local_merge(const policy_source &source);

// The registry of this computer (Windows); elsewhere throws fw::error(FW_ENOTFOUND).
[[nodiscard]] std::unique_ptr<policy_source> registry_source();

// A .reg export (text already decoded to UTF-8). Throws fw::error(FW_EFORMAT) when it is not one.
[[nodiscard]] std::unique_ptr<policy_source> reg_export_source(std::string_view text);

// The configured log files of all profiles (Group Policy over local settings,
// environment variables expanded, duplicates removed, Domain/Private/Public
// order), or the default path when nothing is configured. UTF-8.
// Not on Windows: throws fw::error(FW_ENOTFOUND).
[[nodiscard]] std::vector<std::string> default_log_paths();

} // namespace fw::win
