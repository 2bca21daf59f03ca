// fw_reader_options.fields: a reader that types only some fields gives, for
// those fields, exactly what a reader typing everything gives; the others are
// absent. fw_summary_fields names what a summary reads, and a summary over
// records typed with it equals a summary over fully typed records.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using fw_test::temp_file;

namespace {

std::string make_log(std::uint64_t seed, std::size_t n) {
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t m) { return rng() % m; };
    std::string s = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack "
                    "tcpwin icmptype icmpcode info path pid\r\n";
    for (std::size_t i = 0; i < n; ++i) {
        const bool icmp = below(10) == 0;
        s += fmt::format("2024-0{}-1{} 1{}:{:02}:{:02} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}\r\n",
                         1 + below(9), below(10), below(10), below(60), below(60), below(4) ? "DROP" : "ALLOW",
                         icmp ? "ICMP" : (below(2) ? "TCP" : "UDP"),
                         below(8) ? fmt::format("10.1.{}.{}", below(3), below(256)) : std::string("fe80::9:1"),
                         fmt::format("192.168.0.{}", below(256)), icmp ? "-" : std::to_string(below(65536)),
                         icmp ? "-" : std::to_string(below(2) ? 49154 : below(1024)), 40 + below(1000),
                         below(2) ? "S" : "-", below(2) ? std::to_string(below(100000)) : "-", "-",
                         below(2) ? "8192" : "-", icmp ? std::to_string(below(20)) : "-",
                         icmp ? std::to_string(below(5)) : "-", "-", below(2) ? "RECEIVE" : "SEND", below(9000));
    }
    return s;
}

std::vector<fw_record> read(const std::string &path, std::uint32_t fields, std::uint32_t threads, const fw_filter *f) {
    fw_reader_options o = FW_READER_OPTIONS_INIT;
    o.fields = fields;
    o.threads = threads;
    o.filter = f;
    fw_reader *r = nullptr;
    REQUIRE(fw_reader_open(&r, path.c_str(), &o) == FW_OK);
    std::vector<fw_record> out;
    const fw_record *recs = nullptr;
    std::size_t n = 0;
    while (fw_reader_next(r, &recs, &n) == FW_OK) out.insert(out.end(), recs, recs + n);
    fw_reader_free(r);
    return out;
}

bool same_addr(const fw_addr &a, const fw_addr &b) {
    return a.family == b.family && std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0;
}

void check_partial(const fw_record &p, const fw_record &full, std::uint32_t f) {
    CHECK(p.line == full.line);
    CHECK(p.offset == full.offset);
    CHECK(p.time == ((f & FW_FIELDS_TIME) ? full.time : FW_NO_TIME));
    CHECK(p.action == ((f & FW_FIELDS_ACTION) ? full.action : FW_ACTION_OTHER));
    CHECK(p.protocol == ((f & FW_FIELDS_PROTOCOL) ? full.protocol : FW_ABSENT));
    CHECK(same_addr(p.src, (f & FW_FIELDS_SRC_ADDRESS) ? full.src : fw_addr{}));
    CHECK(same_addr(p.dst, (f & FW_FIELDS_DST_ADDRESS) ? full.dst : fw_addr{}));
    CHECK(p.src_port == ((f & FW_FIELDS_SRC_PORT) ? full.src_port : FW_ABSENT));
    CHECK(p.dst_port == ((f & FW_FIELDS_DST_PORT) ? full.dst_port : FW_ABSENT));
    CHECK(p.size == ((f & FW_FIELDS_SIZE) ? full.size : FW_ABSENT));
    CHECK(std::string(p.tcp_flags) == ((f & FW_FIELDS_TCP) ? std::string(full.tcp_flags) : std::string()));
    CHECK(p.tcp_syn == ((f & FW_FIELDS_TCP) ? full.tcp_syn : FW_ABSENT));
    CHECK(p.tcp_ack == ((f & FW_FIELDS_TCP) ? full.tcp_ack : FW_ABSENT));
    CHECK(p.tcp_win == ((f & FW_FIELDS_TCP) ? full.tcp_win : FW_ABSENT));
    CHECK(p.icmp_type == ((f & FW_FIELDS_ICMP) ? full.icmp_type : FW_ABSENT));
    CHECK(p.icmp_code == ((f & FW_FIELDS_ICMP) ? full.icmp_code : FW_ABSENT));
    CHECK(p.info == ((f & FW_FIELDS_INFO) ? full.info : FW_ABSENT));
    CHECK(p.path == ((f & FW_FIELDS_PATH) ? full.path : FW_PATH_NONE));
    CHECK(p.pid == ((f & FW_FIELDS_PID) ? full.pid : FW_ABSENT));
}

} // namespace

TEST_CASE("fw_reader_options.fields: the fields asked for are typed as in a full read, the others absent",
          "[log][parallel][fields]") {
    temp_file file(make_log(3, 3000));
    fw_test::filter drop{{FW_FILTER_ACTION, "DROP"}};
    for (const fw_filter *f : {static_cast<const fw_filter *>(nullptr), drop.get()}) {
        const auto full = read(file.path(), 0, 1, f);
        REQUIRE(full.size() > 1000);
        std::mt19937_64 rng(11);
        std::vector<std::uint32_t> masks = {FW_FIELDS_PID, FW_FIELDS_TIME, FW_FIELDS_PATH | FW_FIELDS_PROTOCOL,
                                            FW_FIELDS_ALL & ~static_cast<std::uint32_t>(FW_FIELDS_TIME)};
        for (int i = 0; i < 12; ++i) masks.push_back(static_cast<std::uint32_t>(rng()) & FW_FIELDS_ALL);
        for (std::uint32_t mask : masks) {
            if (mask == 0) continue;
            INFO("fields 0x" << std::hex << mask);
            const auto part = read(file.path(), mask, 1, f);
            REQUIRE(part.size() == full.size());
            for (std::size_t i = 0; i < part.size(); ++i) check_partial(part[i], full[i], mask);
        }
    }
}

TEST_CASE("fw_summary_fields: a summary over records typed with its fields equals one over full records",
          "[log][parallel][fields][summary]") {
    temp_file file(make_log(5, 4000));
    const std::vector<std::vector<int>> key_sets = {
        {FW_KEY_DIRECTION, FW_KEY_PROTOCOL, FW_KEY_LOCAL_PORT},
        {FW_KEY_REMOTE_ADDRESS},
        {FW_KEY_HOUR, FW_KEY_ACTION},
        {FW_KEY_ICMP_TYPE, FW_KEY_PID, FW_KEY_SRC_ADDRESS, FW_KEY_DST_PORT},
        {FW_KEY_LOCAL_ADDRESS, FW_KEY_REMOTE_PORT, FW_KEY_SRC_PORT, FW_KEY_DST_ADDRESS},
    };
    for (const auto &keys : key_sets) {
        auto summarise = [&](bool typed_by_summary, std::uint32_t threads) {
            fw_summary *s = nullptr;
            REQUIRE(fw_summary_new(&s, keys.data(), keys.size()) == FW_OK);
            std::uint32_t fields = 0;
            REQUIRE(fw_summary_fields(s, &fields) == FW_OK);
            CHECK((fields & (FW_FIELDS_TIME | FW_FIELDS_SIZE)) == (FW_FIELDS_TIME | FW_FIELDS_SIZE));
            CHECK(fields != FW_FIELDS_ALL);
            const auto recs = read(file.path(), typed_by_summary ? fields : 0, threads, nullptr);
            REQUIRE(fw_summary_add(s, recs.data(), recs.size()) == FW_OK);
            std::size_t groups = 0;
            REQUIRE(fw_summary_finish(s, &groups) == FW_OK);
            std::vector<std::string> out;
            for (std::size_t i = 0; i < groups; ++i) {
                fw_summary_group g{};
                REQUIRE(fw_summary_group_get(s, i, &g) == FW_OK);
                std::string row = fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {} {} {}|", g.count, g.first_time,
                                              g.last_time, g.bytes, g.hour, g.pid, g.src_port, g.dst_port,
                                              g.local_port, g.remote_port, g.protocol, g.icmp_type, g.action, g.path,
                                              g.src.family + g.dst.family * 10 + g.local.family * 100 + g.remote.family * 1000);
                for (const fw_addr *a : {&g.src, &g.dst, &g.local, &g.remote})
                    for (auto b : a->bytes) row += fmt::format("{:02x}", b);
                out.push_back(row);
            }
            fw_summary_free(s);
            return out;
        };
        const auto full = summarise(false, 1);
        CHECK(summarise(true, 1) == full);
        CHECK(summarise(true, 4) == full);
    }
    uint32_t fields = 7;
    CHECK(fw_summary_fields(nullptr, &fields) == FW_EINVALID);
    CHECK(fields == 0);
}
