// Where the firewall writes its logs, from the registry (Windows only).
#pragma once

#include <string>
#include <vector>

namespace fw::win {

// The configured log files of all profiles (Group Policy over local settings,
// environment variables expanded, duplicates removed, Domain/Private/Public
// order), or the default path when nothing is configured. UTF-8.
// Not on Windows: throws fw::error(FW_ENOTFOUND).
[[nodiscard]] std::vector<std::string> default_log_paths();

} // namespace fw::win
