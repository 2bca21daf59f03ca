// Test fixture: a firewall log in a private temporary folder that can be
// appended to, rotated like the firewall service does it, and truncated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

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

} // namespace fw::test
