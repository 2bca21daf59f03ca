#include "cursor/identity.hpp"
#include "cursor/plan.hpp"
#include "log_fixture.hpp"

#include <fw/cursor.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>

using fw::test::temp_log;

namespace {

// The position just past the current end of the live file.
fw_position end_of(const std::string &path) {
    fw_position p{};
    REQUIRE(fw_file_identify(path.c_str(), FW_PREFIX_MAX, &p.file) == FW_OK);
    p.offset = p.file.size;
    if (p.file.prefix_len > p.offset) p.file.prefix_len = static_cast<uint32_t>(p.offset);
    REQUIRE(fw_file_identify(path.c_str(), p.offset, &p.file) == FW_OK);
    if (std::filesystem::exists(path + ".old"))
        REQUIRE(fw_file_identify((path + ".old").c_str(), FW_PREFIX_MAX, &p.before) == FW_OK);
    return p;
}

fw_plan plan(const std::string &path, const fw_position *from, uint32_t flags = 0) {
    fw_plan out{};
    REQUIRE(fw_log_plan(path.c_str(), from, flags, &out) == FW_OK);
    return out;
}

// One expected segment: its source, and its start when the test states it.
struct segment {
    int source;
    std::optional<uint64_t> start = std::nullopt;
};

// The plan has exactly these segments (REQUIRE on the count) and, when given, these warnings.
void check_plan(const fw_plan &p, std::initializer_list<segment> expected,
                std::optional<uint32_t> warnings = std::nullopt) {
    REQUIRE(p.count == expected.size());
    size_t i = 0;
    for (const segment &e : expected) {
        INFO("segment " << i);
        CHECK(p.segments[i].source == e.source);
        if (e.start) CHECK(p.segments[i].start == *e.start);
        ++i;
    }
    if (warnings) CHECK(p.warnings == *warnings);
}

} // namespace

TEST_CASE("fnv1a64 matches the published test vectors", "[cursor]") {
    const std::string a = "a";
    CHECK(fw::cursor::fnv1a64({}) == 0xcbf29ce484222325ull);
    CHECK(fw::cursor::fnv1a64(std::as_bytes(std::span(a))) == 0xaf63dc4c8601ec8cull);
    const std::string foobar = "foobar";
    CHECK(fw::cursor::fnv1a64(std::as_bytes(std::span(foobar))) == 0x85944171f73967e8ull);
}

TEST_CASE("file identity survives a rename and tells files apart", "[cursor]") {
    temp_log log(1, 20);
    fw_file_id id{};
    REQUIRE(fw_file_identify(log.path().c_str(), FW_PREFIX_MAX, &id) == FW_OK);
    CHECK(id.has_os_id == 1);
    CHECK(id.size == log.size());
    CHECK(id.prefix_len == std::min<uint64_t>(FW_PREFIX_MAX, log.size()));

    int m = -1;
    REQUIRE(fw_file_compare(log.path().c_str(), &id, &m) == FW_OK);
    CHECK(m == FW_FILE_SAME);

    SECTION("grown: still the same file") {
        log.append(21, 30);
        REQUIRE(fw_file_compare(log.path().c_str(), &id, &m) == FW_OK);
        CHECK(m == FW_FILE_SAME);
    }
    SECTION("renamed to .old: same file there, another file at the live path") {
        log.rotate();
        REQUIRE(fw_file_compare(log.old_path().c_str(), &id, &m) == FW_OK);
        CHECK(m == FW_FILE_SAME);
        REQUIRE(fw_file_compare(log.path().c_str(), &id, &m) == FW_OK);
        CHECK(m == FW_FILE_OTHER);
    }
    SECTION("a byte-identical copy is another file") {
        std::filesystem::copy_file(log.path(), log.path() + ".copy");
        REQUIRE(fw_file_compare((log.path() + ".copy").c_str(), &id, &m) == FW_OK);
        CHECK(m == FW_FILE_OTHER);
        SECTION("...unless the OS identity is unknown: then the content decides") {
            fw_file_id no_os = id;
            no_os.has_os_id = 0;
            REQUIRE(fw_file_compare((log.path() + ".copy").c_str(), &no_os, &m) == FW_OK);
            CHECK(m == FW_FILE_SAME);
        }
    }
    SECTION("truncated and rewritten in place") {
        log.truncate();
        log.append(500, 540);
        REQUIRE(fw_file_compare(log.path().c_str(), &id, &m) == FW_OK);
        CHECK(m == FW_FILE_REWRITTEN);
    }
    SECTION("missing") {
        std::filesystem::remove(log.path());
        REQUIRE(fw_file_compare(log.path().c_str(), &id, &m) == FW_OK);
        CHECK(m == FW_FILE_MISSING);
        fw_file_id x{};
        CHECK(fw_file_identify(log.path().c_str(), 0, &x) == FW_ENOTFOUND);
        CHECK(std::string(fw_error_last()->message).find("pfirewall.log") != std::string::npos);
    }
}

TEST_CASE("resume plans", "[cursor]") {
    temp_log log(1, 10);

    SECTION("no position: the live file from 0; with INCLUDE_ROTATED .old first") {
        check_plan(plan(log.path(), nullptr), {{FW_SOURCE_LIVE, 0}}, 0);
        log.rotate();
        log.append(11, 12);
        check_plan(plan(log.path(), nullptr, FW_PLAN_INCLUDE_ROTATED), {{FW_SOURCE_ROTATED}, {FW_SOURCE_LIVE}});
    }
    SECTION("position at the end, nothing new: nothing to read") {
        const auto at = end_of(log.path());
        check_plan(plan(log.path(), &at), {}, 0);
    }
    SECTION("grown: from the position") {
        const auto at = end_of(log.path());
        log.append(11, 12);
        check_plan(plan(log.path(), &at), {{FW_SOURCE_LIVE, at.offset}});
    }
    SECTION("rotated once: the rest of .old, then the new file from 0") {
        const auto at = end_of(log.path());
        log.append(11, 12);
        log.rotate();
        log.append(13, 14);
        check_plan(plan(log.path(), &at), {{FW_SOURCE_ROTATED, at.offset}, {FW_SOURCE_LIVE, 0}}, 0);
    }
    SECTION("rotated once, .old fully read already: only the new file") {
        const auto at = end_of(log.path());
        log.rotate();
        check_plan(plan(log.path(), &at), {{FW_SOURCE_LIVE}});
    }
    SECTION("rotated twice: both files from 0 with a gap warning") {
        const auto at = end_of(log.path());
        log.rotate();
        log.append(11, 12);
        log.rotate();
        log.append(13, 14);
        check_plan(plan(log.path(), &at), {{FW_SOURCE_ROTATED, 0}, {FW_SOURCE_LIVE, 0}}, FW_WARN_GAP);
        const auto r = fw::cursor::make_plan(log.path(), &at, 0);
        CHECK(r.message.find("rotated away") != std::string::npos);
    }
    SECTION("truncated: from 0 with a warning") {
        const auto at = end_of(log.path());
        log.truncate();
        log.append(100, 101);
        check_plan(plan(log.path(), &at), {{FW_SOURCE_LIVE, 0}}, FW_WARN_TRUNCATED);
    }
    SECTION("truncated in place with an older .old present: .old is not read again") {
        log.rotate();
        log.append(11, 12);
        const auto at = end_of(log.path());
        CHECK(at.before.prefix_len > 0);
        log.truncate();
        log.append(100, 101);
        check_plan(plan(log.path(), &at), {{FW_SOURCE_LIVE, 0}}, FW_WARN_TRUNCATED);
    }
    SECTION("rotated twice while .old was the older generation: .old (newer now) is read") {
        log.rotate();
        log.append(11, 12);
        const auto at = end_of(log.path());
        log.rotate();
        log.append(13, 14);
        log.rotate();
        log.append(15, 16);
        check_plan(plan(log.path(), &at), {{FW_SOURCE_ROTATED, 0}, {FW_SOURCE_LIVE}}, FW_WARN_GAP);
    }
    SECTION("live file missing mid-rotation: the rest of .old, and a warning") {
        const auto at = end_of(log.path());
        log.append(11, 12);
        std::filesystem::rename(log.path(), log.old_path());
        check_plan(plan(log.path(), &at), {{FW_SOURCE_ROTATED}}, FW_WARN_NO_LOG);
    }
    SECTION("bad arguments") {
        fw_plan out{};
        CHECK(fw_log_plan(nullptr, nullptr, 0, &out) == FW_EINVALID);
        CHECK(fw_log_plan(log.path().c_str(), nullptr, 0x80, &out) == FW_EINVALID);
        fw_position bad{};
        bad.file.prefix_len = FW_PREFIX_MAX + 1;
        bad.offset = 1u << 20;
        CHECK(fw_log_plan(log.path().c_str(), &bad, 0, &out) == FW_EINVALID);
        CHECK(fw_log_plan(log.path().c_str(), nullptr, 0, nullptr) == FW_EINVALID);
    }
}

TEST_CASE("fw_log_default_paths", "[cursor]") {
    size_t needed = 0;
    size_t count = 0;
#ifdef _WIN32
    REQUIRE(fw_log_default_paths(nullptr, 0, &needed, &count) == FW_EBUFS);
    CHECK(count >= 1);
    std::string buf(needed, 'x');
    REQUIRE(fw_log_default_paths(buf.data(), buf.size(), &needed, &count) == FW_OK);
    CHECK(buf.find("pfirewall") != std::string::npos);
#else
    CHECK(fw_log_default_paths(nullptr, 0, &needed, &count) == FW_ENOTFOUND);
    CHECK(std::string(fw_error_last()->message).find("registry") != std::string::npos);
#endif
    CHECK(fw_log_default_paths(nullptr, 0, nullptr, &count) == FW_EINVALID);
}
