// The log reader with a resume oracle: the text is read once whole, then as a
// log that grows (the same file cut at up to three points, each run resuming at
// the position the previous one reached); both must deliver the same records.
// Every record's offset must also be a place to resume from.
//
// Input: byte 0 options (bits 0-1 cuts, bit 2 a filter on dst-port 443, bits
// 3-5 batch size - 1), bytes 1-6 three 16-bit cut points, the rest the log.
#include "fuzz_file.hpp"

#include <fw/log.h>

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

using key = std::tuple<std::uint64_t, std::uint64_t, std::int32_t, std::int32_t, std::int16_t, std::int64_t, std::uint8_t,
                       std::uint8_t>;

struct result {
    int rc = FW_OK;
    std::vector<key> records;
    fw_reader_stats stats{};
};

result read(const std::string &path, const fw_filter *filter, std::uint32_t batch, std::uint64_t start,
            std::size_t max_records = SIZE_MAX) {
    result out;
    fw_reader_options o = FW_READER_OPTIONS_INIT;
    o.batch_size = batch;
    o.start_offset = start;
    o.filter = filter;
    fw_reader *r = nullptr;
    out.rc = fw_reader_open(&r, path.c_str(), &o);
    if (out.rc != FW_OK) return out;
    const fw_record *recs = nullptr;
    std::size_t n = 0;
    int rc = FW_OK;
    while (out.records.size() < max_records && (rc = fw_reader_next(r, &recs, &n)) == FW_OK) {
        for (std::size_t i = 0; i < n; ++i)
            out.records.emplace_back(recs[i].offset, recs[i].line, recs[i].src_port, recs[i].dst_port, recs[i].protocol,
                                     recs[i].time, recs[i].action, recs[i].path);
    }
    if (rc != FW_OK && rc != FW_ITEROVER) fw_fuzz::fail("fw_reader_next failed");
    fw_reader_stats_get(r, &out.stats);
    // Diagnostics are well-formed whatever the input.
    std::uint64_t line = 0;
    const char *message = nullptr;
    for (std::size_t i = 0; fw_reader_diagnostic(r, i, &line, &message) == FW_OK; ++i)
        if (message == nullptr || line == 0) fw_fuzz::fail("diagnostic without a line or text");
    fw_reader_free(r);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 7) return 0;
    static const std::string path = (fw_fuzz::scratch_dir() / "reader.log").string();
    static fw_filter *port443 = [] {
        fw_filter *f = nullptr;
        fw_filter_new(&f);
        fw_filter_add(f, FW_FILTER_DST_PORT, "443");
        return f;
    }();
    const unsigned cuts = data[0] & 3u;
    const fw_filter *filter = (data[0] & 4u) != 0 ? port443 : nullptr;
    const std::uint32_t batch = 1u + ((data[0] >> 3) & 7u);
    const std::string_view text(reinterpret_cast<const char *>(data + 7), size - 7);

    fw_fuzz::write_file(path, text);
    const result single = read(path, filter, batch, 0);
    if (single.rc != FW_OK) fw_fuzz::fail("a whole file could not be opened");
    if (single.stats.position > text.size()) fw_fuzz::fail("position past the end");

    std::vector<std::size_t> points;
    for (unsigned i = 0; i < cuts; ++i) points.push_back((data[1 + 2 * i] | (data[2 + 2 * i] << 8)) % (text.size() + 1));
    std::sort(points.begin(), points.end());
    std::vector<key> split;
    std::uint64_t pos = 0;
    for (std::size_t cut : points) {
        fw_fuzz::write_file(path, text.substr(0, cut));
        const result part = read(path, filter, batch, pos);
        if (part.rc != FW_OK) fw_fuzz::fail("a position could not be resumed from in the shorter file");
        if (part.stats.position < pos || part.stats.position > cut) fw_fuzz::fail("position moved backwards or past the end");
        split.insert(split.end(), part.records.begin(), part.records.end());
        pos = part.stats.position;
    }
    if (!points.empty()) {
        fw_fuzz::write_file(path, text);
        const result last = read(path, filter, batch, pos);
        if (last.rc != FW_OK) fw_fuzz::fail("a position could not be resumed from");
        split.insert(split.end(), last.records.begin(), last.records.end());
        if (split != single.records) fw_fuzz::fail("a split read delivered other records than a single read");
    }
    // A record's offset is a valid start, and reading from it gives that record first.
    if (!single.records.empty()) {
        const auto &r = single.records[(data[1] ^ data[2]) % single.records.size()];
        const result from = read(path, filter, batch, std::get<0>(r), 1);
        if (from.rc != FW_OK) fw_fuzz::fail("a record's offset is not a valid start");
        if (from.records.empty() || from.records.front() != r) fw_fuzz::fail("reading from a record's offset starts elsewhere");
    }
    return 0;
}
