// The log reader: a file read line by line in batches of typed records.
//
// The text goes through one bounded buffer, refilled with positioned reads
// (see io::source::read_at): UTF-8 (with or without BOM) as it is, UTF-16LE
// with a BOM narrowed unit by unit (see narrow_utf16le). Heap use stays
// constant whatever the file size. The constructor reads what it looks at the
// same way, into small buffers: the first 64 KiB (BOM, encoding, CR-only line
// ends) and the bytes just before a start_offset; nothing is ever mapped.
// The input is a file (io::file_source) or bytes in memory (io::memory_source).
#pragma once

#include "io/file_source.hpp"
#include "io/source.hpp"
#include "log/fields.hpp"
#include "log/filter.hpp"
#include "log/layout.hpp"
#include "log/scan.hpp"

#include <fw/log.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fw::log {

// The reader's buffer by default, in (narrowed) bytes; also the longest line it takes.
inline constexpr std::size_t default_buffer_size = 256 * 1024;
// The bytes at the start of an input the constructor reads to look for LF line ends (the CR-only check).
inline constexpr std::size_t head_look_bytes = 64 * 1024;

struct reader_options {
    std::uint32_t batch_size = 4096;
    std::uint64_t start_offset = 0; // a line start (or 0)
    filter filt;
    // Use POPCNT/BMI1 when the CPU has them (false: the baseline code, for tests).
    bool cpu_features = true;
    // Type the lines the firewall writes in one pass (type_plain_line; false: stage 1 and type_record for
    // every line, for tests).
    bool plain_path = true;
    // Pass over lines that cannot match a filter naming one port (they lack its digits) without reading
    // them (false: every line is read and checked, for tests).
    bool literal_skip = true;
    // fw_record_fields to type (FW_FIELDS_ALL: every one).
    std::uint32_t fields = FW_FIELDS_ALL;
    // Read up to this file offset only (a line start, or past the end: the whole file). parallel_reader
    // reads one file as several ranges [start_offset, end_offset).
    std::uint64_t end_offset = UINT64_MAX;
    // The state at start_offset when the caller knows it (parallel_reader): the reader then neither looks
    // at the file's start (BOM, layout) nor counts the lines before start_offset. The file is UTF-8 and
    // start_offset a line start past any BOM; line numbers count from start_offset (its line is line 1).
    struct range_start {
        std::optional<layout> fields; // the '#Fields:' layout in force; nullopt before any
    };
    std::optional<range_start> known_start;
    // The buffer in (narrowed) bytes, also the longest line taken (at least 16). Tests and the fuzz
    // targets make it small, so that refills and over-long lines come within a few lines.
    std::size_t buffer_size = default_buffer_size;
};

// True when a file's first 16 bytes are UTF-16LE text without a BOM: ASCII in UTF-16 (the firewall's
// header lines), NUL at every odd offset and at no even one (NUL padding has both). A file shorter than
// that counts while its bytes so far fit, so the verdict never changes as the log grows (a position
// saved by one read stays a line start for the next).
[[nodiscard]] bool looks_like_utf16le(const unsigned char *bytes, std::size_t size) noexcept;

struct diagnostic {
    std::uint64_t line = 0;
    std::string message;
};

class reader {
public:
    // Throws fw::error: file errors (see io::file), FW_EINVALID for a
    // start_offset past the end or not at a line start.
    reader(std::string_view path, reader_options options);
    // The same for a file already open.
    reader(io::file_source file, reader_options options);
    // The same for any input (io::memory_source: bytes the caller keeps alive while the reader lives).
    reader(std::unique_ptr<io::source> input, reader_options options);

    // The next records that pass the filter. Returns early, with fewer records
    // than a batch (possibly none), once it has read scan_budget bytes of the
    // file in this call, so that a filter that matches little still gives
    // control back. Empty and done() at the end of the data. The span stays
    // valid until the next call.
    std::span<const fw_record> next();
    // True once the end of the data was reached: next() returns nothing more.
    [[nodiscard]] bool done() const noexcept { return done_; }

    [[nodiscard]] const fw_reader_stats &stats() const noexcept { return stats_; }
    // Skipped lines (the first FW_MAX_SKIPPED_LINES) and an incomplete last line.
    [[nodiscard]] const std::vector<diagnostic> &diagnostics() const noexcept { return diags_; }
    // Line ends ('\n') consumed so far, counted from the file's start (from start_offset with known_start).
    [[nodiscard]] std::uint64_t line_ends() const noexcept { return line_no_; }
    // The '#Fields:' layout in force now; nullopt before the first one.
    [[nodiscard]] std::optional<layout> current_layout() const {
        return have_header_ ? std::optional<layout>(layout_) : std::nullopt;
    }
    // Hands over the storage of the batch next() returned (its records stay valid in it) and takes
    // spare (resized to at least one slot) for the next batch: parallel_reader queues batches without a copy.
    std::vector<fw_record> take_batch(std::vector<fw_record> spare);

    // Buffer size in (narrowed) bytes by default; also the longest line the reader takes.
    static constexpr std::size_t buffer_size = default_buffer_size;
    // File bytes one next() reads at most before it returns (a partial batch).
    static constexpr std::uint64_t scan_budget = FW_READER_SCAN_BUDGET;

private:
    struct window {
        const char *data;
        std::size_t size;
        const char *readable_end; // bytes up to here may be read (padding for the scanner)
        std::uint64_t base;       // file offset of data[0]
        unsigned scale;           // file bytes per window byte (1 UTF-8, 2 UTF-16)
    };

    // The lines of w from pos on, until the batch is full or no line end is
    // left; returns where it stopped. process picks the variant for this CPU.
    std::size_t process(const window &w, std::size_t pos);
    template <bool Hw> std::size_t process_lines(const window &w, std::size_t pos);
    std::size_t process_hw(const window &w, std::size_t pos);
    template <bool Hw>
    void record_line(const char *line, std::size_t n, std::uint64_t offset, const char *readable_end,
                     std::size_t need);
    void header_line(const char *line, std::size_t n, bool counted);
    enum class verdict { pass, fail, bad };
    verdict prefilter(const char *line, std::size_t n, const layout &lay, column &bad) noexcept;
    void skip(std::uint64_t line, std::string message);
    [[nodiscard]] bool listed(std::uint64_t line) const noexcept;
    void skip_fields(std::uint64_t line, std::uint32_t got, unsigned expected);
    void skip_column(std::uint64_t line, column c, const char *text, std::size_t n, const layout &lay);
    void finish_tail(std::uint64_t line);
    bool refill();
    [[nodiscard]] std::size_t fields_needed(const layout &lay) const noexcept;
    void add_nuls(std::size_t n) noexcept;
    void choose_plain() noexcept;
    std::size_t pass_over(const window &w, std::size_t pos) noexcept;
    struct plain_run {
        std::size_t pos;  // where the run stopped
        bool declined;    // at a line the one-pass typing declined
    };
    plain_run plain_lines(const window &w, std::size_t pos, bool one);

    std::unique_ptr<io::source> input_;
    std::size_t buffer_cap_ = default_buffer_size; // options.buffer_size
    filter filter_;
    bool filtering_ = false;
    struct checks { // which columns the filter tests, decided once
        bool action, protocol, src, dst, src_port, dst_port, path, time, expr;
    } checks_{};
    // Text every matching line holds (a filtered port's digits; empty: none): lines without it are passed
    // over (find_candidate), counted in stats.lines only, and FW_NOTE_PASSED_OVER is set.
    std::string literal_;
    std::uint32_t typed_ = FW_FIELDS_ALL; // fw_record_fields to type
    std::uint32_t batch_size_;
    std::vector<fw_record> batch_; // slots, grown up to batch_size_ as needed
    std::size_t batch_len_ = 0;    // records of the current batch
    bool batch_full_ = false;
    std::vector<diagnostic> diags_;
    fw_reader_stats stats_{};

    layout layout_ = layout::standard(false);
    bool have_header_ = false;
    std::size_t need_ = max_fields;     // fields the filter reads with layout_ (tokenize no further)
    std::size_t need_std_ = max_fields; // the same with the standard layouts
    field_index fields_{};
    // The one-pass fast path (type_plain_line): on when the layout is a standard one and the filter
    // tests the action at most.
    bool plain_allowed_ = true;
    bool plain_on_ = false;
    plain_options plain_{};
    date_cache dates_{};           // the last date parsed
    std::uint64_t line_no_ = 0;  // line ends ('\n') consumed
    std::uint64_t cur_line_ = 0; // number of the line being read
    bool done_ = false;
    bool hw_ = false; // the CPU has POPCNT and BMI1: process_hw
    bool cpu_ssse3_ = false; // the CPU has SSSE3: plain_options::ssse3

    std::size_t pos_ = 0;           // position in buffer_
    bool utf16_ = false;
    unsigned scale_ = 1;            // file bytes per buffer byte
    std::vector<char> buffer_;      // buffer_cap_ + scanner padding
    std::vector<char> staging_;     // UTF-16 bytes before narrowing
    std::size_t buffer_len_ = 0;    // bytes in buffer_
    std::uint64_t buffer_base_ = 0; // file offset of buffer_[0]
    std::uint64_t next_src_ = 0;    // file offset of the next byte to read
    std::uint64_t end_ = 0;         // file offset where reading stops (the size, or end_offset)
    std::uint64_t prefix_end_ = 0;  // lines before this file offset only set the layout (UTF-16 start_offset)
    bool discarding_ = false;       // inside an over-long line
    std::uint32_t listed_ = 0;       // skipped lines listed in stats_.skipped_lines and diags_
    std::uint64_t last_listed_ = 0;  // the last one: the fragments of a NUL-cut line are listed once
};

} // namespace fw::log
