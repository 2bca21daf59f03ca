// An io::file as the reader's input: its size when opened, positioned reads. Nothing of the file is ever
// mapped: the reader's constructor reads the few bytes it looks at (the BOM, the encoding, the bytes before a
// resume point) into a small buffer like everything else. A map would cost a 32-bit process address space the
// size of the file (a log over 4 GiB could not be read at all), turn an I/O error on a share into
// EXCEPTION_IN_PAGE_ERROR (Windows) or a file cut under it into SIGBUS (POSIX), both ending the process, and
// while it lives stop the firewall service from truncating or replacing the log (ERROR_USER_MAPPED_FILE).
// Bulk reading through read_at into one buffer is also cheaper than faulting in a map page by page.
#pragma once

#include "io/file.hpp"
#include "io/source.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fw::io {

class file_source final : public source {
public:
    // Opens path (UTF-8; see file::open: full sharing, regular files only, errors naming the path). Throws fw::error.
    explicit file_source(std::string_view path_utf8);
    explicit file_source(file f);

    // The size when opened.
    [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }
    // The file's size now (it may have grown or shrunk since it was opened); size() if it cannot be had.
    [[nodiscard]] std::uint64_t current_size() const noexcept override;
    [[nodiscard]] const std::string &name() const noexcept override { return file_.path(); }
    [[nodiscard]] const std::string &path() const noexcept { return file_.path(); }
    // Up to n bytes at offset into dst; fewer at the end of the file (0 past it). Throws fw::error FW_EIO
    // naming the path and the reason.
    std::size_t read_at(std::uint64_t offset, char *dst, std::size_t n) const override {
        return file_.read_at(offset, dst, n);
    }

    // The same open file once more, for another thread's read_at (see file::reopen: from the handle, never
    // the path). size() is this one's.
    [[nodiscard]] file_source reopen() const { return file_source(file_.reopen(), size_); }

private:
    file_source(file f, std::uint64_t size) noexcept : file_(std::move(f)), size_(size) {} // for reopen

    file file_;
    std::uint64_t size_ = 0;
};

} // namespace fw::io
