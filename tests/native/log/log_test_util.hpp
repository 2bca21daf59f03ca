// Helpers for the log tests: temporary files and reading through the C ABI.
#pragma once

#include <fw/fw.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef _WIN32
#include <unistd.h>
#endif

namespace fw_test {

// A file under the temp folder, removed on destruction.
class temp_file {
public:
    explicit temp_file(std::string_view content, std::string_view suffix = ".log") {
        static std::atomic<int> counter{0};
#ifndef _WIN32
        long pid = static_cast<long>(::getpid());
#else
        long pid = 0;
#endif
        path_ = std::filesystem::temp_directory_path() /
                ("fw-log-test-" + std::to_string(pid) + "-" + std::to_string(counter++) + std::string(suffix));
        write(content);
    }
    temp_file(const temp_file &) = delete;
    temp_file &operator=(const temp_file &) = delete;
    ~temp_file() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path_, ec);
    }
    void write(std::string_view content) const {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    [[nodiscard]] std::string path() const { return path_.string(); }
    [[nodiscard]] const std::filesystem::path &fs_path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct read_result {
    int open_rc = FW_OK;
    int next_rc = FW_OK;
    std::string error;
    std::vector<fw_record> records;
    std::vector<std::size_t> batch_sizes;
    fw_reader_stats stats{};
    std::vector<std::pair<std::uint64_t, std::string>> diagnostics;
};

// Read a whole file through fw_reader_*; the filter is borrowed (may be null).
inline read_result read_all(const std::string &path, const fw_filter *filter = nullptr, std::uint32_t batch = 0,
                            std::uint64_t start = 0, std::uint32_t threads = 0) {
    read_result out;
    fw_reader_options opts = FW_READER_OPTIONS_INIT;
    opts.threads = threads;
    opts.batch_size = batch;
    opts.start_offset = start;
    opts.filter = filter;
    fw_reader *reader = nullptr;
    out.open_rc = fw_reader_open(&reader, path.c_str(), &opts);
    if (out.open_rc != FW_OK) {
        out.error = fw_error_last()->message;
        return out;
    }
    const fw_record *records = nullptr;
    std::size_t count = 0;
    while ((out.next_rc = fw_reader_next(reader, &records, &count)) == FW_OK) {
        out.batch_sizes.push_back(count);
        out.records.insert(out.records.end(), records, records + count);
    }
    fw_reader_stats_get(reader, &out.stats);
    std::uint64_t line = 0;
    const char *message = nullptr;
    for (std::size_t i = 0; fw_reader_diagnostic(reader, i, &line, &message) == FW_OK; ++i)
        out.diagnostics.emplace_back(line, message);
    fw_reader_free(reader);
    return out;
}

// A filter built from (field, value) pairs; owns the handle.
class filter {
public:
    filter() { fw_filter_new(&f_); }
    filter(std::initializer_list<std::pair<int, const char *>> values) : filter() {
        for (auto &[field, value] : values) last_rc = fw_filter_add(f_, field, value);
    }
    filter(const filter &) = delete;
    filter &operator=(const filter &) = delete;
    ~filter() { fw_filter_free(f_); }
    int add(int field, const char *value) { return last_rc = fw_filter_add(f_, field, value); }
    int time(std::int64_t after, std::int64_t before) { return last_rc = fw_filter_set_time(f_, after, before); }
    [[nodiscard]] const fw_filter *get() const { return f_; }
    int last_rc = FW_OK;

private:
    fw_filter *f_ = nullptr;
};

inline std::string addr_text(const fw_addr &a) {
    char buf[64];
    if (a.family == FW_AF_INET) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
        return buf;
    }
    if (a.family == FW_AF_INET6) {
        std::string s;
        for (int i = 0; i < 16; i += 2) {
            std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (a.bytes[i] << 8) | a.bytes[i + 1]);
            s += buf;
        }
        return s;
    }
    return "-";
}

// UTF-8 (ASCII) text -> UTF-16LE with a BOM, as Notepad saves it.
inline std::string to_utf16le(std::string_view text) {
    std::string out = "\xff\xfe";
    for (char c : text) {
        out.push_back(c);
        out.push_back('\0');
    }
    return out;
}

} // namespace fw_test
