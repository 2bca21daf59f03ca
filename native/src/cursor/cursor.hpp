// A cursor: reads a log across rotation segment by segment (see fw_cursor_* in
// fw/cursor.h). Readers are the public fw_reader objects, handed out borrowed.
#pragma once

#include "abi/handles.hpp"

#include "cursor/identity.hpp"
#include "cursor/plan.hpp"

#include <fw/cursor.h>
#include <fw/log.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fw::cursor {

class log_cursor {
public:
    // flags: FW_PLAN_* and FW_CURSOR_FOLLOW. filter may be null; it is copied.
    log_cursor(std::string live_path, const fw_position *from, std::uint32_t flags, std::uint32_t batch_size,
               const fw_filter *filter);

    // The next segment's reader (positioned at the segment start), or nullptr when the plan is done.
    fw_reader *next_segment();
    [[nodiscard]] fw_source source() const noexcept { return cur_ ? cur_->source : last_source_; }
    [[nodiscard]] const std::string &path() const noexcept { return cur_ ? cur_->path : last_path_; }

    // The position reached (see fw_cursor_position); empty when nothing was read and
    // the cursor started without a position.
    [[nodiscard]] std::optional<fw_position> position(const fw_record *through);
    // The position at the start of record's line (a record of the current segment).
    [[nodiscard]] fw_position position_before(const fw_record &record);

    // Follow mode: plan again from the position reached. True when a segment is ready.
    bool poll();

    // Warnings found since the last call (plans, segments that could not be opened), then forgotten.
    std::pair<std::uint32_t, std::string> take_warnings();

private:
    using reader_ptr = std::unique_ptr<fw_reader>;

    struct segment_state {
        fw_source source = FW_SOURCE_LIVE;
        std::string path;
        std::uint64_t start = 0;
        os_identity os;
        std::uint64_t size = 0;          // file size after the reader was opened
        std::vector<std::byte> prefix;   // the file's first bytes (at most FW_PREFIX_MAX)
        std::optional<file> handle;      // the same file as the reader's, for line ends
        reader_ptr reader;
        bool utf16 = false;
    };

    void set_plan(const plan_result &r);
    void finish_current();
    std::optional<segment_state> open_segment(const fw_segment &seg);
    fw_position position_in(const segment_state &s, std::uint64_t offset) const;
    bool still_at(const std::string &path, const segment_state &s) const;
    std::uint64_t line_end(const segment_state &s, std::uint64_t offset) const;
    void check_in_segment(const fw_record &record, const char *what) const;
    void warn(std::uint32_t flag, const std::string &sentence);

    std::string live_;
    std::string old_;
    std::uint32_t batch_size_;
    std::optional<fw_filter> filter_; // the caller's filter, copied: every segment's reader gets it
    std::deque<fw_segment> queue_;
    std::optional<segment_state> cur_;
    std::optional<fw_position> pos_;
    fw_source last_source_ = FW_SOURCE_LIVE;
    std::string last_path_;
    std::uint32_t warnings_ = 0;
    std::string message_;
};

} // namespace fw::cursor
