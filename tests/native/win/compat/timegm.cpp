// timegm for the mingw-w64 test build, on the Win32 calendar functions: the
// year and month are normalised here, the rest (days, hours, minutes, seconds,
// in or out of range) is added as a 100 ns offset to the first of the month,
// and the result is converted back to fill *tm as glibc's timegm does.
#include "posix_compat.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cstdint>

namespace {
constexpr std::int64_t ticks_per_second = 10'000'000;
constexpr std::int64_t unix_epoch_ticks = 116'444'736'000'000'000; // 1970-01-01 in FILETIME ticks (from 1601)
} // namespace

std::time_t timegm(std::tm *tm) {
    std::int64_t year = std::int64_t{tm->tm_year} + 1900 + tm->tm_mon / 12;
    int mon = tm->tm_mon % 12;
    if (mon < 0) {
        mon += 12;
        --year;
    }
    if (year < 1601 || year > 30827) return static_cast<std::time_t>(-1);
    SYSTEMTIME st{};
    st.wYear = static_cast<WORD>(year);
    st.wMonth = static_cast<WORD>(mon + 1);
    st.wDay = 1;
    FILETIME ft{};
    if (!SystemTimeToFileTime(&st, &ft)) return static_cast<std::time_t>(-1);
    std::int64_t ticks = static_cast<std::int64_t>((std::uint64_t{ft.dwHighDateTime} << 32) | ft.dwLowDateTime);
    const std::int64_t offset = (std::int64_t{tm->tm_mday} - 1) * 86400 + std::int64_t{tm->tm_hour} * 3600 +
                                std::int64_t{tm->tm_min} * 60 + tm->tm_sec;
    ticks += offset * ticks_per_second;
    if (ticks < 0) return static_cast<std::time_t>(-1);
    const std::uint64_t u = static_cast<std::uint64_t>(ticks);
    ft.dwLowDateTime = static_cast<DWORD>(u & 0xffffffffu);
    ft.dwHighDateTime = static_cast<DWORD>(u >> 32);
    if (!FileTimeToSystemTime(&ft, &st)) return static_cast<std::time_t>(-1);
    tm->tm_year = st.wYear - 1900;
    tm->tm_mon = st.wMonth - 1;
    tm->tm_mday = st.wDay;
    tm->tm_hour = st.wHour;
    tm->tm_min = st.wMinute;
    tm->tm_sec = st.wSecond;
    tm->tm_wday = st.wDayOfWeek;
    tm->tm_isdst = 0;
    // Day of the year: days since January 1st of the same year.
    SYSTEMTIME jan1{};
    jan1.wYear = st.wYear;
    jan1.wMonth = 1;
    jan1.wDay = 1;
    FILETIME fj{};
    SystemTimeToFileTime(&jan1, &fj);
    const std::int64_t tj = static_cast<std::int64_t>((std::uint64_t{fj.dwHighDateTime} << 32) | fj.dwLowDateTime);
    tm->tm_yday = static_cast<int>((ticks - tj) / ticks_per_second / 86400);
    return static_cast<std::time_t>((ticks - unix_epoch_ticks) / ticks_per_second); // whole seconds: exact
}
