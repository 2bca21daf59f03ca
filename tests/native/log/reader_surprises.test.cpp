// Inputs that used to end quietly or with misleading numbers (issue 12 finding 7,
// issue 10 "binary input reports every skipped line as line 1"): a log that
// shrinks while it is read, CR-only line ends, UTF-16LE without a BOM, and
// binary text whose NULs cut lines into fragments.
#include "log_test_util.hpp"

#include <fw/log.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using fw_test::read_all;
using fw_test::temp_file;

namespace {

const std::string header = "#Version: 1.5\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size "
                           "tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n";

std::string record(int n) {
    return "2024-05-01 10:00:00 DROP TCP 10.0.0.1 10.0.0.2 " + std::to_string(n) + " 443 60 S 1 0 64240 - - - RECEIVE\r\n";
}

std::string log_of(int count) {
    std::string s = header;
    for (int n = 1; n <= count; ++n) s += record(n);
    return s;
}

struct reader_ptr {
    fw_reader *r = nullptr;
    ~reader_ptr() { fw_reader_free(r); }
};

} // namespace

TEST_CASE("reader: a log that shrinks while it is read says so (issue 12 finding 7)", "[log][surprises]") {
    const std::string text = log_of(40000); // about 3.4 MB: more than one buffer
    for (std::uint64_t keep : {std::uint64_t{0}, std::uint64_t{1} << 20, std::uint64_t{2} << 20}) {
        INFO("truncated to " << keep << " bytes");
        temp_file file(text);
        reader_ptr rd;
        fw_reader_options o = FW_READER_OPTIONS_INIT;
        o.batch_size = 10;
        o.threads = 1; // one reader reads as it goes (threads read ahead: see the parallel case below)
        REQUIRE(fw_reader_open(&rd.r, file.path().c_str(), &o) == FW_OK);
        const fw_record *recs = nullptr;
        std::size_t n = 0;
        REQUIRE(fw_reader_next(rd.r, &recs, &n) == FW_OK); // the first buffer is read
        std::filesystem::resize_file(file.fs_path(), keep);
        std::uint64_t last_offset = 0;
        while (fw_reader_next(rd.r, &recs, &n) == FW_OK)
            if (n > 0) last_offset = recs[n - 1].offset;
        fw_reader_stats st{};
        REQUIRE(fw_reader_stats_get(rd.r, &st) == FW_OK);
        CHECK((st.notes & FW_NOTE_SHRANK) != 0);
        CHECK(st.position <= std::max<std::uint64_t>(keep, 256 * 1024));
        if (keep > (256u << 10)) CHECK(last_offset < keep);
        bool said = false;
        const char *m = nullptr;
        std::uint64_t line = 0;
        for (std::size_t i = 0; fw_reader_diagnostic(rd.r, i, &line, &m) == FW_OK; ++i) {
            const std::string s = m;
            if (s.find("shrank to " + std::to_string(keep) + " bytes") != std::string::npos &&
                s.find(file.path()) != std::string::npos)
                said = true;
        }
        CHECK(said);
    }
    // With threads, workers read ahead of the caller: what they read is delivered, and the shrink is still said.
    {
        temp_file file(text);
        reader_ptr rd;
        fw_reader_options o = FW_READER_OPTIONS_INIT;
        o.batch_size = 10;
        o.threads = 2;
        REQUIRE(fw_reader_open(&rd.r, file.path().c_str(), &o) == FW_OK);
        const fw_record *recs = nullptr;
        std::size_t n = 0;
        REQUIRE(fw_reader_next(rd.r, &recs, &n) == FW_OK);
        std::filesystem::resize_file(file.fs_path(), 1000);
        while (fw_reader_next(rd.r, &recs, &n) == FW_OK) {
        }
        fw_reader_stats st{};
        REQUIRE(fw_reader_stats_get(rd.r, &st) == FW_OK);
        CHECK((st.notes & FW_NOTE_SHRANK) != 0);
        bool said = false;
        const char *m = nullptr;
        std::uint64_t line = 0;
        for (std::size_t i = 0; fw_reader_diagnostic(rd.r, i, &line, &m) == FW_OK; ++i)
            if (std::string(m).find("shrank to 1000 bytes") != std::string::npos) said = true;
        CHECK(said);
    }
    // A file that does not change is not reported.
    temp_file same(text);
    CHECK((read_all(same.path()).stats.notes & FW_NOTE_SHRANK) == 0);
}

TEST_CASE("reader: CR-only line ends are reported, naming the file (issue 12 finding 7)", "[log][surprises]") {
    std::string text = log_of(20);
    std::string cr;
    for (char c : text)
        if (c != '\n') cr += c;
    temp_file file(cr);
    const auto r = read_all(file.path());
    CHECK(r.records.empty());
    CHECK((r.stats.notes & FW_NOTE_CR_ONLY) != 0);
    REQUIRE(!r.diagnostics.empty());
    CHECK(r.diagnostics[0].second.find(file.path()) != std::string::npos);
    CHECK(r.diagnostics[0].second.find("CR") != std::string::npos);
    temp_file normal(text);
    CHECK((read_all(normal.path()).stats.notes & FW_NOTE_CR_ONLY) == 0);
}

TEST_CASE("reader: UTF-16LE without a BOM is read like with one (issue 12 finding 7)", "[log][surprises]") {
    const std::string text = log_of(50);
    temp_file utf8(text);
    temp_file wide(fw_test::to_utf16le(text).substr(2)); // no BOM
    const auto a = read_all(utf8.path());
    const auto b = read_all(wide.path());
    REQUIRE(a.records.size() == 50);
    REQUIRE(b.records.size() == 50);
    CHECK(b.stats.encoding == FW_ENC_UTF16LE);
    CHECK(b.stats.skipped == 0);
    for (std::size_t i = 0; i < 50; ++i) {
        CHECK(b.records[i].src_port == a.records[i].src_port);
        CHECK(b.records[i].line == a.records[i].line);
        CHECK(b.records[i].offset == 2 * a.records[i].offset); // file bytes: two per unit
    }
    // Resuming at a record's offset works as with a BOM.
    const auto from = read_all(wide.path(), nullptr, 0, b.records[10].offset);
    REQUIRE(from.open_rc == FW_OK);
    CHECK(from.records.size() == 40);
    // NUL padding at the start is not UTF-16.
    temp_file padded(std::string(64, '\0') + text);
    CHECK(read_all(padded.path()).stats.encoding == FW_ENC_UTF8);
}

TEST_CASE("reader: skipped lines in binary input keep their own line numbers (issue 10)", "[log][surprises]") {
    std::string text;
    for (int line = 1; line <= 12; ++line) text += "bin\x01\x02" + std::string(1, '\0') + "ary" + std::string(3, '\0') + "data\n";
    temp_file file(text);
    const auto r = read_all(file.path());
    CHECK(r.records.empty());
    CHECK(r.stats.skipped == 36); // every NUL-cut fragment counts, but each line is listed once
    for (std::uint64_t i = 0; i < FW_MAX_SKIPPED_LINES; ++i) CHECK(r.stats.skipped_lines[i] == i + 1);
    REQUIRE(r.diagnostics.size() >= 2);
    CHECK(r.diagnostics[0].second.rfind("line 1:", 0) == 0);
    CHECK(r.diagnostics[1].second.rfind("line 2:", 0) == 0);
}
