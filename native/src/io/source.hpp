// What the log reader reads: bytes by offset, and the size. A file (file_source), bytes in memory
// (memory_source: the fuzz targets and tests read a log without a file in between), or either borrowed from
// its owner (borrowed_source: parallel_reader's one open file per worker, read range after range). The reader
// reads the bytes it looks at in its constructor (the BOM, the encoding, a resume point) with read_at too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fw::io {

class source {
public:
    virtual ~source() = default;
    // The size when opened, and now (a log grows, shrinks or is rewritten while it is read).
    [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
    [[nodiscard]] virtual std::uint64_t current_size() const noexcept = 0;
    // The name messages give (a file's path).
    [[nodiscard]] virtual const std::string &name() const noexcept = 0;
    // Up to n bytes at offset into dst; fewer at the end (0 past it). Throws fw::error FW_EIO.
    virtual std::size_t read_at(std::uint64_t offset, char *dst, std::size_t n) const = 0;

protected:
    source() = default;
    source(const source &) = default;
    source &operator=(const source &) = default;
};

// Bytes the caller keeps alive for the reader's life (not copied).
class memory_source final : public source {
public:
    memory_source(std::span<const char> bytes, std::string name) : bytes_(bytes), name_(std::move(name)) {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return bytes_.size(); }
    [[nodiscard]] std::uint64_t current_size() const noexcept override { return bytes_.size(); }
    [[nodiscard]] const std::string &name() const noexcept override { return name_; }
    std::size_t read_at(std::uint64_t offset, char *dst, std::size_t n) const override {
        if (offset >= bytes_.size()) return 0;
        const std::size_t got = std::min<std::size_t>(n, bytes_.size() - static_cast<std::size_t>(offset));
        std::copy_n(bytes_.data() + offset, got, dst);
        return got;
    }

private:
    std::span<const char> bytes_;
    std::string name_;
};

// Another source, borrowed: the owner keeps it alive (and uses it from no other thread) while this lives.
class borrowed_source final : public source {
public:
    explicit borrowed_source(const source &of) noexcept : of_(&of) {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return of_->size(); }
    [[nodiscard]] std::uint64_t current_size() const noexcept override { return of_->current_size(); }
    [[nodiscard]] const std::string &name() const noexcept override { return of_->name(); }
    std::size_t read_at(std::uint64_t offset, char *dst, std::size_t n) const override {
        return of_->read_at(offset, dst, n);
    }

private:
    const source *of_;
};

} // namespace fw::io
