// Test fixture: a firewall log in a private temporary folder that can be
// appended to, rotated like the firewall service does it, and truncated; and
// runs of the cursor over it that record what came back.
#pragma once

#include <fw/cursor.h>
#include <fw/log.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace fw::test {

inline constexpr const char *log_header =
    "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin "
    "icmptype icmpcode info path\r\n\r\n";

// Record n is a DROP with source port n, so tests can tell exactly which records came back.
inline std::string log_line(int n) {
    const int s = n % 60;
    const int m = (n / 60) % 60;
    std::string line = "2024-05-01 10:";
    line += static_cast<char>('0' + m / 10);
    line += static_cast<char>('0' + m % 10);
    line += ':';
    line += static_cast<char>('0' + s / 10);
    line += static_cast<char>('0' + s % 10);
    line += " DROP TCP 192.0.2.7 198.51.100.1 " + std::to_string(n) + " 443 60 S 100 0 64240 - - - RECEIVE\r\n";
    return line;
}

class temp_log {
public:
    temp_log() {
        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() /
               ("fw-cursor-" + std::to_string(rd()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "pfirewall.log").string();
    }
    // A log holding the header and records first..last.
    temp_log(int first, int last) : temp_log() {
        create();
        append(first, last);
    }
    temp_log(const temp_log &) = delete;
    temp_log &operator=(const temp_log &) = delete;
    ~temp_log() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    [[nodiscard]] const std::string &path() const { return path_; }
    [[nodiscard]] std::string old_path() const { return path_ + ".old"; }
    [[nodiscard]] std::filesystem::path dir() const { return dir_; }

    void append_raw(const std::string &text) const {
        std::ofstream f(path_, std::ios::binary | std::ios::app);
        f << text;
    }
    // A fresh file holding only the header (what the service starts with).
    void create() const {
        std::ofstream f(path_, std::ios::binary | std::ios::trunc);
        f << log_header;
    }
    // Appends records first..last (inclusive) and returns the next number.
    int append(int first, int last) const {
        std::string text;
        for (int n = first; n <= last; ++n) text += log_line(n);
        append_raw(text);
        return last + 1;
    }
    // The service's rotation: rename the full file to .old (replacing an older
    // one), then start a new file with a header.
    void rotate() const {
        std::filesystem::rename(path_, old_path());
        create();
    }
    // Truncate in place (same inode) and write a new header.
    void truncate() const { create(); }
    [[nodiscard]] std::uint64_t size() const { return std::filesystem::file_size(path_); }

private:
    std::filesystem::path dir_;
    std::string path_;
};

// Record numbers first..last.
inline std::vector<int> range(int first, int last) {
    std::vector<int> v;
    for (int n = first; n <= last; ++n) v.push_back(n);
    return v;
}

inline std::vector<int> concat(std::vector<int> a, const std::vector<int> &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// What a cursor delivered.
struct run_result {
    std::vector<int> records; // source ports, i.e. record numbers, in delivery order
    std::vector<int> sources; // fw_source of each record
    std::optional<fw_position> position;
    uint32_t warnings = 0;
    std::string message;
};

// Owns a cursor.
struct cursor_ptr {
    fw_cursor *c = nullptr;
    cursor_ptr() = default;
    cursor_ptr(const cursor_ptr &) = delete;
    cursor_ptr &operator=(const cursor_ptr &) = delete;
    ~cursor_ptr() { fw_cursor_free(c); }
};

// Opens c on the log from `from` (none: the start) with these options; the open must succeed.
inline void open_cursor(cursor_ptr &c, const temp_log &log, const std::optional<fw_position> &from, uint32_t flags = 0,
                        uint32_t batch_size = 0, const fw_filter *filter = nullptr) {
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    o.flags = flags;
    o.filter = filter;
    o.batch_size = batch_size;
    const int rc = fw_cursor_open(&c.c, log.path().c_str(), from ? &*from : nullptr, &o);
    INFO(fw_error_last()->message);
    REQUIRE(rc == FW_OK);
}

inline void collect_warnings(fw_cursor *c, run_result &r) {
    uint32_t w = 0;
    const char *m = nullptr;
    REQUIRE(fw_cursor_warnings(c, &w, &m) == FW_OK);
    r.warnings |= w;
    if (*m != '\0') r.message += m;
}

// Reads every segment to the end; with stop_after >= 0, stops after that many
// records and takes the position through the last record delivered.
inline void drain(fw_cursor *c, run_result &r, long stop_after = -1) {
    fw_reader *reader = nullptr;
    int source = 0;
    const char *path = nullptr;
    int rc = 0;
    while ((rc = fw_cursor_segment(c, &reader, &source, &path)) == FW_OK) {
        collect_warnings(c, r);
        const fw_record *recs = nullptr;
        size_t n = 0;
        int rn = 0;
        while ((rn = fw_reader_next(reader, &recs, &n)) == FW_OK) {
            for (size_t i = 0; i < n; ++i) {
                r.records.push_back(recs[i].src_port);
                r.sources.push_back(source);
                if (stop_after >= 0 && static_cast<long>(r.records.size()) == stop_after) {
                    fw_position p{};
                    const int prc = fw_cursor_position(c, &recs[i], &p);
                    INFO(fw_error_last()->message);
                    REQUIRE(prc == FW_OK);
                    r.position = p;
                    return;
                }
            }
        }
        REQUIRE(rn == FW_ITEROVER);
    }
    REQUIRE(rc == FW_ITEROVER);
    collect_warnings(c, r);
    fw_position p{};
    const int pr = fw_cursor_position(c, nullptr, &p);
    REQUIRE((pr == FW_OK || pr == FW_ITEROVER));
    if (pr == FW_OK) r.position = p;
}

// One run: open at `from`, read (or stop after stop_after records), take the position.
inline run_result run(const temp_log &log, const std::optional<fw_position> &from, long stop_after = -1,
                      uint32_t flags = 0, const fw_filter *filter = nullptr) {
    run_result r;
    cursor_ptr c;
    open_cursor(c, log, from, flags, 7, filter); // small batches: stops and positions fall inside batches
    collect_warnings(c.c, r);
    drain(c.c, r, stop_after);
    if (!r.position) r.position = from;
    return r;
}

// Follow mode: whether the cursor has something new (fw_cursor_poll must succeed).
inline int poll(fw_cursor *c) {
    int ready = -1;
    REQUIRE(fw_cursor_poll(c, &ready) == FW_OK);
    return ready;
}

// Follow mode: poll, then read what is there; returns what the poll said.
inline int poll_and_drain(fw_cursor *c, run_result &r) {
    const int ready = poll(c);
    drain(c, r);
    return ready;
}

} // namespace fw::test
