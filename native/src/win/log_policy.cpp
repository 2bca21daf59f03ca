#include "win/log_policy.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#ifdef _WIN32
#include <windows.h>

#include <array>
#include <optional>
#include <string_view>
#endif

namespace fw::win {

#ifdef _WIN32

namespace {

constexpr std::wstring_view policy_root = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\";
constexpr std::wstring_view local_root =
    L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\";
constexpr std::wstring_view default_path = L"%SystemRoot%\\System32\\LogFiles\\Firewall\\pfirewall.log";

class reg_key {
public:
    reg_key() = default;
    reg_key(const reg_key &) = delete;
    reg_key &operator=(const reg_key &) = delete;
    ~reg_key() {
        if (h_ != nullptr) RegCloseKey(h_);
    }
    // Opens HKLM\<path> for reading in the 64-bit view; false when the key does not exist.
    bool open(const std::wstring &path) {
        const LSTATUS rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h_);
        if (rc == ERROR_SUCCESS) return true;
        h_ = nullptr;
        return false;
    }
    // A REG_SZ or REG_EXPAND_SZ value; empty optional when absent, empty or of another type.
    [[nodiscard]] std::optional<std::wstring> string(const wchar_t *name) const {
        DWORD type = 0;
        DWORD bytes = 0;
        if (RegQueryValueExW(h_, name, nullptr, &type, nullptr, &bytes) != ERROR_SUCCESS) return std::nullopt;
        if ((type != REG_SZ && type != REG_EXPAND_SZ) || bytes < sizeof(wchar_t)) return std::nullopt;
        std::wstring s(bytes / sizeof(wchar_t) + 1, L'\0');
        DWORD got = static_cast<DWORD>(s.size() * sizeof(wchar_t));
        if (RegQueryValueExW(h_, name, nullptr, &type, reinterpret_cast<BYTE *>(s.data()), &got) != ERROR_SUCCESS)
            return std::nullopt;
        s.resize(got / sizeof(wchar_t));
        while (!s.empty() && s.back() == L'\0') s.pop_back(); // stored with or without the terminator
        if (s.empty()) return std::nullopt;
        return s;
    }

private:
    HKEY h_ = nullptr;
};

bool key_exists(std::wstring_view root, std::wstring_view profile) {
    reg_key k;
    return k.open(std::wstring(root) + std::wstring(profile));
}

std::optional<std::wstring> log_file_path(std::wstring_view root, std::wstring_view profile) {
    reg_key k;
    if (!k.open(std::wstring(root) + std::wstring(profile) + L"\\Logging")) return std::nullopt;
    return k.string(L"LogFilePath");
}

std::wstring expand(const std::wstring &s) {
    const DWORD n = ExpandEnvironmentStringsW(s.c_str(), nullptr, 0);
    if (n == 0) return s;
    std::wstring out(n, L'\0');
    const DWORD m = ExpandEnvironmentStringsW(s.c_str(), out.data(), n);
    if (m == 0 || m > n) return s;
    out.resize(m - 1); // m counts the terminator
    return out;
}

// Windows file names compare case-insensitively (ordinal, as the file system does).
bool same_path(const std::wstring &a, const std::wstring &b) {
    return CompareStringOrdinal(a.c_str(), static_cast<int>(a.size()), b.c_str(), static_cast<int>(b.size()),
                                TRUE) == CSTR_EQUAL;
}

} // namespace

std::vector<std::string> default_log_paths() {
    // Profile -> (Group Policy key names in preference order, local key name).
    // [MS-GPFAS] 2.2.3: if neither PrivateProfile nor PublicProfile exists under
    // the policy key, StandardProfile applies to both. Locally StandardProfile is Private.
    const bool split = key_exists(policy_root, L"PrivateProfile") || key_exists(policy_root, L"PublicProfile");
    struct profile {
        std::wstring_view policy;
        std::wstring_view local;
    };
    const std::array<profile, 3> profiles{{
        {L"DomainProfile", L"DomainProfile"},
        {split ? L"PrivateProfile" : L"StandardProfile", L"StandardProfile"},
        {split ? L"PublicProfile" : L"StandardProfile", L"PublicProfile"},
    }};
    std::vector<std::wstring> found;
    for (const auto &p : profiles) {
        std::optional<std::wstring> v = log_file_path(policy_root, p.policy);
        if (!v) v = log_file_path(local_root, p.local);
        std::wstring path = expand(v ? *v : std::wstring(default_path));
        bool dup = false;
        for (const auto &f : found) dup = dup || same_path(f, path);
        if (!dup) found.push_back(std::move(path));
    }
    std::vector<std::string> out;
    out.reserve(found.size());
    for (const auto &f : found) {
        std::string s = util::narrow(f);
        if (s.empty()) throw error(FW_ERROR, FW_ERRCLASS_INTERNAL, "cannot convert a registry path to UTF-8");
        out.push_back(std::move(s));
    }
    return out;
}

#else

std::vector<std::string> default_log_paths() {
    throw error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                "the firewall log location is read from the Windows registry; on this system there is no default "
                "log file: give the path explicitly");
}

#endif

} // namespace fw::win
