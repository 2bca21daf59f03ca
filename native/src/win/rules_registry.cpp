// Reading the firewall rule stores straight from the registry (Windows only).
// One REG_SZ value per rule: value name = rule ID, data = rule string.
#include "rules/ruleset.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fmt/format.h>

#ifdef _WIN32
#include <windows.h>

#include <memory>
#include <string>
#include <vector>
#endif

namespace fw::rules {

#ifdef _WIN32
namespace {

constexpr const wchar_t *local_key =
    L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules";
constexpr const wchar_t *policy_key = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules";

std::string utf8(const wchar_t *s, std::size_t n) { return util::narrow(std::wstring_view(s, n)); }
std::string win_message(LSTATUS code) { return util::win32_message(static_cast<unsigned long>(code)); }

[[noreturn]] void fail_registry(LSTATUS code, std::string_view what, std::string_view key) {
    int status = code == ERROR_ACCESS_DENIED ? FW_EACCESS : FW_EIO;
    throw fw::error(status, FW_ERRCLASS_OS, fmt::format("{} HKLM\\{}: {}", what, key, win_message(code)),
                    static_cast<int>(code));
}

struct key_closer {
    void operator()(HKEY k) const noexcept { RegCloseKey(k); }
};
using unique_key = std::unique_ptr<std::remove_pointer_t<HKEY>, key_closer>;

} // namespace

std::size_t load_registry(ruleset &rs, store which) {
    const wchar_t *path = nullptr;
    if (which == store::local) path = local_key;
    else if (which == store::group_policy) path = policy_key;
    else fail_invalid("the registry stores are Local and GroupPolicy");
    std::string key_name = utf8(path, wcslen(path));
    std::string source = "HKLM\\" + key_name;

    HKEY raw = nullptr;
    LSTATUS st = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ | KEY_WOW64_64KEY, &raw);
    if (st == ERROR_FILE_NOT_FOUND || st == ERROR_PATH_NOT_FOUND) return 0; // no rules in this store
    if (st != ERROR_SUCCESS) fail_registry(st, "cannot open", key_name);
    unique_key key(raw);

    DWORD value_count = 0, max_name = 0, max_data = 0;
    st = RegQueryInfoKeyW(key.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &value_count, &max_name,
                          &max_data, nullptr, nullptr);
    if (st != ERROR_SUCCESS) fail_registry(st, "cannot query", key_name);
    rs.reserve(rs.size() + value_count);

    std::vector<wchar_t> name(static_cast<std::size_t>(max_name) + 1);
    std::vector<BYTE> data(static_cast<std::size_t>(max_data) + 2 * sizeof(wchar_t));
    std::size_t added = 0;
    for (DWORD index = 0;;) {
        DWORD name_len = static_cast<DWORD>(name.size());
        DWORD data_len = static_cast<DWORD>(data.size() - sizeof(wchar_t));
        DWORD type = 0;
        st = RegEnumValueW(key.get(), index, name.data(), &name_len, nullptr, &type, data.data(), &data_len);
        if (st == ERROR_NO_MORE_ITEMS) break;
        if (st == ERROR_MORE_DATA) { // a value grew while we enumerate: enlarge and retry this index
            if (name.size() < 16384) name.resize(16384);
            data.resize(data.size() * 2 + 4096);
            if (data.size() > (std::size_t{64} << 20)) fail_registry(st, "a value is too large in", key_name);
            continue;
        }
        if (st != ERROR_SUCCESS) fail_registry(st, "cannot read a value of", key_name);
        ++index;
        if (type != REG_SZ && type != REG_EXPAND_SZ) continue; // not a rule string
        std::size_t chars = data_len / sizeof(wchar_t);
        const auto *text = reinterpret_cast<const wchar_t *>(data.data());
        while (chars > 0 && text[chars - 1] == L'\0') --chars; // REG_SZ may or may not hold its NUL
        if (rs.add_or_report(utf8(name.data(), name_len), utf8(text, chars), which, source, 0)) ++added;
    }
    return added;
}

#else

std::size_t load_registry(ruleset &, store) {
    throw fw::error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                    "the firewall rule stores are in the Windows registry, which this system does not have; "
                    "read a .reg export or a text file of rule strings instead");
}

#endif

} // namespace fw::rules
