// Every core on one log: the file is split into ranges at line ends, worker
// threads read the ranges with ordinary readers (reader over [begin, end)),
// and next() hands out their batches in the file's order, with line numbers,
// counters and diagnostics exactly as one reader reading the whole file gives.
//
// - Ranges are a few MiB. Workers claim them in order, at most a few ranges
//   ahead of the caller; each range keeps a bounded queue of batches (a worker
//   waits when its queue is full), so memory does not grow with the file.
// - Line numbers: a range reader counts from its own start; the caller's
//   thread adds the line ends of the ranges before it (a prefix sum), since it
//   drains range k only after every range before k is done.
// - Layout: a range needs the '#Fields:' layout in force at its start, known
//   only once the ranges before it are read. A worker guesses it (the last
//   header a finished range saw, else the file's first header); when the
//   caller reaches the range and the guess was wrong (a header changed the
//   layout in a range the worker had not seen), the worker's output is dropped
//   and the caller's thread reads that range again with the right layout.
// - One reader on the caller's thread (no worker) when the file is small,
//   UTF-16 (narrowed as read), read from a start_offset, or threads is 1.
// - Counting (count(), for a summary): the workers count their ranges into
//   sinks of their own instead of queueing records; the caller merges each
//   range's sink when it reaches the range, so nothing serial is left per record.
#pragma once

#include "log/reader.hpp"
#include "log/sink.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

namespace fw::log {

namespace detail {
// Where a range that should end near `from` ends: just after the first '\n' at or after from (as a reader splits
// lines), or size when there is none; read a window (window.size() bytes) at a time, a line may be longer.
[[nodiscard]] std::uint64_t line_end_from(const io::source &file, std::uint64_t from, std::uint64_t size,
                                          std::vector<char> &window);
// The layout of the last '#Fields:' line that starts in [begin, end) and ends before end (what
// find_last_fields_header finds over those bytes), read backwards in chunks of 256 KiB: a worker's first guess.
// A header line longer than 64 KiB is not seen, which costs a wrong guess (the range is read again), never a
// wrong record.
[[nodiscard]] std::optional<layout> last_fields_layout(const io::source &file, std::uint64_t begin, std::uint64_t end);
} // namespace detail

struct parallel_options {
    unsigned threads = 0;          // worker threads; 0: one per core
    std::uint64_t range_bytes = 0; // bytes per range; 0: from the file size (tests use tiny ranges)
    std::uint64_t min_bytes = 0;   // smaller files are read on the caller's thread; 0: the default
    // Bytes per range when the reader counts (count()): adjacent ranges are joined up to this size, since every
    // range's counts are merged into the caller's table once (fewer, larger parts: fewer merges). 0: from the file
    // size, at most default_count_range_bytes.
    std::uint64_t count_range_bytes = 0;
};

class parallel_reader {
public:
    // Throws fw::error as reader does (the file is opened here, once).
    parallel_reader(std::string_view path, reader_options options, parallel_options par = {});
    ~parallel_reader();
    parallel_reader(const parallel_reader &) = delete;
    parallel_reader &operator=(const parallel_reader &) = delete;

    // As reader::next: records in the file's order; empty and done() at the end.
    // Returns at least once per range (possibly empty), so a filter that matches
    // nothing still gives control back every few MiB.
    std::span<const fw_record> next();
    // Counting instead of handing out: one step as next() takes one, with the records going to `into`. A reader
    // is stepped either by next() or by count() from its first step on (fw::error otherwise); `into` must be of
    // the same kind (and keys) at every step. Returns the records counted by this step.
    std::uint64_t count(record_sink &into);
    [[nodiscard]] bool done() const noexcept { return single_ ? single_->done() : done_; }
    [[nodiscard]] const fw_reader_stats &stats() const noexcept { return single_ ? single_->stats() : stats_; }
    [[nodiscard]] const std::vector<diagnostic> &diagnostics() const noexcept {
        return single_ ? single_->diagnostics() : diags_;
    }
    // Worker threads used (0: read on the caller's thread).
    [[nodiscard]] unsigned workers() const noexcept { return workers_wanted_; }

    // Defaults, exposed for tests and the benchmark.
    static constexpr std::uint64_t default_range_bytes = 4u * 1024u * 1024u;
    static constexpr std::uint64_t default_min_bytes = 2u * 1024u * 1024u;
    static constexpr std::uint64_t default_count_range_bytes = 32u * 1024u * 1024u;
    static constexpr std::size_t queue_batches = 16; // batches a range holds before its worker waits
    static constexpr std::uint32_t count_batch = 256; // records a counting worker types before it counts them
    static constexpr std::size_t boundary_window = 4096; // bytes read at a time to find a range's line end (a page: lines are ~100 bytes)

private:
    struct batch {
        std::vector<fw_record> records;
        std::size_t count = 0;
        fw_reader_stats stats{}; // the range reader's counters after this batch
    };
    struct range {
        std::uint64_t begin = 0, end = 0;
        bool claimed = false;
        std::optional<layout> assumed; // the layout its worker started with
        std::deque<batch> queue;       // produced, not yet handed out
        bool finished = false;
        bool cancelled = false;
        // When finished:
        fw_reader_stats stats{};
        std::vector<diagnostic> diags;
        std::uint64_t line_ends = 0;
        std::optional<layout> final_layout;
        bool saw_header = false;
        std::exception_ptr error;
        std::unique_ptr<record_sink> part; // counting: what the range's worker counted
    };

    // Before the first count(): joins adjacent ranges up to count_range_bytes_.
    void join_ranges_for_counting();
    void start_workers();
    void stop_workers() noexcept;
    void work(const io::file_source &file);
    void read_range(std::size_t k, const std::optional<layout> &assumed, const io::file_source &file);
    [[nodiscard]] std::optional<layout> guess_for(std::size_t k) const; // under mutex_
    [[nodiscard]] reader_options range_options(std::size_t k, const std::optional<layout> &start) const;
    [[nodiscard]] std::vector<fw_record> take_spare();
    [[nodiscard]] std::unique_ptr<record_sink> take_spare_part();
    // Folds the finished range current_ into the totals and moves on to the next range.
    void finish_range(const fw_reader_stats &s, const std::vector<diagnostic> &d, std::uint64_t line_ends,
                      std::optional<layout> final_layout);
    std::span<const fw_record> deliver(std::vector<fw_record> records, std::size_t count,
                                       const fw_reader_stats &range_stats);
    std::span<const fw_record> step();
    // The totals of the ranges before current_ plus current_'s counters so far.
    [[nodiscard]] fw_reader_stats merged(const fw_reader_stats &range_stats) const;

    // One reader on the caller's thread (the whole file), when not split.
    std::optional<reader> single_;

    // Split reading.
    std::optional<io::file_source> file_;     // the caller's thread's (inline_, the size at the end)
    std::vector<io::file_source> worker_files_; // one per worker, reopened from file_ before any range is read
    reader_options options_;
    std::vector<range> ranges_;
    std::optional<layout> first_header_; // the file's first '#Fields:' layout (the guess before any range ends)
    unsigned workers_wanted_ = 0;
    std::uint64_t count_range_bytes_ = 0; // ranges joined up to this size when counting
    std::size_t window_ = 0; // ranges claimed ahead of the caller, at most

    std::mutex mutex_;
    std::condition_variable consumer_cv_; // a batch queued or a range finished
    std::condition_variable worker_cv_;   // queue space, a range handed out, a cancel, stop
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_{false};
    std::size_t next_claim_ = 0;
    std::size_t hint_range_ = SIZE_MAX; // highest finished range that saw a header
    std::optional<layout> hint_layout_;
    std::vector<std::vector<fw_record>> spares_; // batch storage handed back by the caller

    // Caller's side.
    std::size_t current_ = 0;                // range being handed out
    bool current_checked_ = false;           // its guess was checked
    bool current_delivered_ = false;         // a batch of it was handed out
    std::optional<reader> inline_;           // re-reading range current_ on this thread
    std::vector<fw_record> delivered_;       // storage of the last batch handed out
    std::optional<layout> layout_at_current_; // the real layout at ranges_[current_].begin
    std::uint64_t line_base_ = 0;            // line ends before ranges_[current_]
    fw_reader_stats done_stats_{};           // totals of the ranges before current_
    std::uint64_t diag_skips_ = 0;           // skipped-line diagnostics kept so far
    fw_reader_stats stats_{};
    std::vector<diagnostic> diags_;
    bool done_ = false;
    bool started_ = false;

    // Counting: the kind of sink the workers count into (set before they start, then read-only), and the
    // caller's sink during a count() step.
    enum class mode { undecided, records, counting };
    mode mode_ = mode::undecided;
    std::unique_ptr<record_sink> prototype_;
    std::vector<std::unique_ptr<record_sink>> spare_parts_; // merged parts, emptied, for workers to reuse (mutex_)
    record_sink *into_ = nullptr;
};

} // namespace fw::log
