// An io::file with a read-only map of its start, for the reader's constructor (the BOM, the encoding, the
// lines before a resume point). The map is virtual memory backed by the page cache, so heap use does not
// grow with the file; sizes are 64-bit. Bulk sequential reading goes through read_at into a small buffer:
// the kernel's copy out of the page cache is several times cheaper than faulting and walking 4 KiB pages
// of a map (measured: 0.2 s against 0.8 s of CPU per GiB on the build VM).
#pragma once

#include "io/file.hpp"
#include "io/source.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fw::io {

class mapped_file final : public source {
public:
    // Opens (see file::open: full sharing, regular files only, errors naming the path) and maps path
    // (UTF-8). Throws fw::error; FW_EIO when the map cannot be made.
    explicit mapped_file(std::string_view path_utf8);
    explicit mapped_file(file f);
    mapped_file(const mapped_file &) = delete;
    mapped_file &operator=(const mapped_file &) = delete;
    mapped_file(mapped_file &&other) noexcept;
    mapped_file &operator=(mapped_file &&other) noexcept;
    ~mapped_file() override;

    // The whole file as it was when opened; empty for an empty file. Valid until unmap() or the first
    // read_at, which release the view: on Windows a mapped view stops the firewall service from replacing
    // (rotating onto) or truncating the file (ERROR_ACCESS_DENIED, ERROR_USER_MAPPED_FILE), so it lives
    // only while a reader looks at the file's start. Empty afterwards.
    [[nodiscard]] std::span<const char> data() const noexcept {
        if (data_ == nullptr) return {};
        return {data_, static_cast<std::size_t>(size_)};
    }
    // Releases the view now (data() becomes empty); size() and read_at still work.
    void unmap() noexcept { drop_view(); }
    // The size when opened.
    [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }
    // The file's size now (it may have grown or shrunk since it was opened); size() if it cannot be had.
    [[nodiscard]] std::uint64_t current_size() const noexcept override;
    [[nodiscard]] const std::string &path() const noexcept { return file_.path(); }

    // The same open file once more, without a view, for another thread's read_at (see file::reopen).
    // size() is this one's.
    [[nodiscard]] mapped_file reopen() const;

    // Read up to n bytes at offset into dst; fewer at the end of the file (0 past it).
    // Releases the view first (see data()). Throws fw::error FW_EIO naming the path and the reason.
    std::size_t read_at(std::uint64_t offset, char *dst, std::size_t n) const override {
        drop_view();
        return file_.read_at(offset, dst, n);
    }

    // io::source
    [[nodiscard]] std::span<const char> head() const noexcept override { return data(); }
    void release_head() noexcept override { drop_view(); }
    [[nodiscard]] const std::string &name() const noexcept override { return file_.path(); }

private:
    mapped_file(file f, std::uint64_t size) noexcept : file_(std::move(f)), size_(size) {} // for reopen
    void drop_view() const noexcept;

    file file_;
    mutable const char *data_ = nullptr; // the view; dropped by read_at (see data())
    std::uint64_t size_ = 0;
};

} // namespace fw::io
