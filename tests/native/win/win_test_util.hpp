// Helpers for the Win32 tests (compiled for Windows only): UTF-8/UTF-16,
// files written through their own handles, and scratch registry keys.
#pragma once

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace fw::wintest {

inline std::wstring widen(std::string_view s) {
    if (s.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring w(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
    return w;
}

inline std::string narrow(std::wstring_view w) {
    if (w.empty()) return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
    std::string s(static_cast<std::size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), s.data(), n, nullptr, nullptr);
    return s;
}

// The UTF-8 form of a path, as callers of the C ABI pass it.
inline std::string utf8(const std::filesystem::path &p) { return narrow(p.wstring()); }

class handle {
public:
    explicit handle(HANDLE h = INVALID_HANDLE_VALUE) : h_(h) {}
    handle(const handle &) = delete;
    handle &operator=(const handle &) = delete;
    ~handle() { close(); }
    void close() {
        if (valid()) CloseHandle(h_);
        h_ = INVALID_HANDLE_VALUE;
    }
    [[nodiscard]] bool valid() const { return h_ != INVALID_HANDLE_VALUE && h_ != nullptr; }
    [[nodiscard]] HANDLE get() const { return h_; }

private:
    HANDLE h_;
};

// Writes all of text through h; false on any failure.
inline bool write_all(HANDLE h, std::string_view text) {
    while (!text.empty()) {
        DWORD done = 0;
        if (!WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &done, nullptr) || done == 0) return false;
        text.remove_prefix(done);
    }
    return true;
}

// A private folder under %TEMP% (the name may hold any Unicode), removed with its content.
class temp_dir {
public:
    explicit temp_dir(std::wstring_view leaf = L"") {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                (L"fw-win-" + std::to_wstring(rd()) + L"-" + std::to_wstring(GetCurrentProcessId()));
        if (!leaf.empty()) path_ /= std::wstring(leaf);
        std::filesystem::create_directories(path_);
        root_ = leaf.empty() ? path_ : path_.parent_path();
    }
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    [[nodiscard]] const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
    std::filesystem::path root_;
};

// A registry key under HKLM created for one test and deleted after it, from the
// first component that did not exist before. If the key already exists (a real
// machine with that configuration) existed() is true and nothing is touched.
class scratch_key {
public:
    explicit scratch_key(std::wstring path) : path_(std::move(path)) {
        HKEY probe = nullptr;
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path_.c_str(), 0, KEY_READ | KEY_WOW64_64KEY, &probe) == ERROR_SUCCESS) {
            RegCloseKey(probe);
            existed_ = true;
            return;
        }
        // The shortest prefix that is missing: that is what we create and later delete.
        std::size_t at = 0;
        while (true) {
            const std::size_t next = path_.find(L'\\', at);
            const std::wstring prefix = path_.substr(0, next);
            if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, prefix.c_str(), 0, KEY_READ | KEY_WOW64_64KEY, &probe) !=
                ERROR_SUCCESS) {
                created_root_ = prefix;
                break;
            }
            RegCloseKey(probe);
            if (next == std::wstring::npos) break;
            at = next + 1;
        }
        DWORD disposition = 0;
        const LSTATUS rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path_.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE,
                                           KEY_ALL_ACCESS | KEY_WOW64_64KEY, nullptr, &key_, &disposition);
        if (rc != ERROR_SUCCESS)
            throw std::system_error(static_cast<int>(rc), std::system_category(), "RegCreateKeyExW");
    }
    scratch_key(const scratch_key &) = delete;
    scratch_key &operator=(const scratch_key &) = delete;
    ~scratch_key() { remove(); }
    void remove() {
        if (key_ != nullptr) RegCloseKey(key_);
        key_ = nullptr;
        if (!created_root_.empty()) {
            RegDeleteTreeW(HKEY_LOCAL_MACHINE, created_root_.c_str()); // the key and everything below it
            created_root_.clear();
        }
    }
    [[nodiscard]] bool existed() const { return existed_; }
    [[nodiscard]] const std::wstring &created_root() const { return created_root_; }
    void set_string(const wchar_t *name, std::wstring_view value, DWORD type = REG_SZ) const {
        const std::wstring v(value);
        const LSTATUS rc = RegSetValueExW(key_, name, 0, type, reinterpret_cast<const BYTE *>(v.c_str()),
                                          static_cast<DWORD>((v.size() + 1) * sizeof(wchar_t)));
        if (rc != ERROR_SUCCESS)
            throw std::system_error(static_cast<int>(rc), std::system_category(), "RegSetValueExW");
    }
    void set_dword(const wchar_t *name, DWORD value) const {
        const LSTATUS rc =
            RegSetValueExW(key_, name, 0, REG_DWORD, reinterpret_cast<const BYTE *>(&value), sizeof value);
        if (rc != ERROR_SUCCESS)
            throw std::system_error(static_cast<int>(rc), std::system_category(), "RegSetValueExW");
    }

private:
    std::wstring path_;
    std::wstring created_root_;
    HKEY key_ = nullptr;
    bool existed_ = false;
};

// True when HKLM\path exists.
inline bool key_exists(const std::wstring &path) {
    HKEY k = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, KEY_READ | KEY_WOW64_64KEY, &k) != ERROR_SUCCESS)
        return false;
    RegCloseKey(k);
    return true;
}

} // namespace fw::wintest
