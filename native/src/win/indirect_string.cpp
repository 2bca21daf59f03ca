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

namespace {

// The file or package an indirect string loads: "@{<location>?ms-resource://...}" or "@<location>,-<id>".
std::string_view location_of(std::string_view text) noexcept {
    if (!is_indirect_string(text)) return {};
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '{') {
        text.remove_prefix(1);
        return text.substr(0, text.find_first_of("?}"));
    }
    const std::size_t comma = text.rfind(',');
    return comma == std::string_view::npos ? text : text.substr(0, comma);
}

bool is_separator(char c) noexcept { return c == '\\' || c == '/'; }

// \\server\share, //server/share, \\?\UNC\..., \\.\device: nothing on this computer's disks is named so.
// Leading spaces and quotes are passed over: a loader that trims them must not see a share where this saw none.
bool unc_like(std::string_view location) noexcept {
    const std::size_t start = location.find_first_not_of(" \t\"");
    if (start == std::string_view::npos) return false;
    location.remove_prefix(start);
    return location.size() >= 2 && is_separator(location[0]) && is_separator(location[1]);
}

} // namespace

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

bool names_remote_file(std::string_view text) {
    const std::string_view location = location_of(text);
    if (unc_like(location)) return true;
    // %LOGONSERVER%\x.dll is \\DC\x.dll, and a mapped drive is another computer's disk: judge the path
    // SHLoadIndirectString would load.
    const std::wstring source = to_wide(location);
    if (source.empty()) return false; // empty, or not UTF-8: resolve_indirect_string loads nothing
    const DWORD size = ExpandEnvironmentStringsW(source.c_str(), nullptr, 0);
    std::vector<wchar_t> buffer(size + 1, L'\0');
    if (size == 0 || ExpandEnvironmentStringsW(source.c_str(), buffer.data(), size + 1) == 0) return true;
    const std::string expanded = to_utf8(buffer.data(), wcsnlen(buffer.data(), buffer.size()));
    if (unc_like(expanded)) return true;
    const std::size_t start = expanded.find_first_not_of(" \t\"");
    if (start == std::string::npos || expanded.size() < start + 2 || expanded[start + 1] != ':') return false;
    const wchar_t root[] = {static_cast<wchar_t>(static_cast<unsigned char>(expanded[start])), L':', L'\\', L'\0'};
    return GetDriveTypeW(root) == DRIVE_REMOTE;
}

std::optional<std::string> resolve_indirect_string(std::string_view text) {
    if (!is_indirect_string(text) || text.find('\0') != std::string_view::npos || text.size() > 32767) return std::nullopt;
    if (names_remote_file(text)) return std::nullopt;
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
bool names_remote_file(std::string_view text) { return unc_like(location_of(text)); }
std::optional<std::string> resolve_indirect_string(std::string_view) { return std::nullopt; }
#endif

} // namespace fw::win
