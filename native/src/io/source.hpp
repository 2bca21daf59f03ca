// What the log reader reads: bytes by offset, and the input's start at once (the BOM, the encoding, the
// lines before a resume point). A file (mapped_file) or bytes in memory (memory_source: the fuzz targets
// and tests read a log without a file in between).
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
    // The whole input as it was when opened, until release_head(); empty afterwards. The reader looks at
    // it in its constructor only (a file's mapped view must not outlive that, see mapped_file).
    [[nodiscard]] virtual std::span<const char> head() const noexcept = 0;
    virtual void release_head() noexcept = 0;
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
    [[nodiscard]] std::span<const char> head() const noexcept override { return released_ ? std::span<const char>{} : bytes_; }
    void release_head() noexcept override { released_ = true; }
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
    bool released_ = false;
};

} // namespace fw::io
