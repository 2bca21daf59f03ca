namespace Fw.Core
{
    /// <summary>
    /// Every FullyQualifiedErrorId Fw emits (the part before ",Fw.Commands..."), in one place: scripts and help
    /// match on these, so they are part of the interface. Every ErrorRecord the module makes takes its id from here
    /// (tests/Fw.Tests/Services/ErrorIdTests.cs scans the sources for literals).
    /// </summary>
    internal static class ErrorIds
    {
        // ---- Loading --------------------------------------------------------------------------
        /// <summary>fwcore is missing, unloadable or of another ABI version: every cmdlet stops with this.</summary>
        internal const string NativeLoadFailed = "FwNativeLoadFailed";

        // ---- Reading logs (Get-FwDrop, Measure-FwDrop) ---------------------------------------
        /// <summary>A log cannot be opened or read (not found, access denied, I/O, not a regular file).</summary>
        internal const string LogReadError = "FwLogReadError";
        /// <summary>No -Path where there is no default log (off Windows).</summary>
        internal const string PathRequired = "FwPathRequired";
        /// <summary>-After is not earlier than -Before.</summary>
        internal const string InvalidTimeWindow = "FwInvalidTimeWindow";
        /// <summary>A filter parameter's value cannot be parsed (address, port, protocol ...).</summary>
        internal const string InvalidFilterValue = "FwInvalidFilterValue";
        /// <summary>A -Filter script block uses a construct the native filter cannot run exactly.</summary>
        internal const string FilterNotSupported = "FwFilterNotSupported";
        /// <summary>-GroupBy names a property twice (Measure-FwDrop).</summary>
        internal const string GroupByRepeated = "FwGroupByRepeated";

        // ---- Get-FwDrop cursor modes ------------------------------------------------------------
        /// <summary>-Timeout without -Wait.</summary>
        internal const string TimeoutWithoutWait = "FwTimeoutWithoutWait";
        /// <summary>-Timeout is zero or negative.</summary>
        internal const string InvalidTimeout = "FwInvalidTimeout";
        /// <summary>-Wait, -Bookmark or -IncludeRotated given more than one log.</summary>
        internal const string OneLogOnly = "FwOneLogOnly";
        /// <summary>Another run holds the bookmark file's lock.</summary>
        internal const string BookmarkBusy = "FwBookmarkBusy";
        /// <summary>The bookmark file is unreadable or corrupt, or cannot be locked.</summary>
        internal const string BookmarkInvalid = "FwBookmarkInvalid";
        /// <summary>The bookmark was written for another log.</summary>
        internal const string BookmarkForeign = "FwBookmarkForeign";
        /// <summary>The bookmark could not be saved at the end of a run.</summary>
        internal const string BookmarkWriteFailed = "FwBookmarkWriteFailed";
        /// <summary>-Tail together with -Bookmark.</summary>
        internal const string TailWithBookmark = "FwTailWithBookmark";
        /// <summary>-DnsTimeout without -ResolveDns.</summary>
        internal const string DnsTimeoutWithoutResolveDns = "FwDnsTimeoutWithoutResolveDns";
        /// <summary>-DnsTimeout outside (0, 1 minute].</summary>
        internal const string InvalidDnsTimeout = "FwInvalidDnsTimeout";

        // ---- Rules (Get-FwRule, Test-FwDrop) --------------------------------------------------
        /// <summary>No registry to read rules from (off Windows) for Get-FwRule.</summary>
        internal const string RegistryUnavailable = "FwRegistryUnavailable";
        /// <summary>The registry's rule stores cannot be read (access, I/O).</summary>
        internal const string RegistryReadError = "FwRegistryReadError";
        /// <summary>A rule file (.reg or text) cannot be found or read.</summary>
        internal const string RuleFileError = "FwRuleFileError";
        /// <summary>A rule string does not parse.</summary>
        internal const string RuleParseError = "FwRuleParseError";
        /// <summary>A -Rule object has no RuleString (Test-FwDrop).</summary>
        internal const string RuleInvalid = "FwRuleInvalid";
        /// <summary>Test-FwDrop without -Rule where there is no registry.</summary>
        internal const string RulesRequired = "FwRulesRequired";
        /// <summary>Test-FwDrop loaded no rule at all: every verdict would be meaningless.</summary>
        internal const string NoRules = "FwNoRules";

        // ---- Drops as input (Test-FwDrop, New-FwRuleFromDrop) ----------------------------------
        /// <summary>An input object is not a usable drop (non-terminating; the others go on).</summary>
        internal const string DropInvalid = "FwDropInvalid";

        // ---- New-FwRuleFromDrop ------------------------------------------------------------------
        /// <summary>Parameters that exclude each other (-DisplayName with -DisplayNamePrefix, -Program with -ProgramFromProcessId).</summary>
        internal const string ParameterConflict = "FwParameterConflict";
        /// <summary>-Program is empty or holds what a rule cannot store ('|', control characters).</summary>
        internal const string ProgramInvalid = "FwProgramInvalid";
        /// <summary>A -LocalAddress entry is no address, subnet or range.</summary>
        internal const string LocalAddressInvalid = "FwLocalAddressInvalid";
        /// <summary>A -Scope entry does not parse.</summary>
        internal const string ScopeInvalid = "FwScopeInvalid";
        /// <summary>The synthesiser failed on a batch for a reason other than a bad drop.</summary>
        internal const string SynthFailed = "FwSynthFailed";
        /// <summary>-ProgramFromProcessId: a drop's process id gives no program path.</summary>
        internal const string ProcessNotFound = "FwProcessNotFound";
        /// <summary>An -ExistingRule object has no RuleString, or it does not parse.</summary>
        internal const string ExistingRuleInvalid = "FwExistingRuleInvalid";
        /// <summary>The rules in force cannot be read from the registry, so duplicates cannot be avoided.</summary>
        internal const string ExistingRulesUnreadable = "FwExistingRulesUnreadable";
        /// <summary>New-NetFirewallRule is not in the session (not Windows, or no NetSecurity module).</summary>
        internal const string NewNetFirewallRuleMissing = "FwNewNetFirewallRuleMissing";

        // ---- Logging settings (Get-FwLogging, Enable-FwLogging) --------------------------------
        /// <summary>The logging settings cannot be read (registry or .reg export).</summary>
        internal const string LoggingPolicyUnreadable = "FwLoggingPolicyUnreadable";
        /// <summary>No Windows Firewall policy on this system (off Windows, no -Path).</summary>
        internal const string NoFirewallPolicy = "FwNoFirewallPolicy";
        /// <summary>Enable-FwLogging -Path names a folder, not the log file.</summary>
        internal const string LogPathIsFolder = "FwLogPathIsFolder";
        /// <summary>The log's folder could not be created.</summary>
        internal const string LogFolderNotCreated = "FwLogFolderNotCreated";
        /// <summary>Whether the firewall service can write to the log's folder could not be checked.</summary>
        internal const string LogFolderUnchecked = "FwLogFolderUnchecked";
        /// <summary>The firewall service could not be granted write access to the log's folder.</summary>
        internal const string LogFolderNotGranted = "FwLogFolderNotGranted";
        /// <summary>Set-NetFirewallProfile is not in the session.</summary>
        internal const string SetNetFirewallProfileMissing = "FwSetNetFirewallProfileMissing";
    }
}
