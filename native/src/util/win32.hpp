// Win32 text and path helpers shared by the file readers and the registry
// readers: UTF-8 <-> UTF-16, long-path names, the system's error text.
// Windows only; the header declares nothing elsewhere.
#pragma once

#ifdef _WIN32

#include <string>
#include <string_view>

namespace fw::util {

// UTF-8 -> UTF-16. Invalid UTF-8 (or more than 2 GiB) is FW_EINVALID; the
// message names the text as `shown` (a path as the caller gave it).
[[nodiscard]] std::wstring widen(std::string_view utf8, std::string_view shown);

// UTF-16 -> UTF-8 (an unpaired surrogate becomes U+FFFD); "" when w is empty
// or cannot be converted.
[[nodiscard]] std::string narrow(std::wstring_view w);

// An absolute, long-path-capable name: GetFullPathNameW resolves relative parts,
// '.', '..' and '/' (which the \\?\ form no longer does), then the \\?\ (or
// \\?\UNC\) prefix lifts MAX_PATH. Names already in \\?\ or \\.\ form are kept.
[[nodiscard]] std::wstring long_path(const std::wstring &w);

// The system's text for a Win32 error code (a DWORD, or an LSTATUS from the
// registry functions), without the trailing line end and period;
// "Windows error <code>" when the system has none.
[[nodiscard]] std::string win32_message(unsigned long code);

} // namespace fw::util

#endif
