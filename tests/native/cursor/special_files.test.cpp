// Special files (FIFOs, devices) in the cursor's paths: refused at once with an
// error naming the path, never a blocking open or an endless read of /dev/zero.
#include "log_fixture.hpp"

#include <fw/cursor.h>

#ifndef _WIN32
#include <csignal>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using fw::test::temp_log;

namespace {

// Runs body in a child process that SIGALRM kills after 20 s: a hang fails the
// test instead of hanging the suite. The child's exit code is body's result
// (0 = as expected).
int bounded(int (*body)(const char *), const char *path) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::alarm(20);
        ::_exit(body(path));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return 100 + WTERMSIG(status); // 114: SIGALRM, it hung
    return WEXITSTATUS(status);
}

// 0 when rc is FW_EINVALID and the message names the path and says why.
int refused(int rc, const char *path) {
    if (rc != FW_EINVALID) return 1;
    const std::string m = fw_error_last()->message;
    if (m.find(path) == std::string::npos) return 2;
    if (m.find("not a regular file") == std::string::npos) return 3;
    return 0;
}

int open_cursor_with(const char *path, uint32_t flags) {
    fw_cursor *c = nullptr;
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    o.flags = flags;
    const int rc = fw_cursor_open(&c, path, nullptr, &o);
    fw_cursor_free(c);
    return refused(rc, path);
}

int cursor_plain(const char *path) { return open_cursor_with(path, 0); }
int cursor_follow(const char *path) { return open_cursor_with(path, FW_CURSOR_FOLLOW); }
int cursor_rotated(const char *path) { return open_cursor_with(path, FW_PLAN_INCLUDE_ROTATED | FW_CURSOR_FOLLOW); }

// The live log is a regular file, path.old a FIFO: the error names path.old.
int cursor_rotated_old(const char *path) {
    fw_cursor *c = nullptr;
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    o.flags = FW_PLAN_INCLUDE_ROTATED;
    const int rc = fw_cursor_open(&c, path, nullptr, &o);
    fw_cursor_free(c);
    return refused(rc, (std::string(path) + ".old").c_str());
}

int cursor_from_position(const char *path) {
    fw_position from{};
    from.offset = 100;
    fw_cursor *c = nullptr;
    const int rc = fw_cursor_open(&c, path, &from, nullptr);
    fw_cursor_free(c);
    return refused(rc, path);
}

int plan(const char *path) {
    fw_plan p{};
    return refused(fw_log_plan(path, nullptr, 0, &p), path);
}

int identify(const char *path) {
    fw_file_id id{};
    return refused(fw_file_identify(path, 4096, &id), path);
}

int reader(const char *path) {
    fw_reader *r = nullptr;
    const int rc = fw_reader_open(&r, path, nullptr);
    fw_reader_free(r);
    return refused(rc, path);
}

} // namespace

TEST_CASE("cursor: a FIFO as the log is refused at once, in every mode", "[cursor][special]") {
    temp_log log;
    REQUIRE(::mkfifo(log.path().c_str(), 0600) == 0);
    const char *p = log.path().c_str();
    CHECK(bounded(cursor_plain, p) == 0);
    CHECK(bounded(cursor_follow, p) == 0);
    CHECK(bounded(cursor_rotated, p) == 0);
    CHECK(bounded(cursor_from_position, p) == 0);
    CHECK(bounded(plan, p) == 0);
    CHECK(bounded(identify, p) == 0);
    CHECK(bounded(reader, p) == 0);
}

TEST_CASE("cursor: a FIFO at path.old is refused with -IncludeRotated", "[cursor][special]") {
    temp_log log(1, 3);
    REQUIRE(::mkfifo(log.old_path().c_str(), 0600) == 0);
    CHECK(bounded(cursor_rotated_old, log.path().c_str()) == 0);
}

TEST_CASE("cursor: /dev/zero is refused, not read forever", "[cursor][special]") {
    CHECK(bounded(cursor_plain, "/dev/zero") == 0);
    CHECK(bounded(cursor_follow, "/dev/zero") == 0);
    CHECK(bounded(reader, "/dev/zero") == 0);
}
#endif
