// Indirect strings ("@FirewallAPI.dll,-28775", "@{Package?ms-resource://...}"): the text Windows shows for them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fw::win {

// Whether text is an indirect string: it starts with '@' (what SHLoadIndirectString resolves).
[[nodiscard]] bool is_indirect_string(std::string_view text) noexcept;

// Windows: the text an indirect string stands for, in the user's UI language (SHLoadIndirectString), as UTF-8;
// nullopt when it cannot be resolved here (the DLL or the string id does not exist, or not an indirect string).
// Elsewhere: always nullopt. Throws std::bad_alloc only.
[[nodiscard]] std::optional<std::string> resolve_indirect_string(std::string_view text);

} // namespace fw::win
