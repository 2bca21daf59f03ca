// The logging settings read from this computer's registry (fw_logging_policy_read) and the log folder's
// permission for NT SERVICE\MpsSvc (fw_logging_folder_check / fw_logging_folder_grant), under wine or on
// Windows. Registry keys are created under HKLM for the test and removed after it; a machine that already
// has firewall policy keys is left alone (skipped with a warning).
#include "win_test_util.hpp"

#include <algorithm>

#include <fw/logging.h>

#include <catch2/catch.hpp>

#include <aclapi.h>
#include <sddl.h>

#include <string>
#include <vector>

using namespace fw::wintest;

namespace {

const std::wstring local_policy = L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\";
const std::wstring gpo_policy = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\";

bool any_firewall_keys() {
    return key_exists(gpo_policy.substr(0, gpo_policy.size() - 1)) || key_exists(local_policy + L"DomainProfile") ||
           key_exists(local_policy + L"StandardProfile") || key_exists(local_policy + L"PublicProfile");
}

struct profile_view {
    fw_logging_profile raw{};
    std::string file_name, file_path;
};

std::vector<profile_view> read_policy() {
    fw_logging_policy *p = nullptr;
    REQUIRE(fw_logging_policy_read(&p) == FW_OK);
    std::vector<profile_view> out;
    fw_logging_profile prof{};
    for (size_t i = 0; fw_logging_policy_get(p, i, &prof) == FW_OK; ++i)
        out.push_back({prof, prof.file_name, prof.file_path});
    fw_logging_policy_free(p);
    REQUIRE(out.size() == 3);
    return out;
}

std::wstring system_root() {
    wchar_t buf[MAX_PATH];
    const DWORD n = GetEnvironmentVariableW(L"SystemRoot", buf, MAX_PATH);
    REQUIRE(n > 0);
    return std::wstring(buf, n);
}

int folder_check(const std::string &folder) {
    int can = -1;
    const int rc = fw_logging_folder_check(folder.c_str(), &can);
    INFO(fw_error_last()->message);
    REQUIRE(rc == FW_OK);
    return can;
}

// Replaces a folder's DACL with one entry: Administrators full control, protected from inheritance.
bool restrict_to_administrators(const std::wstring &folder) {
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;OICI;FA;;;BA)", SDDL_REVISION_1, &sd, nullptr))
        return false;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    const DWORD rc = SetNamedSecurityInfoW(const_cast<wchar_t *>(folder.c_str()), SE_FILE_OBJECT,
                                           DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr,
                                           nullptr, dacl, nullptr);
    LocalFree(sd);
    if (rc != ERROR_SUCCESS) return false;
    // Read it back: a system that accepts the call but keeps no DACL (wine on a file system without extended
    // attributes) cannot show what a grant changes.
    PSECURITY_DESCRIPTOR back = nullptr;
    if (GetNamedSecurityInfoW(folder.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, nullptr,
                              nullptr, &back) != ERROR_SUCCESS)
        return false;
    wchar_t *text = nullptr;
    const bool ok = ConvertSecurityDescriptorToStringSecurityDescriptorW(back, SDDL_REVISION_1, DACL_SECURITY_INFORMATION,
                                                                         &text, nullptr) != FALSE;
    const std::wstring sddl = ok && text != nullptr ? text : L"";
    if (text != nullptr) LocalFree(text);
    LocalFree(back);
    return sddl.find(L"(A;OICI;FA;;;BA)") != std::wstring::npos && std::count(sddl.begin(), sddl.end(), L'(') == 1;
}

} // namespace

TEST_CASE("win: logging settings per profile from the registry, Group Policy over local", "[win][registry][logging]") {
    if (any_firewall_keys()) {
        WARN("this machine has firewall policy keys: left alone, test skipped");
        return;
    }
    const std::string root = narrow(system_root());
    SECTION("nothing configured: defaults, the path expanded") {
        for (const auto &p : read_policy()) {
            CHECK(p.raw.log_dropped == 0);
            CHECK(p.raw.log_dropped_origin == FW_ORIGIN_DEFAULT);
            CHECK(p.raw.max_size_kb == 4096);
            CHECK(p.file_name == FW_LOG_FILE_DEFAULT);
            CHECK(p.file_path == root + "\\System32\\LogFiles\\Firewall\\pfirewall.log");
        }
    }
    SECTION("local values, a Group Policy value overriding one of them, wrong types ignored") {
        scratch_key local_domain(local_policy + L"DomainProfile\\Logging");
        local_domain.set_dword(L"LogDroppedPackets", 1);
        local_domain.set_dword(L"LogSuccessfulConnections", 1);
        local_domain.set_dword(L"LogFileSize", 16384);
        local_domain.set_string(L"LogFilePath", L"%SystemRoot%\\fw\\domain.log", REG_EXPAND_SZ);
        scratch_key gpo_domain(gpo_policy + L"DomainProfile\\Logging");
        gpo_domain.set_dword(L"LogDroppedPackets", 0);
        scratch_key local_public(local_policy + L"PublicProfile\\Logging");
        local_public.set_string(L"LogDroppedPackets", L"1"); // a string: not a setting
        local_public.set_dword(L"LogFileSize", 32767);

        const auto p = read_policy();
        CHECK(p[0].raw.profile == FW_PROFILE_DOMAIN);
        CHECK(p[0].raw.log_dropped == 0);
        CHECK(p[0].raw.log_dropped_origin == FW_ORIGIN_GROUP_POLICY);
        CHECK(p[0].raw.log_allowed == 1);
        CHECK(p[0].raw.log_allowed_origin == FW_ORIGIN_LOCAL);
        CHECK(p[0].raw.max_size_kb == 16384);
        CHECK(p[0].raw.max_size_origin == FW_ORIGIN_LOCAL);
        CHECK(p[0].file_name == "%SystemRoot%\\fw\\domain.log");
        CHECK(p[0].file_path == root + "\\fw\\domain.log");
        CHECK(p[0].raw.file_origin == FW_ORIGIN_LOCAL);
        CHECK(p[1].raw.log_dropped_origin == FW_ORIGIN_DEFAULT);
        CHECK(p[2].raw.log_dropped == 0);
        CHECK(p[2].raw.log_dropped_origin == FW_ORIGIN_DEFAULT);
        CHECK(p[2].raw.max_size_kb == 32767);
        CHECK(p[2].raw.max_size_origin == FW_ORIGIN_LOCAL);
    }
    SECTION("the policy's StandardProfile covers Private and Public") {
        scratch_key gpo_standard(gpo_policy + L"StandardProfile\\Logging");
        gpo_standard.set_dword(L"LogDroppedPackets", 1);
        const auto p = read_policy();
        CHECK(p[0].raw.log_dropped_origin == FW_ORIGIN_DEFAULT);
        CHECK(p[1].raw.log_dropped_origin == FW_ORIGIN_GROUP_POLICY);
        CHECK(p[2].raw.log_dropped_origin == FW_ORIGIN_GROUP_POLICY);
        CHECK(p[2].raw.log_dropped == 1);
    }
    CHECK_FALSE(any_firewall_keys());
}

TEST_CASE("win: the log folder's permission for NT SERVICE\\MpsSvc", "[win][acl][logging]") {
    temp_dir dir(L"fw logs \u0416");
    const std::string folder = utf8(dir.path());

    int can = -1;
    CHECK(fw_logging_folder_check(utf8(dir.path() / L"missing").c_str(), &can) == FW_ENOTFOUND);
    CHECK(fw_logging_folder_check(nullptr, &can) == FW_EINVALID);
    CHECK(fw_logging_folder_grant("") == FW_EINVALID);

    if (!restrict_to_administrators(dir.path().wstring())) {
        WARN("this system does not keep a folder's DACL as set (wine without ACL support on this file system): "
             "only the error paths are tested; the grant needs a Windows machine");
        return;
    }
    CHECK(folder_check(folder) == 0);
    REQUIRE(fw_logging_folder_grant(folder.c_str()) == FW_OK);
    CHECK(folder_check(folder) == 1);
    // Granting again keeps one entry's worth of rights (SetEntriesInAcl merges): still writable.
    REQUIRE(fw_logging_folder_grant(folder.c_str()) == FW_OK);
    CHECK(folder_check(folder) == 1);
}
