// Indirect strings through SHLoadIndirectString (shlwapi), as Get-NetFirewallRule shows rule names.
#include "win/indirect_string.hpp"

#include <cctype>

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

// A location without the spaces and quotes before it: a loader that trims them must not see a share (or a
// folder) where this code saw none.
std::string_view without_leading_blanks(std::string_view location) noexcept {
    const std::size_t start = location.find_first_not_of(" \t\"");
    return start == std::string_view::npos ? std::string_view{} : location.substr(start);
}

// \\server\share, //server/share, \\?\UNC\..., \\.\device: nothing on this computer's disks is named so.
bool unc_like(std::string_view location) noexcept {
    location = without_leading_blanks(location);
    return location.size() >= 2 && is_separator(location[0]) && is_separator(location[1]);
}

bool same_path_text(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (is_separator(a[i]) && is_separator(b[i])) continue;
        if (std::tolower(x) != std::tolower(y)) return false;
    }
    return true;
}

} // namespace

std::optional<std::string> system32_to_sysnative(std::string_view text, std::string_view windows_dir) {
    while (!windows_dir.empty() && is_separator(windows_dir.back())) windows_dir.remove_suffix(1);
    if (windows_dir.empty()) return std::nullopt;
    const std::string_view location = without_leading_blanks(location_of(text));
    constexpr std::string_view system32 = "System32";
    const std::size_t folder = windows_dir.size() + 1; // where "System32" starts in location
    if (location.size() <= folder + system32.size() || !same_path_text(location.substr(0, windows_dir.size()), windows_dir) ||
        !is_separator(location[windows_dir.size()]) || !same_path_text(location.substr(folder, system32.size()), system32) ||
        !is_separator(location[folder + system32.size()]))
        return std::nullopt;
    const auto at = static_cast<std::size_t>(location.data() - text.data()) + folder;
    std::string out(text);
    out.replace(at, system32.size(), "Sysnative");
    return out;
}

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

// text with its %variables% expanded, as SHLoadIndirectString expands them; nullopt when that fails.
std::optional<std::string> expand_variables(const std::wstring &text) {
    const DWORD size = ExpandEnvironmentStringsW(text.c_str(), nullptr, 0);
    std::vector<wchar_t> buffer(size + 1, L'\0');
    if (size == 0 || ExpandEnvironmentStringsW(text.c_str(), buffer.data(), size + 1) == 0) return std::nullopt;
    return to_utf8(buffer.data(), wcsnlen(buffer.data(), buffer.size()));
}

// A 32-bit process on 64-bit Windows (or on ARM64): its System32 is redirected.
bool redirected_system32() noexcept {
    BOOL wow64 = FALSE;
    return IsWow64Process(GetCurrentProcess(), &wow64) && wow64;
}

// text naming its file under Sysnative when this process's System32 is redirected (see system32_to_sysnative).
std::optional<std::wstring> with_native_system32(std::string_view text) {
    if (!redirected_system32()) return std::nullopt;
    const std::wstring source = to_wide(text);
    if (source.empty()) return std::nullopt;
    const auto expanded = expand_variables(source);
    wchar_t windows[MAX_PATH + 1] = {};
    const UINT n = GetSystemWindowsDirectoryW(windows, MAX_PATH + 1);
    if (!expanded || n == 0 || n > MAX_PATH) return std::nullopt;
    const auto native = system32_to_sysnative(*expanded, to_utf8(windows, n));
    if (!native) return std::nullopt;
    return to_wide(*native);
}

} // namespace

bool names_remote_file(std::string_view text) {
    const std::string_view location = location_of(text);
    if (unc_like(location)) return true;
    // %LOGONSERVER%\x.dll is \\DC\x.dll, and a mapped drive is another computer's disk: judge the path
    // SHLoadIndirectString would load.
    const std::wstring source = to_wide(location);
    if (source.empty()) return false; // empty, or not UTF-8: resolve_indirect_string loads nothing
    const auto expanded_location = expand_variables(source);
    if (!expanded_location) return true;
    const std::string &expanded = *expanded_location;
    if (unc_like(expanded)) return true;
    const std::string_view path = without_leading_blanks(expanded);
    if (path.size() < 2 || path[1] != ':') return false;
    const wchar_t root[] = {static_cast<wchar_t>(static_cast<unsigned char>(path[0])), L':', L'\\', L'\0'};
    return GetDriveTypeW(root) == DRIVE_REMOTE;
}

std::optional<std::string> resolve_indirect_string(std::string_view text) {
    if (!is_indirect_string(text) || text.find('\0') != std::string_view::npos || text.size() > 32767) return std::nullopt;
    if (names_remote_file(text)) return std::nullopt;
    std::wstring source = to_wide(text);
    if (source.empty()) return std::nullopt; // not UTF-8
    // In a 32-bit process, %SystemRoot%\system32\x.dll would be SysWOW64's, where most rules' DLLs are missing.
    if (auto native = with_native_system32(text); native && !native->empty()) source = std::move(*native);
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
