// C ABI of the cursor component: file identity, resume plans, cursors and the
// default log locations (fw/cursor.h).
#include <fw/cursor.h>

#include "abi/error.hpp"
#include "cursor/cursor.hpp"
#include "cursor/identity.hpp"
#include "cursor/plan.hpp"
#include "win/log_policy.hpp"

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace {

int check_id(const fw_file_id &id) {
    FW_CHECK_ARG(id.prefix_len <= FW_PREFIX_MAX, "file identity: prefix_len is larger than FW_PREFIX_MAX");
    FW_CHECK_ARG(id.has_os_id <= 1, "file identity: has_os_id must be 0 or 1");
    return FW_OK;
}

int check_position(const fw_position *p) {
    if (p == nullptr) return FW_OK;
    if (int rc = check_id(p->file); rc != FW_OK) return rc;
    if (int rc = check_id(p->before); rc != FW_OK) return rc;
    FW_CHECK_ARG(p->file.prefix_len <= p->offset, "position: the hashed prefix extends past the offset");
    return FW_OK;
}

} // namespace

struct fw_cursor {
    fw::cursor::log_cursor value;
    std::string message; // the text handed out by fw_cursor_warnings
};

extern "C" {

FW_API(int) fw_file_identify(const char *path, uint64_t prefix_len, fw_file_id *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_file_identify: out is NULL");
        *out = fw_file_id{};
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_file_identify: path is NULL or empty");
        *out = fw::cursor::identify(fw::cursor::file::open(path), prefix_len);
        return FW_OK;
    });
}

FW_API(int) fw_file_compare(const char *path, const fw_file_id *id, int *result) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(result != nullptr, "fw_file_compare: result is NULL");
        *result = FW_FILE_MISSING;
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_file_compare: path is NULL or empty");
        FW_CHECK_ARG(id != nullptr, "fw_file_compare: id is NULL");
        if (int rc = check_id(*id); rc != FW_OK) return rc;
        *result = fw::cursor::compare(std::string_view(path), *id);
        return FW_OK;
    });
}

FW_API(int) fw_log_plan(const char *path, const fw_position *from, uint32_t flags, fw_plan *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_log_plan: out is NULL");
        *out = fw_plan{};
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_log_plan: path is NULL or empty");
        FW_CHECK_ARG((flags & ~FW_PLAN_INCLUDE_ROTATED) == 0, "fw_log_plan: unknown flags");
        if (int rc = check_position(from); rc != FW_OK) return rc;
        *out = fw::cursor::make_plan(path, from, flags).plan;
        return FW_OK;
    });
}

FW_API(int) fw_log_default_paths(char *buffer, size_t size, size_t *needed, size_t *count) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(needed != nullptr, "fw_log_default_paths: needed is NULL");
        FW_CHECK_ARG(count != nullptr, "fw_log_default_paths: count is NULL");
        *needed = 0;
        *count = 0;
        FW_CHECK_ARG(buffer != nullptr || size == 0, "fw_log_default_paths: buffer is NULL but size is not 0");
        const auto paths = fw::win::default_log_paths();
        size_t total = 1;
        for (const auto &p : paths) total += p.size() + 1;
        *needed = total;
        *count = paths.size();
        if (size < total)
            return fw::abi::set_error(FW_EBUFS, FW_ERRCLASS_ARGUMENT, "fw_log_default_paths: buffer too small");
        char *at = buffer;
        for (const auto &p : paths) {
            std::memcpy(at, p.data(), p.size());
            at += p.size();
            *at++ = '\0';
        }
        *at = '\0';
        return FW_OK;
    });
}

FW_API(int) fw_cursor_open(fw_cursor **out, const char *path, const fw_position *from,
                           const fw_cursor_options *opts) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_cursor_open: out is NULL");
        *out = nullptr;
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_cursor_open: path is NULL or empty");
        fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
        if (opts != nullptr) {
            FW_CHECK_ARG(opts->version == FW_CURSOR_OPTIONS_VERSION,
                         "fw_cursor_open: options version is not FW_CURSOR_OPTIONS_VERSION");
            o = *opts;
        }
        FW_CHECK_ARG((o.flags & ~(FW_PLAN_INCLUDE_ROTATED | FW_CURSOR_FOLLOW)) == 0, "fw_cursor_open: unknown flags");
        FW_CHECK_ARG(o.batch_size <= (1u << 20), "fw_cursor_open: batch_size is larger than 1048576");
        if (int rc = check_position(from); rc != FW_OK) return rc;
        *out = std::make_unique<fw_cursor>(
                   fw_cursor{fw::cursor::log_cursor(path, from, o.flags, o.batch_size, o.filter), {}})
                   .release();
        return FW_OK;
    });
}

FW_API(int) fw_cursor_segment(fw_cursor *cursor, fw_reader **reader, int *source, const char **path) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(reader != nullptr, "fw_cursor_segment: reader is NULL");
        *reader = nullptr;
        FW_CHECK_ARG(cursor != nullptr, "fw_cursor_segment: cursor is NULL");
        fw_reader *r = cursor->value.next_segment();
        if (source != nullptr) *source = cursor->value.source();
        if (path != nullptr) *path = cursor->value.path().c_str();
        if (r == nullptr) return FW_ITEROVER;
        *reader = r;
        return FW_OK;
    });
}

FW_API(int) fw_cursor_position(fw_cursor *cursor, const fw_record *through, fw_position *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_cursor_position: out is NULL");
        *out = fw_position{};
        FW_CHECK_ARG(cursor != nullptr, "fw_cursor_position: cursor is NULL");
        auto p = cursor->value.position(through);
        if (!p) return FW_ITEROVER;
        *out = *p;
        return FW_OK;
    });
}

FW_API(int) fw_cursor_position_before(fw_cursor *cursor, const fw_record *record, fw_position *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_cursor_position_before: out is NULL");
        *out = fw_position{};
        FW_CHECK_ARG(cursor != nullptr, "fw_cursor_position_before: cursor is NULL");
        FW_CHECK_ARG(record != nullptr, "fw_cursor_position_before: record is NULL");
        *out = cursor->value.position_before(*record);
        return FW_OK;
    });
}

FW_API(int) fw_cursor_poll(fw_cursor *cursor, int *ready) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(ready != nullptr, "fw_cursor_poll: ready is NULL");
        *ready = 0;
        FW_CHECK_ARG(cursor != nullptr, "fw_cursor_poll: cursor is NULL");
        *ready = cursor->value.poll() ? 1 : 0;
        return FW_OK;
    });
}

FW_API(int) fw_cursor_warnings(fw_cursor *cursor, uint32_t *warnings, const char **message) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(warnings != nullptr, "fw_cursor_warnings: warnings is NULL");
        *warnings = 0;
        if (message != nullptr) *message = "";
        FW_CHECK_ARG(cursor != nullptr, "fw_cursor_warnings: cursor is NULL");
        auto [w, m] = cursor->value.take_warnings();
        cursor->message = std::move(m);
        *warnings = w;
        if (message != nullptr) *message = cursor->message.c_str();
        return FW_OK;
    });
}

FW_API(void) fw_cursor_free(fw_cursor *cursor) { std::unique_ptr<fw_cursor> owned(cursor); }

} // extern "C"
