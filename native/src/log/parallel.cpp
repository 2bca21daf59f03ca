#include "log/parallel.hpp"
#include "core/error.hpp"
#include "log/fields.hpp" // plain_readable

#include <fmt/format.h>
#include <gsl/gsl>

#include <algorithm>
#include <cstring>
#include <utility>

namespace fw::log {
namespace {

constexpr std::uint64_t mib = 1024 * 1024;

// "line 12: ..." of a range reader (counting from the range's start) -> the file's line number.
diagnostic relabel(const diagnostic &d, std::uint64_t base) {
    const std::string prefix = fmt::format("line {}: ", d.line);
    diagnostic out{d.line + base, d.message};
    if (d.message.compare(0, prefix.size(), prefix) == 0)
        out.message = fmt::format("line {}: {}", out.line, std::string_view(d.message).substr(prefix.size()));
    return out;
}

} // namespace

namespace detail {

std::uint64_t line_end_from(const io::source &file, std::uint64_t from, std::uint64_t size, std::vector<char> &window) {
    for (std::uint64_t at = from; at < size;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(window.size(), size - at));
        const std::size_t got = file.read_at(at, window.data(), want);
        if (const void *nl = std::memchr(window.data(), '\n', got))
            return at + static_cast<std::uint64_t>(static_cast<const char *>(nl) - window.data()) + 1;
        if (got < want) break; // shrank since opened: what the readers read ends there too
        at += got;
    }
    return size;
}

// Chunks are read backwards, each with the byte before it (is a '#' at its start a line start?) and up to
// header_tail bytes after it (the rest of a header line that starts in it).
std::optional<layout> last_fields_layout(const io::source &file, std::uint64_t begin, std::uint64_t end) {
    constexpr std::uint64_t chunk = 256 * 1024;
    constexpr std::uint64_t header_tail = 64 * 1024;
    std::vector<char> buf;
    for (std::uint64_t hi = end; hi > begin;) {
        const std::uint64_t lo = hi - begin > chunk ? hi - chunk : begin;
        const std::uint64_t first = lo > begin ? lo - 1 : begin;
        buf.resize(static_cast<std::size_t>(std::min(end, hi + header_tail) - first));
        buf.resize(file.read_at(first, buf.data(), buf.size()));
        const char *b = buf.data();
        const char *search_end = b + static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), hi - first));
        if (auto h = find_last_fields_header(b, search_end, b + buf.size())) {
            // A hit at the byte before lo counted it as a line start unseen; the next chunk decides it.
            if (!(first < lo && h->data() - std::strlen("#Fields:") == b)) return parse_fields_header(*h);
        }
        hi = lo;
    }
    return std::nullopt;
}

} // namespace detail

parallel_reader::parallel_reader(std::string_view path, reader_options options, parallel_options par) {
    io::file_source file(path);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned threads = par.threads != 0 ? par.threads : cores;
    const std::uint64_t size = file.size();
    unsigned char head[16] = {};
    const std::size_t have =
        file.read_at(0, reinterpret_cast<char *>(head), static_cast<std::size_t>(std::min<std::uint64_t>(size, sizeof head)));
    const bool utf16 = (have >= 2 && head[0] == 0xff && head[1] == 0xfe) || looks_like_utf16le(head, have);
    const std::uint64_t bom = (have >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf) ? 3 : 0;
    const std::uint64_t min_bytes = par.min_bytes != 0 ? par.min_bytes : default_min_bytes;
    // Resumed reads (start_offset) and UTF-16 (with a BOM or without) stay on one reader: rare, and each has its
    // own set-up.
    if (threads < 2 || utf16 || options.start_offset != 0 || size < min_bytes) {
        // A file much smaller than the buffer: a buffer of the file's size plus what the one-pass typing reads
        // past a line start (plain_readable) reads it exactly as a larger one does (no line is longer than the
        // file, the reader reads no further than the size at open, and every line start keeps plain_readable
        // bytes readable, so the same fast paths are taken), without a 256 KiB allocation per small file
        // (a cursor polling a short log, the bookmark fuzz target).
        if (size + plain_readable < options.buffer_size) options.buffer_size = static_cast<std::size_t>(size) + plain_readable;
        single_.emplace(std::move(file), std::move(options));
        return;
    }

    // Ranges of about range_bytes, each ending just after a '\n' (always a line start in the
    // single reader's view too: a line ends at the first '\n' after its start).
    std::uint64_t range_bytes = par.range_bytes;
    if (range_bytes == 0) range_bytes = std::clamp<std::uint64_t>(size / (8 * threads), mib, default_range_bytes);
    std::vector<char> window(boundary_window);
    for (std::uint64_t begin = bom; begin < size;) {
        const std::uint64_t target = begin + range_bytes;
        const std::uint64_t end = target < size ? detail::line_end_from(file, target - 1, size, window) : size;
        range rg;
        rg.begin = begin;
        rg.end = end;
        ranges_.push_back(std::move(rg));
        begin = end;
    }
    if (ranges_.size() < 2) {
        ranges_.clear();
        single_.emplace(std::move(file), std::move(options));
        return;
    }
    // The first guess for every range after the first: the layout in force at the end of range 0.
    first_header_ = detail::last_fields_layout(file, bom, ranges_[0].end);

    workers_wanted_ = static_cast<unsigned>(std::min<std::size_t>(threads, ranges_.size()));
    window_ = workers_wanted_ + 2;
    // Counting: about four ranges per worker, so the last range's wait stays short.
    count_range_bytes_ = par.count_range_bytes != 0 ? par.count_range_bytes
                                                    : std::min<std::uint64_t>(size / (4 * threads), default_count_range_bytes);
    // One open file per worker, from this one's handle, before any range is read: a worker never opens
    // anything while it reads (on Windows a rotated log whose delete is pending cannot be reopened, so a read
    // that started fine would fail half-way), and no two threads share a handle (reads on one are serialised).
    // This one stays the caller's (a range read again on its thread, the size at the end).
    worker_files_.reserve(workers_wanted_);
    for (unsigned i = 0; i < workers_wanted_; ++i) worker_files_.push_back(file.reopen());
    file_.emplace(std::move(file));
    options_ = std::move(options);
    stats_.file_size = size;
    stats_.position = bom;
    stats_.encoding = FW_ENC_UTF8;
    done_stats_ = stats_;
}

parallel_reader::~parallel_reader() { stop_workers(); }

void parallel_reader::join_ranges_for_counting() {
    if (started_ || ranges_.empty()) return;
    std::vector<range> joined;
    for (range &rg : ranges_) {
        if (!joined.empty() && joined.back().end - joined.back().begin < count_range_bytes_) joined.back().end = rg.end;
        else joined.push_back(std::move(rg));
    }
    // The first guess (the layout at range 0's end) stays a guess: a header in what was joined to range 0 makes
    // it wrong for range 1, and the caller counts range 1 again with the real layout, as for any wrong guess.
    ranges_ = std::move(joined);
    workers_wanted_ = static_cast<unsigned>(std::min<std::size_t>(workers_wanted_, ranges_.size()));
    window_ = workers_wanted_ + 2;
}

void parallel_reader::start_workers() {
    started_ = true;
    try {
        threads_.reserve(workers_wanted_);
        for (unsigned i = 0; i < workers_wanted_; ++i) threads_.emplace_back([this, i] { work(worker_files_[i]); });
    } catch (...) {
        stop_workers();
        throw;
    }
}

void parallel_reader::stop_workers() noexcept {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    worker_cv_.notify_all();
    consumer_cv_.notify_all();
    for (auto &t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

std::optional<layout> parallel_reader::guess_for(std::size_t k) const {
    if (k == 0) return std::nullopt; // the file's start: before any header, certainly
    if (hint_range_ != SIZE_MAX && hint_range_ < k) return hint_layout_;
    return first_header_;
}

reader_options parallel_reader::range_options(std::size_t k, const std::optional<layout> &start) const {
    reader_options o = options_; // the filter and every other setting, copied: readers share nothing
    o.start_offset = ranges_[k].begin;
    o.end_offset = ranges_[k].end;
    o.known_start = reader_options::range_start{start};
    return o;
}

void parallel_reader::work(const io::file_source &file) {
    std::unique_lock lock(mutex_);
    for (;;) {
        worker_cv_.wait(lock, [&] {
            return stop_ || next_claim_ >= ranges_.size() || next_claim_ < current_ + window_;
        });
        if (stop_ || next_claim_ >= ranges_.size()) return;
        const std::size_t k = next_claim_++;
        range &rg = ranges_[k];
        rg.claimed = true;
        rg.assumed = guess_for(k);
        const std::optional<layout> assumed = rg.assumed;
        consumer_cv_.notify_all(); // the caller may be waiting to check this guess
        lock.unlock();
        read_range(k, assumed, file);
        lock.lock();
    }
}

void parallel_reader::read_range(std::size_t k, const std::optional<layout> &assumed, const io::file_source &file) {
    range &rg = ranges_[k];
    try {
        reader_options o = range_options(k, assumed);
        if (prototype_) o.batch_size = count_batch; // counted at once: a small batch stays in the cache
        reader r(std::make_unique<io::borrowed_source>(file), std::move(o));
        std::unique_ptr<record_sink> part = prototype_ ? take_spare_part() : nullptr;
        for (;;) {
            const std::span<const fw_record> got = r.next();
            const std::size_t count = got.size();
            const bool end = r.done();
            if (part) {
                part->add(got);
                std::lock_guard lock(mutex_);
                if (stop_ || rg.cancelled) return;
            } else if (count != 0) {
                std::vector<fw_record> storage = r.take_batch(take_spare());
                std::unique_lock lock(mutex_);
                worker_cv_.wait(lock, [&] { return stop_ || rg.cancelled || rg.queue.size() < queue_batches; });
                if (stop_ || rg.cancelled) return;
                rg.queue.push_back(batch{std::move(storage), count, r.stats()});
                lock.unlock();
                consumer_cv_.notify_all();
            } else {
                std::lock_guard lock(mutex_);
                if (stop_ || rg.cancelled) return;
            }
            if (end) break;
        }
        std::unique_lock lock(mutex_);
        if (rg.cancelled) return;
        rg.stats = r.stats();
        rg.diags = r.diagnostics();
        rg.line_ends = r.line_ends();
        rg.final_layout = r.current_layout();
        rg.saw_header = r.stats().headers > 0;
        rg.part = std::move(part);
        rg.finished = true;
        if (rg.saw_header && (hint_range_ == SIZE_MAX || k > hint_range_)) {
            hint_range_ = k;
            hint_layout_ = rg.final_layout;
        }
        lock.unlock();
        consumer_cv_.notify_all();
    } catch (...) {
        {
            std::lock_guard lock(mutex_);
            rg.error = std::current_exception();
            rg.finished = true;
        }
        consumer_cv_.notify_all();
    }
}

std::unique_ptr<record_sink> parallel_reader::take_spare_part() {
    {
        std::lock_guard lock(mutex_);
        if (!spare_parts_.empty()) {
            std::unique_ptr<record_sink> part = std::move(spare_parts_.back());
            spare_parts_.pop_back();
            return part;
        }
    }
    return prototype_->fresh();
}

std::vector<fw_record> parallel_reader::take_spare() {
    std::lock_guard lock(mutex_);
    if (spares_.empty()) return {};
    std::vector<fw_record> v = std::move(spares_.back());
    spares_.pop_back();
    return v;
}

fw_reader_stats parallel_reader::merged(const fw_reader_stats &r) const {
    fw_reader_stats s = done_stats_;
    s.position = r.position;
    s.lines += r.lines;
    s.records += r.records;
    s.matched += r.matched;
    for (std::uint64_t i = 0; i < r.skipped && i < FW_MAX_SKIPPED_LINES && s.skipped + i < FW_MAX_SKIPPED_LINES; ++i)
        s.skipped_lines[s.skipped + i] = r.skipped_lines[i] + line_base_;
    s.skipped += r.skipped;
    s.headers += r.headers;
    s.layout_changes += r.layout_changes;
    s.partial_tail = r.partial_tail;
    // has_pid follows the layout once there is a header; before any, an 18-field line sets it for good.
    if (r.headers > 0 || layout_at_current_) s.has_pid = r.has_pid;
    else s.has_pid = static_cast<std::uint8_t>(s.has_pid | r.has_pid);
    const std::uint64_t nuls = std::uint64_t{s.nul_bytes} + r.nul_bytes;
    s.nul_bytes = nuls > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(nuls);
    s.notes = static_cast<std::uint8_t>(s.notes | r.notes);
    return s;
}

std::span<const fw_record> parallel_reader::deliver(std::vector<fw_record> records, std::size_t count,
                                                    const fw_reader_stats &range_stats) {
    if (into_ != nullptr) { // counting: the records go to the caller's sink (line numbers are not counted)
        into_->add({records.data(), count});
        stats_ = merged(range_stats);
        if (count != 0) current_delivered_ = true;
        delivered_ = std::move(records);
        return {};
    }
    for (std::size_t i = 0; i < count; ++i) records[i].line += line_base_;
    stats_ = merged(range_stats);
    if (count != 0) current_delivered_ = true;
    delivered_ = std::move(records);
    return {delivered_.data(), count};
}

void parallel_reader::finish_range(const fw_reader_stats &s, const std::vector<diagnostic> &d,
                                   std::uint64_t line_ends, std::optional<layout> final_layout) {
    done_stats_ = merged(s);
    stats_ = done_stats_;
    // The single reader keeps a diagnostic for each of the first FW_MAX_SKIPPED_LINES skipped lines
    // (each range kept its own first ones, in order), then any other (an incomplete last line).
    std::size_t next_skip = 0;
    const std::size_t range_skips = static_cast<std::size_t>(std::min<std::uint64_t>(s.skipped, FW_MAX_SKIPPED_LINES));
    for (const diagnostic &x : d) {
        if (next_skip < range_skips && x.line == s.skipped_lines[next_skip]) {
            ++next_skip;
            if (diag_skips_ >= FW_MAX_SKIPPED_LINES) continue;
            ++diag_skips_;
        }
        diags_.push_back(relabel(x, line_base_));
    }
    line_base_ += line_ends;
    layout_at_current_ = std::move(final_layout);
    {
        std::lock_guard lock(mutex_);
        ++current_;
    }
    worker_cv_.notify_all(); // the window moved
    current_checked_ = false;
}

std::span<const fw_record> parallel_reader::next() {
    if (mode_ == mode::counting)
        fail_invalid("this reader counts into a summary (fw_summary_read): it hands out no records");
    mode_ = mode::records;
    return step();
}

std::uint64_t parallel_reader::count(record_sink &into) {
    if (mode_ == mode::records)
        fail_invalid("this reader has handed out records (fw_reader_next): it cannot count into a summary now");
    if (mode_ == mode::undecided) {
        prototype_ = into.fresh(); // before the workers start: they only read it
        mode_ = mode::counting;
        join_ranges_for_counting();
    }
    const std::uint64_t before = stats().matched;
    if (single_) {
        into.add(single_->next());
    } else {
        into_ = &into;
        auto clear = gsl::finally([this] { into_ = nullptr; });
        (void)step();
    }
    return stats().matched - before;
}

std::span<const fw_record> parallel_reader::step() {
    if (single_) return single_->next();
    if (done_) return {};
    if (!started_) start_workers();
    if (!delivered_.empty()) {
        std::lock_guard lock(mutex_);
        spares_.push_back(std::move(delivered_));
        delivered_.clear();
    }
    for (;;) {
        if (current_ >= ranges_.size()) {
            done_ = true;
            stop_workers();
            // Workers read ahead: a file cut after they read it still delivered what it held then, but the
            // user is told it shrank, as a single reader tells it.
            if (file_ && (done_stats_.notes & FW_NOTE_SHRANK) == 0) {
                const std::uint64_t now = file_->current_size();
                if (now < done_stats_.file_size) {
                    done_stats_.notes |= FW_NOTE_SHRANK;
                    diags_.push_back({line_base_ + 1,
                                      fmt::format("'{}' shrank to {} bytes while it was read ({} bytes when opened): "
                                                  "what it held when read was delivered; the rest is gone (truncated "
                                                  "or rewritten)",
                                                  file_->path(), now, done_stats_.file_size)});
                }
            }
            stats_ = done_stats_;
            return {};
        }
        if (inline_) {
            // The worker's guess was wrong: this thread reads the range with the real layout.
            const std::size_t count = inline_->next().size();
            if (count != 0 || !inline_->done())
                return deliver(inline_->take_batch(take_spare()), count, inline_->stats());
            finish_range(inline_->stats(), inline_->diagnostics(), inline_->line_ends(), inline_->current_layout());
            inline_.reset();
        } else {
            std::unique_lock lock(mutex_);
            range &rg = ranges_[current_];
            if (!current_checked_) {
                consumer_cv_.wait(lock, [&] { return rg.claimed; });
                if (rg.assumed != layout_at_current_) {
                    rg.cancelled = true;
                    rg.queue.clear();
                    lock.unlock();
                    worker_cv_.notify_all();
                    inline_.emplace(std::make_unique<io::borrowed_source>(*file_), range_options(current_, layout_at_current_));
                    current_checked_ = true;
                    continue;
                }
                current_checked_ = true;
            }
            consumer_cv_.wait(lock, [&] { return !rg.queue.empty() || rg.finished; });
            if (!rg.queue.empty()) {
                batch b = std::move(rg.queue.front());
                rg.queue.pop_front();
                lock.unlock();
                worker_cv_.notify_all();
                return deliver(std::move(b.records), b.count, b.stats);
            }
            if (rg.error) {
                std::exception_ptr e = rg.error;
                lock.unlock();
                done_ = true;
                stop_workers();
                std::rethrow_exception(e);
            }
            const fw_reader_stats s = rg.stats;
            const std::vector<diagnostic> d = std::move(rg.diags);
            const std::uint64_t line_ends = rg.line_ends;
            std::optional<layout> final_layout = rg.final_layout;
            std::unique_ptr<record_sink> part = std::move(rg.part);
            lock.unlock();
            if (part && into_ != nullptr) {
                into_->merge(*part);
                part->clear(); // grown to a range's groups already: a worker counts the next range in it
                std::lock_guard relock(mutex_);
                spare_parts_.push_back(std::move(part));
            }
            finish_range(s, d, line_ends, std::move(final_layout));
        }
        // At least one return per range: a filter that matches nothing still gives control back.
        const bool delivered = std::exchange(current_delivered_, false);
        if (!delivered && current_ < ranges_.size()) return {};
    }
}

} // namespace fw::log
