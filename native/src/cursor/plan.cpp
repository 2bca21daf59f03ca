#include "cursor/plan.hpp"

#include "cursor/identity.hpp"

#include <fmt/format.h>

#include <optional>

namespace fw::cursor {

namespace {

// One file looked at once: opened a single time, so the match, the size and
// the identity handed to the segment all describe the same file.
struct seen {
    std::optional<file> f;
    fw_file_match match = FW_FILE_MISSING;
    std::uint64_t size = 0;
};

seen look(const std::string &path, const fw_position *from) {
    seen s;
    s.f = file::open_if_exists(path);
    if (!s.f) return s;
    s.size = s.f->size();
    s.match = from != nullptr ? compare(*s.f, from->file) : FW_FILE_OTHER;
    return s;
}

class builder {
public:
    explicit builder(plan_result &r) : r_(r) {}

    // Adds a segment when the file has bytes past start.
    void add(fw_source source, const seen &s, std::uint64_t start) {
        if (!s.f || s.size <= start) return;
        fw_segment &seg = r_.plan.segments[r_.plan.count++];
        seg.source = static_cast<std::uint32_t>(source);
        seg.start = start;
        seg.file = identify(*s.f, FW_PREFIX_MAX);
    }

    void warn(std::uint32_t flag, const std::string &sentence) {
        r_.plan.warnings |= flag;
        if (!r_.message.empty()) r_.message += ' ';
        r_.message += sentence;
    }

private:
    plan_result &r_;
};

bool is_known(const fw_file_id &id) { return id.has_os_id != 0 || id.prefix_len != 0; }

std::string truncated(const std::string &path, std::uint64_t size, std::uint64_t offset) {
    return fmt::format("'{}' was truncated or rewritten since the position was taken (now {} bytes, position at "
                       "byte {}): reading it again from the start.",
                       path, size, offset);
}

} // namespace

plan_result make_plan(std::string_view live_path, const fw_position *from, std::uint32_t flags) {
    plan_result r;
    builder b(r);
    const std::string live(live_path);
    const std::string old = rotated_path(live_path);
    const seen l = look(live, from);

    if (from == nullptr) {
        if ((flags & FW_PLAN_INCLUDE_ROTATED) != 0) b.add(FW_SOURCE_ROTATED, look(old, nullptr), 0);
        b.add(FW_SOURCE_LIVE, l, 0);
    } else if (l.match == FW_FILE_SAME && l.size >= from->offset) {
        b.add(FW_SOURCE_LIVE, l, from->offset);
    } else {
        const seen o = look(old, from);
        // The older generation known when the position was taken: never read again.
        const bool old_is_before =
            o.f && is_known(from->before) && compare(*o.f, from->before) == FW_FILE_SAME;
        if (l.match == FW_FILE_SAME || (l.match == FW_FILE_REWRITTEN && (!o.f || old_is_before))) {
            // Same file, shrunk, or rewritten in place (same inode, no newer .old).
            b.warn(FW_WARN_TRUNCATED, truncated(live, l.size, from->offset));
            b.add(FW_SOURCE_LIVE, l, 0);
        } else if (o.match == FW_FILE_SAME && o.size >= from->offset) {
            // Rotated once since: the unread rest of the old file, then the new one.
            b.add(FW_SOURCE_ROTATED, o, from->offset);
            b.add(FW_SOURCE_LIVE, l, 0);
        } else if (o.match == FW_FILE_SAME || o.match == FW_FILE_REWRITTEN) {
            b.warn(FW_WARN_TRUNCATED, truncated(old, o.size, from->offset));
            b.add(FW_SOURCE_ROTATED, o, 0);
            b.add(FW_SOURCE_LIVE, l, 0);
        } else {
            // The file is neither here nor at .old: it was rotated away at least twice
            // (a live file with its inode is a new file that reuses it) or deleted. The
            // files present were started after it (except a .old that was already the
            // older generation then), so reading them whole repeats nothing; what it
            // held past the position is gone.
            const bool read_old = o.f && !old_is_before;
            std::string what = read_old && l.f ? fmt::format("'{}' and '{}'", old, live)
                               : read_old      ? fmt::format("'{}'", old)
                                               : fmt::format("'{}'", live);
            b.warn(FW_WARN_GAP,
                   fmt::format("The log file the position refers to is no longer '{}' nor '{}': it was rotated "
                               "away at least twice (or deleted) since, so records written after the position "
                               "may have been lost. Reading {} from the start.",
                               live, old, what));
            if (read_old) b.add(FW_SOURCE_ROTATED, o, 0);
            b.add(FW_SOURCE_LIVE, l, 0);
        }
    }
    if (!l.f) b.warn(FW_WARN_NO_LOG, fmt::format("'{}' does not exist.", live));
    return r;
}

} // namespace fw::cursor
