// 64-bit offsets on the Win32 paths: OVERLAPPED Offset/OffsetHigh in the
// reader's and the cursor's positioned reads, GetFileSizeEx, and a view of a
// file over 4 GiB. The file is sparse (a NUL gap), so it costs no disk space,
// but reading through it takes several seconds: hidden, run with "[.large]".
#include "win_test_util.hpp"

#include <winioctl.h>

#include "../cursor/log_fixture.hpp"

#include <fw/cursor.h>
#include <fw/log.h>

#include <catch2/catch.hpp>

#include <string>

using namespace fw::wintest;

TEST_CASE("win: the cursor resumes past 4 GiB", "[win][cursor][.large]") {
    fw::test::temp_log log(1, 1);
    const std::uint64_t gap = (4ull << 30) + 4321;
    {
        handle h(CreateFileW(widen(log.path()).c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                             FILE_ATTRIBUTE_NORMAL, nullptr));
        REQUIRE(h.valid());
        DWORD ignored = 0;
        DeviceIoControl(h.get(), FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &ignored, nullptr); // NTFS: no disk used
        LARGE_INTEGER at{};
        at.QuadPart = static_cast<LONGLONG>(gap);
        REQUIRE(SetFilePointerEx(h.get(), at, nullptr, FILE_BEGIN));
        REQUIRE(SetEndOfFile(h.get()));
    }
    log.append(2, 4);
    REQUIRE(log.size() > gap);

    // Stop after record 3: the position is past 4 GiB.
    auto first = fw::test::run(log, std::nullopt, 3);
    CHECK(first.records == fw::test::range(1, 3));
    REQUIRE(first.position);
    CHECK(first.position->offset == gap + 2 * fw::test::log_line(2).size());
    CHECK(first.position->file.size == log.size());

    log.append(5, 5);
    auto second = fw::test::run(log, first.position);
    CHECK(second.records == fw::test::range(4, 5));
    CHECK(second.warnings == 0);
    CHECK(second.position->offset == log.size());
}
