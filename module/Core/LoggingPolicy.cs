using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// The firewall's logging settings through fwcore (fw/logging.h): this computer's registry or a .reg export,
    /// and the log folder's permission for NT SERVICE\MpsSvc. The registry is read natively only.
    /// </summary>
    internal static class LoggingPolicy
    {
        internal static readonly string[] ProfileNames = { "Domain", "Private", "Public" };

        /// <summary>This computer's settings. Throws <see cref="FwNativeException"/> (not found) outside Windows.</summary>
        internal static List<FwLoggingProfile> ReadRegistry()
        {
            string? hook = TestHooks.LoggingPolicyFile; // tests: act as a Windows computer with this policy
            if (!string.IsNullOrEmpty(hook)) return ReadExport(hook!);
            Ensure.Success(FwNative.fw_logging_policy_read(out var policy));
            return Collect(policy, "Registry");
        }

        /// <summary>The settings in a .reg export. Throws <see cref="FwNativeException"/>.</summary>
        internal static List<FwLoggingProfile> ReadExport(string path)
        {
            Ensure.Success(FwNative.fw_logging_policy_load_reg(out var policy, Utf8.ToNative(path)));
            return Collect(policy, path);
        }

        /// <summary>
        /// The settings in force here (the registry on Windows; <see cref="TestHooks.LoggingPolicyFile"/> in tests),
        /// or null with the reason when they cannot be known (not Windows, or unreadable).
        /// </summary>
        internal static List<FwLoggingProfile>? Current(out string reason)
        {
            reason = string.Empty;
            try
            {
                return ReadRegistry();
            }
            catch (FwNativeException e)
            {
                reason = e.IsNotFound && !IsWindows
                    ? "there is no Windows Firewall policy on this system, so the logging settings are unknown"
                    : $"the firewall's logging settings cannot be read ({e.Message})";
                return null;
            }
        }

        internal static bool IsWindows => Platform.IsWindows;

        private static List<FwLoggingProfile> Collect(IntPtr policy, string readFrom)
        {
            try
            {
                var list = new List<FwLoggingProfile>(3);
                for (ulong i = 0; ; i++)
                {
                    int rc = FwNative.fw_logging_policy_get(policy, new UIntPtr(i), out var p);
                    if (Ensure.Success(rc) == (int)FwStatus.IterOver) break;
                    list.Add(new FwLoggingProfile
                    {
                        Profile = p.Profile switch { 1 => "Domain", 2 => "Private", 4 => "Public", _ => p.Profile.ToString() },
                        LogDroppedPackets = p.LogDropped != 0,
                        LogDroppedPacketsSource = (FwSettingSource)p.LogDroppedOrigin,
                        LogAllowedPackets = p.LogAllowed != 0,
                        LogAllowedPacketsSource = (FwSettingSource)p.LogAllowedOrigin,
                        LogFileName = Utf8.FromNative(p.FileName) ?? string.Empty,
                        LogFilePath = Utf8.FromNative(p.FilePath) ?? string.Empty,
                        LogFileNameSource = (FwSettingSource)p.FileOrigin,
                        LogMaxSizeKB = (int)Math.Min(p.MaxSizeKB, int.MaxValue),
                        LogMaxSizeKBSource = (FwSettingSource)p.MaxSizeOrigin,
                        PolicyKey = Utf8.FromNative(p.PolicyKey) ?? string.Empty,
                        LocalKey = Utf8.FromNative(p.LocalKey) ?? string.Empty,
                        ReadFrom = readFrom,
                    });
                }
                return list;
            }
            finally
            {
                FwNative.fw_logging_policy_free(policy);
            }
        }

        /// <summary>"S-1-5-80-..." of a Windows service, computed (works on every OS).</summary>
        internal static string ServiceSid(string service)
        {
            var name = Utf8.ToNative(service);
            int rc = FwNative.fw_service_sid(name, null, UIntPtr.Zero, out var needed);
            if (rc != (int)FwStatus.Buffer) Ensure.Success(rc);
            var buffer = new byte[(int)needed.ToUInt64()];
            Ensure.Success(FwNative.fw_service_sid(name, buffer, new UIntPtr((ulong)buffer.Length), out _));
            return System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Max(0, buffer.Length - 1));
        }

        /// <summary>Whether NT SERVICE\MpsSvc can create and write its log in <paramref name="folder"/> (Windows).</summary>
        internal static bool ServiceCanWrite(string folder)
        {
            Ensure.Success(FwNative.fw_logging_folder_check(Utf8.ToNative(folder), out int can));
            return can != 0;
        }

        /// <summary>Grants NT SERVICE\MpsSvc Modify on <paramref name="folder"/>, inherited (Windows).</summary>
        internal static void GrantService(string folder) =>
            Ensure.Success(FwNative.fw_logging_folder_grant(Utf8.ToNative(folder)));

        /// <summary>Same file on Windows (case-insensitive) as elsewhere (ordinal).</summary>
        internal static bool SamePath(string a, string b)
        {
            try
            {
                a = System.IO.Path.GetFullPath(a);
                b = System.IO.Path.GetFullPath(b);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                // compare as given
            }
            return string.Equals(a, b, IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        /// <summary>
        /// Why a log may be missing, empty or stale, and the command that turns drop logging on: from the settings in
        /// force (the profiles that write to <paramref name="logPath"/>, else all), or a sentence saying they are
        /// unknown here.
        /// </summary>
        internal static string Explain(string logPath)
        {
            var profiles = Current(out string reason);
            if (profiles == null)
                return $"Whether the firewall logs dropped packets is unknown: {reason}. On the Windows computer, " +
                       "Get-FwLogging shows the settings and Enable-FwLogging -Profile Domain,Private,Public turns drop logging on.";
            var writing = profiles.Where(p => SamePath(p.LogFilePath, logPath)).ToList();
            bool ours = writing.Count > 0;
            if (!ours) writing = profiles;
            var off = writing.Where(p => !p.LogDroppedPackets).ToList();
            string where = ours
                ? $"The {Names(writing)} profile{(writing.Count > 1 ? "s" : "")} log{(writing.Count > 1 ? "" : "s")} to this file"
                : $"No profile logs to this file (they log to {string.Join(", ", profiles.Select(p => p.LogFilePath).Distinct(StringComparer.OrdinalIgnoreCase))})";
            if (off.Count == 0)
                return $"{where}, and dropped packets are logged for {Names(writing)}. If the log stays empty, NT SERVICE\\MpsSvc " +
                       "may lack write permission on the folder: Enable-FwLogging -Profile " + Names(writing, ",") +
                       " -Path <log file> checks and fixes it; or nothing was dropped.";
            string gpo = off.Any(p => p.LogDroppedPacketsSource == FwSettingSource.GroupPolicy)
                ? $" Group Policy sets it for {Names(off.Where(p => p.LogDroppedPacketsSource == FwSettingSource.GroupPolicy))}: change the GPO, a local setting is overridden."
                : string.Empty;
            return $"{where}; logging of dropped packets is off for {Names(off)}. Turn it on: Enable-FwLogging -Profile {Names(off, ",")}.{gpo}";
        }

        private static string Names(IEnumerable<FwLoggingProfile> profiles, string separator = ", ") =>
            string.Join(separator, profiles.Select(p => p.Profile));
    }
}
