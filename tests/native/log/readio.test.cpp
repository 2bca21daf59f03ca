// The read path maps nothing: the reader's constructor and parallel_reader's read what they look at (the first
// 64 KiB, the bytes around a resume point, a window at each range boundary, range 0 backwards for the first
// '#Fields:' guess) with read_at into small buffers. A file (io::file_source) gives exactly what the same bytes in
// memory give, and the checks give the answers the whole-file view gave (an oracle below keeps the old check).
#include "core/error.hpp"
#include "io/file_source.hpp"
#include "io/source.hpp"
#include "log/parallel.hpp"
#include "log/reader.hpp"
#include "log/scan.hpp"
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using fw_test::temp_file;
using namespace fw::log;

namespace {

const std::string header18 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                             "tcpack tcpwin icmptype icmpcode info path pid";
const std::string header17 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                             "tcpack tcpwin icmptype icmpcode info path";

std::string record(int i) {
    return fmt::format("2026-11-23 09:{:02}:{:02} DROP TCP 192.168.10.{} 192.168.10.5 {} 49154 52 S 1 0 8192 - - - "
                       "RECEIVE 4",
                       (i / 60) % 60, i % 60, 1 + i % 250, 1024 + i);
}

std::string log_text(int records, const std::string &eol = "\r\n") {
    std::string s = "#Version: 1.5" + eol + "#Software: Microsoft Windows Firewall" + eol + header18 + eol;
    for (int i = 0; i < records; ++i) s += record(i) + eol;
    return s;
}

std::string utf16_without_bom(const std::string &text) { return fw_test::to_utf16le(text).substr(2); }

struct outcome {
    std::vector<std::string> records;
    std::string stats;
    std::vector<std::string> diagnostics;
    bool operator==(const outcome &) const = default;
};

// Every record of r (a reader or a parallel_reader), one line of text each.
template <class Reader>
std::vector<std::string> records_of(Reader &r) {
    std::vector<std::string> records;
    for (;;) {
        auto batch = r.next();
        for (const auto &x : batch)
            records.push_back(fmt::format("{} {} {} {} {} {} {}", x.line, x.offset, x.time, x.action, x.protocol,
                                          x.src_port, x.dst_port));
        if (batch.empty() && r.done()) break;
    }
    return records;
}

outcome drain(reader &r, const std::string &name) {
    outcome out;
    out.records = records_of(r);
    const auto &s = r.stats();
    out.stats = fmt::format("size={} pos={} lines={} records={} skipped={} headers={} enc={} notes={} nuls={}",
                            s.file_size, s.position, s.lines, s.records, s.skipped, s.headers, s.encoding, s.notes,
                            s.nul_bytes);
    for (const auto &d : r.diagnostics()) {
        std::string m = d.message;
        for (auto at = m.find(name); at != std::string::npos; at = m.find(name)) m.replace(at, name.size(), "<log>");
        out.diagnostics.push_back(fmt::format("{}|{}", d.line, m));
    }
    return out;
}

// A read of path and a read of the same bytes in memory; "error: <message>" (the name replaced) when the
// constructor refuses.
std::string read_or_error(const std::function<reader()> &make, const std::string &name, outcome &out) {
    try {
        reader r = make();
        out = drain(r, name);
        return "ok";
    } catch (const fw::error &e) {
        std::string m = e.what();
        for (auto at = m.find(name); at != std::string::npos; at = m.find(name)) m.replace(at, name.size(), "<log>");
        return "error: " + m;
    }
}

struct both {
    std::string file_verdict, memory_verdict;
    outcome file, memory;
};

// t holds text.
both read_both(const temp_file &t, const std::string &text, reader_options o) {
    both b;
    reader_options o2 = o;
    b.file_verdict = read_or_error([&] { return reader(t.path(), o); }, t.path(), b.file);
    b.memory_verdict = read_or_error(
        [&] {
            return reader(std::make_unique<fw::io::memory_source>(std::span<const char>(text.data(), text.size()), "mem.log"),
                          o2);
        },
        "mem.log", b.memory);
    return b;
}

// The check the whole-file view made (the code before the change, kept as an oracle): is start a line start
// for a read from the file's start?
bool old_start_accepted(const std::string &text, std::uint64_t start) {
    const auto *u = reinterpret_cast<const unsigned char *>(text.data());
    const std::uint64_t size = text.size();
    if (start > size) return false;
    std::uint64_t text_start = 0;
    bool utf16 = false;
    if (size >= 2 && u[0] == 0xff && u[1] == 0xfe) {
        utf16 = true;
        text_start = 2;
    } else if (size >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        text_start = 3;
    } else if (looks_like_utf16le(u, static_cast<std::size_t>(size))) {
        utf16 = true;
    }
    const unsigned unit = utf16 ? 2 : 1;
    if (start <= text_start) return start == 0 || start == text_start;
    if ((start - text_start) % unit != 0) return false;
    auto nul = [&](std::uint64_t i) { return u[i] == 0 && (unit == 1 || u[i + 1] == 0); };
    auto newline = [&](std::uint64_t i) { return u[i] == '\n' && (unit == 1 || u[i + 1] == 0); };
    const std::uint64_t prev = start - unit;
    return newline(prev) || nul(prev) || (start + unit <= size && nul(start));
}

} // namespace

TEST_CASE("reader over a file: what the same bytes in memory give, for every kind of start", "[log][readio]") {
    struct input {
        const char *name;
        std::string text;
        std::uint8_t encoding;
        bool cr_only;
    };
    // CR-only lines for more than 64 KiB, LF after: the check looks at the first 64 KiB only.
    std::string cr_then_lf;
    for (int i = 0; cr_then_lf.size() < head_look_bytes + 100; ++i) cr_then_lf += record(i) + "\r";
    cr_then_lf += log_text(20);
    // LF only past 64 KiB but no CR either: no note.
    std::string long_first_line = std::string(head_look_bytes + 10, 'x') + "\n" + log_text(5);
    const std::vector<input> inputs = {
        {"UTF-8", log_text(40), FW_ENC_UTF8, false},
        {"UTF-8, LF only", log_text(40, "\n"), FW_ENC_UTF8, false},
        {"UTF-8 BOM", "\xEF\xBB\xBF" + log_text(40), FW_ENC_UTF8, false},
        {"UTF-16 BOM", fw_test::to_utf16le(log_text(40)), FW_ENC_UTF16LE, false},
        {"UTF-16 without BOM", utf16_without_bom(log_text(40)), FW_ENC_UTF16LE, false},
        {"CR-only", log_text(40, "\r"), FW_ENC_UTF8, true},
        {"CR-only past 64 KiB", cr_then_lf, FW_ENC_UTF8, true},
        {"over 64 KiB", log_text(2000), FW_ENC_UTF8, false},
        {"a first line over 64 KiB", long_first_line, FW_ENC_UTF8, false},
        {"empty", "", FW_ENC_UTF8, false},
        {"one byte", "#", FW_ENC_UTF16LE, false}, // shorter than a UTF-16 unit: it still fits (looks_like_utf16le)
        {"a BOM alone", "\xEF\xBB\xBF", FW_ENC_UTF8, false},
        {"UTF-16 BOM alone", "\xFF\xFE", FW_ENC_UTF16LE, false},
        {"NUL padding", log_text(3) + std::string(7, '\0') + record(8) + "\r\n" + record(9) + std::string(3, '\0') +
                            record(10) + "\r\n",
         FW_ENC_UTF8, false},
    };
    for (const auto &in : inputs) {
        INFO(in.name);
        temp_file t(in.text);
        const both b = read_both(t, in.text, {});
        REQUIRE(b.file_verdict == "ok");
        REQUIRE(b.memory_verdict == "ok");
        CHECK(b.file == b.memory);
        reader r(t.path(), {});
        while (!r.done()) (void)r.next();
        CHECK(r.stats().encoding == in.encoding);
        CHECK(((r.stats().notes & FW_NOTE_CR_ONLY) != 0) == in.cr_only);
        CHECK(r.stats().file_size == in.text.size());
    }
}

TEST_CASE("reader: a start offset on every byte, read from a file, as the whole-file check decided",
          "[log][readio][resume]") {
    const std::string base = log_text(2);
    const std::string nul_padded = log_text(2) + std::string(5, '\0') + record(7) + "\r\n" + record(8) +
                                   std::string(3, '\0') + record(9) + "\r\n";
    const std::vector<std::string> texts = {base, "\xEF\xBB\xBF" + base, fw_test::to_utf16le(base),
                                            utf16_without_bom(base), nul_padded, fw_test::to_utf16le(nul_padded),
                                            log_text(3, "\n")};
    for (std::size_t k = 0; k < texts.size(); ++k) {
        const std::string &text = texts[k];
        temp_file t(text);
        std::size_t accepted = 0;
        for (std::uint64_t start = 0; start <= text.size() + 1; ++start) {
            INFO("text " << k << ", start offset " << start);
            reader_options o;
            o.start_offset = start;
            o.buffer_size = 1024; // (a 256 KiB buffer per offset only costs time)
            const both b = read_both(t, text, o);
            CHECK(b.file_verdict == b.memory_verdict);
            CHECK(b.file == b.memory);
            const bool ok = b.file_verdict == "ok";
            CHECK(ok == old_start_accepted(text, start));
            if (ok) {
                ++accepted;
            } else if (start > text.size()) {
                CHECK(b.file_verdict == fmt::format("error: start offset {} is past the end of '<log>' ({} bytes)", start,
                                                    text.size()));
            } else {
                CHECK(b.file_verdict == fmt::format("error: start offset {} is not at the start of a line in '<log>'", start));
            }
        }
        CHECK(accepted >= 6); // the line starts, the end, 0 and past a BOM
    }
}

TEST_CASE("parallel_reader's boundary search: the first '\\n' from any byte, whatever the window",
          "[log][readio][parallel]") {
    // A line longer than several windows, short lines, no line end at the end.
    const std::string long_line = "ab\n" + std::string(3 * parallel_reader::boundary_window + 5, 'x') + "\n\ncd\nef";
    const std::string short_lines = "ab\n" + std::string(40, 'x') + "\n\ncd\r\nef";
    for (const std::string *text : {&long_line, &short_lines}) {
        fw::io::memory_source src(std::span<const char>(text->data(), text->size()), "mem.log");
        const bool big = text == &long_line;
        const std::vector<std::size_t> windows = big ? std::vector<std::size_t>{4096, parallel_reader::boundary_window}
                                                     : std::vector<std::size_t>{1, 2, 3, 7, 64};
        for (std::size_t window : windows) {
            std::vector<char> buf(window);
            for (std::uint64_t from = 0; from < text->size(); from += big && from > 10 && text->size() - from > 10 ? 997 : 1) {
                INFO("window " << window << ", from " << from);
                const auto nl = text->find('\n', static_cast<std::size_t>(from));
                const std::uint64_t want = nl == std::string::npos ? text->size() : nl + 1;
                CHECK(detail::line_end_from(src, from, text->size(), buf) == want);
            }
        }
    }
}

TEST_CASE("parallel_reader's first guess: the last '#Fields:' line found backwards in chunks, as over the whole range",
          "[log][readio][parallel]") {
    // Headers placed around the 256 KiB chunk boundaries counted from the range's end: a '#' just before, at and
    // after a boundary, a header line that crosses one, a '#Fields:' that is not at a line start.
    constexpr std::size_t chunk = 256 * 1024;
    std::vector<std::string> texts;
    for (std::size_t dist : {chunk - 5, chunk - 1, chunk, chunk + 1, chunk + 2, 2 * chunk - 1, 2 * chunk, 2 * chunk + 1}) {
        for (int variant = 0; variant < 3; ++variant) {
            std::string s = header17 + "\r\n";
            while (s.size() < 3 * chunk) s += record(static_cast<int>(s.size() % 9999)) + "\r\n";
            // 1: LF only; 2: not at a line start, so the header at the top is the answer.
            const std::string x = "\n" + std::string(variant == 2 ? "x" : "") + header18 + (variant == 1 ? "\n" : "\r\n");
            // Its '#' dist bytes before the end, where the chunks counted back from the end meet.
            const std::size_t hash_at = s.size() + x.size() - dist;
            s.insert(hash_at - (variant == 2 ? 2 : 1), x);
            REQUIRE(s[hash_at] == '#');
            texts.push_back(std::move(s));
        }
    }
    texts.push_back(header18 + "\r\n" + log_text(5).substr(0)); // short: one chunk
    texts.push_back(log_text(2000));                            // a header only at the top, several chunks away
    texts.push_back(std::string(10, 'x') + "\n#Fields: date date\r\n"); // unusable: parsed as nullopt
    texts.push_back(header18);                                   // no line end: not a complete header
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::string &t = texts[i];
        fw::io::memory_source src(std::span<const char>(t.data(), t.size()), "mem.log");
        for (std::uint64_t begin : {std::uint64_t{0}, std::uint64_t{1}}) {
            INFO("text " << i << " begin " << begin);
            std::optional<layout> whole;
            if (auto h = find_last_fields_header(t.data() + begin, t.data() + t.size(), t.data() + t.size()))
                whole = parse_fields_header(*h);
            CHECK(detail::last_fields_layout(src, begin, t.size()) == whole);
        }
    }
}

TEST_CASE("parallel_reader: a first line longer than the boundary window, ranges of any size", "[log][readio][parallel]") {
    std::string text = header18 + "\r\n" + std::string(2 * parallel_reader::boundary_window + 77, 'y') + "\r\n";
    for (int i = 0; i < 3000; ++i) text += record(i) + "\r\n";
    temp_file t(text);
    reader one(t.path(), {});
    const outcome expected = drain(one, t.path());
    CHECK(one.stats().skipped == 1);
    // 1000: the first boundary target falls inside the long line; 300000: range 0 spans a first-guess chunk.
    for (std::uint64_t range_bytes : {std::uint64_t{1000}, std::uint64_t{70000}, std::uint64_t{300000}}) {
        INFO("range bytes " << range_bytes);
        parallel_options par;
        par.threads = 2;
        par.range_bytes = range_bytes;
        par.min_bytes = 1;
        parallel_reader r(t.path(), {}, par);
        CHECK(r.workers() == 2);
        outcome got;
        got.records = records_of(r);
        CHECK(got.records == expected.records);
        CHECK(r.stats().skipped == 1);
        CHECK(r.stats().lines == one.stats().lines);
    }
}

TEST_CASE("parallel_reader: UTF-16 without a BOM stays on one reader (was read as UTF-8 ranges)",
          "[log][readio][parallel]") {
    const std::string text = utf16_without_bom(log_text(300));
    temp_file t(text);
    reader one(t.path(), {});
    const outcome expected = drain(one, t.path());
    REQUIRE(one.stats().encoding == FW_ENC_UTF16LE);
    REQUIRE(one.stats().records == 300);
    parallel_options par;
    par.threads = 3;
    par.range_bytes = 500;
    par.min_bytes = 1;
    parallel_reader r(t.path(), {}, par);
    CHECK(r.workers() == 0);
    std::vector<std::string> got;
    while (true) {
        auto batch = r.next();
        for (const auto &x : batch)
            got.push_back(fmt::format("{} {} {} {} {} {} {}", x.line, x.offset, x.time, x.action, x.protocol, x.src_port,
                                      x.dst_port));
        if (batch.empty() && r.done()) break;
    }
    CHECK(got == expected.records);
    CHECK(r.stats().encoding == FW_ENC_UTF16LE);
}

TEST_CASE("parallel_reader: every worker's file is open before a range is read (the path removed meanwhile)",
          "[log][readio][parallel]") {
    // On Windows the log rotated away has its delete pending, and it could not be opened again; on POSIX the
    // path is simply gone. Either way the reader opened everything it needs in its constructor.
    std::string text = log_text(4000);
    temp_file t(text);
    reader one(t.path(), {});
    const outcome expected = drain(one, t.path());
    {
        const std::string moved = t.path() + ".old";
        std::filesystem::copy_file(t.fs_path(), moved, std::filesystem::copy_options::overwrite_existing);
        parallel_options par;
        par.threads = 3;
        par.range_bytes = 4096;
        par.min_bytes = 1;
        par.count_range_bytes = 1;
        parallel_reader r(moved, {}, par);
        REQUIRE(r.workers() == 3);
        std::error_code ec;
        std::filesystem::remove(moved, ec);
        CHECK_FALSE(ec);
        std::vector<std::string> got;
        while (true) {
            auto batch = r.next();
            for (const auto &x : batch)
                got.push_back(fmt::format("{} {} {} {} {} {} {}", x.line, x.offset, x.time, x.action, x.protocol,
                                          x.src_port, x.dst_port));
            if (batch.empty() && r.done()) break;
        }
        CHECK(got == expected.records);
        CHECK(r.stats().records == one.stats().records);
        CHECK(r.diagnostics().empty());
    }
}

#ifdef __linux__
TEST_CASE("reader and parallel_reader: a file larger than the address space left is read (no map of it)",
          "[log][readio]") {
    // A sparse 8 GiB log in a child whose address space may grow by 1 GiB only (RLIMIT_AS): a map of the file
    // (the whole-file view this replaced) cannot be made there; positioned reads need a few buffers.
    temp_file t(log_text(50));
    constexpr std::uint64_t size = 8ull << 30;
    constexpr std::uint64_t range = 64ull << 20;
    {
        std::filesystem::resize_file(t.fs_path(), size);
        std::fstream f(t.path(), std::ios::in | std::ios::out | std::ios::binary);
        for (std::uint64_t end = range; end < size; end += range) { // a line end where each range should end
            f.seekp(static_cast<std::streamoff>(end - 1));
            f.put('\n');
        }
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::alarm(120);
        std::uint64_t vm_kib = 0;
        {
            std::ifstream status("/proc/self/status");
            for (std::string line; std::getline(status, line);)
                if (line.rfind("VmSize:", 0) == 0) vm_kib = std::stoull(line.substr(7));
        }
        if (vm_kib == 0) ::_exit(10);
        const rlimit lim{(vm_kib << 10) + (1ull << 30), (vm_kib << 10) + (1ull << 30)};
        if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(11);
        try {
            reader r(t.path(), {});
            if (r.next().size() != 50) ::_exit(2);
            reader_options resume;
            resume.start_offset = size - range; // a line start (after a '\n'); never read here
            reader at(t.path(), resume);
            parallel_options par;
            par.threads = 2;
            par.range_bytes = range;
            parallel_reader p(t.path(), {}, par);
            if (p.workers() != 2) ::_exit(3);
        } catch (...) {
            ::_exit(4);
        }
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
#endif
