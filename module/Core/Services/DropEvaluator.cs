using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using Fw.Native;

namespace Fw.Core.Services
{
    /// <summary>
    /// Test-FwDrop's evaluation: rules in (Get-FwRule objects, rule strings or the registry), drops in, grouped into
    /// flows (direction, protocol, local address, port, remote address), and for each flow the native evaluator's
    /// answer (fw_ruleset_evaluate) as an FwDropVerdict. No Cmdlet: problems come back as <see cref="ServiceMessage"/>s.
    /// </summary>
    internal sealed class DropEvaluator : IDisposable
    {
        private NativeRuleSet? _rules = new NativeRuleSet();
        private readonly List<FwRule?> _given = new List<FwRule?>(); // native index -> the -Rule object
        private readonly Dictionary<int, FwRule> _loaded = new Dictionary<int, FwRule>();
        private readonly Dictionary<string, Flow> _flows = new Dictionary<string, Flow>(StringComparer.Ordinal);
        private readonly List<Flow> _order = new List<Flow>();
        private readonly IndirectStrings _indirect = new IndirectStrings();
        private readonly ServiceMessages _messages = new ServiceMessages();
        private string? _ambiguousExample;

        private sealed class Flow
        {
            public FwDrop First = null!;
            public long Count;
            public DateTime? FirstSeen, LastSeen;
        }

        /// <summary>Rules loaded so far.</summary>
        internal int RuleCount => Rules.Count;

        /// <summary>Input records that were not DROP lines (not tested).</summary>
        internal long NotDrops { get; private set; }

        /// <summary>Drops whose time text was ambiguous (day and month could swap).</summary>
        internal long AmbiguousTimes { get; private set; }

        /// <summary>Distinct flows so far.</summary>
        internal int FlowCount => _order.Count;

        /// <summary>Errors and warnings since the last call, in order.</summary>
        internal IReadOnlyList<ServiceMessage> TakeMessages() => _messages.Take();

        private NativeRuleSet Rules => _rules ?? throw new ObjectDisposedException(nameof(DropEvaluator));

        /// <summary>
        /// Adds -Rule objects (FwRule, or anything with Name and RuleString). One that has no rule string or does
        /// not parse is an error message (FwRuleInvalid, FwRuleParseError); the others are loaded. Returns how many
        /// non-null objects were given.
        /// </summary>
        internal int AddRules(IEnumerable<PSObject?> rules)
        {
            int given = 0;
            foreach (var o in rules)
            {
                if (o == null) continue;
                given++;
                var typed = o.BaseObject as FwRule;
                string? text = typed?.RuleString ?? DropValues.PropertyText(o, "RuleString");
                if (string.IsNullOrEmpty(text))
                {
                    _messages.Error(ErrorIds.RuleInvalid, new ArgumentException("A -Rule object has no RuleString property (use Get-FwRule)."),
                        ErrorCategory.InvalidArgument, o);
                    continue;
                }
                try
                {
                    Rules.Add(typed?.Name ?? DropValues.PropertyText(o, "Name") ?? string.Empty, text!,
                        typed != null ? StoreOf(typed.StoreValue) : FwNative.StoreOther);
                    _given.Add(typed); // null: the parsed rule stands for a deserialized one
                }
                catch (FwNativeException e)
                {
                    _messages.Error(ErrorIds.RuleParseError, e, ErrorCategory.ParserError, o);
                }
            }
            return given;
        }

        /// <summary>Adds one rule string (registry syntax, v2.x|...) as given rule <paramref name="name"/>.
        /// Throws <see cref="FwNativeException"/> when it does not parse.</summary>
        internal void AddRule(string name, string ruleString)
        {
            Rules.Add(name, ruleString, FwNative.StoreOther);
            _given.Add(null);
        }

        /// <summary>
        /// Loads the rules in force from the registry's local and Group Policy stores. Unreadable single rules become
        /// warnings; no registry (off Windows) or an unreadable store throws <see cref="ServiceException"/>
        /// (FwRulesRequired, FwRegistryReadError).
        /// </summary>
        internal void LoadRegistry()
        {
            string? hook = TestHooks.FirewallRulesFile; // tests: act as a Windows computer with these rules and policy
            try
            {
                if (!string.IsNullOrEmpty(hook))
                {
                    Rules.LoadFile(hook!, FwNative.StoreUnspecified); // the store from each rule's key
                }
                else
                {
                    Rules.LoadRegistry(FwNative.StoreLocal);
                    Rules.LoadRegistry(FwNative.StoreGroupPolicy);
                }
                // Where Group Policy sets AllowLocalPolicyMerge = 0, Windows enforces only Group Policy rules.
                Rules.LocalMerge = NativeRuleSet.ReadLocalMerge(string.IsNullOrEmpty(hook) ? null : hook);
            }
            catch (FwNativeException e)
            {
                throw ServiceException.Of(e.IsNotFound ? ErrorIds.RulesRequired : ErrorIds.RegistryReadError, e,
                    e.IsNotFound ? ErrorCategory.InvalidArgument : e.IsAccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, null,
                    e.IsNotFound
                        ? "Test-FwDrop needs the firewall rules: on this system there is no registry to read them from. Pass them with -Rule, for example -Rule (Get-FwRule -Path rules.reg)."
                        : e.Message);
            }
            foreach (var d in Rules.TakeDiagnostics())
                _messages.Warning($"A rule in the registry could not be read and is ignored: {d.Message}");
            uint merged = Rules.LocalMerge;
            if (merged != 7u)
                _messages.Verbose($"Group Policy does not merge local rules in the {(merged == 0 ? "Domain, Private, Public" : FwRule.ProfileText(7u & ~merged))} profile(s) " +
                    "(AllowLocalPolicyMerge = 0): there only Group Policy rules are in force, and verdicts name the local rules Windows ignores.");
        }

        /// <summary>"No rules" is not "no matching rule": with nothing to test against, every verdict would be a confident wrong answer.</summary>
        internal static ServiceMessage NoRules(string from, object? target) =>
            ServiceMessage.Error(ErrorIds.NoRules, new InvalidOperationException(
                    "Test-FwDrop: no rules loaded from " + from + "; 'no matching rule' would be meaningless. " +
                    "Pass the rules in force, for example -Rule (Get-FwRule -Path rules.reg) with a .reg export of the FirewallRules key."),
                ErrorCategory.InvalidArgument, target);

        /// <summary>Adds an input object (FwDrop, or anything with its property names); one that is not a drop is an
        /// error message (FwDropInvalid), one that is not a DROP line is counted in <see cref="NotDrops"/>.</summary>
        internal void Add(PSObject input)
        {
            FwDrop d;
            try
            {
                d = DropValues.ToDrop(input, out var ambiguous);
                if (ambiguous != null)
                {
                    AmbiguousTimes++;
                    _ambiguousExample ??= ambiguous;
                }
            }
            catch (ArgumentException e)
            {
                _messages.Error(ErrorIds.DropInvalid, e, ErrorCategory.InvalidData, input);
                return;
            }
            Add(d);
        }

        /// <summary>Adds a drop to its flow.</summary>
        internal void Add(FwDrop d)
        {
            if (!string.Equals(d.Action, "DROP", StringComparison.OrdinalIgnoreCase))
            {
                NotDrops++;
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

        /// <summary>The messages that close a run: untested records (verbose), ambiguous times (warning).</summary>
        internal IReadOnlyList<ServiceMessage> Summary()
        {
            if (NotDrops > 0)
                _messages.Verbose($"{NotDrops} record(s) that are not DROP lines were not tested.");
            if (AmbiguousTimes > 0)
                _messages.Warning(DropValues.AmbiguousTimeWarning(AmbiguousTimes, _ambiguousExample!));
            return _messages.Take();
        }

        /// <summary>A verdict per flow, in the order the flows were first seen. <paramref name="profile"/>: the active
        /// profile (Domain, Private, Public) or null for unknown; <paramref name="allRules"/>: list every rule.</summary>
        internal IEnumerable<FwDropVerdict> Verdicts(string? profile, bool allRules)
        {
            uint mask = ProfileMask(profile);
            uint flags = allRules ? FwNative.EvalAllRules : 0u;
            foreach (var flow in _order)
                yield return Evaluate(flow, profile, mask, flags);
        }

        private FwDropVerdict Evaluate(Flow flow, string? profileName, uint profile, uint flags)
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

            Ensure.Success(FwNative.fw_ruleset_evaluate(out var ev, Rules.Handle, ref packet, flags));
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
                    Profile = profileName == null ? "Unknown" : FwRule.ProfileText(profile),
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
                rule = Rules.Get(index);
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
