/*
 * fw/logging.h - the firewall's logging settings per profile (log dropped
 * packets, log successful connections, file, maximum size, and where each value
 * comes from), and the folder permission the firewall service needs to write
 * its log there.
 *
 * Where the settings live ([MS-GPFAS] 2.2.3.5-2.2.3.9):
 *   Group Policy  HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\<P>\Logging
 *   local         HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\
 *                 FirewallPolicy\<P>\Logging
 * with <P> DomainProfile, PrivateProfile/StandardProfile, PublicProfile (locally
 * StandardProfile is the Private profile; in Group Policy StandardProfile covers
 * Private and Public unless a PrivateProfile or PublicProfile key exists).
 * Values: LogDroppedPackets, LogSuccessfulConnections (DWORD 0/1), LogFileSize
 * (DWORD, KB), LogFilePath (REG_SZ or REG_EXPAND_SZ). Each value is taken from
 * Group Policy when set there, else from the local settings, else the default
 * (off, off, 4096 KB, %SystemRoot%\System32\LogFiles\Firewall\pfirewall.log).
 * A value of another registry type, or an empty path, counts as not set.
 */
#ifndef FW_LOGGING_H
#define FW_LOGGING_H

#include "common.h"

FW_BEGIN_DECL

/* Where a setting's value comes from. */
typedef enum fw_setting_origin {
    FW_ORIGIN_DEFAULT = 0,     /* set nowhere: the firewall's default */
    FW_ORIGIN_LOCAL = 1,       /* the local settings (Set-NetFirewallProfile, netsh, wf.msc) */
    FW_ORIGIN_GROUP_POLICY = 2 /* Group Policy: overrides the local value */
} fw_setting_origin;

#define FW_LOG_SIZE_DEFAULT_KB 4096u
#define FW_LOG_FILE_DEFAULT "%SystemRoot%\\System32\\LogFiles\\Firewall\\pfirewall.log"

/* The effective logging settings of one profile. Strings are UTF-8, never NULL,
 * borrowed until fw_logging_policy_free. */
typedef struct fw_logging_profile {
    uint32_t profile;            /* FW_PROFILE_DOMAIN, FW_PROFILE_PRIVATE or FW_PROFILE_PUBLIC */
    uint32_t log_dropped;        /* 1: dropped packets are logged */
    uint32_t log_dropped_origin; /* fw_setting_origin */
    uint32_t log_allowed;        /* 1: successful connections are logged */
    uint32_t log_allowed_origin;
    uint32_t max_size_kb;        /* LogFileSize as stored (the firewall accepts 1-32767) */
    uint32_t max_size_origin;
    uint32_t file_origin;
    const char *file_name;       /* as configured, e.g. with %systemroot% */
    const char *file_path;       /* environment variables expanded (live registry on Windows); else file_name */
    const char *policy_key;      /* the Group Policy key consulted, e.g. "HKLM\\SOFTWARE\\...\\DomainProfile\\Logging" */
    const char *local_key;       /* the local key consulted */
} fw_logging_profile;

typedef struct fw_logging_policy fw_logging_policy;

/* This computer's logging settings, read from the registry (64-bit view).
 * Missing keys are not errors (the defaults apply). Not on Windows: FW_ENOTFOUND
 * ("there is no Windows Firewall policy on this system"). */
FW_API(int) fw_logging_policy_read(fw_logging_policy **out);

/* The logging settings in a .reg export (regedit or `reg export`, UTF-16LE or
 * UTF-8) of HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall and/or
 * HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy,
 * resolved as on the computer it came from (no environment expansion). Keys
 * below other roots are ignored. Errors: FW_ENOTFOUND, FW_EACCESS, FW_EIO,
 * FW_EFORMAT (not a .reg export; fw_error_last() has the line). */
FW_API(int) fw_logging_policy_load_reg(fw_logging_policy **out, const char *path);

/* Profile `index` (0 Domain, 1 Private, 2 Public); FW_ITEROVER past the last. */
FW_API(int) fw_logging_policy_get(const fw_logging_policy *policy, size_t index, fw_logging_profile *out);

FW_API(void) fw_logging_policy_free(fw_logging_policy *policy);

/* ---- The folder the log is written to ------------------------------------ */

/* The service SID of a Windows service (S-1-5-80-<SHA-1 of the upper-cased
 * UTF-16LE name, as five little-endian 32-bit numbers>), e.g. "MpsSvc" ->
 * the SID of NT SERVICE\MpsSvc, written NUL-terminated to buffer.
 * FW_EBUFS (with *needed set) when size is too small. Works on every system. */
FW_API(int) fw_service_sid(const char *service_name, char *buffer, size_t size, size_t *needed);

/* Whether the firewall service (NT SERVICE\MpsSvc, running as LOCAL SERVICE)
 * may create and append to files in `folder`: its DACL is evaluated for the
 * service SID and the groups every service token holds (Everyone, Authenticated
 * Users, Users, SERVICE, LOCAL SERVICE, NT SERVICE\ALL SERVICES), deny entries
 * first as Windows does. *can_write is 1 or 0. Windows only: elsewhere
 * FW_ENOTFOUND. FW_ENOTFOUND also when the folder does not exist. */
FW_API(int) fw_logging_folder_check(const char *folder, int *can_write);

/* Grants NT SERVICE\MpsSvc Modify on `folder`, inherited by files and
 * subfolders (the existing entries are kept). Windows only: elsewhere
 * FW_ENOTFOUND. FW_EACCESS when the caller may not change the DACL. */
FW_API(int) fw_logging_folder_grant(const char *folder);

FW_END_DECL

#endif /* FW_LOGGING_H */
