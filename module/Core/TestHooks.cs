namespace Fw.Core
{
    /// <summary>
    /// Test-only inputs, set by the test suites through reflection (internal static fields, no parameter, no
    /// environment variable, no file the module looks for): a script or a user cannot switch them on by
    /// accident or from configuration, and they reset when the process ends. Production code never sets them.
    /// </summary>
    internal static class TestHooks
    {
        /// <summary>A .reg export read instead of this computer's registry wherever the module needs the
        /// firewall's current logging settings (Enable-FwLogging's Group Policy warning, Get-FwDrop's
        /// empty-log message). Lets tests on any OS act as a Windows computer with that policy.</summary>
        internal static string? LoggingPolicyFile = null;

        /// <summary>A .reg export read instead of this computer's registry where Test-FwDrop reads the rules in force
        /// (no -Rule): the rules of its FirewallRules keys, in the store their key names, and Group Policy's
        /// AllowLocalPolicyMerge. Lets tests on any OS act as a Windows computer with those rules and that policy.</summary>
        internal static string? FirewallRulesFile = null;

        /// <summary>A hosts-style file ("address name" per line) answering -ResolveDns lookups instead of DNS.
        /// The name "*hang*" makes a lookup that never completes (to test the timeout); "*fail*" one that fails.</summary>
        internal static string? HostsFile = null;
    }
}
