using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// Enable-FwLogging: turns on logging of dropped packets (and with -LogAllowed of successful connections) for
    /// the given profiles through Set-NetFirewallProfile in the caller's session. Warns when Group Policy sets a
    /// value that overrides the local one, and for a custom log file makes sure the firewall service
    /// (NT SERVICE\MpsSvc) can write to its folder: without that permission Windows silently writes no log.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Enable, "FwLogging", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FwLoggingProfile))]
    public sealed class EnableFwLoggingCommand : PSCmdlet
    {
        private const string Service = @"NT SERVICE\MpsSvc";
        private const string GrantAction = @"Grant NT SERVICE\MpsSvc Modify (without it Windows writes no log there)";

        /// <summary>Profiles: Domain, Private, Public (default: all three).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateSet("Domain", "Private", "Public", IgnoreCase = true)]
        public string[] Profile { get; set; } = LoggingPolicy.ProfileNames;

        /// <summary>Also log successful connections (Set-NetFirewallProfile -LogAllowed True). Busy servers log much more.</summary>
        [Parameter]
        public SwitchParameter LogAllowed { get; set; }

        /// <summary>The log's maximum size in KB, 1-32767 (-LogMaxSizeKilobytes). Microsoft recommends at least 20480 to
        /// troubleshoot; at the limit the firewall renames the log to .old and starts a new one.</summary>
        [Parameter]
        [ValidateRange(1, 32767)]
        public int MaximumSizeKB { get; set; }

        /// <summary>The log file (-LogFileName). Its folder is created if missing, and NT SERVICE\MpsSvc is granted
        /// Modify on it when it cannot write there.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Writes the resulting settings (Get-FwLogging) of the profiles afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private readonly List<string> _profiles = new List<string>();

        /// <inheritdoc/>
        protected override void BeginProcessing() => NativeLoader.EnsureLoaded(this);

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var p in Profile)
            {
                string name = LoggingPolicy.ProfileNames.First(n => string.Equals(n, p, StringComparison.OrdinalIgnoreCase));
                if (!_profiles.Contains(name)) _profiles.Add(name);
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (_profiles.Count == 0) return;
            string? file = Path == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            WarnAboutGroupPolicy(file);
            if (file != null && !PrepareFolder(file)) return;

            string what = "log dropped packets" + (LogAllowed ? " and successful connections" : string.Empty) +
                          (MyInvocation.BoundParameters.ContainsKey(nameof(MaximumSizeKB)) ? $", at most {MaximumSizeKB} KB" : string.Empty) +
                          (file != null ? $", to '{file}'" : string.Empty);
            if (!ShouldProcess($"{string.Join(", ", _profiles)} profile{(_profiles.Count > 1 ? "s" : "")}", $"Turn on logging: {what}"))
                return;
            if (!SetProfiles(file)) return;
            WriteVerbose($"Logging turned on for {string.Join(", ", _profiles)}: {what}.");
            if (PassThru)
            {
                var now = LoggingPolicy.Current(out string reason);
                if (now == null) WriteWarning($"Cannot show the resulting settings: {reason}.");
                else foreach (var p in now.Where(p => _profiles.Contains(p.Profile))) WriteObject(p);
            }
        }

        /// <summary>A value Group Policy sets wins over what Set-NetFirewallProfile writes locally: say so.</summary>
        private void WarnAboutGroupPolicy(string? file)
        {
            var current = LoggingPolicy.Current(out string reason);
            if (current == null)
            {
                WriteWarning($"Cannot tell whether Group Policy overrides these settings: {reason}.");
                return;
            }
            foreach (var p in current.Where(p => _profiles.Contains(p.Profile)))
            {
                var overridden = new List<string>();
                if (p.LogDroppedPacketsSource == FwSettingSource.GroupPolicy && !p.LogDroppedPackets)
                    overridden.Add("LogDroppedPackets = off");
                if (LogAllowed && p.LogAllowedPacketsSource == FwSettingSource.GroupPolicy && !p.LogAllowedPackets)
                    overridden.Add("LogSuccessfulConnections = off");
                if (MyInvocation.BoundParameters.ContainsKey(nameof(MaximumSizeKB)) &&
                    p.LogMaxSizeKBSource == FwSettingSource.GroupPolicy && p.LogMaxSizeKB != MaximumSizeKB)
                    overridden.Add($"LogFileSize = {p.LogMaxSizeKB} KB");
                if (file != null && p.LogFileNameSource == FwSettingSource.GroupPolicy && !LoggingPolicy.SamePath(p.LogFilePath, file))
                    overridden.Add($"LogFilePath = {p.LogFileName}");
                if (overridden.Count > 0)
                    WriteWarning($"Group Policy sets {string.Join(", ", overridden)} for the {p.Profile} profile ({p.PolicyKey}): " +
                                 "it overrides the local setting made here. Change the Group Policy object instead.");
            }
        }

        /// <summary>The log's folder exists and NT SERVICE\MpsSvc can write there; false when that failed.</summary>
        private bool PrepareFolder(string file)
        {
            string? folder = System.IO.Path.GetDirectoryName(file);
            if (string.IsNullOrEmpty(folder)) return true;
            if (Directory.Exists(file))
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-Path '{file}' is a folder; give the log file, e.g. '{System.IO.Path.Combine(file, "pfirewall.log")}'."),
                    ErrorIds.LogPathIsFolder, ErrorCategory.InvalidArgument, file));
            }
            if (!Directory.Exists(folder))
            {
                if (!ShouldProcess(folder, "Create the log folder"))
                {
                    if (!WhatIfOnly()) return false;
                    ShouldProcess(folder, GrantAction); // a new folder would need the permission too: describe it
                    return true;
                }
                try
                {
                    Directory.CreateDirectory(folder);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
                {
                    WriteError(new ErrorRecord(e, ErrorIds.LogFolderNotCreated, ErrorCategory.WriteError, folder));
                    return false;
                }
            }
            bool canWrite;
            try
            {
                canWrite = LoggingPolicy.ServiceCanWrite(folder!);
            }
            catch (FwNativeException e) when (e.IsNotFound && !LoggingPolicy.IsWindows)
            {
                WriteWarning($"Cannot check that {Service} can write to '{folder}': folder permissions for the firewall service exist only on Windows.");
                return true;
            }
            catch (FwNativeException e)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Cannot check that {Service} can write to '{folder}': {e.Message}", e),
                    ErrorIds.LogFolderUnchecked, e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, folder));
                return false;
            }
            if (canWrite)
            {
                WriteVerbose($"{Service} can write to '{folder}'.");
                return true;
            }
            if (!ShouldProcess(folder, GrantAction))
                return !WhatIfOnly();
            try
            {
                LoggingPolicy.GrantService(folder!);
            }
            catch (FwNativeException e)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Cannot grant {Service} write access to '{folder}': {e.Message}", e),
                    ErrorIds.LogFolderNotGranted, e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, folder));
                return false;
            }
            WriteVerbose($"Granted {Service} ({LoggingPolicy.ServiceSid("MpsSvc")}) Modify on '{folder}'. Windows may need a restart " +
                         "of the firewall service or the computer before it writes the new log.");
            return true;
        }

        // Under -WhatIf every step is only described: go on describing the next ones. A "No" to -Confirm stops.
        private bool WhatIfOnly() =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter s && s.IsPresent;

        private bool SetProfiles(string? file)
        {
            var command = CallerCommand.Find(this, "Set-NetFirewallProfile");
            if (command == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new CommandNotFoundException("Set-NetFirewallProfile is not available in this session (it comes with the Windows NetSecurity module). " +
                                                 "Use -WhatIf elsewhere, or on Windows: Import-Module NetSecurity."),
                    ErrorIds.SetNetFirewallProfileMissing, ErrorCategory.ObjectNotFound, "Set-NetFirewallProfile"));
            }
            var parameters = new List<KeyValuePair<string, object>>
            {
                new KeyValuePair<string, object>("Name", _profiles.ToArray()),
                new KeyValuePair<string, object>("LogBlocked", "True"),
            };
            if (LogAllowed) parameters.Add(new KeyValuePair<string, object>("LogAllowed", "True"));
            if (MyInvocation.BoundParameters.ContainsKey(nameof(MaximumSizeKB)))
                parameters.Add(new KeyValuePair<string, object>("LogMaxSizeKilobytes", (ulong)MaximumSizeKB));
            if (file != null) parameters.Add(new KeyValuePair<string, object>("LogFileName", file));
            return CallerCommand.Invoke(this, command!, parameters); // confirmed (or not asked) by this cmdlet's ShouldProcess
        }
    }
}
