#include "io/mapped_file.hpp"

#include "core/error.hpp"
#include "util/win32.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <utility>

#ifdef _WIN32
#include <windows.h>
#else
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#endif

namespace fw::io {

namespace {

[[noreturn]] void fail_map(std::string_view path, std::string reason, int os) {
    throw error(FW_EIO, FW_ERRCLASS_OS, fmt::format("cannot map '{}': {}", path, reason), os);
}

} // namespace

mapped_file::mapped_file(std::string_view path_utf8) : mapped_file(file::open(path_utf8)) {}

mapped_file::mapped_file(file f) : file_(std::move(f)) {
    size_ = file_.size();
    if (size_ == 0) return; // nothing to map; read_at still works
    if (size_ > static_cast<std::uint64_t>(SIZE_MAX))
        fail_map(path(), fmt::format("{} bytes do not fit in the address space", size_), 0);
#ifdef _WIN32
    // Map the size seen above: the service may append meanwhile; the rest is read next time.
    HANDLE mapping = CreateFileMappingW(static_cast<HANDLE>(file_.native()), nullptr, PAGE_READONLY,
                                        static_cast<DWORD>(size_ >> 32), static_cast<DWORD>(size_ & 0xffffffffu), nullptr);
    if (mapping == nullptr) {
        const DWORD code = GetLastError();
        fail_map(path(), util::win32_message(code), static_cast<int>(code));
    }
    void *view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, static_cast<SIZE_T>(size_));
    const DWORD code = GetLastError();
    CloseHandle(mapping); // the view keeps the mapping open
    if (view == nullptr) fail_map(path(), util::win32_message(code), static_cast<int>(code));
    data_ = static_cast<const char *>(view);
#else
    void *p = ::mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ, MAP_PRIVATE, file_.native(), 0);
    if (p == MAP_FAILED) {
        const int code = errno;
        fail_map(path(), std::strerror(code), code);
    }
    ::madvise(p, static_cast<std::size_t>(size_), MADV_SEQUENTIAL);
    data_ = static_cast<const char *>(p);
#endif
}

mapped_file mapped_file::reopen() const { return mapped_file(file_.reopen(), size_); }

std::uint64_t mapped_file::current_size() const noexcept {
    try {
        return file_.size();
    } catch (...) {
        return size_;
    }
}

void mapped_file::drop_view() const noexcept {
    if (data_ == nullptr) return;
#ifdef _WIN32
    UnmapViewOfFile(data_);
#else
    ::munmap(const_cast<char *>(data_), static_cast<std::size_t>(size_));
#endif
    data_ = nullptr;
}

mapped_file::mapped_file(mapped_file &&other) noexcept
    : source(), file_(std::move(other.file_)), data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

mapped_file &mapped_file::operator=(mapped_file &&other) noexcept {
    if (this != &other) {
        drop_view();
        file_ = std::move(other.file_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

mapped_file::~mapped_file() { drop_view(); }

} // namespace fw::io
