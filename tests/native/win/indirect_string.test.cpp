// fw_indirect_string_resolve on Windows (and under wine): SHLoadIndirectString gives the same text as loading the
// string resource directly. No fixed string id is assumed: the test finds one in a system DLL with LoadStringW.
#include "win_test_util.hpp"

#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <windows.h>

#include <string>
#include <tuple>
#include <vector>

namespace {

std::string utf8_of(const wchar_t *w, int len) {
    int n = WideCharToMultiByte(CP_UTF8, 0, w, len, nullptr, 0, nullptr, nullptr);
    std::string s(static_cast<std::size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, w, len, s.data(), n, nullptr, nullptr);
    return s;
}

// The first string resource (id, text) of a system DLL, or id 0 if it has none in 1..20000.
std::pair<unsigned, std::string> first_string(const wchar_t *dll) {
    HMODULE m = LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    if (m == nullptr) return {0, {}};
    std::pair<unsigned, std::string> found{0, {}};
    for (unsigned id = 1; id <= 20000 && found.first == 0; ++id) {
        const wchar_t *p = nullptr;
        int len = LoadStringW(m, id, reinterpret_cast<wchar_t *>(&p), 0); // read-only pointer into the resource
        if (len > 3 && p != nullptr) found = {id, utf8_of(p, len)};
    }
    FreeLibrary(m);
    return found;
}

} // namespace

TEST_CASE("fw_indirect_string_resolve on Windows", "[win][rules][indirect]") {
    auto [id, text] = first_string(L"shell32.dll");
    if (id == 0) std::tie(id, text) = first_string(L"user32.dll");
    REQUIRE(id != 0);
    const std::string indirect = "@shell32.dll,-" + std::to_string(id);
    INFO(indirect << " = " << text);

    size_t needed = 0;
    CHECK(fw_indirect_string_resolve(indirect.c_str(), nullptr, 0, &needed) == FW_EBUFS);
    CHECK(needed == text.size() + 1);
    std::vector<char> out(needed);
    REQUIRE(fw_indirect_string_resolve(indirect.c_str(), out.data(), out.size(), &needed) == FW_OK);
    CHECK(std::string(out.data()) == text);
    std::vector<char> small(2, 'x');
    CHECK(fw_indirect_string_resolve(indirect.c_str(), small.data(), small.size(), nullptr) == FW_EBUFS);
    CHECK(small[0] == '\0');

    // A DLL that is not here, and an id that does not exist: unresolved, not the raw text handed back as if it were.
    CHECK(fw_indirect_string_resolve("@NoSuchFwTestLibrary.dll,-28775", out.data(), out.size(), nullptr) == FW_ENOTFOUND);
    CHECK(std::string(fw_error_last()->message).find("NoSuchFwTestLibrary.dll") != std::string::npos);
    CHECK(fw_indirect_string_resolve("@shell32.dll,-65000", out.data(), out.size(), nullptr) == FW_ENOTFOUND);
}
