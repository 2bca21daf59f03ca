// The logging settings resolved from .reg exports (Group Policy over local over default, per value), the
// service SID of the firewall service, and the DACL evaluation that says whether it can write a folder.
// Portable: the live registry and the Win32 ACL calls are tested under wine (tests/native/win/logging.test.cpp).
#include "win/acl.hpp"
#include "win/log_policy.hpp"

#include <fw/logging.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace {

const char *const gpo = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall";
const char *const local = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy";

struct temp_file {
    std::filesystem::path path;
    explicit temp_file(const std::string &bytes) {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / ("fw-logging-" + std::to_string(rd()) + ".reg");
        std::ofstream(path, std::ios::binary) << bytes;
    }
    ~temp_file() { std::filesystem::remove(path); }
    temp_file(const temp_file &) = delete;
    temp_file &operator=(const temp_file &) = delete;
};

std::string reg(const std::string &body) { return "Windows Registry Editor Version 5.00\r\n\r\n" + body; }

// UTF-16LE with a BOM, as regedit writes it.
std::string utf16(const std::string &ascii) {
    std::string out = "\xFF\xFE";
    for (char c : ascii) {
        out += c;
        out += '\0';
    }
    return out;
}

struct loaded {
    int rc = FW_OK;
    std::vector<fw_logging_profile> profiles;
    std::vector<std::string> names, paths, policy_keys, local_keys;
    std::string error;
    int64_t line = 0;
};

loaded load(const std::string &bytes) {
    temp_file f(bytes);
    loaded l;
    fw_logging_policy *p = nullptr;
    l.rc = fw_logging_policy_load_reg(&p, f.path.string().c_str());
    if (l.rc != FW_OK) {
        l.error = fw_error_last()->message;
        l.line = fw_error_last()->line;
        CHECK(p == nullptr);
        return l;
    }
    fw_logging_profile prof{};
    size_t i = 0;
    for (; fw_logging_policy_get(p, i, &prof) == FW_OK; ++i) {
        l.profiles.push_back(prof);
        l.names.emplace_back(prof.file_name);
        l.paths.emplace_back(prof.file_path);
        l.policy_keys.emplace_back(prof.policy_key);
        l.local_keys.emplace_back(prof.local_key);
    }
    CHECK(i == 3);
    CHECK(fw_logging_policy_get(p, 3, &prof) == FW_ITEROVER);
    fw_logging_policy_free(p);
    return l;
}

std::string key(const char *root, const char *profile) { return std::string("[") + root + "\\" + profile + "\\Logging]\r\n"; }

} // namespace

TEST_CASE("logging policy: nothing configured is the firewall's defaults", "[logging]") {
    loaded l = load(reg(""));
    REQUIRE(l.rc == FW_OK);
    const uint32_t expected[] = {FW_PROFILE_DOMAIN, FW_PROFILE_PRIVATE, FW_PROFILE_PUBLIC};
    for (int i = 0; i < 3; ++i) {
        const auto &p = l.profiles[static_cast<size_t>(i)];
        CHECK(p.profile == expected[i]);
        CHECK(p.log_dropped == 0);
        CHECK(p.log_dropped_origin == FW_ORIGIN_DEFAULT);
        CHECK(p.log_allowed == 0);
        CHECK(p.log_allowed_origin == FW_ORIGIN_DEFAULT);
        CHECK(p.max_size_kb == 4096);
        CHECK(p.max_size_origin == FW_ORIGIN_DEFAULT);
        CHECK(p.file_origin == FW_ORIGIN_DEFAULT);
        CHECK(l.names[static_cast<size_t>(i)] == FW_LOG_FILE_DEFAULT);
        CHECK(l.paths[static_cast<size_t>(i)] == FW_LOG_FILE_DEFAULT); // not expanded: another computer's variables
    }
    CHECK(l.local_keys[1] == std::string("HKLM\\") + (local + 19) + "\\StandardProfile\\Logging"); // Private is StandardProfile
    CHECK(l.local_keys[2] == std::string("HKLM\\") + (local + 19) + "\\PublicProfile\\Logging");
    CHECK(l.policy_keys[0] == std::string("HKLM\\") + (gpo + 19) + "\\DomainProfile\\Logging");
}

TEST_CASE("logging policy: each value from Group Policy when set there, else local, else default", "[logging]") {
    const std::string body =
        key(local, "DomainProfile") +
        "\"LogDroppedPackets\"=dword:00000000\r\n\"LogSuccessfulConnections\"=dword:00000001\r\n"
        "\"LogFileSize\"=dword:00004000\r\n\"LogFilePath\"=\"C:\\\\Logs\\\\domain.log\"\r\n\r\n" +
        key(gpo, "DomainProfile") + "\"LogDroppedPackets\"=dword:00000001\r\n\r\n" +
        key(local, "StandardProfile") + "\"LogDroppedPackets\"=dword:00000001\r\n"
        // REG_EXPAND_SZ as regedit exports it: "%SystemRoot%\p.log" in UTF-16LE hex, over two lines.
        "\"LogFilePath\"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,74,00,25,00,\\\r\n"
        "  5c,00,70,00,2e,00,6c,00,6f,00,67,00,00,00\r\n\r\n" +
        key(gpo, "PublicProfile") + "\"LogFileSize\"=dword:00007fff\r\n\"LogFilePath\"=\"D:\\\\gpo\\\\public.log\"\r\n"
        "\"LogSuccessfulConnections\"=\"1\"\r\n" // a string where a DWORD belongs: not set
        "\r\n[HKEY_CURRENT_USER\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile\\Logging]\r\n"
        "\"LogDroppedPackets\"=dword:00000000\r\n"; // not HKLM: ignored
    for (const std::string &bytes : {reg(body), utf16(reg(body))}) {
        loaded l = load(bytes);
        REQUIRE(l.rc == FW_OK);
        const auto &d = l.profiles[0];
        CHECK(d.log_dropped == 1);
        CHECK(d.log_dropped_origin == FW_ORIGIN_GROUP_POLICY);
        CHECK(d.log_allowed == 1);
        CHECK(d.log_allowed_origin == FW_ORIGIN_LOCAL);
        CHECK(d.max_size_kb == 16384);
        CHECK(d.max_size_origin == FW_ORIGIN_LOCAL);
        CHECK(l.names[0] == "C:\\Logs\\domain.log");
        CHECK(d.file_origin == FW_ORIGIN_LOCAL);

        // A PublicProfile key exists under the policy root: Private no longer follows the policy's
        // StandardProfile (there is none anyway) and takes the local StandardProfile.
        const auto &pr = l.profiles[1];
        CHECK(pr.log_dropped == 1);
        CHECK(pr.log_dropped_origin == FW_ORIGIN_LOCAL);
        CHECK(l.names[1] == "%SystemRoot%\\p.log");
        CHECK(pr.file_origin == FW_ORIGIN_LOCAL);
        CHECK(l.policy_keys[1] == std::string("HKLM\\") + (gpo + 19) + "\\PrivateProfile\\Logging");

        const auto &pu = l.profiles[2];
        CHECK(pu.log_dropped == 0);
        CHECK(pu.log_dropped_origin == FW_ORIGIN_DEFAULT);
        CHECK(pu.log_allowed_origin == FW_ORIGIN_DEFAULT);
        CHECK(pu.max_size_kb == 32767);
        CHECK(pu.max_size_origin == FW_ORIGIN_GROUP_POLICY);
        CHECK(l.names[2] == "D:\\gpo\\public.log");
        CHECK(pu.file_origin == FW_ORIGIN_GROUP_POLICY);
    }
}

TEST_CASE("logging policy: the policy's StandardProfile covers Private and Public unless either is split out",
          "[logging]") {
    const std::string standard = key(gpo, "StandardProfile") + "\"LogDroppedPackets\"=dword:00000001\r\n\r\n";
    loaded l = load(reg(standard));
    REQUIRE(l.rc == FW_OK);
    CHECK(l.profiles[0].log_dropped_origin == FW_ORIGIN_DEFAULT);
    CHECK(l.profiles[1].log_dropped_origin == FW_ORIGIN_GROUP_POLICY);
    CHECK(l.profiles[2].log_dropped_origin == FW_ORIGIN_GROUP_POLICY);
    CHECK(l.policy_keys[2] == std::string("HKLM\\") + (gpo + 19) + "\\StandardProfile\\Logging");

    // An empty PrivateProfile key (no Logging subkey) is enough to split the profiles.
    loaded split = load(reg(standard + "[" + gpo + "\\PrivateProfile]\r\n"));
    REQUIRE(split.rc == FW_OK);
    CHECK(split.profiles[1].log_dropped_origin == FW_ORIGIN_DEFAULT);
    CHECK(split.profiles[2].log_dropped_origin == FW_ORIGIN_DEFAULT);
}

TEST_CASE("logging policy: a file that is not a .reg export is an error naming the file and line", "[logging]") {
    loaded l = load("#Fields: date time action\r\n");
    CHECK(l.rc == FW_EFORMAT);
    CHECK(l.error.find("not a .reg export") != std::string::npos);
    CHECK(l.error.find("fw-logging-") != std::string::npos);

    loaded bad = load(reg(key(local, "DomainProfile") + "\"LogFileSize\"=dword:xyz\r\n"));
    CHECK(bad.rc == FW_EFORMAT);
    CHECK(bad.line == 4);
    CHECK(bad.error.find("LogFileSize") != std::string::npos);

    loaded empty = load("");
    CHECK(empty.rc == FW_EFORMAT);

    fw_logging_policy *p = nullptr;
    CHECK(fw_logging_policy_load_reg(&p, "/nonexistent/fw/policy.reg") == FW_ENOTFOUND);
    CHECK(fw_logging_policy_load_reg(&p, "") == FW_EINVALID);
    CHECK(fw_logging_policy_load_reg(nullptr, "x.reg") == FW_EINVALID);
    fw_logging_profile prof{};
    CHECK(fw_logging_policy_get(nullptr, 0, &prof) == FW_EINVALID);
    fw_logging_policy_free(nullptr);
}

#ifndef _WIN32
TEST_CASE("logging policy: off Windows there is no policy to read and no folder permission", "[logging]") {
    fw_logging_policy *p = nullptr;
    CHECK(fw_logging_policy_read(&p) == FW_ENOTFOUND);
    CHECK(p == nullptr);
    CHECK(std::string(fw_error_last()->message).find("no Windows Firewall policy on this system") != std::string::npos);
    int can = -1;
    CHECK(fw_logging_folder_check("/tmp", &can) == FW_ENOTFOUND);
    CHECK(can == 0);
    CHECK(fw_logging_folder_grant("/tmp") == FW_ENOTFOUND);
}
#endif

TEST_CASE("service SIDs: SHA-1 of the upper-cased UTF-16LE name", "[logging][acl]") {
    const auto abc = fw::win::sha1("abc", 3);
    const uint8_t expected[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                  0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
    CHECK(std::equal(abc.begin(), abc.end(), expected));
    const std::string million(1000000, 'a'); // FIPS 180 long-message vector: many blocks
    const auto m = fw::win::sha1(million.data(), million.size());
    CHECK(m[0] == 0x34);
    CHECK(m[19] == 0x6f);
    // NT SERVICE\TrustedInstaller, a SID every Windows installation shows in its file ACLs.
    CHECK(fw::win::service_sid("TrustedInstaller") == "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
    CHECK(fw::win::service_sid("trustedinstaller") == fw::win::service_sid("TRUSTEDINSTALLER"));

    char buf[128];
    size_t needed = 0;
    REQUIRE(fw_service_sid("MpsSvc", buf, sizeof buf, &needed) == FW_OK);
    CHECK(std::string(buf) == "S-1-5-80-3088073201-1464728630-1879813800-1107566885-823218052");
    CHECK(needed == std::string(buf).size() + 1);
    CHECK(fw_service_sid("MpsSvc", buf, 4, &needed) == FW_EBUFS);
    CHECK(needed == std::string(buf).size() + 1);
    CHECK(fw_service_sid("", buf, sizeof buf, &needed) == FW_EINVALID);
    CHECK(fw_service_sid("MpsSvc", nullptr, 10, &needed) == FW_EINVALID);
}

TEST_CASE("folder DACLs: what the firewall service may do, evaluated as Windows does", "[logging][acl]") {
    using fw::win::ace;
    const std::string mpssvc = fw::win::service_sid("MpsSvc");
    const uint32_t full = 0x1F01FF, modify = fw::win::modify_rights, read_execute = 0x1200A9;
    constexpr uint32_t oi = 0x1, ci = 0x2, io = 0x8;
    // The default LogFiles\Firewall folder: SYSTEM, Administrators and MpsSvc with full control.
    CHECK(fw::win::service_can_write({{true, oi | ci, full, "S-1-5-18"}, {true, oi | ci, full, "S-1-5-32-544"},
                                      {true, oi | ci, full, mpssvc}}));
    // A typical custom folder (D:\Logs): Administrators and SYSTEM full, Users read: no.
    const std::vector<ace> custom{{true, oi | ci, full, "S-1-5-18"},
                                  {true, oi | ci, full, "S-1-5-32-544"},
                                  {true, oi | ci, read_execute, "S-1-5-32-545"}};
    CHECK_FALSE(fw::win::service_can_write(custom));
    // ... after Enable-FwLogging's grant (Modify, inherited by files and folders): yes.
    auto granted = custom;
    granted.push_back({true, oi | ci, modify, mpssvc});
    CHECK(fw::win::service_can_write(granted));
    // Through a group in the service's token only (Authenticated Users or Users, even GENERIC_ALL or Modify): no.
    // The token is write-restricted (a restricted service SID type): the write must also be granted to a
    // restricting SID (the service's, WRITE RESTRICTED or Everyone), or Windows refuses it and logs nothing.
    CHECK_FALSE(fw::win::service_can_write({{true, oi | ci, 0x10000000, "S-1-5-11"}}));
    CHECK_FALSE(fw::win::service_can_write({{true, oi | ci, modify, "S-1-5-32-545"}}));
    CHECK(fw::win::service_can_write({{true, oi | ci, modify, "S-1-5-32-545"}, {true, oi | ci, modify, "S-1-5-33"}}));
    // Everyone is both in the token and restricting.
    CHECK(fw::win::service_can_write({{true, oi | ci, modify, "S-1-1-0"}}));
    // WRITE RESTRICTED alone is not in the token's own SIDs: no.
    CHECK_FALSE(fw::win::service_can_write({{true, oi | ci, modify, "S-1-5-33"}}));
    // A deny before the allow wins; an allow before the deny has already granted.
    CHECK_FALSE(fw::win::service_can_write({{false, oi | ci, 0x2, "S-1-1-0"}, {true, oi | ci, full, mpssvc}}));
    CHECK(fw::win::service_can_write({{true, oi | ci, full, mpssvc}, {false, oi | ci, 0x2, "S-1-1-0"}}));
    // The folder only (no object inherit): the file it creates would not be writable.
    CHECK_FALSE(fw::win::service_can_write({{true, ci, full, mpssvc}}));
    // Files only (inherit-only): the log cannot be created in the folder.
    CHECK_FALSE(fw::win::service_can_write({{true, oi | io, full, mpssvc}}));
    // Another service's SID does not count.
    CHECK_FALSE(fw::win::service_can_write({{true, oi | ci, full, fw::win::service_sid("TrustedInstaller")}}));
    // Generic write maps to FILE_GENERIC_WRITE (write and append data).
    CHECK(fw::win::map_generic_file(0x40000000) == 0x120116);
}
