// C ABI of the record counter (fw/summary.h).
#include "abi/error.hpp"
#include "abi/handles.hpp"
#include "summary/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <span>
#include <vector>

struct fw_summary {
    fw::summary::counter counter;
    bool finished = false;
};

extern "C" {

FW_API(int) fw_summary_new(fw_summary **out, const int *keys, size_t count) {
    if (out != nullptr) *out = nullptr;
    return fw::abi::guard([&] {
        FW_CHECK_ARG(out != nullptr, "fw_summary_new: out is NULL");
        FW_CHECK_ARG(keys != nullptr || count == 0, "fw_summary_new: keys is NULL");
        if (count == 0 || count > FW_SUMMARY_KEYS_MAX)
            fw::fail_invalid(fmt::format("fw_summary_new: {} keys; give 1 to {}", count, FW_SUMMARY_KEYS_MAX));
        std::vector<int> list(keys, keys + count);
        for (size_t i = 0; i < count; ++i) {
            if (!fw::summary::counter::valid_key(list[i]))
                fw::fail_invalid(fmt::format("fw_summary_new: key {} ({}) is not a fw_summary_key", i, list[i]));
            if (std::count(list.begin(), list.end(), list[i]) > 1)
                fw::fail_invalid(fmt::format("fw_summary_new: key {} is given twice", list[i]));
        }
        auto s = std::make_unique<fw_summary>(fw_summary{fw::summary::counter(std::move(list)), false});
        *out = s.release();
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_summary_fields(const fw_summary *summary, uint32_t *fields) {
    if (fields != nullptr) *fields = 0;
    return fw::abi::guard([&] {
        FW_CHECK_ARG(summary != nullptr, "fw_summary_fields: summary is NULL");
        FW_CHECK_ARG(fields != nullptr, "fw_summary_fields: fields is NULL");
        *fields = summary->counter.record_fields();
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_summary_add(fw_summary *summary, const fw_record *records, size_t count) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(summary != nullptr, "fw_summary_add: summary is NULL");
        FW_CHECK_ARG(records != nullptr || count == 0, "fw_summary_add: records is NULL");
        // Not finished from here on, even if the add fails half-way (out of memory): the ranking no longer
        // covers every group, and fw_summary_group_get must refuse rather than index past it.
        summary->finished = false;
        if (count > 0) summary->counter.add(std::span<const fw_record>(records, count));
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_summary_read(fw_summary *summary, fw_reader *reader, uint64_t *counted) {
    if (counted != nullptr) *counted = 0;
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(summary != nullptr, "fw_summary_read: summary is NULL");
        FW_CHECK_ARG(reader != nullptr, "fw_summary_read: reader is NULL");
        // The reader's threads count into parts made for the first summary's keys: another summary cannot take them.
        if (reader->counting_keys.empty()) reader->counting_keys = summary->counter.keys();
        else if (reader->counting_keys != summary->counter.keys())
            fw::fail_invalid("fw_summary_read: this reader counts for a summary with other keys");
        summary->finished = false; // as fw_summary_add: the ranking no longer covers every group
        fw::summary::counting into(summary->counter);
        const std::uint64_t n = reader->value.count(into);
        if (counted != nullptr) *counted = n;
        if (n == 0 && reader->value.done()) return static_cast<int>(FW_ITEROVER);
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_summary_finish(fw_summary *summary, size_t *groups) {
    if (groups != nullptr) *groups = 0;
    return fw::abi::guard([&] {
        FW_CHECK_ARG(summary != nullptr, "fw_summary_finish: summary is NULL");
        FW_CHECK_ARG(groups != nullptr, "fw_summary_finish: groups is NULL");
        *groups = summary->counter.finish();
        summary->finished = true;
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_summary_group_get(const fw_summary *summary, size_t index, fw_summary_group *out) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(summary != nullptr, "fw_summary_group_get: summary is NULL");
        FW_CHECK_ARG(out != nullptr, "fw_summary_group_get: out is NULL");
        FW_CHECK_ARG(summary->finished, "fw_summary_group_get: call fw_summary_finish after the last fw_summary_add");
        if (index >= summary->counter.ranked()) return static_cast<int>(FW_ITEROVER);
        *out = summary->counter.group(index);
        return static_cast<int>(FW_OK);
    });
}

FW_API(void) fw_summary_free(fw_summary *summary) { std::unique_ptr<fw_summary> owned(summary); }

} // extern "C"

// The module's FwSummaryGroup (module/Native/FwNative.Summary.cs) mirrors this layout.
static_assert(sizeof(fw_summary_group) == 152, "fw_summary_group layout changed: update FwNative.Summary.cs and FW_ABI_VERSION");
