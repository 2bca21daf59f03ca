// fw_indirect_string_resolve: argument checks everywhere; off Windows every indirect string is unresolved
// (FW_ENOTFOUND, saying so), which is what lets the module keep the raw text and mark it unresolved.
#include "win/indirect_string.hpp"

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

TEST_CASE("system32_to_sysnative: a 32-bit process loads the 64-bit System32's file", "[rules][indirect]") {
    using fw::win::system32_to_sysnative;
    const std::string_view windows = "C:\\Windows";
    CHECK(system32_to_sysnative("@C:\\Windows\\system32\\provsvc.dll,-202", windows) ==
          "@C:\\Windows\\Sysnative\\provsvc.dll,-202");
    // Case and slashes as they come; the Windows folder given with or without its last separator.
    CHECK(system32_to_sysnative("@c:/WINDOWS/SYSTEM32/wlansvc.dll,-36865", "C:\\Windows\\") ==
          "@c:/WINDOWS/Sysnative/wlansvc.dll,-36865");
    // Spaces or a quote before the path, as unc_like passes over them.
    CHECK(system32_to_sysnative("@ \"C:\\Windows\\System32\\x.dll\",-1", windows) == "@ \"C:\\Windows\\Sysnative\\x.dll\",-1");
    CHECK(system32_to_sysnative("@{C:\\Windows\\System32\\x.pri?ms-resource://a/b}", windows) ==
          "@{C:\\Windows\\Sysnative\\x.pri?ms-resource://a/b}");
    // Nothing else is touched: no path, another folder, a look-alike, System32 itself, another Windows folder.
    for (const char *other : {"@FirewallAPI.dll,-28775", "@C:\\Windows\\SysWOW64\\x.dll,-1", "@C:\\Windows\\System32x\\x.dll,-1",
                              "@C:\\Windows\\System32,-1", "@D:\\Windows\\System32\\x.dll,-1", "@C:\\Windows2\\System32\\x.dll,-1",
                              "@%SystemRoot%\\system32\\x.dll,-1", "@C:\\Program Files\\x\\System32\\y.dll,-1", "Remote Desktop", ""}) {
        INFO(other);
        CHECK_FALSE(system32_to_sysnative(other, windows).has_value());
    }
    CHECK_FALSE(system32_to_sysnative("@C:\\Windows\\System32\\x.dll,-1", "").has_value());
    CHECK_FALSE(system32_to_sysnative("@C:\\Windows\\System32\\x.dll,-1", "\\").has_value());
}
