// C ABI of the log reader (fw/log.h): validation at the seam, then fw::log.
#include "abi/error.hpp"
#include "abi/handles.hpp"
#include "log/filter.hpp"
#include "log/parallel.hpp"
#include "log/reader.hpp"

#include <fw/log.h>

#include <fmt/format.h>

#include <memory>

namespace {
constexpr std::uint32_t max_batch_size = 1u << 20;
}

extern "C" {

FW_API(int) fw_filter_new(fw_filter **out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_filter_new: out is NULL");
        *out = nullptr;
        *out = std::make_unique<fw_filter>().release();
        return FW_OK;
    });
}

FW_API(int) fw_filter_add(fw_filter *filter, int field, const char *value) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(filter != nullptr, "fw_filter_add: filter is NULL");
        FW_CHECK_ARG(value != nullptr, "fw_filter_add: value is NULL");
        FW_CHECK_ARG(field >= FW_FILTER_ACTION && field <= FW_FILTER_DIRECTION,
                     "fw_filter_add: field is not a fw_filter_field (1-7)");
        filter->value.add(field, value);
        return FW_OK;
    });
}

FW_API(int) fw_filter_set_time(fw_filter *filter, int64_t after, int64_t before) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(filter != nullptr, "fw_filter_set_time: filter is NULL");
        filter->value.set_time(after, before);
        return FW_OK;
    });
}

FW_API(int) fw_filter_set_expr(fw_filter *filter, const fw_expr *expr) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(filter != nullptr, "fw_filter_set_expr: filter is NULL");
        if (expr == nullptr) {
            filter->value.expr.reset();
            return FW_OK;
        }
        filter->value.expr = fw::log::filter_expr::from_abi(*expr); // validated and copied, or unchanged
        return FW_OK;
    });
}

FW_API(void) fw_filter_free(fw_filter *filter) { std::unique_ptr<fw_filter> owned(filter); }

FW_API(int) fw_reader_open(fw_reader **out, const char *path, const fw_reader_options *opts) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_reader_open: out is NULL");
        *out = nullptr;
        FW_CHECK_ARG(path != nullptr, "fw_reader_open: path is NULL");
        FW_CHECK_ARG(*path != '\0', "fw_reader_open: path is empty");
        fw::log::reader_options o;
        fw::log::parallel_options par;
        if (opts != nullptr) {
            if (opts->version != 1 && opts->version != FW_READER_OPTIONS_VERSION)
                return fw::abi::set_error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                                          fmt::format("fw_reader_open: options version {} is not {} "
                                                      "(FW_READER_OPTIONS_VERSION) or 1",
                                                      opts->version, FW_READER_OPTIONS_VERSION));
            if (opts->version >= 2) { // a version 1 struct ends at filter
                if (opts->threads > FW_READER_THREADS_MAX)
                    return fw::abi::set_error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                                              fmt::format("fw_reader_open: threads {} is over {} (FW_READER_THREADS_MAX)",
                                                          opts->threads, FW_READER_THREADS_MAX));
                if ((opts->fields & ~static_cast<uint32_t>(FW_FIELDS_ALL)) != 0)
                    return fw::abi::set_error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                                              fmt::format("fw_reader_open: fields 0x{:x} has bits that are not "
                                                          "fw_record_fields",
                                                          opts->fields));
                par.threads = opts->threads;
                o.fields = opts->fields == 0 ? static_cast<uint32_t>(FW_FIELDS_ALL) : opts->fields;
            }
            if (opts->batch_size > max_batch_size)
                return fw::abi::set_error(FW_EINVALID, FW_ERRCLASS_ARGUMENT,
                                          fmt::format("fw_reader_open: batch_size {} is over {}", opts->batch_size,
                                                      max_batch_size));
            o.batch_size = opts->batch_size;
            o.start_offset = opts->start_offset;
            if (opts->filter != nullptr) o.filt = opts->filter->value; // a copy: readers share nothing
        }
        *out = std::make_unique<fw_reader>(path, std::move(o), par).release();
        return FW_OK;
    });
}

FW_API(int) fw_reader_next(fw_reader *reader, const fw_record **records, size_t *count) {
    return fw::abi::guard([&]() -> int {
        if (records != nullptr) *records = nullptr;
        if (count != nullptr) *count = 0;
        FW_CHECK_ARG(reader != nullptr, "fw_reader_next: reader is NULL");
        FW_CHECK_ARG(records != nullptr, "fw_reader_next: records is NULL");
        FW_CHECK_ARG(count != nullptr, "fw_reader_next: count is NULL");
        auto batch = reader->value.next();
        if (batch.empty() && reader->value.done()) return FW_ITEROVER;
        *records = batch.data();
        *count = batch.size();
        return FW_OK;
    });
}

FW_API(int) fw_reader_stats_get(const fw_reader *reader, fw_reader_stats *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(reader != nullptr, "fw_reader_stats_get: reader is NULL");
        FW_CHECK_ARG(out != nullptr, "fw_reader_stats_get: out is NULL");
        *out = reader->value.stats();
        return FW_OK;
    });
}

FW_API(int) fw_reader_diagnostic(const fw_reader *reader, size_t index, uint64_t *line, const char **message) {
    return fw::abi::guard([&]() -> int {
        if (line != nullptr) *line = 0;
        if (message != nullptr) *message = nullptr;
        FW_CHECK_ARG(reader != nullptr, "fw_reader_diagnostic: reader is NULL");
        const auto &d = reader->value.diagnostics();
        if (index >= d.size()) return FW_ITEROVER;
        if (line != nullptr) *line = d[index].line;
        if (message != nullptr) *message = d[index].message.c_str();
        return FW_OK;
    });
}

FW_API(void) fw_reader_free(fw_reader *reader) { std::unique_ptr<fw_reader> owned(reader); }

} // extern "C"
