// Paths on Windows: UTF-8 through the C ABI becomes UTF-16 for the file
// system, names longer than MAX_PATH, forward slashes and relative names.
#include "win_test_util.hpp"

#include "../cursor/log_fixture.hpp"

#include <fw/cursor.h>
#include <fw/log.h>
#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace fw::wintest;

namespace {

void write_log(const std::filesystem::path &p, int first, int last) {
    std::string text = fw::test::log_header;
    for (int n = first; n <= last; ++n) text += fw::test::log_line(n);
    handle h(CreateFileW(p.wstring().c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    REQUIRE(h.valid());
    REQUIRE(write_all(h.get(), text));
}

// Opens path (UTF-8) with fw_reader_open and returns the source ports, or the error.
std::vector<int> read_ports(const std::string &path, int &rc) {
    std::vector<int> ports;
    fw_reader *r = nullptr;
    rc = fw_reader_open(&r, path.c_str(), nullptr);
    if (rc != FW_OK) return ports;
    const fw_record *recs = nullptr;
    size_t n = 0;
    while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK)
        for (size_t i = 0; i < n; ++i) ports.push_back(recs[i].src_port);
    fw_reader_free(r);
    if (rc == FW_ITEROVER) rc = FW_OK;
    return ports;
}

const std::vector<int> one_to_five{1, 2, 3, 4, 5};

} // namespace

TEST_CASE("win: a folder with Cyrillic letters and a non-BMP character opens through UTF-8", "[win][path]") {
    // Журнал (Cyrillic), 日志 (CJK) and U+1F525 (a surrogate pair in UTF-16).
    temp_dir dir(L"\u0416\u0443\u0440\u043d\u0430\u043b \u65e5\u5fd7 \U0001F525");
    const auto file = dir.path() / L"pfirewall.log";
    write_log(file, 1, 5);
    const std::string u8 = utf8(file);
    REQUIRE(u8.find("\xd0\x96\xd1\x83\xd1\x80\xd0\xbd\xd0\xb0\xd0\xbb") != std::string::npos); // "Журнал" in UTF-8
    REQUIRE(u8.find("\xf0\x9f\x94\xa5") != std::string::npos);

    int rc = 0;
    CHECK(read_ports(u8, rc) == one_to_five);
    CHECK(rc == FW_OK);

    // The cursor and the identity functions take the same path.
    fw_file_id id{};
    CHECK(fw_file_identify(u8.c_str(), 64, &id) == FW_OK);
    CHECK(id.has_os_id == 1);
    int match = -1;
    CHECK(fw_file_compare(u8.c_str(), &id, &match) == FW_OK);
    CHECK(match == FW_FILE_SAME);
    fw_cursor *c = nullptr;
    REQUIRE(fw_cursor_open(&c, u8.c_str(), nullptr, nullptr) == FW_OK);
    fw_reader *seg = nullptr;
    int source = 0;
    const char *seg_path = nullptr;
    REQUIRE(fw_cursor_segment(c, &seg, &source, &seg_path) == FW_OK);
    CHECK(std::string(seg_path) == u8);
    fw_cursor_free(c);

    // Errors name the path as given (UTF-8), not mangled.
    const std::string missing = utf8(dir.path() / L"\u0436\u0443\u0440\u043d\u0430\u043b.log");
    CHECK(read_ports(missing, rc).empty());
    CHECK(rc == FW_ENOTFOUND);
    CHECK(std::string(fw_error_last()->message).find(missing) != std::string::npos);
}

TEST_CASE("win: invalid UTF-8 in a path is an argument error", "[win][path]") {
    int rc = 0;
    CHECK(read_ports("C:\\fw-test\\\xff\xfe.log", rc).empty());
    CHECK(rc == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("UTF-8") != std::string::npos);
    fw_file_id id{};
    CHECK(fw_file_identify("C:\\fw-test\\\xc3(.log", 64, &id) == FW_EINVALID);
}

TEST_CASE("win: paths longer than MAX_PATH, forward slashes and relative names", "[win][path]") {
    temp_dir dir;
    std::filesystem::path deep = dir.path();
    while (deep.wstring().size() < 300) deep /= std::wstring(40, L'd');
    // Create the deep folder through the \\?\ form (plain names stop at MAX_PATH).
    std::wstring built = L"\\\\?\\" + dir.path().wstring();
    for (auto it = std::next(deep.begin(), std::distance(dir.path().begin(), dir.path().end())); it != deep.end(); ++it) {
        built += L"\\" + it->wstring();
        CreateDirectoryW(built.c_str(), nullptr);
    }
    const std::wstring file = built + L"\\pfirewall.log";
    {
        handle h(CreateFileW(file.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
        REQUIRE(h.valid());
        std::string text = fw::test::log_header;
        for (int n = 1; n <= 5; ++n) text += fw::test::log_line(n);
        REQUIRE(write_all(h.get(), text));
    }
    const std::string plain = narrow(file.substr(4)); // without \\?\: longer than MAX_PATH
    REQUIRE(plain.size() > MAX_PATH);
    int rc = 0;
    CHECK(read_ports(plain, rc) == one_to_five);
    CHECK(rc == FW_OK);
    CHECK(read_ports(narrow(file), rc) == one_to_five); // already in \\?\ form
    CHECK(rc == FW_OK);
    fw_file_id id{};
    CHECK(fw_file_identify(plain.c_str(), 64, &id) == FW_OK);

    // Forward slashes (as PowerShell users type them) and a relative name.
    const auto small = dir.path() / L"pfirewall.log";
    write_log(small, 1, 5);
    std::string forward = utf8(small);
    for (char &ch : forward)
        if (ch == '\\') ch = '/';
    CHECK(read_ports(forward, rc) == one_to_five);
    CHECK(rc == FW_OK);
    wchar_t cwd[MAX_PATH * 2];
    REQUIRE(GetCurrentDirectoryW(MAX_PATH * 2, cwd) > 0);
    REQUIRE(SetCurrentDirectoryW(dir.path().wstring().c_str()));
    CHECK(read_ports(".\\pfirewall.log", rc) == one_to_five);
    CHECK(rc == FW_OK);
    CHECK(fw_file_identify("pfirewall.log", 64, &id) == FW_OK);
    SetCurrentDirectoryW(cwd);
}

TEST_CASE("win: a folder is refused as a log with FW_EINVALID", "[win][path]") {
    temp_dir dir;
    int rc = 0;
    CHECK(read_ports(utf8(dir.path()), rc).empty());
    CHECK(rc == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("directory") != std::string::npos);
    fw_file_id id{};
    CHECK(fw_file_identify(utf8(dir.path()).c_str(), 64, &id) == FW_EINVALID);
}

TEST_CASE("win: a rules file in a non-ASCII folder loads", "[win][path]") {
    temp_dir dir(L"\u041f\u0440\u0430\u0432\u0438\u043b\u0430"); // Правила
    const auto file = dir.path() / L"rules.txt";
    {
        handle h(CreateFileW(file.wstring().c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL,
                             nullptr));
        REQUIRE(h.valid());
        REQUIRE(write_all(h.get(), "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|Name=RDP|\r\n"));
    }
    fw_ruleset *rs = nullptr;
    REQUIRE(fw_ruleset_new(&rs) == FW_OK);
    size_t added = 0;
    CHECK(fw_ruleset_load_file(rs, utf8(file).c_str(), FW_STORE_UNSPECIFIED, &added) == FW_OK);
    CHECK(added == 1);
    fw_ruleset_free(rs);
}
