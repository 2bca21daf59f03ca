// fw/summary.h through the C ABI, fed by the real reader over logs written here.
#include "../log/log_test_util.hpp"

#include <catch2/catch.hpp>

#include <fw/fw.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace {

const char *const header = "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
                           "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
                           "tcpack tcpwin icmptype icmpcode info path\r\n\r\n";

// One 17-column line on 2022-09-01.
std::string line(const char *time, const char *action, const char *proto, const char *src, const char *dst,
                 const char *sport, const char *dport, const char *size, const char *path) {
    return std::string("2022-09-01 ") + time + " " + action + " " + proto + " " + src + " " + dst + " " + sport + " " +
           dport + " " + size + " - - - - - - - " + path + "\r\n";
}

std::int64_t at(int hour, int minute, int second) { return 1661990400 + hour * 3600 + minute * 60 + second; }

struct summary_deleter {
    void operator()(fw_summary *s) const noexcept { fw_summary_free(s); }
};
using summary_ptr = std::unique_ptr<fw_summary, summary_deleter>;

summary_ptr make(std::vector<int> keys) {
    fw_summary *s = nullptr;
    REQUIRE(fw_summary_new(&s, keys.data(), keys.size()) == FW_OK);
    return summary_ptr(s);
}

std::vector<fw_summary_group> ranked(fw_summary *s) {
    size_t groups = 0;
    REQUIRE(fw_summary_finish(s, &groups) == FW_OK);
    std::vector<fw_summary_group> out(groups);
    for (size_t i = 0; i < groups; ++i) REQUIRE(fw_summary_group_get(s, i, &out[i]) == FW_OK);
    fw_summary_group extra{};
    REQUIRE(fw_summary_group_get(s, groups, &extra) == FW_ITEROVER);
    return out;
}

// Reads the whole file twice: through fw_reader_next, counting every batch with fw_summary_add, and with
// fw_summary_read (the reader counts); both must give the same groups.
std::vector<fw_summary_group> summarise(const std::string &path, std::vector<int> keys) {
    auto s = make(keys);
    fw_reader_options o = FW_READER_OPTIONS_INIT;
    o.batch_size = 3; // several batches, so groups span batches
    fw_reader *r = nullptr;
    REQUIRE(fw_reader_open(&r, path.c_str(), &o) == FW_OK);
    const fw_record *records = nullptr;
    size_t n = 0;
    int rc;
    uint64_t handed_out = 0;
    while ((rc = fw_reader_next(r, &records, &n)) == FW_OK) {
        REQUIRE(fw_summary_add(s.get(), records, n) == FW_OK);
        handed_out += n;
    }
    fw_reader_free(r);
    REQUIRE(rc == FW_ITEROVER);
    auto by_batches = ranked(s.get());

    auto read = make(keys);
    REQUIRE(fw_reader_open(&r, path.c_str(), &o) == FW_OK);
    uint64_t counted = 0, step = 0;
    while ((rc = fw_summary_read(read.get(), r, &step)) == FW_OK) counted += step;
    CHECK(step == 0);
    fw_reader_free(r);
    REQUIRE(rc == FW_ITEROVER);
    CHECK(counted == handed_out);
    auto by_reader = ranked(read.get());
    REQUIRE(by_reader.size() == by_batches.size());
    for (size_t i = 0; i < by_reader.size(); ++i) CHECK(std::memcmp(&by_reader[i], &by_batches[i], sizeof by_reader[i]) == 0);
    return by_batches;
}

} // namespace

TEST_CASE("summary: inbound drops counted per local port, most first, with times and bytes", "[summary]") {
    fw_test::temp_file log(std::string(header) +
                           line("10:00:01", "DROP", "TCP", "192.168.10.21", "192.168.10.5", "50001", "49154", "52", "RECEIVE") +
                           line("10:00:02", "DROP", "TCP", "192.168.10.22", "192.168.10.5", "50002", "49154", "60", "RECEIVE") +
                           line("09:59:59", "DROP", "TCP", "192.168.10.21", "192.168.10.5", "50003", "49154", "-", "RECEIVE") +
                           line("10:00:03", "DROP", "UDP", "192.168.10.21", "192.168.10.5", "5353", "161", "70", "RECEIVE") +
                           // outbound: the local port is the source port
                           line("10:00:04", "DROP", "TCP", "192.168.10.5", "203.0.113.9", "161", "443", "40", "SEND") +
                           // no path: no local end
                           line("10:00:05", "DROP", "TCP", "192.168.10.5", "203.0.113.9", "1", "2", "40", "-"));
    auto groups = summarise(log.path(), {FW_KEY_LOCAL_PORT});
    REQUIRE(groups.size() == 3);
    CHECK(groups[0].local_port == 49154);
    CHECK(groups[0].count == 3);
    CHECK(groups[0].first_time == at(9, 59, 59));
    CHECK(groups[0].last_time == at(10, 0, 2));
    CHECK(groups[0].bytes == 112);
    // Keys that are not grouped stay absent.
    CHECK(groups[0].dst_port == FW_ABSENT);
    CHECK(groups[0].protocol == FW_ABSENT);
    CHECK(groups[0].src.family == FW_AF_NONE);
    CHECK(groups[0].hour == FW_NO_TIME);
    CHECK(groups[1].local_port == 161);
    CHECK(groups[1].count == 2); // UDP 161 inbound and TCP 161 outbound
    CHECK(groups[2].local_port == FW_ABSENT);
    CHECK(groups[2].count == 1);
}

TEST_CASE("summary: several keys, remote addresses and hours", "[summary]") {
    std::string text = header;
    for (int i = 0; i < 5; ++i) text += line("10:10:00", "DROP", "TCP", "192.168.10.21", "192.168.10.5", "50001", "135", "52", "RECEIVE");
    for (int i = 0; i < 3; ++i) text += line("11:20:00", "DROP", "TCP", "192.168.10.21", "192.168.10.5", "50001", "135", "52", "RECEIVE");
    text += line("11:30:00", "DROP", "TCP", "2001:db8::7", "2001:db8::5", "50001", "135", "72", "RECEIVE");
    text += line("11:40:00", "ALLOW", "TCP", "192.168.10.21", "192.168.10.5", "50001", "135", "52", "RECEIVE");
    fw_test::temp_file log(text);

    auto by_remote = summarise(log.path(), {FW_KEY_ACTION, FW_KEY_REMOTE_ADDRESS});
    REQUIRE(by_remote.size() == 3);
    CHECK(by_remote[0].action == FW_ACTION_DROP);
    CHECK(fw_test::addr_text(by_remote[0].remote) == "192.168.10.21");
    CHECK(by_remote[0].count == 8);
    // Equal counts: DROP (1) before ALLOW (2), then by address.
    CHECK(by_remote[1].action == FW_ACTION_DROP);
    CHECK(fw_test::addr_text(by_remote[1].remote) == "2001:db8:0:0:0:0:0:7");
    CHECK(by_remote[2].action == FW_ACTION_ALLOW);

    auto by_hour = summarise(log.path(), {FW_KEY_HOUR, FW_KEY_DIRECTION});
    REQUIRE(by_hour.size() == 2);
    // Five records in each hour: equal counts are ordered by key, the earlier hour first.
    CHECK(by_hour[0].hour == at(10, 0, 0));
    CHECK(by_hour[0].count == 5);
    CHECK(by_hour[0].path == FW_PATH_RECEIVE);
    CHECK(by_hour[0].first_time == at(10, 10, 0));
    CHECK(by_hour[1].hour == at(11, 0, 0));
    CHECK(by_hour[1].count == 5);
    CHECK(by_hour[1].last_time == at(11, 40, 0));
}

TEST_CASE("summary: many groups grow the table and every record is counted once", "[summary]") {
    std::string text = header;
    std::map<std::tuple<int, int>, int> expected; // (third octet, port) -> count
    for (int i = 0; i < 20000; ++i) {
        int octet = i % 97, port = 1000 + (i * 7) % 251;
        ++expected[{octet, port}];
        std::string src = "10.0." + std::to_string(octet) + ".1";
        text += line("10:00:00", "DROP", "UDP", src.c_str(), "192.0.2.1", "5000", std::to_string(port).c_str(), "1", "RECEIVE");
    }
    fw_test::temp_file log(text);
    auto groups = summarise(log.path(), {FW_KEY_SRC_ADDRESS, FW_KEY_DST_PORT});
    REQUIRE(groups.size() == expected.size());
    std::uint64_t total = 0;
    for (size_t i = 0; i < groups.size(); ++i) {
        const auto &g = groups[i];
        total += g.count;
        CHECK(g.bytes == static_cast<std::int64_t>(g.count));
        int octet = g.src.bytes[2];
        CHECK(expected.at({octet, g.dst_port}) == static_cast<int>(g.count));
        if (i > 0) CHECK(groups[i - 1].count >= g.count);
    }
    CHECK(total == 20000);
}

TEST_CASE("summary: the ABI rejects bad arguments with a message and no crash", "[summary][abi]") {
    fw_summary *s = reinterpret_cast<fw_summary *>(0x1);
    int keys[] = {FW_KEY_LOCAL_PORT, FW_KEY_LOCAL_PORT};
    CHECK(fw_summary_new(&s, keys, 2) == FW_EINVALID);
    CHECK(s == nullptr);
    CHECK(std::string(fw_error_last()->message).find("given twice") != std::string::npos);
    int bad[] = {99};
    CHECK(fw_summary_new(&s, bad, 1) == FW_EINVALID);
    CHECK(fw_summary_new(&s, keys, 0) == FW_EINVALID);
    int nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(fw_summary_new(&s, nine, 9) == FW_EINVALID);
    CHECK(fw_summary_new(nullptr, keys, 1) == FW_EINVALID);
    CHECK(fw_summary_new(&s, nullptr, 1) == FW_EINVALID);

    auto ok = make({FW_KEY_PROTOCOL});
    CHECK(fw_summary_add(ok.get(), nullptr, 3) == FW_EINVALID);
    CHECK(fw_summary_add(ok.get(), nullptr, 0) == FW_OK);
    fw_summary_group g{};
    CHECK(fw_summary_group_get(ok.get(), 0, &g) == FW_EINVALID); // not finished
    CHECK(std::string(fw_error_last()->message).find("fw_summary_finish") != std::string::npos);
    size_t n = 7;
    CHECK(fw_summary_finish(ok.get(), &n) == FW_OK);
    CHECK(n == 0);
    CHECK(fw_summary_group_get(ok.get(), 0, &g) == FW_ITEROVER);
    CHECK(fw_summary_group_get(ok.get(), 0, nullptr) == FW_EINVALID);
    CHECK(fw_summary_finish(nullptr, &n) == FW_EINVALID);
    fw_summary_free(nullptr);
}

TEST_CASE("summary: adding after finish needs a new finish; reading groups never passes the ranking", "[summary][abi]") {
    auto s = make({FW_KEY_DST_PORT});
    fw_record r{};
    r.action = FW_ACTION_DROP;
    r.dst_port = 80;
    REQUIRE(fw_summary_add(s.get(), &r, 1) == FW_OK);
    size_t groups = 0;
    REQUIRE(fw_summary_finish(s.get(), &groups) == FW_OK);
    REQUIRE(groups == 1);
    // New groups after finish: the old ranking covers one group, the table holds three.
    fw_record more[2] = {r, r};
    more[0].dst_port = 443;
    more[1].dst_port = 8080;
    REQUIRE(fw_summary_add(s.get(), more, 2) == FW_OK);
    fw_summary_group g{};
    for (size_t i = 0; i < 4; ++i) CHECK(fw_summary_group_get(s.get(), i, &g) == FW_EINVALID); // finish first, never a crash
    REQUIRE(fw_summary_finish(s.get(), &groups) == FW_OK);
    CHECK(groups == 3);
    for (size_t i = 0; i < 3; ++i) CHECK(fw_summary_group_get(s.get(), i, &g) == FW_OK);
    CHECK(fw_summary_group_get(s.get(), 3, &g) == FW_ITEROVER);
}

TEST_CASE("fw_summary_read: a reader counts for one summary's keys, and either counts or hands out", "[summary][abi]") {
    std::string text = header;
    for (int i = 0; i < 10; ++i) text += line("10:00:01", "DROP", "TCP", "192.168.10.21", "192.168.10.5", "50001", "49154", "52", "RECEIVE");
    fw_test::temp_file log(text);
    auto by_port = make({FW_KEY_LOCAL_PORT});
    auto by_protocol = make({FW_KEY_PROTOCOL});
    auto also_by_port = make({FW_KEY_LOCAL_PORT});
    fw_reader *r = nullptr;
    uint64_t n = 9;
    REQUIRE(fw_reader_open(&r, log.path().c_str(), nullptr) == FW_OK);
    CHECK(fw_summary_read(nullptr, r, &n) == FW_EINVALID);
    CHECK(n == 0);
    CHECK(fw_summary_read(by_port.get(), nullptr, &n) == FW_EINVALID);
    REQUIRE(fw_summary_read(by_port.get(), r, nullptr) == FW_OK); // counted may be NULL
    CHECK(fw_summary_read(by_protocol.get(), r, &n) == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("other keys") != std::string::npos);
    // Another summary with the same keys may go on counting (it gets what is left).
    while (fw_summary_read(also_by_port.get(), r, &n) == FW_OK) {}
    const fw_record *records = nullptr;
    size_t count = 0;
    CHECK(fw_reader_next(r, &records, &count) == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("fw_summary_read") != std::string::npos);
    auto first = ranked(by_port.get()), rest = ranked(also_by_port.get());
    const uint64_t first_count = first.empty() ? 0 : first[0].count, rest_count = rest.empty() ? 0 : rest[0].count;
    CHECK(first_count + rest_count == 10);
    fw_reader_free(r);

    REQUIRE(fw_reader_open(&r, log.path().c_str(), nullptr) == FW_OK);
    REQUIRE(fw_reader_next(r, &records, &count) == FW_OK);
    CHECK(fw_summary_read(by_port.get(), r, &n) == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("fw_reader_next") != std::string::npos);
    fw_reader_free(r);
}
