using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Fw.Native;
using Fw.Core;

namespace Fw.Commands
{
    /// <summary>
    /// Get-FwRule: Windows Firewall rules as typed objects, parsed natively from their registry rule strings: from
    /// the registry (Windows), from .reg exports and text files (-Path), or from strings (-RuleString).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FwRule", DefaultParameterSetName = RegistrySet)]
    [OutputType(typeof(FwRule))]
    public sealed class GetFwRuleCommand : PSCmdlet, IDisposable
    {
        private const string RegistrySet = "Registry";
        private const string PathSet = "Path";
        private const string StringSet = "RuleString";

        private NativeRuleSet? _rules;
        private readonly Core.IndirectStrings _indirect = new Core.IndirectStrings();
        private int _emitted;
        private int _strings;

        /// <summary>.reg exports of FirewallRules keys (UTF-16LE or UTF-8) or text files with one rule string per line. Wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>Rule strings such as "v2.10|Action=Allow|Dir=In|...|", optionally prefixed with "RuleID=".</summary>
        [Parameter(Mandatory = true, ParameterSetName = StringSet, ValueFromPipeline = true)]
        [AllowEmptyString]
        public string[]? RuleString { get; set; }

        /// <summary>Which registry store to read: Local, GroupPolicy or All (default). Windows only.</summary>
        [Parameter(ParameterSetName = RegistrySet)]
        [ValidateSet("Local", "GroupPolicy", "All", IgnoreCase = true)]
        public string Store { get; set; } = "All";

        protected override void BeginProcessing()
        {
            _rules = new NativeRuleSet();
            // With pipeline input the parameter set is only known once the input binds: rule strings
            // (or paths by property name) are coming, so the registry is not read.
            if (ParameterSetName != RegistrySet || MyInvocation.ExpectingInput) return;
            bool all = string.Equals(Store, "All", StringComparison.OrdinalIgnoreCase);
            try
            {
                if (all || string.Equals(Store, "Local", StringComparison.OrdinalIgnoreCase))
                    _rules.LoadRegistry(FwNative.StoreLocal);
                if (all || string.Equals(Store, "GroupPolicy", StringComparison.OrdinalIgnoreCase))
                    _rules.LoadRegistry(FwNative.StoreGroupPolicy);
            }
            catch (FwNativeException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, e.IsNotFound ? ErrorIds.RegistryUnavailable : ErrorIds.RegistryReadError,
                    e.IsNotFound ? ErrorCategory.NotImplemented : e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError,
                    Store)
                {
                    ErrorDetails = new ErrorDetails(e.IsNotFound
                        ? "Get-FwRule reads the rules in force from the Windows registry, which this system does not have. Use -Path with a .reg export (reg export HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules rules.reg) or -RuleString."
                        : e.Message),
                });
            }
            Flush(null);
        }

        protected override void ProcessRecord()
        {
            if (_rules == null) return;
            if (ParameterSetName == PathSet)
            {
                foreach (var given in Path ?? Array.Empty<string>())
                    foreach (var file in Resolve(given))
                    {
                        try
                        {
                            _rules.LoadFile(file, FwNative.StoreUnspecified);
                        }
                        catch (FwNativeException e)
                        {
                            WriteError(new ErrorRecord(e, ErrorIds.RuleFileError,
                                e.IsNotFound ? ErrorCategory.ObjectNotFound : e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError,
                                file));
                        }
                        Flush(file);
                    }
            }
            else if (ParameterSetName == StringSet)
            {
                foreach (var s in RuleString ?? Array.Empty<string>())
                {
                    _strings++;
                    if (s == null) continue;
                    string? id = SplitId(s, out var text);
                    // A NUL cannot cross the C ABI (the text would end there): name the rule and the byte position,
                    // as the native parser does for files.
                    int nul = text.IndexOf('\0');
                    if (nul >= 0 || (id != null && id.IndexOf('\0') >= 0))
                    {
                        string label = string.IsNullOrEmpty(id) ? "RuleString" + _strings.ToString(System.Globalization.CultureInfo.InvariantCulture) : id!.Replace("\0", "\\0");
                        string what = nul >= 0
                            ? $"position {System.Text.Encoding.UTF8.GetByteCount(text.Substring(0, nul)) + 1}: a NUL byte inside the rule string"
                            : "a NUL byte in the rule's name";
                        WriteError(new ErrorRecord(new FormatException($"rule '{label}': {what}."), ErrorIds.RuleParseError, ErrorCategory.ParserError, s));
                        continue;
                    }
                    try
                    {
                        _rules.Add(id ?? string.Empty, text, FwNative.StoreOther);
                    }
                    catch (FwNativeException e)
                    {
                        WriteError(new ErrorRecord(e, ErrorIds.RuleParseError, ErrorCategory.ParserError, s));
                        continue;
                    }
                    Flush(null);
                }
            }
        }

        /// <summary>Writes the rules added since the last call, and the rules that could not be loaded as errors.</summary>
        private void Flush(string? file)
        {
            if (_rules == null) return;
            foreach (var d in _rules.TakeDiagnostics())
            {
                var ex = new FormatException(d.Message);
                WriteError(new ErrorRecord(ex, ErrorIds.RuleParseError, ErrorCategory.ParserError, string.IsNullOrEmpty(d.Name) ? (object?)file : d.Name));
            }
            int count = _rules.Count;
            for (; _emitted < count; _emitted++)
            {
                var rule = _rules.Get(_emitted);
                _indirect.Apply(rule);
                if (rule.StoreValue == FwRuleStore.RuleString && string.IsNullOrEmpty(rule.Name))
                    rule.Name = !string.IsNullOrEmpty(rule.DisplayName) && !rule.IsIndirect
                        ? rule.DisplayName!
                        : "RuleString" + _strings.ToString(System.Globalization.CultureInfo.InvariantCulture);
                WriteObject(rule);
            }
        }

        protected override void EndProcessing()
        {
            if (_indirect.Unresolved > 0)
                WriteVerbose(string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    "{0} indirect string(s) such as @FirewallAPI.dll,-28775 could not be resolved {1}: those rules keep the raw text, with DisplayNameResolved (DescriptionResolved, DisplayGroupResolved) $false.",
                    _indirect.Unresolved, Environment.OSVersion.Platform == PlatformID.Win32NT
                        ? "(their DLL or string id is not on this computer)" : "(that needs Windows)"));
        }

        /// <summary>"RuleID=v2.10|..." -> RuleID, text "v2.10|..."; a string that starts with the version has no ID (null).</summary>
        internal static string? SplitId(string s, out string text)
        {
            text = s.Trim();
            if (text.Length >= 2 && (text[0] == 'v' || text[0] == 'V') && char.IsDigit(text[1])) return null;
            int eq = text.IndexOf('='), bar = text.IndexOf('|');
            if (eq <= 0 || (bar >= 0 && eq > bar)) return null;
            string id = text.Substring(0, eq).Trim();
            text = text.Substring(eq + 1).Trim();
            return id;
        }

        private IEnumerable<string> Resolve(string given)
        {
            var result = new List<string>();
            try
            {
                var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out var provider);
                if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    WriteError(new ErrorRecord(new ArgumentException($"'{given}' is not a file system path (provider {provider.Name})."),
                        ErrorIds.RuleFileError, ErrorCategory.InvalidArgument, given));
                    return result;
                }
                foreach (var p in resolved)
                {
                    if (Directory.Exists(p))
                        WriteError(new ErrorRecord(new ArgumentException($"Cannot read '{p}': it is a folder; give a .reg export or a text file of rule strings."),
                            ErrorIds.RuleFileError, ErrorCategory.InvalidArgument, p));
                    else
                        result.Add(p);
                }
                if (resolved.Count == 0)
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No rule file matches '{given}'."),
                        ErrorIds.RuleFileError, ErrorCategory.ObjectNotFound, given));
            }
            catch (ItemNotFoundException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.RuleFileError, ErrorCategory.ObjectNotFound, given));
            }
            catch (Exception e) when (e is SessionStateException || e is ProviderInvocationException ||
                                      e is ArgumentException || e is NotSupportedException || e is IOException)
            {
                WriteError(new ErrorRecord(e, ErrorIds.RuleFileError, ErrorCategory.InvalidArgument, given));
            }
            result.Sort(StringComparer.Ordinal);
            return result;
        }

        public void Dispose()
        {
            _rules?.Dispose();
            _rules = null;
        }
    }
}
