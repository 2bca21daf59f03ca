// What a bookmark hands the native side: a position (fw_position) that may be
// corrupt, stale or hostile, against a log and a path.old in any state. The
// bookmark's JSON text is parsed in C# (module/Core/Bookmark.cs, covered by a
// Pester property test); here the position and the file states are fuzzed.
// Oracle: a position that passes the ABI's checks always opens; every planned
// segment opens and reads to its end (a position in the middle of a line is
// realigned, never an error); and a second run from the position reached
// delivers nothing and warns of nothing.
//
// Input: byte 0 flags (bit 0 include rotated, bit 1 follow, bit 2 a position,
// bit 3 write path.old, bit 4 the position is a real one from a first run,
// bit 5 rotate after that run), then a fw_position's bytes (random mode) or a
// 16-bit offset delta and a cut (real mode), then the files' text split at a
// 16-bit point.
#include "fuzz_file.hpp"

#include <fw/cursor.h>
#include <fw/log.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

struct outcome {
    int rc = FW_OK;
    std::size_t records = 0;
    uint32_t warnings = 0;
    bool has_position = false;
    std::string message;
    fw_position position{};
};

outcome run(const std::string &live, const fw_position *from, uint32_t flags) {
    outcome out;
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    o.flags = flags;
    o.batch_size = 3;
    fw_cursor *c = nullptr;
    out.rc = fw_cursor_open(&c, live.c_str(), from, &o);
    if (out.rc != FW_OK) return out;
    uint32_t w = 0;
    const char *m = nullptr;
    fw_cursor_warnings(c, &w, &m);
    out.warnings |= w;
    out.message += m;
    fw_reader *r = nullptr;
    int rc = FW_OK;
    while ((rc = fw_cursor_segment(c, &r, nullptr, nullptr)) == FW_OK) {
        const fw_record *recs = nullptr;
        std::size_t n = 0;
        int rn = FW_OK;
        while ((rn = fw_reader_next(r, &recs, &n)) == FW_OK) out.records += n;
        if (rn != FW_ITEROVER) fw_fuzz::fail("a segment's reader failed");
    }
    if (rc != FW_ITEROVER) {
        std::fprintf(stderr, "%s\n", fw_error_last()->message);
        fw_fuzz::fail("a planned segment could not be opened");
    }
    fw_cursor_warnings(c, &w, &m);
    out.warnings |= w;
    out.message += m;
    out.has_position = fw_cursor_position(c, nullptr, &out.position) == FW_OK;
    fw_cursor_free(c);
    return out;
}

bool passes_abi_checks(const fw_position &p) {
    auto ok = [](const fw_file_id &id) { return id.prefix_len <= FW_PREFIX_MAX && id.has_os_id <= 1; };
    return ok(p.file) && ok(p.before) && p.file.prefix_len <= p.offset;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 1 + sizeof(fw_position) + 2) return 0;
    static const std::string live = (fw_fuzz::scratch_dir() / "pfirewall.log").string();
    static const std::string old = live + ".old";
    // The two files only (the folder stays): an input starts with neither.
    std::error_code ec;
    ::unlink(live.c_str());
    ::unlink(old.c_str());

    const unsigned flags = data[0];
    fw_position pos{};
    std::memcpy(&pos, data + 1, sizeof pos);
    const std::uint8_t *rest = data + 1 + sizeof pos;
    std::size_t rest_size = size - 1 - sizeof pos;
    const std::size_t split = (rest[0] | (rest[1] << 8)) % (rest_size - 1);
    const std::string_view text(reinterpret_cast<const char *>(rest + 2), rest_size - 2);
    const std::string_view live_text = text.substr(0, split), old_text = text.substr(split);

    const uint32_t cursor_flags = ((flags & 1u) ? FW_PLAN_INCLUDE_ROTATED : 0u) | ((flags & 2u) ? FW_CURSOR_FOLLOW : 0u);
    const bool have_position = (flags & 4u) != 0;
    if (flags & 8u) fw_fuzz::write_file(old, old_text);

    if (have_position && (flags & 16u)) {
        // A real position, then the files change under it and the offset is damaged.
        const std::size_t cut = static_cast<std::size_t>(pos.offset % (live_text.size() + 1));
        fw_fuzz::write_file(live, live_text.substr(0, cut));
        const outcome first = run(live, nullptr, 0);
        if (first.rc != FW_OK || !first.has_position) return 0;
        pos = first.position;
        const std::int64_t delta = static_cast<std::int16_t>(pos.before.index_hi & 0xffffu);
        if (delta < 0 && static_cast<std::uint64_t>(-delta) <= pos.offset - pos.file.prefix_len) pos.offset -= static_cast<std::uint64_t>(-delta);
        if (flags & 32u) std::filesystem::rename(live, old, ec);
        fw_fuzz::write_file(live, flags & 32u ? live_text.substr(cut) : live_text);
    } else {
        fw_fuzz::write_file(live, live_text);
    }

    const fw_position *from = have_position ? &pos : nullptr;
    const outcome a = run(live, from, cursor_flags);
    if (from != nullptr && !passes_abi_checks(pos)) {
        if (a.rc != FW_EINVALID) fw_fuzz::fail("an invalid position was not refused");
        return 0;
    }
    if (a.rc != FW_OK) fw_fuzz::fail("a valid position could not be opened");
    if (!a.has_position) return 0;
    // Nothing read (an empty log): the cursor keeps the position it was given, and its warning stands.
    if (from != nullptr && std::memcmp(&a.position, from, sizeof pos) == 0) return 0;
    const outcome b = run(live, &a.position, 0);
    if (b.rc != FW_OK) fw_fuzz::fail("the position reached could not be opened");
    if (b.records != 0) fw_fuzz::fail("a run from the position reached delivered records again");
    if (b.warnings != 0) {
        std::fprintf(stderr, "warnings %u: %s\n", b.warnings, b.message.c_str());
        fw_fuzz::fail("a run from the position reached warned");
    }
    return 0;
}
