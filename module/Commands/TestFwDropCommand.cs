using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// Test-FwDrop: for each distinct flow of dropped packets, what the firewall rules say about it and why - which
    /// rule should have allowed it, whether it is disabled, scoped to a program or service, limited to a profile or
    /// address, or blocked by a block rule. The matching runs natively (fw/rules.h).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "FwDrop")]
    [OutputType(typeof(FwDropVerdict))]
    public sealed class TestFwDropCommand : PSCmdlet, IDisposable
    {
        private NativeRuleSet? _rules;
        private readonly List<FwRule?> _given = new List<FwRule?>(); // native index -> the -Rule object
        private readonly Dictionary<int, FwRule> _loaded = new Dictionary<int, FwRule>();
        private readonly Dictionary<string, Flow> _flows = new Dictionary<string, Flow>(StringComparer.Ordinal);
        private readonly List<Flow> _order = new List<Flow>();
        private long _notDrops;
        private readonly IndirectStrings _indirect = new IndirectStrings();
        private long _ambiguousTimes;
        private string? _ambiguousExample;

        private sealed class Flow
        {
            public FwDrop First = null!;
            public long Count;
            public DateTime? FirstSeen, LastSeen;
        }

        /// <summary>Drops from Get-FwDrop, or objects with its property names: deserialized ones from Invoke-Command or
        /// Import-Clixml, rows from Import-Csv.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull] // $drops | Test-FwDrop when the query found nothing: no verdicts, not a binding error
        public PSObject? InputObject { get; set; }

        /// <summary>The rules to test against: Get-FwRule output, or any objects with Name and RuleString properties
        /// (such as deserialized ones). Default on Windows: the rules in force, read from the local and Group Policy
        /// stores in the registry. Required elsewhere.</summary>
        [Parameter]
        public PSObject[]? Rule { get; set; }

        /// <summary>The profile that was active when the packets were dropped. Default: unknown, and the verdict says
        /// where the profile decides the answer.</summary>
        [Parameter]
        [ValidateSet("Domain", "Private", "Public", IgnoreCase = true)]
        public string? Profile { get; set; }

        /// <summary>List every rule in MatchingRules with the reason it does not apply, not only the relevant ones.</summary>
        [Parameter]
        public SwitchParameter AllRules { get; set; }

        protected override void BeginProcessing()
        {
            _rules = new NativeRuleSet();
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Rule)))
            {
                int given = 0;
                foreach (var o in Rule ?? Array.Empty<PSObject>())
                {
                    if (o != null) given++;
                }
                foreach (var o in Rule ?? Array.Empty<PSObject>())
                {
                    if (o == null) continue;
                    var typed = o.BaseObject as FwRule;
                    string? text = typed?.RuleString ?? DropValues.PropertyText(o, "RuleString");
                    if (string.IsNullOrEmpty(text))
                    {
                        WriteError(new ErrorRecord(new ArgumentException("A -Rule object has no RuleString property (use Get-FwRule)."),
                            "FwRuleInvalid", ErrorCategory.InvalidArgument, o));
                        continue;
                    }
                    try
                    {
                        _rules.Add(typed?.Name ?? DropValues.PropertyText(o, "Name") ?? string.Empty, text!,
                            typed != null ? StoreOf(typed.StoreValue) : FwNative.StoreOther);
                        _given.Add(typed); // null: the parsed rule stands for a deserialized one
                    }
                    catch (FwNativeException e)
                    {
                        WriteError(new ErrorRecord(e, "FwRuleParseError", ErrorCategory.ParserError, o));
                    }
                }
                if (_rules.Count == 0)
                    ThrowNoRules(given == 0
                        ? "-Rule is empty (did Get-FwRule find the file? a missing or empty .reg gives no rules)"
                        : string.Format(CultureInfo.InvariantCulture, "-Rule: none of its {0} object(s) could be read as a rule", given));
                return;
            }
            try
            {
                _rules.LoadRegistry(FwNative.StoreLocal);
                _rules.LoadRegistry(FwNative.StoreGroupPolicy);
            }
            catch (FwNativeException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, e.IsNotFound ? "FwRulesRequired" : "FwRegistryReadError",
                    e.IsNotFound ? ErrorCategory.InvalidArgument : e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, null)
                {
                    ErrorDetails = new ErrorDetails(e.IsNotFound
                        ? "Test-FwDrop needs the firewall rules: on this system there is no registry to read them from. Pass them with -Rule, for example -Rule (Get-FwRule -Path rules.reg)."
                        : e.Message),
                });
            }
            foreach (var d in _rules.TakeDiagnostics())
                WriteWarning($"A rule in the registry could not be read and is ignored: {d.Message}");
            if (_rules.Count == 0)
                ThrowNoRules("the local and Group Policy stores in the registry (none could be read, or this session cannot see them)");
        }

        /// <summary>"No rules" is not "no matching rule": with nothing to test against, every verdict would be a confident wrong answer.</summary>
        private void ThrowNoRules(string from)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                    "Test-FwDrop: no rules loaded from " + from + "; 'no matching rule' would be meaningless. " +
                    "Pass the rules in force, for example -Rule (Get-FwRule -Path rules.reg) with a .reg export of the FirewallRules key."),
                "FwNoRules", ErrorCategory.InvalidArgument, Rule));
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            FwDrop d;
            try
            {
                d = DropValues.ToDrop(InputObject, out var ambiguous);
                if (ambiguous != null)
                {
                    _ambiguousTimes++;
                    _ambiguousExample ??= ambiguous;
                }
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(e, "FwDropInvalid", ErrorCategory.InvalidData, InputObject));
                return;
            }
            if (!string.Equals(d.Action, "DROP", StringComparison.OrdinalIgnoreCase))
            {
                _notDrops++;
                return;
            }
            bool outbound = d.DirectionValue == FwDirection.Outbound;
            bool icmp = IsIcmp(d.Protocol);
            string port = icmp ? "icmp:" + d.IcmpType : (outbound ? d.RemotePort : d.LocalPort)?.ToString(CultureInfo.InvariantCulture) ?? "-";
            string key = string.Join("|", d.Direction?.ToString() ?? "-", (d.Protocol ?? "-").ToUpperInvariant(),
                d.LocalAddress?.ToString() ?? "-", port, d.RemoteAddress?.ToString() ?? "-");
            if (!_flows.TryGetValue(key, out var flow))
            {
                flow = new Flow { First = d };
                _flows.Add(key, flow);
                _order.Add(flow);
            }
            flow.Count++;
            if (d.Time != default)
            {
                if (flow.FirstSeen == null || d.Time < flow.FirstSeen) flow.FirstSeen = d.Time;
                if (flow.LastSeen == null || d.Time > flow.LastSeen) flow.LastSeen = d.Time;
            }
        }

        protected override void EndProcessing()
        {
            if (_rules == null) return;
            if (_notDrops > 0)
                WriteVerbose($"{_notDrops} record(s) that are not DROP lines were not tested.");
            if (_ambiguousTimes > 0)
                WriteWarning(DropValues.AmbiguousTimeWarning(_ambiguousTimes, _ambiguousExample!));
            uint profile = ProfileMask(Profile);
            uint flags = AllRules.IsPresent ? FwNative.EvalAllRules : 0u;
            foreach (var flow in _order)
                WriteObject(Evaluate(flow, profile, flags));
        }

        private FwDropVerdict Evaluate(Flow flow, uint profile, uint flags)
        {
            var d = flow.First;
            var packet = new FwPacketNative
            {
                Direction = d.DirectionValue == FwDirection.Inbound ? 1 : d.DirectionValue == FwDirection.Outbound ? 2 : 0,
                Protocol = ProtocolNumber(d.Protocol, d.RemoteAddress ?? d.LocalAddress),
                LocalPort = d.LocalPort ?? -1,
                RemotePort = d.RemotePort ?? -1,
                IcmpType = (short)(d.IcmpType is int t && t >= 0 && t <= 255 ? t : -1),
                IcmpCode = (short)(d.IcmpCode is int c && c >= 0 && c <= 255 ? c : -1),
                Profiles = profile,
            };
            if (packet.LocalPort < -1 || packet.LocalPort > 65535) packet.LocalPort = -1;
            if (packet.RemotePort < -1 || packet.RemotePort > 65535) packet.RemotePort = -1;
            DropValues.SetAddress(ref packet.Local, d.LocalAddress);
            DropValues.SetAddress(ref packet.Remote, d.RemoteAddress);

            Ensure.Success(FwNative.fw_ruleset_evaluate(out var ev, _rules!.Handle, ref packet, flags));
            using (ev)
            {
                Ensure.Success(FwNative.fw_evaluation_get(ev, out var info));
                int count = checked((int)info.Count.ToUInt64());
                var matches = new FwRuleMatch[count];
                for (int i = 0; i < count; i++)
                {
                    Ensure.Success(FwNative.fw_evaluation_rule(ev, (UIntPtr)(ulong)i, out var r));
                    matches[i] = new FwRuleMatch
                    {
                        Rule = RuleAt(checked((int)r.Index.ToUInt64())),
                        Applies = r.Applies == 1 ? "Yes" : r.Applies == 2 ? "Maybe" : "No",
                        Reason = Utf8.FromNative(FwNative.fw_rule_reason_name(r.Reason)) ?? string.Empty,
                        Enabled = r.Enabled != 0,
                        Deciding = r.Deciding != 0,
                        Explanation = Utf8.FromNative(r.Text) ?? string.Empty,
                    };
                }
                return new FwDropVerdict
                {
                    Direction = d.Direction,
                    Protocol = d.Protocol,
                    LocalAddress = d.LocalAddress,
                    LocalPort = d.LocalPort,
                    RemoteAddress = d.RemoteAddress,
                    RemotePort = d.RemotePort,
                    IcmpType = d.IcmpType,
                    Count = flow.Count,
                    FirstSeen = flow.FirstSeen,
                    LastSeen = flow.LastSeen,
                    Profile = Profile == null ? "Unknown" : FwRule.ProfileText(profile),
                    Verdict = ((FwVerdict)info.Verdict).ToString(),
                    Explanation = Utf8.FromNative(info.Explanation) ?? string.Empty,
                    MatchingRules = matches,
                };
            }
        }

        private FwRule RuleAt(int index)
        {
            if (index < _given.Count && _given[index] != null) return _given[index]!;
            if (!_loaded.TryGetValue(index, out var rule))
            {
                rule = _rules!.Get(index);
                _indirect.Apply(rule);
                _loaded.Add(index, rule);
            }
            return rule;
        }

        private static int StoreOf(FwRuleStore store) => store switch
        {
            FwRuleStore.Local => FwNative.StoreLocal,
            FwRuleStore.GroupPolicy => FwNative.StoreGroupPolicy,
            FwRuleStore.File => FwNative.StoreFile,
            _ => FwNative.StoreOther,
        };

        internal static uint ProfileMask(string? profile) => profile?.ToLowerInvariant() switch
        {
            "domain" => 1u,
            "private" => 2u,
            "public" => 4u,
            _ => 0u,
        };

        private static bool IsIcmp(string? protocol) =>
            protocol != null && (protocol.StartsWith("ICMP", StringComparison.OrdinalIgnoreCase) || protocol == "1" || protocol == "58");

        internal static int ProtocolNumber(string? protocol, string? peer)
        {
            if (string.IsNullOrEmpty(protocol)) return -1;
            switch (protocol!.ToUpperInvariant())
            {
                case "TCP": return 6;
                case "UDP": return 17;
                case "ICMPV6": return 58;
                case "ICMPV4": return 1;
                // The log says ICMP for both families; an IPv6 peer means ICMPv6.
                case "ICMP": return peer != null && peer.IndexOf(':') >= 0 ? 58 : 1;
            }
            return int.TryParse(protocol, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 255 ? n : -1;
        }

        public void Dispose()
        {
            _rules?.Dispose();
            _rules = null;
        }
    }
}
