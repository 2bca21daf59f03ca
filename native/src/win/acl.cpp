#include "win/acl.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fmt/format.h>

#include <cstring>
#include <memory>

#ifdef _WIN32
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#endif

namespace fw::win {

namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

// Upper case as Windows compares service names (RtlUpcaseUnicodeChar), for the ranges names use in practice.
std::uint32_t upcase(std::uint32_t c) noexcept {
    if (c >= 'a' && c <= 'z') return c - 32;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;        // Latin-1
    if (c >= 0x430 && c <= 0x44F) return c - 32;                      // Cyrillic а-я
    if (c >= 0x450 && c <= 0x45F) return c - 80;                      // Cyrillic ѐ-џ
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;        // Greek α-ω
    return c;
}

// UTF-8 to code points; invalid bytes become U+FFFD.
std::vector<std::uint32_t> code_points(std::string_view s) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        std::uint32_t cp = len == 1 ? b : b & (0x7F >> len);
        for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

} // namespace

std::array<std::uint8_t, 20> sha1(const void *data, std::size_t size) {
    std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    std::vector<std::uint8_t> msg(static_cast<const std::uint8_t *>(data), static_cast<const std::uint8_t *>(data) + size);
    const std::uint64_t bits = static_cast<std::uint64_t>(size) * 8;
    msg.push_back(0x80);
    while (msg.size() % 64 != 56) msg.push_back(0);
    for (int i = 7; i >= 0; --i) msg.push_back(static_cast<std::uint8_t>(bits >> (i * 8)));
    for (std::size_t block = 0; block < msg.size(); block += 64) {
        std::uint32_t w[80];
        for (int t = 0; t < 16; ++t)
            w[t] = (std::uint32_t{msg[block + 4 * t]} << 24) | (std::uint32_t{msg[block + 4 * t + 1]} << 16) |
                   (std::uint32_t{msg[block + 4 * t + 2]} << 8) | std::uint32_t{msg[block + 4 * t + 3]};
        for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int t = 0; t < 80; ++t) {
            std::uint32_t f, k;
            if (t < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999;
            } else if (t < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1;
            } else if (t < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDC;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6;
            }
            const std::uint32_t tmp = rotl(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = tmp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    std::array<std::uint8_t, 20> out{};
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 4; ++j) out[static_cast<std::size_t>(4 * i + j)] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * j));
    return out;
}

std::string service_sid(std::string_view service_name) {
    if (service_name.empty()) fail_invalid("the service name is empty");
    std::vector<std::uint8_t> utf16;
    for (std::uint32_t cp : code_points(service_name)) {
        cp = upcase(cp);
        auto unit = [&](std::uint32_t u) {
            utf16.push_back(static_cast<std::uint8_t>(u & 0xFF));
            utf16.push_back(static_cast<std::uint8_t>(u >> 8));
        };
        if (cp >= 0x10000) {
            unit(0xD800 + ((cp - 0x10000) >> 10));
            unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            unit(cp);
        }
    }
    const auto digest = sha1(utf16.data(), utf16.size());
    std::string sid = "S-1-5-80";
    for (std::size_t i = 0; i < 5; ++i) {
        std::uint32_t v = std::uint32_t{digest[4 * i]} | (std::uint32_t{digest[4 * i + 1]} << 8) |
                          (std::uint32_t{digest[4 * i + 2]} << 16) | (std::uint32_t{digest[4 * i + 3]} << 24);
        sid += fmt::format("-{}", v);
    }
    return sid;
}

std::set<std::string> firewall_service_token() {
    return {service_sid(firewall_service), "S-1-5-19", "S-1-5-6", "S-1-5-80-0", "S-1-1-0", "S-1-5-11", "S-1-5-32-545"};
}

std::uint32_t map_generic_file(std::uint32_t mask) noexcept {
    constexpr std::uint32_t generic_read = 0x80000000, generic_write = 0x40000000, generic_execute = 0x20000000,
                            generic_all = 0x10000000;
    std::uint32_t out = mask & ~(generic_read | generic_write | generic_execute | generic_all);
    if (mask & generic_read) out |= 0x120089;
    if (mask & generic_write) out |= 0x120116;
    if (mask & generic_execute) out |= 0x1200A0;
    if (mask & generic_all) out |= 0x1F01FF;
    return out;
}

std::uint32_t granted(const std::vector<ace> &dacl, const std::set<std::string> &sids, std::uint32_t desired,
                      bool for_files) {
    constexpr std::uint32_t object_inherit = 0x1, inherit_only = 0x8;
    std::uint32_t allowed = 0;
    std::uint32_t denied = 0;
    for (const ace &a : dacl) {
        if (for_files ? (a.flags & object_inherit) == 0 : (a.flags & inherit_only) != 0) continue;
        if (sids.count(a.sid) == 0) continue;
        const std::uint32_t m = map_generic_file(a.mask) & desired;
        if (a.allow)
            allowed |= m & ~denied;
        else
            denied |= m & ~allowed;
    }
    return allowed;
}

std::set<std::string> firewall_service_restricting_sids() {
    return {service_sid(firewall_service), "S-1-5-33", "S-1-1-0"};
}

bool service_can_write(const std::vector<ace> &dacl) {
    const std::uint32_t write = file_write_data | file_append_data;
    auto can_write = [&](const std::set<std::string> &sids) {
        return granted(dacl, sids, file_write_data, false) == file_write_data && granted(dacl, sids, write, true) == write;
    };
    // A write-restricted token passes a write check only when both its SIDs and its restricting SIDs pass it.
    return can_write(firewall_service_token()) && can_write(firewall_service_restricting_sids());
}

#ifdef _WIN32

namespace {

std::wstring widen(std::string_view s) { return util::widen(s, s); }
std::string narrow(const wchar_t *w) { return util::narrow(w); }

[[noreturn]] void os_fail(DWORD rc, const std::string &what, const std::string &folder) {
    if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND)
        throw error(FW_ENOTFOUND, FW_ERRCLASS_OS, fmt::format("the folder '{}' does not exist", folder),
                    static_cast<int>(rc));
    if (rc == ERROR_ACCESS_DENIED || rc == ERROR_PRIVILEGE_NOT_HELD)
        throw error(FW_EACCESS, FW_ERRCLASS_OS,
                    fmt::format("cannot {} of '{}': access is denied (run PowerShell as Administrator)", what, folder),
                    static_cast<int>(rc));
    throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot {} of '{}' (Windows error {})", what, folder, rc),
                static_cast<int>(rc));
}

struct local_free {
    void operator()(void *p) const noexcept { LocalFree(p); }
};

} // namespace

folder_dacl read_folder_dacl(const std::string &folder) {
    const std::wstring w = widen(folder);
    const DWORD attrs = GetFileAttributesW(w.c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES) os_fail(GetLastError(), "read the permissions", folder);
    if ((attrs & FILE_ATTRIBUTE_DIRECTORY) == 0) fail_invalid(fmt::format("'{}' is a file, not a folder", folder));
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    const DWORD rc = GetNamedSecurityInfoW(w.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                           &dacl, nullptr, &sd);
    if (rc != ERROR_SUCCESS) os_fail(rc, "read the permissions", folder);
    std::unique_ptr<void, local_free> hold(sd);
    folder_dacl out;
    if (dacl == nullptr) {
        out.null_dacl = true;
        return out;
    }
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void *raw = nullptr;
        if (!GetAce(dacl, i, &raw)) continue;
        const auto *header = static_cast<const ACE_HEADER *>(raw);
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE && header->AceType != ACCESS_DENIED_ACE_TYPE) continue;
        // ACCESS_ALLOWED_ACE and ACCESS_DENIED_ACE share their layout: header, mask, SID.
        const auto *entry = static_cast<const ACCESS_ALLOWED_ACE *>(raw);
        PSID sid = const_cast<DWORD *>(&entry->SidStart);
        wchar_t *text = nullptr;
        if (!ConvertSidToStringSidW(sid, &text)) continue;
        std::unique_ptr<void, local_free> hold_text(text);
        out.entries.push_back({header->AceType == ACCESS_ALLOWED_ACE_TYPE, header->AceFlags, entry->Mask, narrow(text)});
    }
    return out;
}

void grant_firewall_service(const std::string &folder) {
    const std::wstring w = widen(folder);
    PACL old_dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetNamedSecurityInfoW(w.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                     &old_dacl, nullptr, &sd);
    if (rc != ERROR_SUCCESS) os_fail(rc, "read the permissions", folder);
    std::unique_ptr<void, local_free> hold_sd(sd);

    PSID sid = nullptr;
    if (!ConvertStringSidToSidW(widen(service_sid(firewall_service)).c_str(), &sid))
        os_fail(GetLastError(), "build the firewall service's SID for the permissions", folder);
    std::unique_ptr<void, local_free> hold_sid(sid);

    EXPLICIT_ACCESS_W ea{};
    ea.grfAccessPermissions = modify_rights;
    ea.grfAccessMode = GRANT_ACCESS;
    ea.grfInheritance = SUB_CONTAINERS_AND_OBJECTS_INHERIT;
    ea.Trustee.TrusteeForm = TRUSTEE_IS_SID;
    ea.Trustee.TrusteeType = TRUSTEE_IS_WELL_KNOWN_GROUP;
    ea.Trustee.ptstrName = static_cast<LPWSTR>(sid);
    PACL new_dacl = nullptr;
    rc = SetEntriesInAclW(1, &ea, old_dacl, &new_dacl);
    if (rc != ERROR_SUCCESS) os_fail(rc, "extend the permissions", folder);
    std::unique_ptr<void, local_free> hold_dacl(new_dacl);
    rc = SetNamedSecurityInfoW(const_cast<wchar_t *>(w.c_str()), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                               nullptr, new_dacl, nullptr);
    if (rc != ERROR_SUCCESS) os_fail(rc, "change the permissions", folder);
}

#else

folder_dacl read_folder_dacl(const std::string &) {
    throw error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                "folder permissions for the firewall service (NT SERVICE\\MpsSvc) exist only on Windows");
}

void grant_firewall_service(const std::string &) {
    throw error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                "folder permissions for the firewall service (NT SERVICE\\MpsSvc) exist only on Windows");
}

#endif

} // namespace fw::win
