#include "cursor/file.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#ifdef _WIN32
#include <windows.h>
#else
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fw::cursor {

#ifdef _WIN32

namespace {

using util::long_path;
constexpr auto &os_message = util::win32_message;

// Missing file, folder, drive or network share.
bool is_missing(DWORD code) {
    return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND || code == ERROR_INVALID_DRIVE ||
           code == ERROR_BAD_NETPATH || code == ERROR_BAD_NET_NAME;
}

[[noreturn]] void fail_os(std::string_view what, std::string_view path, DWORD code) {
    int status = FW_EIO;
    if (is_missing(code)) status = FW_ENOTFOUND;
    else if (code == ERROR_ACCESS_DENIED || code == ERROR_PRIVILEGE_NOT_HELD) status = FW_EACCESS;
    else if (code == ERROR_INVALID_NAME || code == ERROR_DIRECTORY) status = FW_EINVALID;
    throw error(status, FW_ERRCLASS_OS, fmt::format("{} '{}': {}", what, path, os_message(code)),
                static_cast<int>(code));
}

} // namespace

std::optional<file> file::open_impl(std::string_view path, bool missing_ok) {
    if (path.empty()) fail_invalid("empty path");
    std::wstring wide = long_path(util::widen(path, path));
    HANDLE h = CreateFileW(wide.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        const DWORD code = GetLastError();
        // A file being deleted (a pending delete while another handle is open) behaves as missing.
        if (missing_ok && (is_missing(code) || code == ERROR_DELETE_PENDING)) return std::nullopt;
        // Opening a folder without backup semantics fails with access denied: say what it is.
        const DWORD attrs = GetFileAttributesW(wide.c_str());
        if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0)
            throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("'{}' is a folder, not a log file", path));
        fail_os("cannot open", path, code);
    }
    file f(h, std::string(path));
    BY_HANDLE_FILE_INFORMATION info{};
    if (GetFileInformationByHandle(h, &info) && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0)
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("'{}' is a folder, not a log file", path));
    // A pipe, console or device: refused as the reader refuses it (a read could wait forever).
    if (GetFileType(h) != FILE_TYPE_DISK)
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                    fmt::format("cannot read '{}': not a regular file (a pipe or device is not a log file)", path));
    return f;
}

void file::close() noexcept {
    if (h_ != nullptr && h_ != INVALID_HANDLE_VALUE) CloseHandle(h_);
    h_ = nullptr;
}

std::uint64_t file::size() const {
    LARGE_INTEGER n{};
    if (!GetFileSizeEx(h_, &n)) fail_os("cannot get the size of", path_, GetLastError());
    return static_cast<std::uint64_t>(n.QuadPart);
}

os_identity file::identity() const {
    os_identity id;
    // FILE_ID_INFO: 64-bit volume serial and 128-bit file id (ReFS needs all 128 bits).
    FILE_ID_INFO fid{};
    if (GetFileInformationByHandleEx(h_, FileIdInfo, &fid, sizeof fid)) {
        id.volume = fid.VolumeSerialNumber;
        std::uint64_t lo = 0;
        std::uint64_t hi = 0;
        static_assert(sizeof fid.FileId.Identifier == 16);
        for (int i = 7; i >= 0; --i) lo = (lo << 8) | fid.FileId.Identifier[i];
        for (int i = 15; i >= 8; --i) hi = (hi << 8) | fid.FileId.Identifier[i];
        id.index_lo = lo;
        id.index_hi = hi;
        id.known = true;
        return id;
    }
    // Older systems and some redirectors: the 32-bit serial and 64-bit index.
    BY_HANDLE_FILE_INFORMATION info{};
    if (GetFileInformationByHandle(h_, &info)) {
        id.volume = info.dwVolumeSerialNumber;
        id.index_lo = (static_cast<std::uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
        id.known = true;
    }
    return id;
}

std::size_t file::read_at(std::uint64_t offset, std::span<std::byte> buffer) const {
    std::size_t done = 0;
    while (done < buffer.size()) {
        const std::size_t want = std::min<std::size_t>(buffer.size() - done, 1u << 20);
        OVERLAPPED ov{};
        const std::uint64_t at = offset + done;
        ov.Offset = static_cast<DWORD>(at & 0xffffffffu);
        ov.OffsetHigh = static_cast<DWORD>(at >> 32);
        DWORD got = 0;
        if (!ReadFile(h_, buffer.data() + done, static_cast<DWORD>(want), &got, &ov)) {
            const DWORD code = GetLastError();
            if (code == ERROR_HANDLE_EOF) break;
            fail_os("cannot read", path_, code);
        }
        if (got == 0) break;
        done += got;
    }
    return done;
}

#else // POSIX

namespace {

[[noreturn]] void fail_os(std::string_view what, std::string_view path, int code) {
    int status = FW_EIO;
    if (code == ENOENT || code == ENOTDIR) status = FW_ENOTFOUND;
    else if (code == EACCES || code == EPERM) status = FW_EACCESS;
    throw error(status, FW_ERRCLASS_OS, fmt::format("{} '{}': {}", what, path, std::strerror(code)), code);
}

} // namespace

std::optional<file> file::open_impl(std::string_view path, bool missing_ok) {
    if (path.empty()) fail_invalid("empty path");
    std::string p(path);
    if (p.find('\0') != std::string::npos) fail_invalid("path contains a NUL character");
    // O_NONBLOCK: opening a FIFO (or a tty) must never wait for a writer; anything but a
    // regular file is refused below, as the reader refuses it.
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        const int code = errno;
        if (missing_ok && (code == ENOENT || code == ENOTDIR)) return std::nullopt;
        fail_os("cannot open", path, code);
    }
    file f(fd, std::move(p));
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail_os("cannot stat", path, errno);
    if (S_ISDIR(st.st_mode))
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("'{}' is a folder, not a log file", path));
    if (!S_ISREG(st.st_mode))
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                    fmt::format("cannot read '{}': not a regular file (a FIFO, device or socket is not a log file)", path));
    return f;
}

void file::close() noexcept {
    if (h_ >= 0) ::close(h_);
    h_ = -1;
}

std::uint64_t file::size() const {
    struct stat st {};
    if (::fstat(h_, &st) != 0) fail_os("cannot stat", path_, errno);
    return static_cast<std::uint64_t>(st.st_size);
}

os_identity file::identity() const {
    struct stat st {};
    if (::fstat(h_, &st) != 0) fail_os("cannot stat", path_, errno);
    os_identity id;
    id.volume = static_cast<std::uint64_t>(st.st_dev);
    id.index_lo = static_cast<std::uint64_t>(st.st_ino);
    id.known = true;
    return id;
}

std::size_t file::read_at(std::uint64_t offset, std::span<std::byte> buffer) const {
    std::size_t done = 0;
    while (done < buffer.size()) {
        const ssize_t got = ::pread(h_, buffer.data() + done, buffer.size() - done,
                                    static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            fail_os("cannot read", path_, errno);
        }
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    return done;
}

#endif

file file::open(std::string_view path) { return std::move(*open_impl(path, false)); }

std::optional<file> file::open_if_exists(std::string_view path) { return open_impl(path, true); }

file::file(file &&other) noexcept : h_(std::exchange(other.h_, invalid_handle)), path_(std::move(other.path_)) {}

file &file::operator=(file &&other) noexcept {
    if (this != &other) {
        close();
        h_ = std::exchange(other.h_, invalid_handle);
        path_ = std::move(other.path_);
    }
    return *this;
}

file::~file() { close(); }

} // namespace fw::cursor
