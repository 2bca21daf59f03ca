// A plain read-only file handle for identity checks: opened with full sharing
// (the firewall service keeps writing and may rename or replace the file while
// it is open), positioned reads, size and OS identity. POSIX fd or Win32 HANDLE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fw::cursor {

struct os_identity {
    std::uint64_t volume = 0;
    std::uint64_t index_lo = 0;
    std::uint64_t index_hi = 0;
    bool known = false;
};

class file {
public:
    // Opens path (UTF-8) for reading. Throws fw::error (FW_ENOTFOUND, FW_EACCESS, FW_EIO, FW_EINVALID).
    static file open(std::string_view path);
    // Like open, but a missing file (or missing folder) is an empty optional.
    static std::optional<file> open_if_exists(std::string_view path);

    file(file &&other) noexcept;
    file &operator=(file &&other) noexcept;
    file(const file &) = delete;
    file &operator=(const file &) = delete;
    ~file();

    [[nodiscard]] std::uint64_t size() const;
    [[nodiscard]] os_identity identity() const;
    // Reads up to buffer.size() bytes at offset; returns the bytes read (short at end of file).
    [[nodiscard]] std::size_t read_at(std::uint64_t offset, std::span<std::byte> buffer) const;

private:
#ifdef _WIN32
    using native_handle = void *;
    static constexpr native_handle invalid_handle = nullptr;
#else
    using native_handle = int;
    static constexpr native_handle invalid_handle = -1;
#endif
    file(native_handle h, std::string path) noexcept : h_(h), path_(std::move(path)) {}
    static std::optional<file> open_impl(std::string_view path, bool missing_ok);
    void close() noexcept;

    native_handle h_;
    std::string path_;
};

} // namespace fw::cursor
