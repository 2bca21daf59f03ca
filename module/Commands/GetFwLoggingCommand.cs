using System;
using System.Linq;
using System.Management.Automation;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// Get-FwLogging: the firewall's logging settings per profile (drops logged, successes logged, file, maximum
    /// size) and where each value comes from (Group Policy over local settings over the default), read natively
    /// from this computer's registry or from a .reg export of the firewall policy keys.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FwLogging", DefaultParameterSetName = RegistrySet)]
    [OutputType(typeof(FwLoggingProfile))]
    public sealed class GetFwLoggingCommand : PSCmdlet
    {
        private const string RegistrySet = "Registry";
        private const string PathSet = "Path";

        /// <summary>Profiles to show: Domain, Private, Public (default: all three).</summary>
        [Parameter(Position = 0)]
        [ValidateSet("Domain", "Private", "Public", IgnoreCase = true)]
        public string[]? Profile { get; set; }

        /// <summary>A .reg export (regedit, or reg export) of HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall and/or
        /// HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy, read instead of this
        /// computer's registry: another computer's settings, on any system.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing() => NativeLoader.EnsureLoaded(this);

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            System.Collections.Generic.List<FwLoggingProfile> profiles;
            if (Path != null)
            {
                string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                try
                {
                    profiles = LoggingPolicy.ReadExport(full);
                }
                catch (FwNativeException e)
                {
                    var category = e.IsNotFound ? ErrorCategory.ObjectNotFound
                        : e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidData;
                    WriteError(new ErrorRecord(new InvalidOperationException($"Cannot read the logging settings from '{full}': {e.Message}", e),
                        ErrorIds.LoggingPolicyUnreadable, category, full));
                    return;
                }
            }
            else
            {
                try
                {
                    profiles = LoggingPolicy.ReadRegistry();
                }
                catch (FwNativeException e) when (e.IsNotFound && !LoggingPolicy.IsWindows)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PlatformNotSupportedException("There is no Windows Firewall policy on this system: the logging settings live in the " +
                            "Windows registry. To see another computer's settings here, export its firewall policy keys there " +
                            @"(reg export HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy fw.reg) and run " +
                            "Get-FwLogging -Path fw.reg."),
                        ErrorIds.NoFirewallPolicy, ErrorCategory.NotImplemented, null));
                    return;
                }
                catch (FwNativeException e)
                {
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot read the firewall's logging settings: {e.Message}", e),
                        ErrorIds.LoggingPolicyUnreadable, e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, null));
                    return;
                }
            }
            foreach (var p in profiles)
            {
                if (Profile != null && !Profile.Any(n => string.Equals(n, p.Profile, StringComparison.OrdinalIgnoreCase))) continue;
                WriteObject(p);
            }
        }
    }
}
