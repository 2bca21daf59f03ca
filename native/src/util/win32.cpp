#include "util/win32.hpp"

#ifdef _WIN32

#include "core/error.hpp"

#include <fmt/format.h>

#include <windows.h>

namespace fw::util {

std::wstring widen(std::string_view utf8, std::string_view shown) {
    if (utf8.empty()) return {};
    if (utf8.size() > 0x7fffffff) fail_invalid(fmt::format("path '{}' is too long", shown));
    const int len = static_cast<int>(utf8.size());
    const int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), len, nullptr, 0);
    if (n <= 0) fail_invalid(fmt::format("path '{}' is not valid UTF-8", shown));
    std::wstring w(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), len, w.data(), n);
    return w;
}

std::string narrow(std::wstring_view w) {
    if (w.empty() || w.size() > 0x7fffffff) return {};
    const int len = static_cast<int>(w.size());
    const int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), len, nullptr, 0, nullptr, nullptr);
    if (n <= 0) return {};
    std::string s(static_cast<std::size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, w.data(), len, s.data(), n, nullptr, nullptr);
    return s;
}

std::wstring long_path(const std::wstring &w) {
    if (w.rfind(L"\\\\?\\", 0) == 0 || w.rfind(L"\\\\.\\", 0) == 0) return w;
    const DWORD need = GetFullPathNameW(w.c_str(), 0, nullptr, nullptr);
    if (need == 0) return w;
    std::wstring full(need, L'\0');
    const DWORD got = GetFullPathNameW(w.c_str(), need, full.data(), nullptr);
    if (got == 0 || got >= need) return w;
    full.resize(got);
    if (full.rfind(L"\\\\", 0) == 0) return L"\\\\?\\UNC\\" + full.substr(2); // \\server\share\...
    if (full.size() >= 2 && full[1] == L':') return L"\\\\?\\" + full;
    return full;
}

std::string win32_message(unsigned long code) {
    wchar_t *buf = nullptr;
    DWORD len = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                               nullptr, static_cast<DWORD>(code), 0, reinterpret_cast<wchar_t *>(&buf), 0, nullptr);
    std::string text;
    if (len != 0 && buf != nullptr) {
        while (len > 0 && (buf[len - 1] == L'\r' || buf[len - 1] == L'\n' || buf[len - 1] == L' ' || buf[len - 1] == L'.'))
            --len;
        text = narrow(std::wstring_view(buf, len));
    }
    if (buf != nullptr) LocalFree(buf);
    if (text.empty()) text = fmt::format("Windows error {}", code);
    return text;
}

} // namespace fw::util

#endif
