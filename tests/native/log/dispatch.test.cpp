// The scan is compiled twice: for the x86-64 baseline and for POPCNT/BMI1,
// picked at run time. Both must find the same lines and fields; the reader must
// give the same records either way.
#include "log/reader.hpp"
#include "log/scan.hpp"
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace fw::log;

namespace {

struct scanned {
    const char *end = nullptr;
    std::size_t n = 0;
    std::uint32_t count = 0;
    std::vector<std::uint32_t> starts;
    bool operator==(const scanned &) const = default;
};

// Always inlined, so that scan_hw holds a copy compiled for POPCNT/BMI1.
template <bool Hw>
FW_SCAN_INLINE scanned scan_with(const char *line, const char *end, const char *readable_end, std::size_t need) {
    field_index f{};
    scanned s;
    s.end = scan_line<Hw>(line, end, readable_end, f, need, s.n);
    if (s.end == nullptr) return s;
    s.count = f.count;
    std::size_t kept = std::min<std::size_t>({f.count, need, max_fields});
    s.starts.assign(f.start.begin(), f.start.begin() + static_cast<std::ptrdiff_t>(kept));
    return s;
}

#ifdef FW_SCAN_DISPATCH
FW_TARGET_POPCNT_BMI scanned scan_hw(const char *line, const char *end, const char *readable_end, std::size_t need) {
    return scan_with<true>(line, end, readable_end, need);
}
#endif

// The definition, byte by byte: a line ends at '\n' or NUL, a '\r' before it is
// no part of it, fields are runs of anything but spaces.
scanned scan_reference(const char *line, const char *end, std::size_t need) {
    scanned s;
    const char *e = line;
    while (e < end && *e != '\n' && *e != '\0') ++e;
    if (e == end) return s;
    s.end = e;
    s.n = static_cast<std::size_t>(e - line);
    if (s.n != 0 && line[s.n - 1] == '\r') --s.n;
    for (std::size_t i = 0; i < s.n; ++i) {
        if (line[i] != ' ' && (i == 0 || line[i - 1] == ' ')) {
            if (s.count < need && s.count < max_fields) s.starts.push_back(static_cast<std::uint32_t>(i));
            ++s.count;
        }
    }
    return s;
}

// Random text made of the bytes that matter to the scan.
std::string random_text(std::mt19937_64 &rng, std::size_t size) {
    static const char alphabet[] = {' ', ' ', ' ', 'a', 'b', '7', '.', '\r', '\n', '\t', '\0', '\xff'};
    std::string s(size, ' ');
    std::uint64_t mode = rng() % 3;
    for (auto &c : s) {
        std::uint64_t r = rng() % 100;
        // mode 0: short lines; 1: long lines (few line ends); 2: long fields
        if (mode == 1 && r < 40) c = 'x';
        else if (mode == 2 && r < 70) c = 'y';
        else c = alphabet[rng() % sizeof alphabet];
        if (mode != 0 && (c == '\n' || c == '\0') && rng() % 8 != 0) c = 'z';
    }
    return s;
}

} // namespace

TEST_CASE("fw::log scan_line: baseline and POPCNT/BMI1 builds agree with the definition", "[log][scan]") {
    std::mt19937_64 rng(0x5ca9);
    const bool hw = detail::has_popcnt_bmi();
    INFO("CPU has POPCNT and BMI1: " << hw);
    for (int round = 0; round < 3000; ++round) {
        std::string text = random_text(rng, 1 + rng() % 300);
        std::vector<char> exact(text.begin(), text.end()); // nothing readable past the end
        const char *b = exact.data(), *e = b + exact.size();
        for (std::size_t need : {std::size_t{3}, std::size_t{9}, max_fields}) {
            for (const char *line = b; line < e;) {
                CAPTURE(round, need, line - b);
                scanned want = scan_reference(line, e, need);
                scanned base = scan_with<false>(line, e, e, need);
                if (want.end == nullptr) {
                    CHECK(base.end == nullptr);
                } else {
                    REQUIRE(base == want);
                }
#ifdef FW_SCAN_DISPATCH
                if (hw) {
                    scanned fast = scan_hw(line, e, e, need);
                    if (want.end == nullptr) {
                        CHECK(fast.end == nullptr);
                    } else {
                        REQUIRE(fast == want);
                    }
                }
#endif
                if (want.end == nullptr) break;
                line = want.end + 1;
            }
        }
    }
}

TEST_CASE("fw::log reader: the same records with and without POPCNT/BMI1", "[log][scan]") {
    // Standard lines (17 and 18 fields), CRLF and LF, a header change, NUL
    // padding, malformed lines and lines longer than one 64-byte block.
    std::mt19937_64 rng(77);
    std::string text = "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n";
    for (int i = 0; i < 20000; ++i) {
        std::uint64_t r = rng() % 1000;
        std::string eol = (i / 5000) % 2 == 0 ? "\r\n" : "\n";
        if (i == 10000) text += "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\r\n";
        if (r < 5) {
            text += std::string(1 + rng() % 100, '\0');
            continue;
        }
        if (r < 10) {
            text += "garbage  with   spaces" + std::string(rng() % 90, ' ') + "x" + eol;
            continue;
        }
        char buf[256];
        std::snprintf(buf, sizeof buf, "2024-%02u-%02u %02u:%02u:%02u %s %s 10.%u.%u.%u 192.168.%u.%u %u %u %u - - - - - - - %s",
                      static_cast<unsigned>(1 + rng() % 12), static_cast<unsigned>(1 + rng() % 28),
                      static_cast<unsigned>(rng() % 24), static_cast<unsigned>(rng() % 60),
                      static_cast<unsigned>(rng() % 60), rng() % 3 ? "DROP" : "ALLOW",
                      rng() % 2 ? "TCP" : "UDP", static_cast<unsigned>(rng() % 256),
                      static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 256),
                      static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 256),
                      static_cast<unsigned>(rng() % 65536), static_cast<unsigned>(rng() % 65536),
                      static_cast<unsigned>(rng() % 1500), rng() % 2 ? "RECEIVE" : "SEND");
        text += buf;
        if (i >= 10000 || r < 100) text += " " + std::to_string(rng() % 9000); // pid
        if (r % 7 == 0) text += std::string(rng() % 70, ' ');
        text += eol;
    }
    fw_test::temp_file file(text);

    auto read = [&](bool cpu_features, bool filtered) {
        reader_options o;
        o.cpu_features = cpu_features;
        o.batch_size = 333;
        if (filtered) {
            o.filt.add(FW_FILTER_ACTION, "DROP");
            o.filt.add(FW_FILTER_DST_PORT, "1-30000");
        }
        reader rd(file.path(), std::move(o));
        std::vector<std::string> out;
        while (!rd.done()) {
            for (const fw_record &r : rd.next()) {
                out.push_back(std::to_string(r.line) + " " + std::to_string(r.offset) + " " + std::to_string(r.time) +
                              " " + std::to_string(r.action) + " " + std::to_string(r.protocol) + " " +
                              fw_test::addr_text(r.src) + " " + fw_test::addr_text(r.dst) + " " +
                              std::to_string(r.src_port) + " " + std::to_string(r.dst_port) + " " +
                              std::to_string(r.size) + " " + std::to_string(r.path) + " " + std::to_string(r.pid));
            }
        }
        const fw_reader_stats &s = rd.stats();
        out.push_back("stats " + std::to_string(s.lines) + " " + std::to_string(s.records) + " " +
                      std::to_string(s.matched) + " " + std::to_string(s.skipped) + " " + std::to_string(s.nul_bytes) +
                      " " + std::to_string(s.headers) + " " + std::to_string(s.position));
        for (const auto &d : rd.diagnostics()) out.push_back(d.message);
        return out;
    };
    for (bool filtered : {false, true}) {
        CAPTURE(filtered);
        auto baseline = read(false, filtered);
        auto dispatched = read(true, filtered);
        CHECK(baseline.size() > (filtered ? 1000u : 15000u));
        CHECK(baseline == dispatched);
    }
}
