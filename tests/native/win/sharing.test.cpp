// The firewall service keeps writing pfirewall.log while we read it, and
// rotates it by renaming it to pfirewall.log.old (replacing an older one) and
// starting a new file. Our handles (the reader's and its workers', the cursor
// identity handle) must not get in the way: FILE_SHARE_READ | FILE_SHARE_WRITE
// | FILE_SHARE_DELETE, and no view mapped (one blocks truncating the file).
#include "win_test_util.hpp"

#include "../cursor/log_fixture.hpp"
#include "log/parallel.hpp"
#include "log/reader.hpp"

#include <fw/cursor.h>
#include <fw/log.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace fw::wintest;

namespace {

std::string records(int first, int last) {
    std::string text;
    for (int n = first; n <= last; ++n) text += fw::test::log_line(n);
    return text;
}

// What the service does: its own handle, writing at the end, sharing read and write.
bool service_append(const std::wstring &path, std::string_view text) {
    handle h(CreateFileW(path.c_str(), FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    return h.valid() && write_all(h.get(), text);
}

bool service_create(const std::wstring &path) {
    handle h(CreateFileW(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr));
    return h.valid() && write_all(h.get(), fw::test::log_header);
}

std::vector<int> drain(fw_reader *r) {
    std::vector<int> ports;
    const fw_record *recs = nullptr;
    size_t n = 0;
    int rc = 0;
    while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK)
        for (size_t i = 0; i < n; ++i) ports.push_back(recs[i].src_port);
    CHECK(rc == FW_ITEROVER);
    return ports;
}

std::vector<int> range(int first, int last) {
    std::vector<int> v;
    for (int n = first; n <= last; ++n) v.push_back(n);
    return v;
}

} // namespace

TEST_CASE("win: the service appends, rotates and starts a new log while a reader holds it", "[win][sharing]") {
    temp_dir dir;
    const std::wstring live = (dir.path() / L"pfirewall.log").wstring();
    const std::wstring old = live + L".old";
    REQUIRE(service_create(live));
    REQUIRE(service_append(live, records(1, 100)));

    fw_reader *reader = nullptr;
    REQUIRE(fw_reader_open(&reader, narrow(live).c_str(), nullptr) == FW_OK);

    // Append through another handle while the reader has the file open (and has read part of it).
    const fw_record *recs = nullptr;
    size_t n = 0;
    REQUIRE(fw_reader_next(reader, &recs, &n) == FW_OK);
    REQUIRE(n > 0);
    CHECK(recs[0].src_port == 1);
    CHECK(service_append(live, records(101, 150)));

    // Rotation: rename to .old, then a new file under the old name.
    const BOOL moved = MoveFileExW(live.c_str(), old.c_str(), MOVEFILE_REPLACE_EXISTING);
    INFO("MoveFileExW error " << (moved ? 0 : GetLastError()));
    REQUIRE(moved);
    REQUIRE(service_create(live));
    CHECK(service_append(live, records(151, 160)));

    // The reader goes on with the renamed file: nothing lost, nothing doubled.
    std::vector<int> got;
    for (size_t i = 0; i < n; ++i) got.push_back(recs[i].src_port);
    for (int p : drain(reader)) got.push_back(p);
    // It read the size it saw at open at least; what was appended later may follow.
    REQUIRE(got.size() >= 100);
    CHECK(std::vector<int>(got.begin(), got.begin() + 100) == range(1, 100));
    if (got.size() > 100) CHECK(std::vector<int>(got.begin() + 100, got.end()) == range(101, static_cast<int>(got.size())));

    // The next rotation replaces .old. Windows refuses to replace a file that
    // is still open (without POSIX rename semantics), so this needs the reader
    // closed: it must leave no handle or view behind.
    fw_reader_free(reader);
    CHECK(service_append(live, records(161, 170)));
    const BOOL replaced = MoveFileExW(live.c_str(), old.c_str(), MOVEFILE_REPLACE_EXISTING);
    INFO("second MoveFileExW error " << (replaced ? 0 : GetLastError()));
    CHECK(replaced);
    CHECK(service_create(live));

    fw_reader *again = nullptr;
    REQUIRE(fw_reader_open(&again, narrow(old).c_str(), nullptr) == FW_OK);
    CHECK(drain(again) == range(151, 170));
    fw_reader_free(again);
}

TEST_CASE("win: the cursor's handles let the service rename the live log", "[win][sharing]") {
    temp_dir dir;
    const std::wstring live = (dir.path() / L"pfirewall.log").wstring();
    const std::wstring old = live + L".old";
    REQUIRE(service_create(live));
    REQUIRE(service_append(live, records(1, 10)));
    fw_cursor *cursor = nullptr;
    REQUIRE(fw_cursor_open(&cursor, narrow(live).c_str(), nullptr, nullptr) == FW_OK);
    fw_reader *seg = nullptr;
    int source = 0;
    const char *path = nullptr;
    REQUIRE(fw_cursor_segment(cursor, &seg, &source, &path) == FW_OK);
    std::vector<int> got = drain(seg);
    CHECK(service_append(live, records(11, 20)));
    const BOOL moved = MoveFileExW(live.c_str(), old.c_str(), MOVEFILE_REPLACE_EXISTING);
    INFO("MoveFileExW error " << (moved ? 0 : GetLastError()));
    CHECK(moved);
    CHECK(service_create(live));
    CHECK(service_append(live, records(21, 25)));
    fw_cursor_free(cursor);
    CHECK(got == range(1, 10));
}

// A mapped view of the log makes Windows refuse to truncate it (ERROR_USER_MAPPED_FILE). The readers map
// nothing: right after their constructors (which look at the file's start, the ranges' ends and the first
// '#Fields:' line) and while they are open, the service can still clear the file.
TEST_CASE("win: no reader holds a view that stops the service truncating the file", "[win][sharing]") {
    temp_dir dir;
    const std::wstring live = (dir.path() / L"pfirewall.log").wstring();
    REQUIRE(service_create(live));
    REQUIRE(service_append(live, records(1, 400)));
    auto truncate = [&] {
        handle h(CreateFileW(live.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                             nullptr, TRUNCATE_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
        const DWORD err = h.valid() ? 0 : GetLastError();
        return h.valid() ? DWORD{0} : err;
    };
    {
        fw::log::reader r(narrow(live), {});
        CHECK(truncate() == 0);
        while (!r.done()) (void)r.next(); // the file is empty now; no error
        CHECK(r.stats().records == 0);
    }
    REQUIRE(service_append(live, records(1, 400)));
    {
        fw::log::parallel_options par;
        par.threads = 3;
        par.range_bytes = 1000;
        par.min_bytes = 1;
        fw::log::parallel_reader p(narrow(live), {}, par);
        REQUIRE(p.workers() == 3);
        CHECK(truncate() == 0);
    }
}

TEST_CASE("win: the service can clear (truncate) the log a reader is reading", "[win][sharing]") {
    temp_dir dir;
    const std::wstring live = (dir.path() / L"pfirewall.log").wstring();
    REQUIRE(service_create(live));
    REQUIRE(service_append(live, records(1, 50)));
    fw_reader_options opts = FW_READER_OPTIONS_INIT;
    opts.batch_size = 10;
    fw_reader *reader = nullptr;
    REQUIRE(fw_reader_open(&reader, narrow(live).c_str(), &opts) == FW_OK);
    const fw_record *recs = nullptr;
    size_t n = 0;
    REQUIRE(fw_reader_next(reader, &recs, &n) == FW_OK);
    CHECK(n == 10);
    {
        handle h(CreateFileW(live.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                             nullptr, TRUNCATE_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
        const DWORD err = h.valid() ? 0 : GetLastError();
        INFO("truncate error " << err);
        CHECK(h.valid());
        if (h.valid()) CHECK(write_all(h.get(), fw::test::log_header));
    }
    // The reader sees a shorter file: it ends without failing.
    int rc = 0;
    while ((rc = fw_reader_next(reader, &recs, &n)) == FW_OK) {
    }
    CHECK(rc == FW_ITEROVER);
    fw_reader_free(reader);
}

TEST_CASE("win: the service can delete the log a reader and a cursor hold", "[win][sharing]") {
    temp_dir dir;
    const std::wstring live = (dir.path() / L"pfirewall.log").wstring();
    REQUIRE(service_create(live));
    REQUIRE(service_append(live, records(1, 20)));
    fw_reader *reader = nullptr;
    REQUIRE(fw_reader_open(&reader, narrow(live).c_str(), nullptr) == FW_OK);
    fw_cursor *cursor = nullptr;
    REQUIRE(fw_cursor_open(&cursor, narrow(live).c_str(), nullptr, nullptr) == FW_OK);
    const BOOL deleted = DeleteFileW(live.c_str());
    INFO("DeleteFileW error " << (deleted ? 0 : GetLastError()));
    CHECK(deleted);
    CHECK(drain(reader) == range(1, 20));
    fw_reader_free(reader);
    fw_cursor_free(cursor);
}

TEST_CASE("win: a log the service holds exclusively is a clear error, not a crash", "[win][sharing]") {
    temp_dir dir;
    const std::wstring live = (dir.path() / L"pfirewall.log").wstring();
    REQUIRE(service_create(live));
    handle exclusive(CreateFileW(live.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                 FILE_ATTRIBUTE_NORMAL, nullptr));
    REQUIRE(exclusive.valid());
    fw_reader *reader = nullptr;
    CHECK(fw_reader_open(&reader, narrow(live).c_str(), nullptr) == FW_EIO);
    CHECK(reader == nullptr);
    const std::string message = fw_error_last()->message;
    CHECK(message.find(narrow(live)) != std::string::npos);
    CHECK(fw_error_last()->os_error == ERROR_SHARING_VIOLATION);
}
