// fw_indirect_string_resolve: argument checks everywhere; off Windows every indirect string is unresolved
// (FW_ENOTFOUND, saying so), which is what lets the module keep the raw text and mark it unresolved.
#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <string>

#ifdef _WIN32
#include <windows.h>
#endif

TEST_CASE("fw_indirect_string_resolve arguments", "[rules][indirect][abi]") {
    char out[64] = "x";
    size_t needed = 99;
    CHECK(fw_indirect_string_resolve(nullptr, out, sizeof out, &needed) == FW_EINVALID);
    CHECK(needed == 0);
    CHECK(fw_indirect_string_resolve("@FirewallAPI.dll,-28775", nullptr, 10, nullptr) == FW_EINVALID);
    CHECK(fw_indirect_string_resolve("Remote Desktop", out, sizeof out, &needed) == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("'Remote Desktop' is not an indirect string") != std::string::npos);
    CHECK(out[0] == '\0');
    CHECK(fw_indirect_string_resolve("", out, sizeof out, nullptr) == FW_EINVALID);
}

TEST_CASE("fw_indirect_string_resolve never loads a file from another computer", "[rules][indirect][abi]") {
    // A rule or .reg file from elsewhere names the DLL: resolving a share would make an elevated session connect to
    // it (sending the admin's credentials) and load its file, to show a name. Refused before any load, everywhere.
    for (const char *remote : {"@\\\\attacker\\share\\x.dll,-1", "@//attacker/share/x.dll,-1", "@\\\\?\\UNC\\attacker\\s\\x.dll,-1",
                               "@ \"\\\\attacker\\s\\x.dll\",-1", "@{\\\\attacker\\s\\resources.pri?ms-resource://a/b}",
                               "@\\\\attacker\\s\\x.dll"}) {
        INFO(remote);
        char out[64] = "x";
        size_t needed = 99;
        CHECK(fw_indirect_string_resolve(remote, out, sizeof out, &needed) == FW_ENOTFOUND);
        CHECK(needed == 0);
        CHECK(out[0] == '\0');
        CHECK(std::string(fw_error_last()->message).find("names a file on another computer") != std::string::npos);
    }
    // Local names are not refused for that reason.
    for (const char *local : {"@FirewallAPI.dll,-28775", "@%SystemRoot%\\system32\\FirewallAPI.dll,-28775",
                              "@{Microsoft.Windows.Cortana_1.0_neutral_neutral_cw5n1h2txyewy?ms-resource://a/b}"}) {
        INFO(local);
        char out[256];
        if (fw_indirect_string_resolve(local, out, sizeof out, nullptr) != FW_OK) // resolved on Windows
            CHECK(std::string(fw_error_last()->message).find("another computer") == std::string::npos);
    }
}

#ifdef _WIN32
TEST_CASE("fw_indirect_string_resolve: a share behind an environment variable is refused too", "[rules][indirect][abi]") {
    REQUIRE(SetEnvironmentVariableW(L"FW_TEST_SHARE", L"\\\\attacker\\share"));
    char out[64];
    CHECK(fw_indirect_string_resolve("@%FW_TEST_SHARE%\\x.dll,-1", out, sizeof out, nullptr) == FW_ENOTFOUND);
    CHECK(std::string(fw_error_last()->message).find("names a file on another computer") != std::string::npos);
    SetEnvironmentVariableW(L"FW_TEST_SHARE", nullptr);
}
#endif

#ifndef _WIN32
TEST_CASE("fw_indirect_string_resolve off Windows: unresolved, and says why", "[rules][indirect][abi]") {
    char out[64] = "x";
    size_t needed = 99;
    CHECK(fw_indirect_string_resolve("@FirewallAPI.dll,-28775", out, sizeof out, &needed) == FW_ENOTFOUND);
    CHECK(needed == 0);
    CHECK(out[0] == '\0');
    CHECK(std::string(fw_error_last()->message) == "'@FirewallAPI.dll,-28775' cannot be resolved: indirect strings need Windows");
    CHECK(fw_indirect_string_resolve("@FirewallAPI.dll,-28775", nullptr, 0, nullptr) == FW_ENOTFOUND);
}
#endif
