// Indirect strings ("@FirewallAPI.dll,-28775", "@{Package?ms-resource://...}"): the text Windows shows for them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fw::win {

// Whether text is an indirect string: it starts with '@' (what SHLoadIndirectString resolves).
[[nodiscard]] bool is_indirect_string(std::string_view text) noexcept;

// Whether resolving text would load a file from another computer: the file it names ("@<file>,-id", or
// "@{<file>?ms-resource://...}") is a UNC or device path (two leading slashes of either kind), on Windows also
// after expanding %variables%, or on a network drive. Such a file is never loaded: a rule or .reg file from
// elsewhere could otherwise make an elevated session open an attacker's share (and send it the admin's
// credentials) just to show a rule's name.
[[nodiscard]] bool names_remote_file(std::string_view text);

// For a 32-bit process on 64-bit Windows (WOW64), where the file system redirects System32 to SysWOW64 and
// the 64-bit resource DLLs many rules name are not found: text (environment variables already expanded) with
// the file it names under <windows_dir>\Sysnative instead of <windows_dir>\System32 (ASCII case ignored,
// either slash, after leading spaces or quotes). nullopt when it names no file in System32. Portable (tested
// everywhere); resolve_indirect_string applies it only in a WOW64 process.
[[nodiscard]] std::optional<std::string> system32_to_sysnative(std::string_view text, std::string_view windows_dir);

// Windows: the text an indirect string stands for, in the user's UI language (SHLoadIndirectString), as UTF-8;
// nullopt when it cannot be resolved here (the DLL or the string id does not exist, not an indirect string, or
// names_remote_file).
// Elsewhere: always nullopt. Throws std::bad_alloc only.
[[nodiscard]] std::optional<std::string> resolve_indirect_string(std::string_view text);

} // namespace fw::win
