// One read-only open file: opened with full sharing (the firewall service keeps writing and may rename,
// replace or truncate the log while it is open), only a regular file (a FIFO, device, socket or folder
// is refused, and opening one never waits), positioned reads, size and OS identity. A POSIX descriptor
// or a Win32 HANDLE (long paths through util/win32). The reader reads it through file_source (nothing is
// ever mapped); the cursor and bookmarks use it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fw::io {

// The operating system's identity of an open file: (device, inode) on POSIX, (volume serial, 128-bit
// file id) on Windows. known is false when the system cannot tell.
struct os_identity {
    std::uint64_t volume = 0;
    std::uint64_t index_lo = 0;
    std::uint64_t index_hi = 0;
    bool known = false;
};

class file {
public:
    // Opens path (UTF-8) for reading. Throws fw::error naming the path and the operating system's reason:
    //  FW_ENOTFOUND missing file or folder, FW_EACCESS permission denied, FW_EINVALID a folder ("cannot read 'p':
    //  it is a directory, not <expected>") or not a regular file, FW_EIO anything else.
    static file open(std::string_view path, std::string_view expected = "a log file");
    // Like open, but a missing file (or folder, or a file being deleted on Windows) is an empty optional.
    static std::optional<file> open_if_exists(std::string_view path, std::string_view expected = "a log file");

    file(file &&other) noexcept;
    file &operator=(file &&other) noexcept;
    file(const file &) = delete;
    file &operator=(const file &) = delete;
    ~file();

    [[nodiscard]] const std::string &path() const noexcept { return path_; }
    // The file's size now. Throws fw::error FW_EIO.
    [[nodiscard]] std::uint64_t size() const;
    [[nodiscard]] os_identity identity() const;
    // Reads up to n bytes at offset; fewer at the end of the file (0 past it). Throws fw::error FW_EIO.
    std::size_t read_at(std::uint64_t offset, char *dst, std::size_t n) const;
    std::size_t read_at(std::uint64_t offset, std::span<std::byte> buffer) const {
        return read_at(offset, reinterpret_cast<char *>(buffer.data()), buffer.size());
    }
    // The same open file once more, for another thread's read_at: a descriptor duplicated (POSIX) or a
    // handle reopened (Windows: synchronous reads on one handle are serialised), never the path opened
    // again, so a rotation meanwhile cannot swap the file. Throws fw::error FW_EIO.
    [[nodiscard]] file reopen() const;

private:
#ifdef _WIN32
    using native_handle = void *; // HANDLE
    static constexpr native_handle invalid_handle = nullptr;
#else
    using native_handle = int;
    static constexpr native_handle invalid_handle = -1;
#endif

    file(native_handle h, std::string path) noexcept : h_(h), path_(std::move(path)) {}
    static std::optional<file> open_impl(std::string_view path, std::string_view expected, bool missing_ok);
    void close() noexcept;

    native_handle h_ = invalid_handle;
    std::string path_;
};

// The whole content of a small file (a .reg export, a rule list), with open's checks and errors.
[[nodiscard]] std::string read_whole_file(std::string_view path, std::string_view expected);

} // namespace fw::io
