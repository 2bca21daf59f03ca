#include "io/mapped_file.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>
#include <utility>

#ifdef _WIN32
#include <windows.h>

#include <string>
#else
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fw::io {

#ifdef _WIN32
namespace {

using util::long_path;
using util::widen;
using util::win32_message;

[[noreturn]] void fail_os(DWORD code, std::string_view path, std::string_view what) {
    std::string reason = win32_message(code);
    int klass = FW_ERRCLASS_OS;
    int os = static_cast<int>(code);
    switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_INVALID_DRIVE:
        throw error(FW_ENOTFOUND, klass, fmt::format("cannot {} '{}': not found ({})", what, path, reason), os);
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
        throw error(FW_EACCESS, klass,
                    fmt::format("cannot {} '{}': access denied; run elevated (as Administrator) to read the firewall log ({})",
                                what, path, reason),
                    os);
    case ERROR_INVALID_NAME:
    case ERROR_DIRECTORY:
        throw error(FW_EINVALID, klass, fmt::format("cannot {} '{}': {}", what, path, reason), os);
    default:
        throw error(FW_EIO, klass, fmt::format("cannot {} '{}': {}", what, path, reason), os);
    }
}

struct handle {
    HANDLE h = INVALID_HANDLE_VALUE;
    ~handle() {
        if (h != INVALID_HANDLE_VALUE && h != nullptr) CloseHandle(h);
    }
};

} // namespace

mapped_file::mapped_file(std::string_view path_utf8) : path_(path_utf8) {
    std::wstring wide = long_path(widen(path_utf8, path_));
    handle file;
    file.h = CreateFileW(wide.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, nullptr);
    if (file.h == INVALID_HANDLE_VALUE) {
        DWORD code = GetLastError();
        // Opening a directory without backup semantics fails with access denied.
        DWORD attrs = GetFileAttributesW(wide.c_str());
        if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0)
            throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("cannot open '{}': it is a directory", path_));
        fail_os(code, path_, "open");
    }
    if (GetFileType(file.h) != FILE_TYPE_DISK)
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("cannot read '{}': not a regular file", path_));
    LARGE_INTEGER size{};
    if (!GetFileSizeEx(file.h, &size)) fail_os(GetLastError(), path_, "get the size of");
    size_ = static_cast<std::uint64_t>(size.QuadPart);
    if (size_ == 0) {
        handle_ = std::exchange(file.h, INVALID_HANDLE_VALUE); // kept for read_at
        return;
    }
    if (size_ > static_cast<std::uint64_t>(SIZE_MAX))
        throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot map '{}': {} bytes do not fit in the address space", path_, size_));
    handle mapping;
    // Map the size seen above: the service may append meanwhile; the rest is read next time.
    mapping.h = CreateFileMappingW(file.h, nullptr, PAGE_READONLY, static_cast<DWORD>(size_ >> 32),
                                   static_cast<DWORD>(size_ & 0xffffffffu), nullptr);
    if (mapping.h == nullptr) fail_os(GetLastError(), path_, "map");
    void *view = MapViewOfFile(mapping.h, FILE_MAP_READ, 0, 0, static_cast<SIZE_T>(size_));
    if (view == nullptr) fail_os(GetLastError(), path_, "map a view of");
    // The view keeps the mapping open; its handle closes here.
    data_ = static_cast<const char *>(view);
    handle_ = std::exchange(file.h, INVALID_HANDLE_VALUE); // kept for read_at
}

mapped_file mapped_file::reopen() const {
    mapped_file copy;
    copy.path_ = path_;
    copy.size_ = size_;
    // A new file object for the same file: synchronous reads on one handle would be serialised.
    HANDLE h = ReOpenFile(static_cast<HANDLE>(handle_), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                          FILE_FLAG_SEQUENTIAL_SCAN);
    if (h == INVALID_HANDLE_VALUE) fail_os(GetLastError(), path_, "reopen");
    copy.handle_ = h;
    return copy;
}

std::size_t mapped_file::read_at(std::uint64_t offset, char *dst, std::size_t n) const {
    drop_view();
    std::size_t total = 0;
    while (total < n) {
        OVERLAPPED ov{};
        std::uint64_t at = offset + total;
        ov.Offset = static_cast<DWORD>(at & 0xffffffffu);
        ov.OffsetHigh = static_cast<DWORD>(at >> 32);
        DWORD want = static_cast<DWORD>(std::min<std::size_t>(n - total, 1u << 30));
        DWORD got = 0;
        if (!ReadFile(static_cast<HANDLE>(handle_), dst + total, want, &got, &ov)) {
            DWORD code = GetLastError();
            if (code == ERROR_HANDLE_EOF) break;
            fail_os(code, path_, "read");
        }
        if (got == 0) break;
        total += got;
    }
    return total;
}

std::uint64_t mapped_file::current_size() const noexcept {
    LARGE_INTEGER n{};
    if (!GetFileSizeEx(static_cast<HANDLE>(handle_), &n)) return size_;
    return static_cast<std::uint64_t>(n.QuadPart);
}

void mapped_file::drop_view() const noexcept {
    if (data_ != nullptr) UnmapViewOfFile(data_);
    data_ = nullptr;
}

void mapped_file::release() noexcept {
    drop_view();
    if (handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE) CloseHandle(static_cast<HANDLE>(handle_));
    handle_ = nullptr;
    data_ = nullptr;
    size_ = 0;
}

#else // POSIX

namespace {

[[noreturn]] void fail_os(int err, std::string_view path, std::string_view what) {
    std::string reason = std::system_category().message(err);
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        throw error(FW_ENOTFOUND, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': not found ({})", what, path, reason), err);
    case EACCES:
    case EPERM:
        throw error(FW_EACCESS, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': permission denied ({})", what, path, reason),
                    err);
    case EISDIR:
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("cannot {} '{}': it is a directory", what, path), err);
    default:
        throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot {} '{}': {}", what, path, reason), err);
    }
}

struct descriptor {
    int fd = -1;
    ~descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

mapped_file::mapped_file(std::string_view path_utf8) : path_(path_utf8) {
    if (path_.find('\0') != std::string::npos)
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, "path contains a NUL character");
    descriptor file;
    // O_NONBLOCK: opening a FIFO must not hang; it is refused below.
    file.fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (file.fd < 0) fail_os(errno, path_, "open");
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) fail_os(errno, path_, "stat");
    if (S_ISDIR(st.st_mode)) fail_os(EISDIR, path_, "read");
    if (!S_ISREG(st.st_mode))
        throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, fmt::format("cannot read '{}': not a regular file", path_));
    size_ = static_cast<std::uint64_t>(st.st_size);
    if (size_ == 0) {
        fd_ = std::exchange(file.fd, -1); // kept for read_at
        return;
    }
    if (size_ > static_cast<std::uint64_t>(SIZE_MAX))
        throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot map '{}': {} bytes do not fit in the address space", path_, size_));
    void *p = ::mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (p == MAP_FAILED) fail_os(errno, path_, "map");
    ::madvise(p, static_cast<std::size_t>(size_), MADV_SEQUENTIAL);
    data_ = static_cast<const char *>(p);
    fd_ = std::exchange(file.fd, -1); // kept for read_at
}

mapped_file mapped_file::reopen() const {
    mapped_file copy;
    copy.path_ = path_;
    copy.size_ = size_;
    copy.fd_ = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
    if (copy.fd_ < 0) fail_os(errno, path_, "reopen");
    return copy;
}

std::size_t mapped_file::read_at(std::uint64_t offset, char *dst, std::size_t n) const {
    drop_view(); // the same contract as on Windows (see data())
    std::size_t total = 0;
    while (total < n) {
        ssize_t got = ::pread(fd_, dst + total, n - total, static_cast<off_t>(offset + total));
        if (got < 0) {
            if (errno == EINTR) continue;
            fail_os(errno, path_, "read");
        }
        if (got == 0) break;
        total += static_cast<std::size_t>(got);
    }
    return total;
}

std::uint64_t mapped_file::current_size() const noexcept {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) return size_;
    return static_cast<std::uint64_t>(st.st_size);
}

void mapped_file::drop_view() const noexcept {
    if (data_ != nullptr) ::munmap(const_cast<char *>(data_), static_cast<std::size_t>(size_));
    data_ = nullptr;
}

void mapped_file::release() noexcept {
    drop_view();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    data_ = nullptr;
    size_ = 0;
}

#endif

mapped_file::mapped_file(mapped_file &&other) noexcept
    : path_(std::move(other.path_)), data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {
#ifdef _WIN32
    handle_ = std::exchange(other.handle_, nullptr);
#else
    fd_ = std::exchange(other.fd_, -1);
#endif
}

mapped_file &mapped_file::operator=(mapped_file &&other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
#ifdef _WIN32
        handle_ = std::exchange(other.handle_, nullptr);
#else
        fd_ = std::exchange(other.fd_, -1);
#endif
    }
    return *this;
}

mapped_file::~mapped_file() { release(); }

} // namespace fw::io
