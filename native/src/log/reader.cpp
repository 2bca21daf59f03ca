#include "log/reader.hpp"

#include "core/error.hpp"
#include "log/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>

// process_lines is one body compiled twice: for the baseline and, inlined
// into process_hw, for POPCNT/BMI1.
#if defined(__GNUC__) || defined(__clang__)
#define FW_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define FW_ALWAYS_INLINE inline
#endif

namespace fw::log {
namespace {

constexpr std::size_t scan_padding = 64;

// Field text for a message: printable ASCII, at most 60 bytes.
std::string shown(std::string_view v) {
    std::string out;
    for (char c : v.substr(0, 60)) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) out += c;
        else out += fmt::format("\\x{:02x}", u);
    }
    if (v.size() > 60) out += "...";
    return out;
}

// The digits every line that passes f holds, when f names one destination or one source port of 3 digits
// or more (shorter ones are in most lines anyway); empty otherwise. parse_port takes 1-5 decimal digits
// only, leading zeros allowed, so a port field equal to p contains p's digits.
std::string required_literal(const filter &f) {
    auto one_port = [](const std::vector<net::port_range> &set) {
        return set.size() == 1 && set[0].lo == set[0].hi ? std::to_string(set[0].lo) : std::string{};
    };
    std::string dst = one_port(f.dst_ports), src = one_port(f.src_ports);
    std::string lit = src.size() > dst.size() ? src : dst;
    return lit.size() >= 3 ? lit : std::string{};
}

const layout standard17 = layout::standard(false);
const layout standard18 = layout::standard(true);

} // namespace

bool looks_like_utf16le(const unsigned char *bytes, std::size_t size) noexcept {
    // Decided on the first 16 bytes alone, never on more: a log that grows must keep the verdict its first
    // read had, or a position saved then is no line start now (a resumed read would see other lines).
    constexpr std::size_t sample = 16;
    if (size == 0) return false;
    const std::size_t n = std::min(size, sample);
    for (std::size_t i = 0; i + 1 < n; i += 2)
        if (bytes[i] == 0 || bytes[i + 1] != 0) return false;
    return true;
}

reader::reader(std::string_view path, reader_options options)
    : reader(std::make_unique<io::file_source>(path), std::move(options)) {}

reader::reader(io::file_source file, reader_options options)
    : reader(std::make_unique<io::file_source>(std::move(file)), std::move(options)) {}

reader::reader(std::unique_ptr<io::source> input, reader_options options)
    : input_(std::move(input)), buffer_cap_(std::max<std::size_t>(options.buffer_size, 16)), filter_(std::move(options.filt)),
      batch_size_(options.batch_size == 0 ? 4096 : options.batch_size) {
    hw_ = options.cpu_features && detail::has_popcnt_bmi();
    cpu_ssse3_ = options.cpu_features && has_ssse3();
    plain_.avx2 = options.cpu_features && has_avx2(); // (choose_plain leaves it)
    plain_allowed_ = options.plain_path;
    filter_.lift_expression();
    filtering_ = !filter_.empty();
    if (options.literal_skip) literal_ = required_literal(filter_);
    checks_ = {filter_.actions != 0,     filter_.protocols.any(),    !filter_.src.empty(),
               !filter_.dst.empty(),     !filter_.src_ports.empty(), !filter_.dst_ports.empty(),
               filter_.paths != 0,       filter_.has_time(),         filter_.expr.has_value()};
    typed_ = options.fields & FW_FIELDS_ALL;
    if (typed_ == 0) typed_ = FW_FIELDS_ALL;
    need_ = need_std_ = std::max(fields_needed(standard17), fields_needed(standard18));
    batch_.resize(std::min<std::uint32_t>(batch_size_, 4096));
    stats_.file_size = input_->size();
    end_ = std::min<std::uint64_t>(options.end_offset, input_->size());

    if (options.known_start) {
        // One range of a file whose start another reader looked at: no BOM, no search, nothing read here.
        if (options.start_offset > end_)
            fail_invalid(fmt::format("start offset {} is past the end of the range ({})", options.start_offset, end_));
        stats_.encoding = FW_ENC_UTF8;
        if (const auto &lay = options.known_start->fields) {
            layout_ = *lay;
            have_header_ = true;
            need_ = fields_needed(layout_);
            stats_.has_pid = lay->has(column::pid) ? 1 : 0;
        }
        buffer_.resize(buffer_cap_ + scan_padding, ' ');
        buffer_base_ = next_src_ = stats_.position = options.start_offset;
        choose_plain();
        return;
    }

    const std::uint64_t size = input_->size();
    // The input's start: what the BOM, the encoding and the CR-only check look at. Fewer bytes than asked when
    // the file shrank since it was opened; the checks then see what is there.
    std::vector<char> head(static_cast<std::size_t>(std::min<std::uint64_t>(size, head_look_bytes)));
    head.resize(input_->read_at(0, head.data(), head.size()));
    const auto *u = reinterpret_cast<const unsigned char *>(head.data());
    const std::size_t have = head.size();
    std::uint64_t start = options.start_offset;
    if (start > size)
        fail_invalid(fmt::format("start offset {} is past the end of '{}' ({} bytes)", start, input_->name(), size));
    auto not_line_start = [&] {
        fail_invalid(fmt::format("start offset {} is not at the start of a line in '{}'", start, input_->name()));
    };

    // Where a line starts, as a read from the start splits lines: after a line end, after NUL padding, or at
    // the NUL that cut the line before (where stats.position stops after such a line).
    // The unit before at and the one at it are read (a missing byte, the file having shrunk, is neither).
    auto at_line_start = [&](std::uint64_t at, unsigned unit) {
        unsigned char near[4] = {};
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(2 * unit, size - (at - unit)));
        const std::size_t got = input_->read_at(at - unit, reinterpret_cast<char *>(near), want);
        if (got < unit) return false;
        auto nul = [&](std::size_t i) { return near[i] == 0 && (unit == 1 || near[i + 1] == 0); };
        auto newline = [&](std::size_t i) { return near[i] == '\n' && (unit == 1 || near[i + 1] == 0); };
        return newline(0) || nul(0) || (got >= 2 * unit && nul(unit));
    };

    // A start mid-file reads the file from its start without delivering anything before start_offset
    // (prefix_end_): the column layout and the line numbers there are exactly those of a read from the start,
    // whatever came before (unusable '#Fields:' lines, NUL padding, over-long lines). The firewall's log is at
    // most 32 MiB, which the scan crosses in a few milliseconds.
    std::uint64_t text_start = 0;
    if (have >= 2 && u[0] == 0xff && u[1] == 0xfe) {
        utf16_ = true;
        text_start = 2;
    } else if (have >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        text_start = 3;
    } else if (looks_like_utf16le(u, have)) { // (its first 16 bytes)
        utf16_ = true; // saved without a BOM: offsets still count the file's bytes
    }
    if (!utf16_) {
        // CR-only line ends (no LF in the first 64 KiB, but a CR followed by text): not what Windows writes.
        const std::string_view look(head.data(), have);
        const auto cr = look.find('\r');
        if (look.find('\n') == std::string_view::npos && cr != std::string_view::npos && cr + 1 < have) {
            stats_.notes |= FW_NOTE_CR_ONLY;
            diags_.push_back({1, fmt::format("line 1: the lines of '{}' end in CR alone (no LF), which Windows never "
                                             "writes: only text up to an LF could be read as lines",
                                             input_->name())});
        }
    }
    const unsigned unit = utf16_ ? 2 : 1;
    if (start <= text_start) {
        if (start != 0 && start != text_start) not_line_start();
        start = text_start;
    } else if ((start - text_start) % unit != 0 || !at_line_start(start, unit)) {
        not_line_start();
    }
    stats_.encoding = utf16_ ? FW_ENC_UTF16LE : FW_ENC_UTF8;
    scale_ = unit;
    buffer_.resize(buffer_cap_ + scan_padding, ' ');
    if (utf16_) staging_.resize(2 * buffer_cap_);
    buffer_base_ = text_start;
    next_src_ = text_start;
    prefix_end_ = start;
    stats_.position = start;
    choose_plain();
}

void reader::choose_plain() noexcept {
    // Before any '#Fields:' line a line may have 17 or 18 columns: the fast path tries 18 (Windows 10 and
    // later), stage 1 takes the others.
    const bool standard = !have_header_ || layout_ == standard18 || layout_ == standard17;
    const bool only_action = !(checks_.protocol || checks_.src || checks_.dst || checks_.src_port ||
                               checks_.dst_port || checks_.path || checks_.time || checks_.expr);
    plain_on_ = plain_allowed_ && standard && only_action;
    plain_.pid = !have_header_ || layout_.has(column::pid);
    plain_.wanted = typed_;
    plain_.ssse3 = cpu_ssse3_;
    plain_.hw = hw_;
    plain_.actions = checks_.action ? filter_.actions : ~std::uint32_t{0};
}

std::size_t reader::pass_over(const window &w, std::size_t pos) noexcept {
    // Complete lines before the first candidate (see find_candidate) cannot match: count them, read nothing.
    const char *p = w.data + pos;
    const char *end = w.data + w.size;
    const char *c = find_candidate(p, end, w.readable_end, literal_);
    while (c > p && c[-1] != '\n') --c; // back to the start of the candidate's line (or of the unfinished one)
    if (c == p) return pos;
    const std::uint64_t lines = count_newlines(p, c);
    line_no_ += lines;
    stats_.lines += lines;
    stats_.notes |= FW_NOTE_PASSED_OVER;
    return static_cast<std::size_t>(c - w.data);
}

void reader::add_nuls(std::size_t n) noexcept {
    std::uint64_t total = std::uint64_t{stats_.nul_bytes} + n;
    stats_.nul_bytes = total > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(total);
}

void reader::skip(std::uint64_t line, std::string message) {
    ++stats_.skipped;
    if (!listed(line)) return;
    stats_.skipped_lines[listed_++] = line;
    last_listed_ = line;
    diags_.push_back({line, fmt::format("line {}: {}", line, message)});
}

bool reader::listed(std::uint64_t line) const noexcept {
    // NUL bytes cut one line into fragments (binary input is full of them): each counts as skipped, but a
    // line is listed once, under its own number, so the first few listed are distinct lines.
    return listed_ < FW_MAX_SKIPPED_LINES && (listed_ == 0 || line != last_listed_);
}

void reader::skip_fields(std::uint64_t line, std::uint32_t got, unsigned expected) {
    if (listed(line)) {
        skip(line, fmt::format("{} field{}, expected {}", got, got == 1 ? "" : "s", expected));
    } else {
        ++stats_.skipped;
    }
}

void reader::skip_column(std::uint64_t line, column c, const char *text, std::size_t n, const layout &lay) {
    if (!listed(line)) {
        ++stats_.skipped;
        return;
    }
    auto field = [&](column k) {
        auto i = lay[k];
        return i == layout::absent ? std::string_view("-") : fields_.get(text, n, static_cast<std::size_t>(i));
    };
    if (c == column::date || c == column::time) {
        skip(line, fmt::format("bad date/time '{} {}'", shown(field(column::date)), shown(field(column::time))));
    } else {
        skip(line, fmt::format("bad {} '{}'", column_name(c), shown(field(c))));
    }
}

void reader::header_line(const char *line, std::size_t n, bool counted) {
    constexpr std::string_view tag = "#Fields:";
    std::string_view text(line, n);
    if (text.substr(0, tag.size()) != tag) return; // #Version, #Software, other comments
    auto lay = parse_fields_header(text.substr(tag.size()));
    if (!lay) {
        if (counted) skip(cur_line_, fmt::format("unusable '#Fields:' header '{}'", shown(text)));
        return;
    }
    if (counted) {
        if (have_header_ && !(*lay == layout_)) ++stats_.layout_changes;
        ++stats_.headers;
    }
    layout_ = *lay;
    have_header_ = true;
    need_ = fields_needed(layout_);
    stats_.has_pid = lay->has(column::pid) ? 1 : 0;
    choose_plain();
}

std::size_t reader::fields_needed(const layout &lay) const noexcept {
    const bool typing_all = typed_ == FW_FIELDS_ALL;
    if (!filtering_ && typing_all) return max_fields;
    const filter &f = filter_;
    // Typing only some fields: tokenize as far as they (and the filter) go, once.
    int last = typing_all ? -1 : last_typed_position(lay, typed_);
    auto use = [&](bool on, column c) {
        if (on && lay[c] > last) last = lay[c];
    };
    use(f.actions != 0, column::action);
    use(f.protocols.any(), column::protocol);
    use(!f.src.empty(), column::src_ip);
    use(!f.dst.empty(), column::dst_ip);
    use(!f.src_ports.empty(), column::src_port);
    use(!f.dst_ports.empty(), column::dst_port);
    use(f.paths != 0, column::path);
    use(f.has_time(), column::date);
    use(f.has_time(), column::time);
    if (f.expr)
        for (std::size_t c = 0; c < column_count; ++c)
            use(((f.expr->columns() >> c) & 1u) != 0, static_cast<column>(c));
    // One more than the last one read: a field ends where the next one starts.
    return std::min<std::size_t>(static_cast<std::size_t>(last + 2), max_fields);
}

reader::verdict reader::prefilter(const char *line, std::size_t n, const layout &lay, column &bad) noexcept {
    const filter &f = filter_;
    const checks &on = checks_;
    auto field = [&](column c) {
        auto i = lay[c];
        return i == layout::absent ? std::string_view("-") : fields_.get(line, n, static_cast<std::size_t>(i));
    };
    if (on.action && (f.actions & (1u << parse_action(field(column::action)))) == 0) return verdict::fail;
    if (on.protocol) {
        std::int16_t p = 0;
        if (!parse_protocol(field(column::protocol), p)) return bad = column::protocol, verdict::bad;
        if (p < 0 || !f.protocols.test(static_cast<std::size_t>(p))) return verdict::fail;
    }
    if (on.dst_port) {
        std::int32_t port = 0;
        if (!parse_port(field(column::dst_port), port)) return bad = column::dst_port, verdict::bad;
        if (!filter::match_port(f.dst_ports, port)) return verdict::fail;
    }
    if (on.src_port) {
        std::int32_t port = 0;
        if (!parse_port(field(column::src_port), port)) return bad = column::src_port, verdict::bad;
        if (!filter::match_port(f.src_ports, port)) return verdict::fail;
    }
    if (on.path && (f.paths & (1u << parse_path(field(column::path)))) == 0) return verdict::fail;
    if (on.time) {
        std::int64_t t = FW_NO_TIME;
        if (!parse_date_time(field(column::date), field(column::time), t, &dates_)) return bad = column::date, verdict::bad;
        if (!f.match_time(t)) return verdict::fail;
    }
    if (on.dst) {
        fw_addr a{};
        if (!parse_address(field(column::dst_ip), a)) return bad = column::dst_ip, verdict::bad;
        if (!filter::match_addr(f.dst, a)) return verdict::fail;
    }
    if (on.src) {
        fw_addr a{};
        if (!parse_address(field(column::src_ip), a)) return bad = column::src_ip, verdict::bad;
        if (!filter::match_addr(f.src, a)) return verdict::fail;
    }
    if (on.expr) {
        switch (f.expr->evaluate(line, n, fields_, lay, &dates_, bad)) {
        case filter_expr::result::fail: return verdict::fail;
        case filter_expr::result::bad: return verdict::bad;
        case filter_expr::result::pass: break;
        }
    }
    return verdict::pass;
}

template <bool Hw>
FW_ALWAYS_INLINE void reader::record_line(const char *line, std::size_t n, std::uint64_t offset, const char *readable_end,
                                std::size_t need) {
    // fields_ holds the first `need` field starts and the field count (stage 1).
    const layout *lay = &layout_;
    if (!have_header_) {
        // Before any '#Fields:' line: the documented 17 columns, or 18 with pid.
        if (fields_.count == 17) {
            lay = &standard17;
        } else if (fields_.count == 18) {
            lay = &standard18;
            stats_.has_pid = 1;
        } else {
            skip_fields(cur_line_, fields_.count, 17);
            return;
        }
    } else if (fields_.count != lay->fields) {
        skip_fields(cur_line_, fields_.count, lay->fields);
        return;
    }
    column bad = column::date;
    if (filtering_) {
        switch (prefilter(line, n, *lay, bad)) {
        case verdict::fail: ++stats_.records; return;
        case verdict::bad: skip_column(cur_line_, bad, line, n, *lay); return;
        case verdict::pass: break;
        }
        if (need < max_fields && typed_ == FW_FIELDS_ALL) tokenize<Hw>(line, n, readable_end, fields_); // all of them now
    }
    // Slots are reused, not cleared per record: type_record sets every field
    // (zeroing 136 bytes per record cost a quarter of the reading time).
    if (batch_len_ == batch_.size())
        batch_.resize(std::min<std::size_t>(batch_size_, 2 * batch_.size()));
    fw_record &r = batch_[batch_len_];
    r.offset = offset;
    r.line = cur_line_;
    if (auto c = type_record(line, n, fields_, *lay, r, &dates_, typed_, readable_end)) {
        skip_column(cur_line_, *c, line, n, *lay);
        return;
    }
    ++stats_.records;
    ++stats_.matched;
    ++batch_len_;
    batch_full_ = batch_len_ >= batch_size_;
}

template <bool Hw>
FW_ALWAYS_INLINE std::size_t reader::process_lines(const window &w, std::size_t pos) {
    const char *d = w.data;
    const char *end = d + w.size;
    if (discarding_) {
        // The rest of a line longer than the buffer, already counted as skipped.
        const char *e = find_line_end(d + pos, end);
        if (e == end) return w.size;
        discarding_ = false;
        pos = static_cast<std::size_t>(e - d) + 1;
        if (w.base + w.scale * pos > prefix_end_) stats_.position = w.base + w.scale * pos;
    }
    std::size_t need = have_header_ ? need_ : need_std_;
    std::uint64_t position = stats_.position;
    while (pos < w.size && !batch_full_) {
        const char *p = d + pos;
        if (*p == '\0') { // NUL padding (a preallocated or crash-cut file)
            std::size_t z = count_leading_nuls(p, end);
            if (w.base + w.scale * pos >= prefix_end_) add_nuls(z);
            pos += z;
            continue;
        }
        if (!literal_.empty() && w.base + w.scale * pos >= prefix_end_) {
            const std::size_t next = pass_over(w, pos);
            if (next != pos) {
                pos = next;
                position = w.base + w.scale * pos;
                continue;
            }
        }
        if (plain_on_ && w.readable_end - p >= static_cast<std::ptrdiff_t>(plain_readable) && *p != '#' &&
            w.base + w.scale * pos >= prefix_end_) {
            // Lines as the firewall writes them: typed in one pass; the first other one is left to stage 1 below.
            const plain_run run = plain_lines(w, pos, !literal_.empty());
            if (run.pos != pos) {
                pos = run.pos;
                position = w.base + w.scale * pos;
            }
            if (!run.declined) continue;
            p = d + pos;
        }
        std::size_t n = 0;
        const char *e = scan_line<Hw>(p, end, w.readable_end, fields_, need, n);
        if (e == nullptr) break; // no line end yet
        const bool at_newline = *e == '\n';
        cur_line_ = line_no_ + 1;
        if (at_newline) ++line_no_;
        std::uint64_t offset = w.base + w.scale * pos;
        pos = static_cast<std::size_t>(e - d) + (at_newline ? 1 : 0);
        if (offset < prefix_end_) { // before start_offset (UTF-16): only the layout matters
            if (n != 0 && *p == '#') {
                header_line(p, n, false);
                need = have_header_ ? need_ : need_std_;
            }
            continue;
        }
        ++stats_.lines;
        if (n != 0) {
            if (*p == '#') {
                header_line(p, n, true);
                need = have_header_ ? need_ : need_std_;
            } else {
                record_line<Hw>(p, n, offset, w.readable_end, need);
            }
        }
        position = w.base + w.scale * pos;
    }
    stats_.position = position;
    return pos;
}

// A run of plain lines from pos, typed by type_plain_line with the counters in
// registers (the call would make the compiler store and reload members per
// line). Stops before a line that is not plain (declined: stage 1 reads it), at
// a NUL or a '#', when the batch is full, where fewer than plain_readable bytes
// are left, or after one line when `one` (the literal search decides the next).
reader::plain_run reader::plain_lines(const window &w, std::size_t pos, bool one) {
    const char *const d = w.data;
    const char *const end = d + w.size;
    const char *const last = w.readable_end - plain_readable; // the last line start with the bytes typing reads
    std::uint64_t line_no = line_no_, lines = 0, matched = 0;
    std::size_t len = batch_len_;
    bool declined = false;
    while (pos < w.size && len < batch_size_) {
        const char *p = d + pos;
        if (p > last || *p == '\0' || *p == '#') break;
        if (len == batch_.size()) batch_.resize(std::min<std::size_t>(batch_size_, 2 * batch_.size()));
        fw_record &r = batch_[len];
        bool passed = false;
        const char *e = type_plain_line(p, plain_, r, dates_, passed);
        if (e == nullptr || e >= end) {
            declined = true;
            break;
        }
        ++line_no;
        ++lines;
        if (passed) {
            r.offset = w.base + w.scale * pos;
            r.line = line_no;
            ++matched;
            ++len;
        }
        pos = static_cast<std::size_t>(e - d) + 1;
        if (one) break;
    }
    if (lines != 0) {
        cur_line_ = line_no_ = line_no;
        stats_.lines += lines;
        stats_.records += lines;
        stats_.matched += matched;
        if (!have_header_) stats_.has_pid = 1; // (standard18, as record_line picks it)
    }
    batch_len_ = len;
    batch_full_ = len >= batch_size_;
    return {pos, declined};
}

// Compiled for POPCNT and BMI1; called only when the CPU has them.
FW_TARGET_POPCNT_BMI std::size_t reader::process_hw(const window &w, std::size_t pos) {
    return process_lines<true>(w, pos);
}

std::size_t reader::process(const window &w, std::size_t pos) {
#ifdef FW_SCAN_DISPATCH
    if (hw_) return process_hw(w, pos);
#endif
    return process_lines<false>(w, pos);
}

void reader::finish_tail(std::uint64_t line) {
    done_ = true;
    stats_.partial_tail = 1;
    diags_.push_back({line, fmt::format("line {}: incomplete last line (no line end), not read", line)});
}

bool reader::refill() {
    // Keep the incomplete line, read more after it.
    std::size_t keep = buffer_len_ - pos_;
    std::memmove(buffer_.data(), buffer_.data() + pos_, keep);
    buffer_base_ += scale_ * pos_;
    pos_ = 0;
    buffer_len_ = keep;
    std::uint64_t units_left = next_src_ < end_ ? (end_ - next_src_) / scale_ : 0;
    if (units_left == 0) return false;
    if (keep == buffer_cap_) {
        // A line longer than the buffer: skip it up to its line end.
        ++line_no_;
        if (buffer_base_ >= prefix_end_) {
            ++stats_.lines;
            skip(line_no_, fmt::format("longer than {} characters", buffer_cap_));
        }
        discarding_ = true;
        buffer_base_ += scale_ * keep;
        buffer_len_ = keep = 0;
    }
    std::size_t units = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_cap_ - keep, units_left));
    if (utf16_) {
        std::size_t got = input_->read_at(next_src_, staging_.data(), 2 * units);
        units = got / 2; // an odd byte left by a shrinking file is read again next time
        narrow_utf16le(reinterpret_cast<const unsigned char *>(staging_.data()), units, buffer_.data() + keep);
    } else {
        units = input_->read_at(next_src_, buffer_.data() + keep, units);
    }
    if (units == 0) { // the file shrank since it was opened
        stats_.notes |= FW_NOTE_SHRANK;
        diags_.push_back({line_no_ + 1, fmt::format("'{}' shrank to {} bytes while it was read ({} bytes when opened): "
                                                    "read up to byte {}; the rest is gone (truncated or rewritten)",
                                                    input_->name(), input_->current_size(), stats_.file_size, next_src_)});
        return false;
    }
    next_src_ += scale_ * units;
    buffer_len_ += units;
    return true;
}

std::vector<fw_record> reader::take_batch(std::vector<fw_record> spare) {
    if (spare.empty()) spare.resize(std::min<std::uint32_t>(batch_size_, 4096));
    std::swap(spare, batch_);
    return spare;
}

std::span<const fw_record> reader::next() {
    batch_len_ = 0;
    batch_full_ = false;
    if (done_) return {};
    const std::uint64_t budget_end = next_src_ + scan_budget;
    for (;;) {
        window w{buffer_.data(), buffer_len_, buffer_.data() + buffer_.size(), buffer_base_, scale_};
        pos_ = process(w, pos_);
        if (batch_full_) break;
        // Enough read for one call: give control back with what there is (maybe nothing).
        if (next_src_ >= budget_end) break;
        if (!refill()) {
            bool odd_byte = utf16_ && next_src_ < end_ && (stats_.notes & FW_NOTE_SHRANK) == 0;
            if (!discarding_ && (pos_ < buffer_len_ || odd_byte) && buffer_base_ + scale_ * pos_ >= prefix_end_)
                finish_tail(line_no_ + 1);
            done_ = true;
            break;
        }
    }
    return {batch_.data(), batch_len_};
}

} // namespace fw::log
