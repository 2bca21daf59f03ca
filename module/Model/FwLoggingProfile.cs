namespace Fw
{
    /// <summary>Where a logging setting's value comes from.</summary>
    public enum FwSettingSource
    {
        /// <summary>Set nowhere: the firewall's default.</summary>
        Default = 0,
        /// <summary>The local settings (Set-NetFirewallProfile, netsh, wf.msc).</summary>
        Local = 1,
        /// <summary>Group Policy: overrides the local value.</summary>
        GroupPolicy = 2,
    }

    /// <summary>
    /// The logging settings of one firewall profile (Get-FwLogging): whether dropped packets and successful
    /// connections are logged, the file and its maximum size, each with the place its value comes from.
    /// </summary>
    public sealed class FwLoggingProfile
    {
        /// <summary>Domain, Private or Public.</summary>
        public string Profile { get; set; } = string.Empty;

        /// <summary>Whether dropped packets are logged (LogDroppedPackets; Set-NetFirewallProfile -LogBlocked).</summary>
        public bool LogDroppedPackets { get; set; }

        /// <summary>Where <see cref="LogDroppedPackets"/> comes from.</summary>
        public FwSettingSource LogDroppedPacketsSource { get; set; }

        /// <summary>Whether successful connections are logged (LogSuccessfulConnections; -LogAllowed).</summary>
        public bool LogAllowedPackets { get; set; }

        /// <summary>Where <see cref="LogAllowedPackets"/> comes from.</summary>
        public FwSettingSource LogAllowedPacketsSource { get; set; }

        /// <summary>The log file as configured (LogFilePath), e.g. with %SystemRoot%.</summary>
        public string LogFileName { get; set; } = string.Empty;

        /// <summary>The log file with environment variables expanded (this computer's registry only).</summary>
        public string LogFilePath { get; set; } = string.Empty;

        /// <summary>Where <see cref="LogFileName"/> comes from.</summary>
        public FwSettingSource LogFileNameSource { get; set; }

        /// <summary>The maximum size of the log in KB (LogFileSize; -LogMaxSizeKilobytes). When it is reached the
        /// firewall renames the log to .old and starts a new one.</summary>
        public int LogMaxSizeKB { get; set; }

        /// <summary>Where <see cref="LogMaxSizeKB"/> comes from.</summary>
        public FwSettingSource LogMaxSizeKBSource { get; set; }

        /// <summary>The Group Policy registry key consulted for this profile.</summary>
        public string PolicyKey { get; set; } = string.Empty;

        /// <summary>The local registry key consulted for this profile.</summary>
        public string LocalKey { get; set; } = string.Empty;

        /// <summary>Where the settings were read: "Registry" (this computer) or the path of a .reg export.</summary>
        public string ReadFrom { get; set; } = string.Empty;

        /// <inheritdoc/>
        public override string ToString() =>
            $"{Profile}: drops {(LogDroppedPackets ? "logged" : "not logged")} ({LogDroppedPacketsSource}), " +
            $"successes {(LogAllowedPackets ? "logged" : "not logged")} ({LogAllowedPacketsSource}), {LogFileName}, {LogMaxSizeKB} KB";
    }
}
