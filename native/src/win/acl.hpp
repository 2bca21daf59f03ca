// The folder permission the firewall service needs to write its log: service SIDs (portable: SHA-1 of the
// name), the access a list of ACEs grants a set of SIDs (portable: the order Windows evaluates them in), and
// on Windows the folder's DACL read and extended through the security API.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fw::win {

// SHA-1 (FIPS 180-4) of bytes; used for service SIDs, not for security.
[[nodiscard]] std::array<std::uint8_t, 20> sha1(const void *data, std::size_t size);

// "S-1-5-80-..." for a service name (UTF-8): SHA-1 of the upper-cased UTF-16LE name as five little-endian
// 32-bit sub-authorities. Upper-casing covers ASCII and Latin-1/Cyrillic/Greek basics; service names are ASCII.
[[nodiscard]] std::string service_sid(std::string_view service_name);

inline constexpr std::string_view firewall_service = "MpsSvc";

// The SIDs a service token of the firewall service holds (its service SID, LOCAL SERVICE, SERVICE,
// ALL SERVICES, Everyone, Authenticated Users, Users).
[[nodiscard]] std::set<std::string> firewall_service_token();

// The restricting SIDs of that token: the firewall service runs with a restricted service SID, so its token is
// write-restricted and a write needs a grant to one of these as well (its service SID, WRITE RESTRICTED,
// Everyone; the logon SID, also in the list, is not known in advance and not counted).
[[nodiscard]] std::set<std::string> firewall_service_restricting_sids();

struct ace {
    bool allow = true;
    std::uint32_t flags = 0; // ACE flags (OBJECT_INHERIT 0x1, CONTAINER_INHERIT 0x2, INHERIT_ONLY 0x8, ...)
    std::uint32_t mask = 0;  // access mask, generic bits allowed
    std::string sid;
};

inline constexpr std::uint32_t file_write_data = 0x2;  // FILE_ADD_FILE on a folder
inline constexpr std::uint32_t file_append_data = 0x4; // FILE_ADD_SUBDIRECTORY on a folder
inline constexpr std::uint32_t modify_rights = 0x1301BF; // FILE_GENERIC_READ|WRITE|EXECUTE|DELETE ("Modify")

// Generic rights mapped to the file-specific ones (FILE_GENERIC_*), as MapGenericMask does for files.
[[nodiscard]] std::uint32_t map_generic_file(std::uint32_t mask) noexcept;

// The rights among `desired` that the ACEs grant a token holding `sids`: in ACE order, a deny entry removes
// rights not yet granted, an allow entry adds rights not yet denied. `for_files` evaluates the entries a file
// created in the folder inherits (OBJECT_INHERIT), else the folder's own entries (not INHERIT_ONLY).
[[nodiscard]] std::uint32_t granted(const std::vector<ace> &dacl, const std::set<std::string> &sids,
                                    std::uint32_t desired, bool for_files);

// Whether the firewall service can create its log in a folder with this DACL and write to it: the entries grant
// the writes to its token's SIDs and to its restricting SIDs (firewall_service_restricting_sids).
[[nodiscard]] bool service_can_write(const std::vector<ace> &dacl);

// Windows: the folder's DACL (null_dacl set when it has none: everyone has full access). Elsewhere
// throws fw::error(FW_ENOTFOUND). A missing folder is FW_ENOTFOUND, a denied read FW_EACCESS.
struct folder_dacl {
    bool null_dacl = false;
    std::vector<ace> entries;
};
[[nodiscard]] folder_dacl read_folder_dacl(const std::string &folder);

// Windows: adds an allow entry for the firewall service: Modify, inherited by files and folders.
void grant_firewall_service(const std::string &folder);

} // namespace fw::win
