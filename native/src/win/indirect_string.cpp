// Indirect strings through SHLoadIndirectString (shlwapi), as Get-NetFirewallRule shows rule names.
#include "win/indirect_string.hpp"

#ifdef _WIN32
#include "core/error.hpp"
#include "util/win32.hpp"

#include <windows.h>

#include <shlwapi.h>

#include <vector>
#endif

namespace fw::win {

bool is_indirect_string(std::string_view text) noexcept { return !text.empty() && text.front() == '@'; }

#ifdef _WIN32
namespace {

// Invalid UTF-8 is no indirect string: an empty result, not an error.
std::wstring to_wide(std::string_view s) {
    try {
        return util::widen(s, s);
    } catch (const error &) {
        return {};
    }
}

std::string to_utf8(const wchar_t *w, std::size_t len) { return util::narrow(std::wstring_view(w, len)); }

} // namespace

std::optional<std::string> resolve_indirect_string(std::string_view text) {
    if (!is_indirect_string(text) || text.find('\0') != std::string_view::npos || text.size() > 32767) return std::nullopt;
    const std::wstring source = to_wide(text);
    if (source.empty()) return std::nullopt; // not UTF-8
    // A resource string is at most 4096 characters (LoadString's limit is 65535; descriptions stay far below).
    // SHLoadIndirectString truncates to the buffer, so a result that fills it is retried with a bigger one.
    for (std::size_t size = 1024; size <= 65536; size *= 4) {
        std::vector<wchar_t> buffer(size, L'\0');
        const HRESULT hr = SHLoadIndirectString(source.c_str(), buffer.data(), static_cast<UINT>(buffer.size()), nullptr);
        if (FAILED(hr)) return std::nullopt;
        const std::size_t len = wcsnlen(buffer.data(), buffer.size());
        if (len + 1 < buffer.size()) {
            // Some versions hand the source back unchanged when they cannot load it.
            if (std::wstring_view(buffer.data(), len) == source) return std::nullopt;
            return to_utf8(buffer.data(), len);
        }
    }
    return std::nullopt;
}
#else
std::optional<std::string> resolve_indirect_string(std::string_view) { return std::nullopt; }
#endif

} // namespace fw::win
