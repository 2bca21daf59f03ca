// The log reader with a resume oracle: the text is read once whole, then as a
// log that grows (the same bytes cut at up to three points, each run resuming at
// the position the previous one reached); both must deliver the same records.
// Every record's offset must also be a place to resume from. With the port filter, passing over lines that
// cannot hold the port must deliver what reading every line does.
//
// The reader reads the bytes in memory (io::memory_source), no file in between,
// with a buffer small enough that refills and over-long lines fall inside the
// input: thousands of executions a second instead of a hundred.
//
// Input: byte 0 options (bits 0-1 cuts, bit 2 a filter on dst-port 443, bits
// 3-5 batch size - 1, bits 6-7 the buffer: 64, 700, 4096 bytes or the default, each capped at the input's size + plain_readable),
// bytes 1-6 three 16-bit cut points, the rest the log.
#include "fuzz_file.hpp"

#include "core/error.hpp"
#include "io/source.hpp"
#include "log/fields.hpp" // plain_readable
#include "log/filter.hpp"
#include "log/reader.hpp"

#include <fw/log.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

using key = std::tuple<std::uint64_t, std::uint64_t, std::int32_t, std::int32_t, std::int16_t, std::int64_t, std::uint8_t,
                       std::uint8_t>;

struct result {
    bool opened = false;
    std::vector<key> records;
    fw_reader_stats stats{};
};

struct settings {
    const fw::log::filter *filter = nullptr;
    std::uint32_t batch = 1;
    std::size_t buffer = fw::log::default_buffer_size;
    bool literal_skip = true;
};

result read(std::string_view text, const settings &s, std::uint64_t start, std::size_t max_records = SIZE_MAX) {
    result out;
    fw::log::reader_options o;
    o.batch_size = s.batch;
    o.start_offset = start;
    o.buffer_size = s.buffer;
    o.literal_skip = s.literal_skip;
    if (s.filter != nullptr) o.filt = *s.filter;
    std::unique_ptr<fw::log::reader> r;
    try {
        r = std::make_unique<fw::log::reader>(
            std::make_unique<fw::io::memory_source>(std::span<const char>(text.data(), text.size()), "fuzz.log"),
            std::move(o));
    } catch (const fw::error &) {
        return out;
    }
    out.opened = true;
    try {
        while (out.records.size() < max_records) {
            const auto batch = r->next();
            if (batch.empty() && r->done()) break;
            for (const fw_record &rec : batch)
                out.records.emplace_back(rec.offset, rec.line, rec.src_port, rec.dst_port, rec.protocol, rec.time,
                                         rec.action, rec.path);
        }
    } catch (const fw::error &) {
        fw_fuzz::fail("reading failed");
    }
    out.stats = r->stats();
    // Diagnostics are well-formed whatever the input.
    for (const auto &d : r->diagnostics())
        if (d.message.empty() || d.line == 0) fw_fuzz::fail("diagnostic without a line or text");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 7) return 0;
    static const fw::log::filter port443 = [] {
        fw::log::filter f;
        f.add(FW_FILTER_DST_PORT, "443");
        return f;
    }();
    static constexpr std::size_t buffers[] = {64, 700, 4096, fw::log::default_buffer_size};
    const unsigned cuts = data[0] & 3u;
    settings s;
    s.filter = (data[0] & 4u) != 0 ? &port443 : nullptr;
    s.batch = 1u + ((data[0] >> 3) & 7u);
    const std::string_view text(reinterpret_cast<const char *>(data + 7), size - 7);
    // A buffer of the input's size plus what the one-pass typing reads past a line start reads the input
    // exactly as any larger buffer does (no line is longer than the input, and the same fast paths are taken):
    // the default buffer's reads without a 256 KiB allocation per reader.
    s.buffer = std::min(buffers[(data[0] >> 6) & 3u], text.size() + fw::log::plain_readable);

    const result single = read(text, s, 0);
    if (!single.opened) fw_fuzz::fail("a whole log could not be opened");
    if (single.stats.position > text.size()) fw_fuzz::fail("position past the end");

    if (s.filter != nullptr) {
        // The filter names one port: lines without "443" are passed over unread. Reading every line must give
        // the same records, line count and position.
        settings every = s;
        every.literal_skip = false;
        const result all = read(text, every, 0);
        if (all.records != single.records) fw_fuzz::fail("passing over lines changed the records");
        if (all.stats.lines != single.stats.lines || all.stats.position != single.stats.position)
            fw_fuzz::fail("passing over lines changed the line count or the position");
    }

    std::vector<std::size_t> points;
    for (unsigned i = 0; i < cuts; ++i) points.push_back((data[1 + 2 * i] | (data[2 + 2 * i] << 8)) % (text.size() + 1));
    std::sort(points.begin(), points.end());
    std::vector<key> split;
    std::uint64_t pos = 0;
    for (std::size_t cut : points) {
        const result part = read(text.substr(0, cut), s, pos);
        if (!part.opened) fw_fuzz::fail("a position could not be resumed from in the shorter log");
        if (part.stats.position < pos || part.stats.position > cut) fw_fuzz::fail("position moved backwards or past the end");
        split.insert(split.end(), part.records.begin(), part.records.end());
        pos = part.stats.position;
    }
    if (!points.empty()) {
        const result last = read(text, s, pos);
        if (!last.opened) fw_fuzz::fail("a position could not be resumed from");
        split.insert(split.end(), last.records.begin(), last.records.end());
        if (split != single.records) fw_fuzz::fail("a split read delivered other records than a single read");
    }
    // A record's offset is a valid start, and reading from it gives that record first.
    if (!single.records.empty()) {
        const auto &r = single.records[(data[1] ^ data[2]) % single.records.size()];
        const result from = read(text, s, std::get<0>(r), 1);
        if (!from.opened) fw_fuzz::fail("a record's offset is not a valid start");
        if (from.records.empty() || from.records.front() != r) fw_fuzz::fail("reading from a record's offset starts elsewhere");
    }
    return 0;
}
