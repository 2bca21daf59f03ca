#include "win/log_policy.hpp"
#include "util/reg_text.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fw/common.h>
#include <fw/logging.h>

#include <fmt/format.h>

#include <map>
#include <set>

#ifdef _WIN32
#include <windows.h>
#endif

namespace fw::win {

namespace {

std::string_view root_of(store s) { return s == store::group_policy ? policy_root : local_root; }

std::string key_name(store s, std::string_view profile_key) {
    return fmt::format("HKLM\\{}\\{}\\Logging", root_of(s), profile_key);
}

// A value when set, with the origin of the store it came from.
template <class T>
bool pick(const std::optional<T> &gpo, const std::optional<T> &local, T &value, origin &from) {
    if (gpo) {
        value = *gpo;
        from = origin::group_policy;
        return true;
    }
    if (local) {
        value = *local;
        from = origin::local;
        return true;
    }
    from = origin::default_value;
    return false;
}

} // namespace

std::array<logging_profile, 3> resolve_logging(const policy_source &source) {
    const bool split = source.profile_exists(store::group_policy, "PrivateProfile") ||
                       source.profile_exists(store::group_policy, "PublicProfile");
    struct keys {
        std::uint32_t profile;
        std::string_view policy;
        std::string_view local;
    };
    const std::array<keys, 3> profiles{{
        {FW_PROFILE_DOMAIN, "DomainProfile", "DomainProfile"},
        {FW_PROFILE_PRIVATE, split ? "PrivateProfile" : "StandardProfile", "StandardProfile"},
        {FW_PROFILE_PUBLIC, split ? "PublicProfile" : "StandardProfile", "PublicProfile"},
    }};
    std::array<logging_profile, 3> out;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        const keys &k = profiles[i];
        const logging_values gpo = source.logging(store::group_policy, k.policy);
        const logging_values local = source.logging(store::local, k.local);
        logging_profile &p = out[i];
        p.profile = k.profile;
        p.policy_key = key_name(store::group_policy, k.policy);
        p.local_key = key_name(store::local, k.local);
        std::uint32_t v = 0;
        p.dropped = pick(gpo.dropped, local.dropped, v, p.dropped_origin) && v != 0;
        p.allowed = pick(gpo.allowed, local.allowed, v, p.allowed_origin) && v != 0;
        p.size_kb = pick(gpo.size_kb, local.size_kb, v, p.size_origin) ? v : FW_LOG_SIZE_DEFAULT_KB;
        if (!pick(gpo.path, local.path, p.file_name, p.file_origin)) p.file_name = FW_LOG_FILE_DEFAULT;
        p.file_path = source.expand(p.file_name);
    }
    return out;
}

std::uint8_t resolve_local_merge(const policy_source &source) {
    struct profile_key {
        std::uint8_t profile;
        std::string_view key;
    };
    static constexpr std::array<profile_key, 3> keys{{
        {FW_PROFILE_DOMAIN, "DomainProfile"}, {FW_PROFILE_PRIVATE, "PrivateProfile"}, {FW_PROFILE_PUBLIC, "PublicProfile"}}};
    std::uint8_t merged = 0;
    for (const auto &k : keys) {
        const auto value = source.profile_dword(store::group_policy, k.key, "AllowLocalPolicyMerge");
        if (!value || *value != 0) merged = static_cast<std::uint8_t>(merged | k.profile);
    }
    return merged;
}

// ---- .reg exports ------------------------------------------------------------------------------

namespace {

std::string upper(std::string_view s) {
    std::string u(s);
    for (char &c : u)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return u;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool istarts(std::string_view s, std::string_view prefix) { return upper(s.substr(0, prefix.size())) == upper(prefix); }

[[noreturn]] void bad_line(std::uint64_t line, const std::string &message) {
    throw error(FW_EFORMAT, FW_ERRCLASS_FORMAT, fmt::format("line {}: {}", line, message), 0,
                static_cast<std::int64_t>(line));
}

struct reg_data {
    enum class kind { string, dword, other } type = kind::other;
    std::string text;
    std::uint32_t number = 0;
};

// "hex(2):41,00,42,00,00,00" (REG_EXPAND_SZ, UTF-16LE with its terminator) to UTF-8.
std::string utf16_hex(std::string_view hex, std::uint64_t line) {
    std::vector<unsigned char> bytes;
    while (!hex.empty()) {
        auto comma = hex.find(',');
        auto item = trim(hex.substr(0, comma));
        hex = comma == std::string_view::npos ? std::string_view{} : hex.substr(comma + 1);
        if (item.empty()) continue;
        unsigned b = 0;
        if (item.size() > 2) bad_line(line, fmt::format("'{}' is not a hex byte", item));
        for (char c : item) {
            unsigned d = (c >= '0' && c <= '9') ? unsigned(c - '0')
                         : (c >= 'a' && c <= 'f') ? unsigned(c - 'a' + 10)
                         : (c >= 'A' && c <= 'F') ? unsigned(c - 'A' + 10)
                                                  : 16u;
            if (d == 16) bad_line(line, fmt::format("'{}' is not a hex byte", item));
            b = b * 16 + d;
        }
        bytes.push_back(static_cast<unsigned char>(b));
    }
    std::string out;
    util::append_utf16le(out, bytes.data(), bytes.size(), true);
    return out;
}

class reg_export final : public policy_source {
public:
    explicit reg_export(std::string_view text) { parse(text); }

    [[nodiscard]] bool profile_exists(store s, std::string_view profile_key) const override {
        return keys_.count(upper(fmt::format("{}\\{}", root_of(s), profile_key))) != 0;
    }

    [[nodiscard]] logging_values logging(store s, std::string_view profile_key) const override {
        logging_values v;
        auto it = values_.find(upper(fmt::format("{}\\{}\\Logging", root_of(s), profile_key)));
        if (it == values_.end()) return v;
        auto get = [&](const char *name) -> const reg_data * {
            auto f = it->second.find(upper(name));
            return f == it->second.end() ? nullptr : &f->second;
        };
        auto dword = [&](const char *name) -> std::optional<std::uint32_t> {
            const reg_data *d = get(name);
            if (d == nullptr || d->type != reg_data::kind::dword) return std::nullopt;
            return d->number;
        };
        v.dropped = dword("LogDroppedPackets");
        v.allowed = dword("LogSuccessfulConnections");
        v.size_kb = dword("LogFileSize");
        if (const reg_data *d = get("LogFilePath"); d != nullptr && d->type == reg_data::kind::string && !d->text.empty())
            v.path = d->text;
        return v;
    }

    [[nodiscard]] std::optional<std::uint32_t> profile_dword(store s, std::string_view profile_key,
                                                            std::string_view name) const override {
        auto it = values_.find(upper(fmt::format("{}\\{}", root_of(s), profile_key)));
        if (it == values_.end()) return std::nullopt;
        auto f = it->second.find(upper(name));
        if (f == it->second.end() || f->second.type != reg_data::kind::dword) return std::nullopt;
        return f->second.number;
    }

private:
    std::set<std::string> keys_;                                    // upper-case, relative to HKLM, with ancestors
    std::map<std::string, std::map<std::string, reg_data>> values_; // key -> upper-case value name -> data

    void parse(std::string_view text) {
        std::uint64_t line_no = 0;
        std::size_t pos = 0;
        bool header = false;
        std::string key; // "" outside an HKLM key
        while (pos < text.size()) {
            // One logical line: hex data may continue with a trailing backslash.
            std::string logical;
            const std::uint64_t first_line = line_no + 1;
            while (pos < text.size()) {
                auto nl = text.find('\n', pos);
                auto line = trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
                pos = nl == std::string_view::npos ? text.size() : nl + 1;
                ++line_no;
                // Only hex data ends a line with a backslash (strings end with '"', keys with ']').
                if (!line.empty() && line.back() == '\\') {
                    logical.append(line.substr(0, line.size() - 1));
                    continue;
                }
                logical.append(line);
                break;
            }
            std::string_view line = logical;
            if (line.empty() || line[0] == ';') continue;
            if (!header) {
                if (!line.starts_with("Windows Registry Editor") && !line.starts_with("REGEDIT4"))
                    bad_line(first_line, "not a .reg export: it must start with 'Windows Registry Editor Version 5.00' "
                                         "or 'REGEDIT4'");
                header = true;
                continue;
            }
            if (line[0] == '[') {
                auto close = line.rfind(']');
                if (close == std::string_view::npos) bad_line(first_line, "a key name without ']'");
                std::string_view k = line.substr(1, close - 1);
                key.clear();
                if (!k.empty() && k[0] == '-') continue; // a deletion: no values follow
                for (std::string_view root : {"HKEY_LOCAL_MACHINE\\", "HKLM\\"})
                    if (istarts(k, root)) key = upper(k.substr(root.size()));
                for (std::string partial = key; !partial.empty();) {
                    keys_.insert(partial);
                    auto slash = partial.rfind('\\');
                    if (slash == std::string::npos) break;
                    partial.resize(slash);
                }
                continue;
            }
            parse_value(line, first_line, key);
        }
        if (!header) bad_line(1, "the file is empty, not a .reg export");
    }

    void parse_value(std::string_view line, std::uint64_t line_no, const std::string &key) {
        auto value_line = util::split_reg_value(line);
        if (value_line.problem != nullptr)
            bad_line(line_no, fmt::format("{}, not '{}'", value_line.problem, line.substr(0, 40)));
        const std::string &name = value_line.name;
        const std::string_view data = trim(value_line.data);
        reg_data d;
        if (!data.empty() && data[0] == '"') {
            std::size_t j = 0;
            auto text = util::reg_unquote(data, j);
            if (!text || j != data.size()) bad_line(line_no, fmt::format("value \"{}\": the string is not closed", name));
            d.text = std::move(*text);
            d.type = reg_data::kind::string;
        } else if (istarts(data, "dword:")) {
            auto hex = data.substr(6);
            if (hex.empty() || hex.size() > 8) bad_line(line_no, fmt::format("value \"{}\": '{}' is not a dword", name, data));
            for (char c : hex) {
                unsigned dgt = (c >= '0' && c <= '9') ? unsigned(c - '0')
                               : (c >= 'a' && c <= 'f') ? unsigned(c - 'a' + 10)
                               : (c >= 'A' && c <= 'F') ? unsigned(c - 'A' + 10)
                                                        : 16u;
                if (dgt == 16) bad_line(line_no, fmt::format("value \"{}\": '{}' is not a dword", name, data));
                d.number = d.number * 16 + dgt;
            }
            d.type = reg_data::kind::dword;
        } else if (istarts(data, "hex(2):")) {
            d.text = utf16_hex(data.substr(7), line_no);
            d.type = reg_data::kind::string;
        } else if (data == "-") {
            return; // a deletion
        } else if (!istarts(data, "hex")) {
            bad_line(line_no, fmt::format("value \"{}\": unknown data '{}'", name, data.substr(0, 40)));
        }
        if (key.empty()) return; // a key outside HKLM: not firewall policy
        values_[key][upper(name)] = std::move(d);
    }
};

} // namespace

std::unique_ptr<policy_source> reg_export_source(std::string_view text) { return std::make_unique<reg_export>(text); }

// ---- The live registry (Windows) ---------------------------------------------------------------

#ifdef _WIN32

namespace {

// The registry's names and values are UTF-16; the ABI speaks UTF-8 (util/win32).
std::wstring widen(std::string_view s) { return util::widen(s, s); }
std::string narrow(const std::wstring &w) { return util::narrow(w); }

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
        std::wstring s;
        // A value set again between the two calls (Group Policy refreshing) may have grown: ask again with the
        // size the failed read reports, a few times, rather than read it as not set.
        LSTATUS rc = ERROR_MORE_DATA;
        for (int attempt = 0; attempt < 4 && rc == ERROR_MORE_DATA; ++attempt) {
            if ((type != REG_SZ && type != REG_EXPAND_SZ) || bytes < sizeof(wchar_t)) return std::nullopt;
            s.assign(bytes / sizeof(wchar_t) + 1, L'\0');
            bytes = static_cast<DWORD>(s.size() * sizeof(wchar_t));
            rc = RegQueryValueExW(h_, name, nullptr, &type, reinterpret_cast<BYTE *>(s.data()), &bytes);
        }
        if (rc != ERROR_SUCCESS) return std::nullopt;
        s.resize(bytes / sizeof(wchar_t));
        while (!s.empty() && s.back() == L'\0') s.pop_back(); // stored with or without the terminator
        if (s.empty()) return std::nullopt;
        return s;
    }
    // A REG_DWORD value; empty optional when absent or of another type.
    [[nodiscard]] std::optional<std::uint32_t> dword(const wchar_t *name) const {
        DWORD type = 0;
        DWORD value = 0;
        DWORD bytes = sizeof(value);
        if (RegQueryValueExW(h_, name, nullptr, &type, reinterpret_cast<BYTE *>(&value), &bytes) != ERROR_SUCCESS)
            return std::nullopt;
        if (type != REG_DWORD || bytes != sizeof(value)) return std::nullopt;
        return value;
    }

private:
    HKEY h_ = nullptr;
};

std::wstring expand_env(const std::wstring &s) {
    const DWORD n = ExpandEnvironmentStringsW(s.c_str(), nullptr, 0);
    if (n == 0) return s;
    std::wstring out(n, L'\0');
    const DWORD m = ExpandEnvironmentStringsW(s.c_str(), out.data(), n);
    if (m == 0 || m > n) return s;
    out.resize(m - 1); // m counts the terminator
    return out;
}

class live_registry final : public policy_source {
public:
    [[nodiscard]] bool profile_exists(store s, std::string_view profile_key) const override {
        reg_key k;
        return k.open(widen(fmt::format("{}\\{}", root_of(s), profile_key)));
    }
    [[nodiscard]] logging_values logging(store s, std::string_view profile_key) const override {
        logging_values v;
        reg_key k;
        if (!k.open(widen(fmt::format("{}\\{}\\Logging", root_of(s), profile_key)))) return v;
        v.dropped = k.dword(L"LogDroppedPackets");
        v.allowed = k.dword(L"LogSuccessfulConnections");
        v.size_kb = k.dword(L"LogFileSize");
        if (auto p = k.string(L"LogFilePath")) v.path = narrow(*p);
        return v;
    }
    [[nodiscard]] std::string expand(const std::string &path) const override { return narrow(expand_env(widen(path))); }
    [[nodiscard]] std::optional<std::uint32_t> profile_dword(store s, std::string_view profile_key,
                                                            std::string_view name) const override {
        reg_key k;
        if (!k.open(widen(fmt::format("{}\\{}", root_of(s), profile_key)))) return std::nullopt;
        return k.dword(widen(name).c_str());
    }
};

// Windows file names compare case-insensitively (ordinal, as the file system does).
bool same_path(const std::string &a, const std::string &b) {
    const std::wstring wa = widen(a);
    const std::wstring wb = widen(b);
    return CompareStringOrdinal(wa.c_str(), static_cast<int>(wa.size()), wb.c_str(), static_cast<int>(wb.size()),
                                TRUE) == CSTR_EQUAL;
}

} // namespace

std::unique_ptr<policy_source> registry_source() { return std::make_unique<live_registry>(); }

std::vector<std::string> default_log_paths() {
    std::vector<std::string> found;
    for (const auto &p : resolve_logging(live_registry{})) {
        bool dup = false;
        for (const auto &f : found) dup = dup || same_path(f, p.file_path);
        if (!dup) found.push_back(p.file_path);
    }
    return found;
}

#else

std::unique_ptr<policy_source> registry_source() {
    throw error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                "there is no Windows Firewall policy on this system: the logging settings live in the Windows "
                "registry; read a .reg export of the firewall policy keys instead");
}

std::vector<std::string> default_log_paths() {
    throw error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                "the firewall log location is read from the Windows registry; on this system there is no default "
                "log file: give the path explicitly");
}

#endif

} // namespace fw::win
