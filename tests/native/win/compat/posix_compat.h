/* Forced into every test source of the mingw-w64 cross build (see
 * tests/native/CMakeLists.txt): POSIX functions the portable tests use as
 * independent references and that the Windows C runtime lacks.
 * No <windows.h> here, so no macros leak into the tests. */
#pragma once
#ifdef __cplusplus
#include <ctime>
/* timegm(3): UTC broken-down time -> seconds since 1970, normalising *tm like
 * glibc (2023-02-30 becomes 2023-03-02). _mkgmtime is not a substitute: it
 * fails for dates before 1970. Implemented with SystemTimeToFileTime /
 * FileTimeToSystemTime (win/compat/timegm.cpp), independent of the library's
 * own calendar arithmetic. */
std::time_t timegm(std::tm *tm);
#endif
