// Filters, options, batches and start offsets, through the C ABI.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

using namespace fw_test;

namespace {

const std::string sample = std::string(FW_TEST_DATA_DIR) + "/log/formats-section7.log";

std::vector<std::uint64_t> lines_of(const read_result &r) {
    std::vector<std::uint64_t> v;
    for (auto &rec : r.records) v.push_back(rec.line);
    return v;
}

struct filter_case {
    const char *name;
    std::vector<std::pair<int, const char *>> values;
    std::vector<std::uint64_t> lines; // expected matching lines of the sample file
};

} // namespace

TEST_CASE("fw::log filters on the sample lines", "[log][filter]") {
    auto c = GENERATE(values<filter_case>({
        {"action OPEN", {{FW_FILTER_ACTION, "Open"}}, {8, 14, 19}},
        {"action CLOSE or INFO-EVENTS-LOST", {{FW_FILTER_ACTION, "close"}, {FW_FILTER_ACTION, "Info-Events-Lost"}}, {9, 16}},
        {"action ALLOW", {{FW_FILTER_ACTION, "ALLOW"}}, {28, 32, 33, 34, 35, 37, 38}},
        {"protocol ICMP", {{FW_FILTER_PROTOCOL, "icmp"}}, {13, 28}},
        {"protocol 1 (number)", {{FW_FILTER_PROTOCOL, "1"}}, {13, 28}},
        {"TCP dst port 445", {{FW_FILTER_PROTOCOL, "TCP"}, {FW_FILTER_DST_PORT, "445"}}, {14, 19, 25, 47}},
        {"dst port range", {{FW_FILTER_DST_PORT, "3389-3390"}}, {29, 30, 49}},
        {"dst ports OR'ed", {{FW_FILTER_DST_PORT, "135"}, {FW_FILTER_DST_PORT, "139"}}, {23, 24, 50}},
        {"src port", {{FW_FILTER_SRC_PORT, "5353"}}, {40, 41, 43, 44}},
        {"src address CIDR v4", {{FW_FILTER_SRC_ADDRESS, "192.168.122.0/24"}}, {23, 24, 25, 26}},
        {"src address dotted mask", {{FW_FILTER_SRC_ADDRESS, "192.168.122.0/255.255.255.0"}}, {23, 24, 25, 26}},
        {"dst address range", {{FW_FILTER_DST_ADDRESS, "52.221.167.0-52.221.167.9"}}, {34, 35}},
        {"dst address single", {{FW_FILTER_DST_ADDRESS, "10.12.13.14"}}, {28, 29, 30}},
        {"src address v6 prefix", {{FW_FILTER_SRC_ADDRESS, "fe80::/64"}}, {41, 43, 44}},
        {"dst address v6 single", {{FW_FILTER_DST_ADDRESS, "ff02::fb"}}, {41, 43, 44}},
        {"v4 or v6 destination", {{FW_FILTER_DST_ADDRESS, "ff02::fb"}, {FW_FILTER_DST_ADDRESS, "224.0.0.251"}}, {40, 41, 43, 44}},
        {"direction Outbound", {{FW_FILTER_DIRECTION, "Outbound"}}, {32, 33, 34, 35, 38}},
        {"direction SEND", {{FW_FILTER_DIRECTION, "send"}}, {32, 33, 34, 35, 38}},
        {"inbound ALLOW", {{FW_FILTER_DIRECTION, "Inbound"}, {FW_FILTER_ACTION, "Allow"}}, {28, 37}},
        {"no match", {{FW_FILTER_ACTION, "Drop"}, {FW_FILTER_DST_PORT, "1"}}, {}},
    }));
    CAPTURE(c.name);
    filter f;
    for (auto &[field, value] : c.values) REQUIRE(f.add(field, value) == FW_OK);
    auto r = read_all(sample, f.get());
    REQUIRE(r.open_rc == FW_OK);
    CHECK(lines_of(r) == c.lines);
    CHECK(r.stats.matched == c.lines.size());
    if ((r.stats.notes & FW_NOTE_PASSED_OVER) == 0) {
        CHECK(r.stats.records == 34); // every good line is a record, matched or not
        CHECK(r.stats.skipped == 1);
    } else {
        // One port of 3+ digits: lines without them were passed over unread (see the [skip] tests).
        CHECK(r.stats.records < 34);
        CHECK(r.stats.records >= c.lines.size());
        CHECK(r.stats.skipped <= 1);
    }
}

TEST_CASE("fw::log filter: time window", "[log][filter]") {
    filter f;
    // 2022-07-11 21:03:39 (1657573419) inclusive .. 2022-07-11 21:03:54 (1657573434) exclusive
    REQUIRE(f.time(1657573419, 1657573434) == FW_OK);
    auto r = read_all(sample, f.get());
    CHECK(lines_of(r) == std::vector<std::uint64_t>{23, 24, 25});
    filter after;
    REQUIRE(after.time(1785193197, FW_NO_TIME) == FW_OK);
    CHECK(lines_of(read_all(sample, after.get())) == std::vector<std::uint64_t>{49, 50});
    filter before;
    REQUIRE(before.time(FW_NO_TIME, 1113206758) == FW_OK);
    CHECK(lines_of(read_all(sample, before.get())) == std::vector<std::uint64_t>{6, 7});
    filter bad;
    CHECK(bad.time(10, 10) == FW_EINVALID);
    CHECK(bad.time(11, 10) == FW_EINVALID);
    CHECK(bad.time(FW_NO_TIME, FW_NO_TIME) == FW_OK);
}

TEST_CASE("fw::log filter: invalid values", "[log][filter]") {
    using row = std::pair<int, const char *>;
    auto [field, value] = GENERATE(values<row>({
        {FW_FILTER_ACTION, "Reject"},
        {FW_FILTER_ACTION, ""},
        {FW_FILTER_PROTOCOL, "256"},
        {FW_FILTER_PROTOCOL, "XYZZY"},
        {FW_FILTER_PROTOCOL, "-"},
        {FW_FILTER_SRC_ADDRESS, "10.0.0.0/33"},
        {FW_FILTER_DST_ADDRESS, "10.0.0.9-10.0.0.1"},
        {FW_FILTER_DST_ADDRESS, "example.com"},
        {FW_FILTER_SRC_PORT, "65536"},
        {FW_FILTER_DST_PORT, "100-1"},
        {FW_FILTER_DST_PORT, "RPC"},
        {FW_FILTER_DIRECTION, "Sideways"},
    }));
    CAPTURE(field, value);
    filter f;
    CHECK(f.add(field, value) == FW_EINVALID);
    const fw_error *e = fw_error_last();
    CHECK(e->code == FW_EINVALID);
    CHECK(e->klass == FW_ERRCLASS_ARGUMENT);
    CHECK(std::string(e->message).find(std::string("'") + value + "'") != std::string::npos);
    // The filter is unchanged: it still matches everything.
    CHECK(read_all(sample, f.get()).records.size() == 34);
}

TEST_CASE("fw::log C ABI argument checks", "[log][abi]") {
    fw_filter *f = nullptr;
    CHECK(fw_filter_new(nullptr) == FW_EINVALID);
    REQUIRE(fw_filter_new(&f) == FW_OK);
    CHECK(fw_filter_add(nullptr, FW_FILTER_ACTION, "Drop") == FW_EINVALID);
    CHECK(fw_filter_add(f, FW_FILTER_ACTION, nullptr) == FW_EINVALID);
    CHECK(fw_filter_add(f, 0, "Drop") == FW_EINVALID);
    CHECK(fw_filter_add(f, 8, "Drop") == FW_EINVALID);
    CHECK(fw_filter_set_time(nullptr, 0, 1) == FW_EINVALID);

    fw_reader *reader = reinterpret_cast<fw_reader *>(&f); // garbage: must be reset to NULL
    CHECK(fw_reader_open(&reader, nullptr, nullptr) == FW_EINVALID);
    CHECK(reader == nullptr);
    CHECK(fw_reader_open(nullptr, sample.c_str(), nullptr) == FW_EINVALID);
    CHECK(fw_reader_open(&reader, "", nullptr) == FW_EINVALID);
    fw_reader_options bad = FW_READER_OPTIONS_INIT;
    bad.version = 99;
    CHECK(fw_reader_open(&reader, sample.c_str(), &bad) == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("version") != std::string::npos);
    bad = FW_READER_OPTIONS_INIT;
    bad.batch_size = 0xffffffffu;
    CHECK(fw_reader_open(&reader, sample.c_str(), &bad) == FW_EINVALID);

    REQUIRE(fw_reader_open(&reader, sample.c_str(), nullptr) == FW_OK);
    const fw_record *records = nullptr;
    size_t count = 0;
    CHECK(fw_reader_next(nullptr, &records, &count) == FW_EINVALID);
    CHECK(fw_reader_next(reader, nullptr, &count) == FW_EINVALID);
    CHECK(fw_reader_next(reader, &records, nullptr) == FW_EINVALID);
    fw_reader_stats st{};
    CHECK(fw_reader_stats_get(nullptr, &st) == FW_EINVALID);
    CHECK(fw_reader_stats_get(reader, nullptr) == FW_EINVALID);
    CHECK(fw_reader_diagnostic(nullptr, 0, nullptr, nullptr) == FW_EINVALID);
    CHECK(fw_reader_next(reader, &records, &count) == FW_OK);
    CHECK(count == 34);
    CHECK(fw_reader_next(reader, &records, &count) == FW_ITEROVER);
    CHECK(count == 0);
    CHECK(records == nullptr);
    CHECK(fw_reader_next(reader, &records, &count) == FW_ITEROVER); // stays over
    CHECK(fw_reader_diagnostic(reader, 1, nullptr, nullptr) == FW_ITEROVER);
    fw_reader_free(reader);
    fw_reader_free(nullptr);
    fw_filter_free(f);
    fw_filter_free(nullptr);
}

TEST_CASE("fw::log reader: the filter is copied at open", "[log][filter]") {
    filter f{{FW_FILTER_ACTION, "Open"}};
    fw_reader_options opts = FW_READER_OPTIONS_INIT;
    opts.filter = f.get();
    fw_reader *reader = nullptr;
    REQUIRE(fw_reader_open(&reader, sample.c_str(), &opts) == FW_OK);
    f.add(FW_FILTER_DST_PORT, "1"); // would match nothing if the reader shared the filter
    const fw_record *records = nullptr;
    size_t count = 0;
    REQUIRE(fw_reader_next(reader, &records, &count) == FW_OK);
    CHECK(count == 3);
    fw_reader_free(reader);
}

TEST_CASE("fw::log reader: batches", "[log][reader]") {
    auto whole = read_all(sample);
    auto size = GENERATE(1u, 2u, 7u, 33u, 34u, 35u);
    CAPTURE(size);
    auto r = read_all(sample, nullptr, size);
    REQUIRE(r.records.size() == whole.records.size());
    for (std::size_t i = 0; i < r.records.size(); ++i) {
        CHECK(r.records[i].line == whole.records[i].line);
        CHECK(std::memcmp(&r.records[i], &whole.records[i], sizeof(fw_record)) == 0);
    }
    for (std::size_t i = 0; i + 1 < r.batch_sizes.size(); ++i) CHECK(r.batch_sizes[i] == size);
    CHECK(r.batch_sizes.back() >= 1);
    CHECK(r.batch_sizes.back() <= size);
    CHECK(r.stats.skipped == whole.stats.skipped);
    CHECK(r.stats.lines == whole.stats.lines);
    // With a filter and batch size 1 as well.
    filter f{{FW_FILTER_PROTOCOL, "TCP"}};
    auto tcp = read_all(sample, f.get(), 1);
    CHECK(tcp.records.size() == 17);
    CHECK(std::all_of(tcp.batch_sizes.begin(), tcp.batch_sizes.end(), [](std::size_t n) { return n == 1; }));
}

TEST_CASE("fw::log reader: start_offset", "[log][reader]") {
    auto whole = read_all(sample);
    REQUIRE(whole.records.size() == 34);
    SECTION("every record's offset is a place to start") {
        for (std::size_t i = 0; i < whole.records.size(); ++i) {
            auto r = read_all(sample, nullptr, 0, whole.records[i].offset);
            REQUIRE(r.open_rc == FW_OK);
            REQUIRE(r.records.size() == whole.records.size() - i);
            // Same line numbers, same values: the layout (17 or 18 columns) is known mid-file.
            CHECK(std::memcmp(r.records.data(), whole.records.data() + i, r.records.size() * sizeof(fw_record)) == 0);
            CHECK(r.stats.has_pid == 1); // the layout at the end of the file
        }
    }
    SECTION("with UTF-16LE") {
        std::ifstream in(sample, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        temp_file f(to_utf16le(text));
        for (std::size_t i = 0; i < whole.records.size(); i += 5) {
            auto r = read_all(f.path(), nullptr, 0, 2 + 2 * whole.records[i].offset);
            REQUIRE(r.open_rc == FW_OK);
            REQUIRE(r.records.size() == whole.records.size() - i);
            CHECK(r.records[0].line == whole.records[i].line);
            CHECK(r.records[0].offset == 2 + 2 * whole.records[i].offset);
            CHECK(r.records.back().pid == 588);
        }
        CHECK(read_all(f.path(), nullptr, 0, 3).open_rc == FW_EINVALID);
        CHECK(read_all(f.path(), nullptr, 0, 2 + 2 * whole.records[3].offset + 2).open_rc == FW_EINVALID);
    }
    SECTION("not at a line start, past the end, at the end") {
        auto mid = read_all(sample, nullptr, 0, whole.records[3].offset + 1);
        CHECK(mid.open_rc == FW_EINVALID);
        CHECK(mid.error.find("not at the start of a line") != std::string::npos);
        CHECK(read_all(sample, nullptr, 0, whole.stats.file_size + 1).open_rc == FW_EINVALID);
        auto end = read_all(sample, nullptr, 0, whole.stats.file_size);
        CHECK(end.open_rc == FW_OK);
        CHECK(end.records.empty());
        CHECK(end.stats.position == whole.stats.file_size);
    }
    SECTION("the position of a reader is a place to resume") {
        temp_file f(std::string("#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                                "tcpack tcpwin icmptype icmpcode info path pid\n") +
                    "2022-01-31 12:24:51 DROP TCP 192.168.9.163 192.168.9.212 63619 445 64 S 1031365855 0 65535 - - - RECEIVE 4\n"
                    "2022-01-31 12:24:52 DROP TCP 192.168.9.163 192.168.9.212 63620 445 64 S 10");
        auto first = read_all(f.path());
        CHECK(first.records.size() == 1);
        CHECK(first.stats.partial_tail == 1);
        // The service finishes the line; a new reader resumes at the old position.
        std::ifstream in(f.path(), std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        in.close();
        f.write(text + "31365855 0 65535 - - - RECEIVE 4\r\n");
        auto next = read_all(f.path(), nullptr, 0, first.stats.position);
        REQUIRE(next.records.size() == 1);
        CHECK(next.records[0].line == 3);
        CHECK(next.records[0].src_port == 63620);
        CHECK(next.records[0].pid == 4);
        CHECK(next.stats.partial_tail == 0);
    }
}
