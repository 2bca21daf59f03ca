#include "io/file.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>
#include <utility>

#ifdef _WIN32
#include <windows.h>
#else
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fw::io {

namespace {

[[noreturn]] void fail_folder(std::string_view path, std::string_view expected) {
    throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("cannot read '{}': it is a directory, not {}", path, expected));
}

} // namespace

#ifdef _WIN32

namespace {

constexpr DWORD full_sharing = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Missing file, folder, drive or network share.
bool is_missing(DWORD code) {
    return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND || code == ERROR_INVALID_DRIVE ||
           code == ERROR_BAD_NETPATH || code == ERROR_BAD_NET_NAME;
}

// CreateFileW and ReOpenFile fail with ERROR_ACCESS_DENIED on a file whose delete is pending (deleted while some
// handle is still open: the firewall service replacing pfirewall.log.old while a backup agent, a scanner or a
// slow reader holds it). The thread's last NTSTATUS tells the two apart. Looked up before the call it judges:
// the lookup itself may set the thread's status.
using last_status_fn = LONG(WINAPI *)();
last_status_fn last_status_reader() noexcept {
    static const auto reader = reinterpret_cast<last_status_fn>(reinterpret_cast<void (*)()>(
        GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "RtlGetLastNtStatus")));
    return reader;
}
constexpr LONG status_delete_pending = static_cast<LONG>(0xC0000056);

// GetLastError() of a failed open, ERROR_DELETE_PENDING for a file being deleted.
DWORD open_error(last_status_fn last_status) noexcept {
    const DWORD code = GetLastError();
    if (code == ERROR_ACCESS_DENIED && last_status != nullptr && last_status() == status_delete_pending)
        return ERROR_DELETE_PENDING;
    return code;
}

[[noreturn]] void fail_os(DWORD code, std::string_view path, std::string_view what) {
    const std::string reason = util::win32_message(code);
    const int os = static_cast<int>(code);
    if (code == ERROR_DELETE_PENDING)
        throw error(FW_ENOTFOUND, FW_ERRCLASS_OS,
                    fmt::format("cannot {} '{}': it is being deleted (the firewall may have rotated the log while "
                                "another program still had it open) ({})",
                                what, path, reason),
                    os);
    if (is_missing(code))
        throw error(FW_ENOTFOUND, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': not found ({})", what, path, reason), os);
    if (code == ERROR_ACCESS_DENIED || code == ERROR_PRIVILEGE_NOT_HELD)
        throw error(FW_EACCESS, FW_ERRCLASS_OS,
                    fmt::format("cannot {} '{}': access denied; run elevated (as Administrator) to read the firewall log ({})",
                                what, path, reason),
                    os);
    if (code == ERROR_INVALID_NAME || code == ERROR_DIRECTORY)
        throw error(FW_EINVALID, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': {}", what, path, reason), os);
    throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': {}", what, path, reason), os);
}

} // namespace

std::optional<file> file::open_impl(std::string_view path, std::string_view expected, bool missing_ok) {
    if (path.empty()) fail_invalid("empty path");
    const std::wstring wide = util::long_path(util::widen(path, path));
    const last_status_fn last_status = last_status_reader();
    HANDLE h = CreateFileW(wide.c_str(), GENERIC_READ, full_sharing, nullptr, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        const DWORD code = open_error(last_status);
        // A file being deleted (a pending delete while another handle is open) behaves as missing.
        if (missing_ok && (is_missing(code) || code == ERROR_DELETE_PENDING)) return std::nullopt;
        // Opening a folder without backup semantics fails with access denied: say what it is.
        const DWORD attrs = GetFileAttributesW(wide.c_str());
        if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0) fail_folder(path, expected);
        fail_os(code, path, "open");
    }
    file f(h, std::string(path));
    BY_HANDLE_FILE_INFORMATION info{};
    if (GetFileInformationByHandle(h, &info) && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0)
        fail_folder(path, expected);
    // A pipe, console or device: a read could wait forever.
    if (GetFileType(h) != FILE_TYPE_DISK)
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                    fmt::format("cannot read '{}': not a regular file (a pipe or device is not {})", path, expected));
    return f;
}

void file::close() noexcept {
    if (h_ != nullptr && h_ != INVALID_HANDLE_VALUE) CloseHandle(h_);
    h_ = nullptr;
}

std::uint64_t file::size() const {
    LARGE_INTEGER n{};
    if (!GetFileSizeEx(h_, &n)) fail_os(GetLastError(), path_, "get the size of");
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

std::size_t file::read_at(std::uint64_t offset, char *dst, std::size_t n) const {
    std::size_t total = 0;
    while (total < n) {
        OVERLAPPED ov{};
        const std::uint64_t at = offset + total;
        ov.Offset = static_cast<DWORD>(at & 0xffffffffu);
        ov.OffsetHigh = static_cast<DWORD>(at >> 32);
        const DWORD want = static_cast<DWORD>(std::min<std::size_t>(n - total, 1u << 30));
        DWORD got = 0;
        if (!ReadFile(h_, dst + total, want, &got, &ov)) {
            const DWORD code = GetLastError();
            if (code == ERROR_HANDLE_EOF) break;
            fail_os(code, path_, "read");
        }
        if (got == 0) break;
        total += got;
    }
    return total;
}

file file::reopen() const {
    // A new file object for the same file: synchronous reads on one handle would be serialised.
    const last_status_fn last_status = last_status_reader();
    HANDLE h = ReOpenFile(h_, GENERIC_READ, full_sharing, FILE_FLAG_SEQUENTIAL_SCAN);
    if (h == INVALID_HANDLE_VALUE) fail_os(open_error(last_status), path_, "reopen");
    return file(h, path_);
}

#else // POSIX

namespace {

[[noreturn]] void fail_os(int err, std::string_view path, std::string_view what) {
    const std::string reason = std::system_category().message(err);
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        throw error(FW_ENOTFOUND, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': not found ({})", what, path, reason), err);
    case EACCES:
    case EPERM:
        throw error(FW_EACCESS, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': permission denied ({})", what, path, reason),
                    err);
    default:
        throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': {}", what, path, reason), err);
    }
}

} // namespace

std::optional<file> file::open_impl(std::string_view path, std::string_view expected, bool missing_ok) {
    if (path.empty()) fail_invalid("empty path");
    std::string p(path);
    if (p.find('\0') != std::string::npos) fail_invalid("path contains a NUL character");
    // O_NONBLOCK: opening a FIFO (or a tty) must never wait for a writer; anything but a regular file is
    // refused below.
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        const int code = errno;
        if (missing_ok && (code == ENOENT || code == ENOTDIR)) return std::nullopt;
        if (code == EISDIR) fail_folder(path, expected);
        fail_os(code, path, "open");
    }
    file f(fd, std::move(p));
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail_os(errno, path, "stat");
    if (S_ISDIR(st.st_mode)) fail_folder(path, expected);
    if (!S_ISREG(st.st_mode))
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                    fmt::format("cannot read '{}': not a regular file (a FIFO, device or socket is not {})", path, expected));
    return f;
}

void file::close() noexcept {
    if (h_ >= 0) ::close(h_);
    h_ = -1;
}

std::uint64_t file::size() const {
    struct stat st {};
    if (::fstat(h_, &st) != 0) fail_os(errno, path_, "stat");
    return static_cast<std::uint64_t>(st.st_size);
}

os_identity file::identity() const {
    struct stat st {};
    if (::fstat(h_, &st) != 0) fail_os(errno, path_, "stat");
    os_identity id;
    id.volume = static_cast<std::uint64_t>(st.st_dev);
    id.index_lo = static_cast<std::uint64_t>(st.st_ino);
    id.known = true;
    return id;
}

std::size_t file::read_at(std::uint64_t offset, char *dst, std::size_t n) const {
    std::size_t total = 0;
    while (total < n) {
        const ssize_t got = ::pread(h_, dst + total, n - total, static_cast<off_t>(offset + total));
        if (got < 0) {
            if (errno == EINTR) continue;
            fail_os(errno, path_, "read");
        }
        if (got == 0) break;
        total += static_cast<std::size_t>(got);
    }
    return total;
}

file file::reopen() const {
    const int fd = ::fcntl(h_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) fail_os(errno, path_, "reopen");
    return file(fd, path_);
}

#endif

file file::open(std::string_view path, std::string_view expected) { return std::move(*open_impl(path, expected, false)); }

std::optional<file> file::open_if_exists(std::string_view path, std::string_view expected) {
    return open_impl(path, expected, true);
}

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

std::string read_whole_file(std::string_view path, std::string_view expected) {
    const file f = file::open(path, expected);
    std::string bytes;
    constexpr std::size_t chunk = 64 * 1024;
    for (;;) {
        const std::size_t have = bytes.size();
        bytes.resize(have + chunk);
        const std::size_t got = f.read_at(have, bytes.data() + have, chunk);
        bytes.resize(have + got);
        if (got == 0) return bytes;
    }
}

} // namespace fw::io
