#include "cursor/cursor.hpp"

#include "core/error.hpp"
#include "cursor/identity.hpp"
#include "log/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace fw::cursor {

namespace {

// The start of the line holding `at`, as the reader splits lines (see fw_reader_open): `at` itself when
// it is one (the text start, after '\n', in or right after NUL padding, or at the NUL that cut a line),
// else just past the last '\n' or NUL before it, else the text start (after a BOM).
std::uint64_t line_start_at_or_before(const file &f, std::uint64_t at, std::uint64_t size) {
    std::array<std::byte, 4096> buf{};
    const std::size_t head = f.read_at(0, std::span(buf).first(static_cast<std::size_t>(std::min<std::uint64_t>(1024, size))));
    auto b = [&](std::size_t i) { return std::to_integer<unsigned>(buf[i]); };
    const bool bom16 = head >= 2 && b(0) == 0xff && b(1) == 0xfe;
    const bool utf16 = bom16 || log::looks_like_utf16le(reinterpret_cast<const unsigned char *>(buf.data()), head);
    const std::uint64_t text_start = bom16 ? 2 : utf16 ? 0 : (head >= 3 && b(0) == 0xef && b(1) == 0xbb && b(2) == 0xbf) ? 3 : 0;
    const unsigned unit = utf16 ? 2 : 1;
    at = std::min(at, size);
    if (at <= text_start) return at == 0 ? 0 : text_start;
    at -= (at - text_start) % unit;
    auto ends_line = [&](std::size_t i) { // unit i of buf is '\n' or NUL
        return (buf[i] == std::byte{'\n'} || buf[i] == std::byte{0}) && (unit == 1 || buf[i + 1] == std::byte{0});
    };
    if (at + unit <= size) { // at a NUL
        if (f.read_at(at, std::span(buf).first(unit)) == unit && buf[0] == std::byte{0} && (unit == 1 || buf[1] == std::byte{0}))
            return at;
    }
    std::uint64_t end = at; // search [text_start, end) backwards
    while (end > text_start) {
        const std::uint64_t from = std::max<std::uint64_t>(text_start, end >= buf.size() ? end - buf.size() : 0);
        const std::size_t n = static_cast<std::size_t>(end - from); // a whole number of units
        if (f.read_at(from, std::span(buf).first(n)) != n) break;
        for (std::size_t i = n; i >= unit; i -= unit)
            if (ends_line(i - unit)) return from + i;
        end = from;
    }
    return text_start;
}

bool same_os_identity(const os_identity &a, const os_identity &b) noexcept {
    return a.known && b.known && a.volume == b.volume && a.index_lo == b.index_lo && a.index_hi == b.index_hi;
}

} // namespace

log_cursor::log_cursor(std::string live_path, const fw_position *from, std::uint32_t flags,
                       std::uint32_t batch_size, const fw_filter *filter)
    : live_(std::move(live_path)), old_(rotated_path(live_)), batch_size_(batch_size),
      filter_(filter != nullptr ? std::optional<fw_filter>(*filter) : std::nullopt),
      last_path_(live_) {
    if (from != nullptr) pos_ = *from;
    const plan_result r = make_plan(live_, from, flags & FW_PLAN_INCLUDE_ROTATED);
    set_plan(r);
    if (queue_.empty() && (r.plan.warnings & FW_WARN_NO_LOG) != 0 && (flags & FW_CURSOR_FOLLOW) == 0)
        throw error(FW_ENOTFOUND, FW_ERRCLASS_OS, fmt::format("log file not found: '{}'", live_));
}

void log_cursor::warn(std::uint32_t flag, const std::string &sentence) {
    warnings_ |= flag;
    if (!message_.empty()) message_ += ' ';
    message_ += sentence;
}

void log_cursor::set_plan(const plan_result &r) {
    queue_.assign(r.plan.segments, r.plan.segments + r.plan.count);
    if (r.plan.warnings != 0) warn(r.plan.warnings, r.message);
}

std::pair<std::uint32_t, std::string> log_cursor::take_warnings() {
    return {std::exchange(warnings_, 0u), std::exchange(message_, std::string())};
}

fw_reader *log_cursor::next_segment() {
    finish_current();
    while (!queue_.empty()) {
        const fw_segment seg = queue_.front();
        queue_.pop_front();
        if (auto s = open_segment(seg)) {
            cur_ = std::move(s);
            return cur_->reader.get();
        }
    }
    return nullptr;
}

std::optional<log_cursor::segment_state> log_cursor::open_segment(const fw_segment &seg) {
    const bool planned_live = seg.source == FW_SOURCE_LIVE;
    const std::string &planned = planned_live ? live_ : old_;
    for (int attempt = 0; attempt < 8; ++attempt) {
        // Where is the planned file now? A live file may have been rotated to .old since.
        std::optional<file> h;
        fw_source source = static_cast<fw_source>(seg.source);
        if (auto f = file::open_if_exists(planned); f && compare(*f, seg.file) == FW_FILE_SAME) {
            h = std::move(f);
        } else if (planned_live) {
            if (auto g = file::open_if_exists(old_); g && compare(*g, seg.file) == FW_FILE_SAME) {
                h = std::move(g);
                source = FW_SOURCE_ROTATED;
            }
        }
        if (!h) {
            warn(FW_WARN_GAP, fmt::format("'{}' was rotated away or replaced before it could be read: records it "
                                          "held may have been lost.",
                                          planned));
            return std::nullopt;
        }
        const std::string &where = source == FW_SOURCE_LIVE ? live_ : old_;
        const std::uint64_t size_before = h->size();
        if (size_before < seg.start) {
            warn(FW_WARN_TRUNCATED,
                 fmt::format("'{}' shrank below byte {} while it was being opened; it will be read again "
                             "from the start.",
                             where, seg.start));
            return std::nullopt;
        }

        // A position that is not at a line start (a bookmark edited by hand or damaged) would be refused by
        // the reader on every run: read again from the start of that line instead, and say so.
        const std::uint64_t start = line_start_at_or_before(*h, seg.start, size_before);
        if (start != seg.start)
            warn(FW_WARN_REALIGNED,
                 fmt::format("The position (byte {} of '{}') is not at the start of a line; reading again from byte {}, "
                             "the start of that line: records on it may be delivered twice.",
                             seg.start, where, start));

        fw::log::reader_options o;
        o.batch_size = batch_size_;
        o.start_offset = start;
        if (filter_) o.filt = filter_->value; // a copy: readers share nothing
        reader_ptr reader;
        try {
            // One thread: positions follow the file as read; a segment is one reader's work.
            reader = std::make_unique<fw_reader>(where, std::move(o), fw::log::parallel_options{1, 0, 0});
        } catch (const error &e) {
            if (e.code() == FW_ENOTFOUND) continue; // renamed between our look and the reader's open
            throw;
        }

        // Did the reader open the file we checked? The name may have moved on in between;
        // if the name still leads to our file after the reader opened it, it opened ours.
        const os_identity id = h->identity();
        auto again = file::open_if_exists(where);
        if (!again) continue;
        const bool same = id.known ? same_os_identity(again->identity(), id) : compare(*again, seg.file) == FW_FILE_SAME;
        if (!same) continue;

        segment_state s;
        s.source = source;
        s.path = where;
        s.start = start;
        s.os = id;
        s.size = h->size(); // after the reader's open: at least what the reader sees
        s.prefix.resize(static_cast<std::size_t>(std::min<std::uint64_t>(FW_PREFIX_MAX, s.size)));
        s.prefix.resize(h->read_at(0, s.prefix));
        s.utf16 = reader->value.stats().encoding == FW_ENC_UTF16LE;
        s.handle = std::move(*h);
        s.reader = std::move(reader);
        return s;
    }
    throw error(FW_ECONFLICT, FW_ERRCLASS_OS,
                fmt::format("'{}' kept being renamed while it was being opened; try again", planned));
}

void log_cursor::finish_current() {
    if (!cur_) return;
    const fw_reader_stats &st = cur_->reader->value.stats();
    if (st.position > cur_->start || !pos_) pos_ = position_in(*cur_, st.position);
    last_source_ = cur_->source;
    last_path_ = cur_->path;
    cur_.reset();
}

bool log_cursor::still_at(const std::string &path, const segment_state &s) const {
    auto f = file::open_if_exists(path);
    if (!f) return false;
    const os_identity id = f->identity();
    if (id.known && s.os.known) return same_os_identity(id, s.os);
    return compare(*f, make_id(s.os, s.size, s.prefix)) == FW_FILE_SAME;
}

fw_position log_cursor::position_in(const segment_state &s, std::uint64_t offset) const {
    fw_position p{};
    p.offset = offset;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(offset, s.prefix.size()));
    p.file = make_id(s.os, s.size, std::span<const std::byte>(s.prefix).first(n));
    // While the file is the live one, the file at .old is the older generation:
    // remember it so that it is never read again (see fw_position.before).
    if (still_at(live_, s)) {
        if (auto o = file::open_if_exists(old_)) {
            const os_identity oid = o->identity();
            if (!(oid.known && s.os.known && same_os_identity(oid, s.os))) p.before = identify(*o, FW_PREFIX_MAX);
        }
    }
    return p;
}

std::uint64_t log_cursor::line_end(const segment_state &s, std::uint64_t offset) const {
    std::array<std::byte, 4096> buf{};
    std::uint64_t at = offset;
    while (at < s.size) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), s.size - at));
        const std::size_t got = s.handle->read_at(at, std::span(buf).first(want));
        if (got == 0) break;
        // The reader ends a line at '\n' or at a NUL (padding cut it): the position is just past the '\n', or
        // at the NUL (a line start: the reader skips the padding from there).
        if (s.utf16) {
            // Chunks start at an even distance from the line start, so a unit never straddles two.
            for (std::size_t i = 0; i + 1 < got; i += 2) {
                if (buf[i + 1] != std::byte{0}) continue;
                if (buf[i] == std::byte{'\n'}) return at + i + 2;
                if (buf[i] == std::byte{0}) return at + i;
            }
        } else {
            for (std::size_t i = 0; i < got; ++i) {
                if (buf[i] == std::byte{'\n'}) return at + i + 1;
                if (buf[i] == std::byte{0}) return at + i;
            }
        }
        at += got;
    }
    throw error(FW_ERROR, FW_ERRCLASS_INTERNAL,
                fmt::format("no line end after the record at byte {} of '{}'", offset, s.path));
}

void log_cursor::check_in_segment(const fw_record &record, const char *what) const {
    if (!cur_) fail_invalid(fmt::format("{}: no segment is being read", what));
    if (record.offset < cur_->start || record.offset >= cur_->size)
        fail_invalid(fmt::format("{}: the record at byte {} is not from the segment being read ('{}' from byte {})",
                                 what, record.offset, cur_->path, cur_->start));
    const auto &pre = cur_->prefix;
    auto starts_with = [&](std::initializer_list<unsigned char> bom) {
        if (pre.size() < bom.size()) return false;
        std::size_t i = 0;
        for (unsigned char b : bom)
            if (pre[i++] != std::byte{b}) return false;
        return true;
    };
    const std::uint64_t text_start = starts_with({0xff, 0xfe}) ? 2 : starts_with({0xef, 0xbb, 0xbf}) ? 3 : 0;
    if (record.offset > cur_->start && record.offset != text_start) {
        // A record starts a line: the unit before it ends one ('\n') or is NUL padding.
        std::array<std::byte, 2> prev{};
        const std::size_t n = cur_->utf16 ? 2 : 1;
        const bool ok = cur_->handle->read_at(record.offset - n, std::span(prev).first(n)) == n &&
                        (prev[0] == std::byte{'\n'} || prev[0] == std::byte{0}) &&
                        (!cur_->utf16 || prev[1] == std::byte{0});
        if (!ok)
            fail_invalid(fmt::format("{}: byte {} of '{}' is not the start of a line", what, record.offset,
                                     cur_->path));
    }
}

fw_position log_cursor::position_before(const fw_record &record) {
    check_in_segment(record, "fw_cursor_position_before");
    return position_in(*cur_, record.offset);
}

std::optional<fw_position> log_cursor::position(const fw_record *through) {
    if (through != nullptr) {
        check_in_segment(*through, "fw_cursor_position");
        return position_in(*cur_, line_end(*cur_, through->offset));
    }
    if (cur_) {
        const fw_reader_stats &st = cur_->reader->value.stats();
        if (st.position > cur_->start || !pos_) return position_in(*cur_, st.position);
    }
    return pos_;
}

bool log_cursor::poll() {
    if (!queue_.empty()) return true;
    finish_current();
    set_plan(make_plan(live_, pos_ ? &*pos_ : nullptr, 0));
    return !queue_.empty();
}

} // namespace fw::cursor
