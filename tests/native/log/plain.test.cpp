// The one-pass fast path (type_plain_line) only declines, never decides: on any
// input the reader must give exactly the records, statistics and diagnostics
// of stage 1 and type_record.
#include "log/fields.hpp"
#include "log/reader.hpp"
#include "log_test_util.hpp"
#include "mutated_log.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace fw::log;

using fw_test::read_everything;
using fw_test::some_log;

namespace {

// type_plain_line on the line in a block of exactly plain_readable bytes (ASan sees a load past it), the rest
// spaces: the offset of the line's end ('\n') in the block, or -1 where it declines.
// how: every field, no filter, the baseline build, unless given. passed: as type_plain_line's.
std::ptrdiff_t type_in_block(std::string_view line, const plain_options &how, fw_record &r, bool &passed) {
    auto block = std::make_unique<char[]>(plain_readable);
    std::memset(block.get(), ' ', plain_readable);
    std::memcpy(block.get(), line.data(), std::min(line.size(), plain_readable));
    date_cache cache;
    passed = false;
    const char *e = type_plain_line(block.get(), how, r, cache, passed);
    return e == nullptr ? -1 : e - block.get();
}
std::ptrdiff_t type_in_block(std::string_view line, bool pid, fw_record &r) {
    plain_options how;
    how.pid = pid;
    bool passed = false;
    return type_in_block(line, how, r, passed);
}

} // namespace

TEST_CASE("fw::log reader: the one-pass path gives what stage 1 and type_record give", "[log][plain]") {
    std::mt19937_64 rng(0x91a1);
    for (int round = 0; round < 6; ++round) {
        // Some files larger than the buffer, so that lines straddle a refill and the buffer's end.
        const std::size_t lines = round < 2 ? 6000 + rng() % 3000 : 300 + rng() % 500;
        fw_test::temp_file file(some_log(rng, lines));
        struct variant {
            std::string name;
            std::uint32_t fields;
            const char *action;
            const char *port;
        };
        // Measure-FwDrop's sets (fw_summary_fields: first/last seen and bytes, and what each key needs; the
        // default grouping is direction, protocol and local port), then random ones.
        constexpr std::uint32_t summary_default = FW_FIELDS_TIME | FW_FIELDS_SIZE | FW_FIELDS_PATH |
                                                  FW_FIELDS_PROTOCOL | FW_FIELDS_SRC_PORT | FW_FIELDS_DST_PORT;
        std::vector<variant> variants = {
            {"every field", FW_FIELDS_ALL, nullptr, nullptr},
            {"Measure-FwDrop's default fields, DROP", summary_default, "DROP", nullptr},
            {"Measure-FwDrop's default fields and the action, DROP", summary_default | FW_FIELDS_ACTION, "DROP",
             nullptr},
            {"Measure-FwDrop's default fields, no filter", summary_default, nullptr, nullptr},
            {"Measure-FwDrop by protocol and pid, ALLOW",
             FW_FIELDS_TIME | FW_FIELDS_SIZE | FW_FIELDS_PROTOCOL | FW_FIELDS_PID, "ALLOW", nullptr},
            {"Measure-FwDrop by remote address, DROP",
             FW_FIELDS_TIME | FW_FIELDS_SIZE | FW_FIELDS_PATH | FW_FIELDS_SRC_ADDRESS | FW_FIELDS_DST_ADDRESS, "DROP",
             nullptr},
            {"every field, ALLOW", FW_FIELDS_ALL, "ALLOW", nullptr},
            {"addresses only", FW_FIELDS_SRC_ADDRESS | FW_FIELDS_DST_ADDRESS, nullptr, nullptr},
            {"DROP to a port", FW_FIELDS_ALL, "DROP", "1-30000"}};
        for (int k = 0; k < 4; ++k) {
            const auto fields = static_cast<std::uint32_t>(rng() % FW_FIELDS_ALL) + 1; // 1..FW_FIELDS_ALL
            variants.push_back({"random fields " + std::to_string(fields), fields, k % 2 == 0 ? "DROP" : nullptr,
                                nullptr});
        }
        for (const variant &v : variants) {
            auto options = [&](bool plain, bool cpu_features) {
                reader_options o;
                o.plain_path = plain;
                o.cpu_features = cpu_features;
                o.batch_size = 1 + static_cast<std::uint32_t>(rng() % 700);
                o.fields = v.fields;
                if (v.action != nullptr) o.filt.add(FW_FILTER_ACTION, v.action);
                if (v.port != nullptr) o.filt.add(FW_FILTER_DST_PORT, v.port);
                return o;
            };
            CAPTURE(round, lines, v.name);
            const auto general = read_everything(file.path(), options(false, true));
            if (v.action == nullptr) CHECK(general.size() > lines / 2); // most lines are records
            // The plain path on the CPU's own instructions (POPCNT, BMI1, SSSE3, and AVX2 for Measure-FwDrop's
            // sets, where it has them) and on the baseline. (The AVX2 build against the POPCNT/BMI1 one, line by
            // line: the test case after the next.)
            for (const bool cpu_features : {true, false}) {
                CAPTURE(cpu_features);
                const auto plain = read_everything(file.path(), options(true, cpu_features));
                REQUIRE(general.size() == plain.size());
                for (std::size_t i = 0; i < general.size(); ++i) {
                    CAPTURE(i);
                    REQUIRE(general[i] == plain[i]);
                }
            }
        }
    }
}

TEST_CASE("fw::log type_plain_line declines what it must leave to stage 1", "[log][plain]") {
    // The line's end as a pointer into the line, or nullptr where type_plain_line declines.
    auto type = [](std::string_view line, bool pid, fw_record &r) -> const char * {
        const std::ptrdiff_t end = type_in_block(line, pid, r);
        return end < 0 ? nullptr : line.data() + end;
    };
    const std::string good = "2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 "
                             "64240 - - - RECEIVE 4";
    fw_record r{};
    for (const char *eol : {"\n", "\r\n", "   \r\n", " \n"}) {
        const std::string line = good + eol;
        const char *e = type(line, true, r);
        REQUIRE(e != nullptr);
        CHECK(*e == '\n');
        CHECK(e == line.data() + line.size() - 1);
        CHECK(r.dst_port == 135);
        CHECK(r.tcp_syn == 3362791310);
        CHECK(r.pid == 4);
    }
    // 17 columns read as 17, not as 18.
    CHECK(type(good.substr(0, good.size() - 2) + "\r\n", false, r) != nullptr);
    CHECK(r.pid == FW_ABSENT);
    for (const std::string &bad :
         {good + "\r\r\n", good + "\r", good, good + std::string("\0\n", 2), " " + good + "\n", good + " 5\n",
          good.substr(0, good.size() - 2) + "\n", std::string("#Fields: x\n"), std::string("\n"),
          std::string("2024-07-11  21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP\tTCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.01 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.256 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 65536 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE 4\n"),
          std::string("2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 "
                      "- - - RECEIVE " + std::string(80, '4') + "\n"),
          good + std::string(plain_line_max, ' ') + "\n"}) {
        CAPTURE(bad);
        CHECK(type(bad, true, r) == nullptr);
    }
}

TEST_CASE("fw::log type_plain_line walks lines on either side of its 128-byte masks alike", "[log][plain]") {
    // Lines whose last field ends before byte 127 are walked on two masks at once, longer ones field by field:
    // the same line padded (zeros before the size and the pid) across that boundary must give the same record,
    // and the same breaks (a tab or a control byte as a separator, an empty field) must be declined at any length.
    for (const bool pid : {true, false}) {
        for (std::size_t pad = 0; pad < 48; ++pad) { // lines of 116..164 bytes
            // Up to 16 zeros in each of size, info and pid (a number has at most 19 digits).
            const std::size_t in_size = std::min<std::size_t>(pad, 16),
                              in_info = std::min<std::size_t>(pad - in_size, 16),
                              in_pid = pid ? pad - in_size - in_info : 0;
            std::string line = "2024-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 " +
                               std::string(in_size, '0') + "60 S 3362791310 0 64240 - - " +
                               std::string(in_info, '0') + "5 RECEIVE";
            if (pid) line += " " + std::string(in_pid, '0') + "4";
            const std::string eol = pad % 3 == 0 ? "\r\n" : pad % 3 == 1 ? "\n" : "  \n";
            CAPTURE(pid, pad, line);
            fw_record r{};
            REQUIRE(type_in_block(line + eol, pid, r) == static_cast<std::ptrdiff_t>(line.size() + eol.size() - 1));
            CHECK(r.size == 60);
            CHECK(r.tcp_syn == 3362791310);
            CHECK(r.info == 5);
            CHECK(r.path == FW_PATH_RECEIVE);
            CHECK(r.pid == (pid ? 4 : FW_ABSENT));
            CHECK(r.dst.bytes[3] == 71);
            // Every separator broken in turn: a tab, a control byte, a second space (an empty field).
            for (std::size_t at = 0; at < line.size(); ++at) {
                if (line[at] != ' ') continue;
                for (const char *sep : {"\t", "\x01", "  ", "\r"}) {
                    std::string bad = line;
                    bad.replace(at, 1, sep);
                    CAPTURE(at, static_cast<int>(sep[0]));
                    CHECK(type_in_block(bad + eol, pid, r) == -1);
                }
            }
            // A field that starts with a space, or a line that ends one field early or one late.
            CHECK(type_in_block(" " + line + eol, pid, r) == -1);
            CHECK(type_in_block(line.substr(0, line.rfind(' ')) + eol, pid, r) == -1);
            CHECK(type_in_block(line + " 7" + eol, pid, r) == -1);
        }
    }
}

TEST_CASE("fw::log type_plain_line: the AVX2 build of Measure-FwDrop's sets gives what the others give", "[log][plain]") {
    // The sets typed with no test per field (no addresses), on the baseline, on POPCNT/BMI1 and on AVX2: the
    // same ends, the same filter answers and the same records, for good lines and lines broken every way.
    const bool avx2 = has_avx2(), hw = fw::log::detail::has_popcnt_bmi();
    if (!avx2) WARN("this CPU (or its OS) has no AVX2: only the baseline and POPCNT/BMI1 builds are compared");
    if (!hw) WARN("this CPU has no POPCNT/BMI1: that build is not compared");
    constexpr std::uint32_t summary_default = FW_FIELDS_TIME | FW_FIELDS_SIZE | FW_FIELDS_PATH | FW_FIELDS_PROTOCOL |
                                              FW_FIELDS_SRC_PORT | FW_FIELDS_DST_PORT;
    std::mt19937_64 rng(0xa7b2);
    std::size_t typed = 0, declined = 0, filtered = 0;
    for (int i = 0; i < 6000; ++i) {
        const bool pid = i % 3 != 0;
        std::string line = fw_test::some_line(rng, pid, i % 2 == 0 ? "\r\n" : "\n");
        if (i % 4 == 0) { // lines around the 128 bytes walked on two masks: zeros before the size
            std::size_t at = 0;
            for (int field = 0; field < 8 && at != std::string::npos; ++field) at = line.find(' ', at + 1);
            if (at != std::string::npos) line.insert(at + 1, std::string(rng() % 48, '0'));
        }
        for (const std::uint32_t wanted : {summary_default, summary_default | FW_FIELDS_ACTION}) {
            for (const std::uint32_t actions :
                 {~std::uint32_t{0}, std::uint32_t{1} << FW_ACTION_DROP, std::uint32_t{1} << FW_ACTION_ALLOW}) {
                CAPTURE(i, line, pid, wanted, actions);
                plain_options how;
                how.pid = pid;
                how.wanted = wanted;
                how.actions = actions;
                fw_record base{};
                bool base_passed = false;
                const std::ptrdiff_t base_end = type_in_block(line, how, base, base_passed);
                (base_end < 0 ? declined : base_passed ? typed : filtered) += 1;
                for (const int build : {1, 2}) { // POPCNT/BMI1, AVX2
                    if (build == 1 ? !hw : !avx2) continue;
                    CAPTURE(build);
                    how.hw = true;
                    how.avx2 = build == 2;
                    fw_record r{};
                    bool passed = false;
                    const std::ptrdiff_t end = type_in_block(line, how, r, passed);
                    REQUIRE(end == base_end);
                    if (end < 0) continue;
                    REQUIRE(passed == base_passed);
                    if (passed) REQUIRE(fw_test::record_text(r) == fw_test::record_text(base));
                }
            }
        }
    }
    // Each kind is met often enough to mean something.
    CHECK(typed > 5000);
    CHECK(declined > 1000);
    CHECK(filtered > 1000);
}
