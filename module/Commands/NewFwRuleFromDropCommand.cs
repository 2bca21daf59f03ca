using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// New-FwRuleFromDrop: turns dropped traffic into the fewest, narrowest allow rules, deduplicated against
    /// the rules in force, and creates them with New-NetFirewallRule (or writes them as a script).
    /// Grouping, scoping, merging and deduplication run in fwcore (fw/synth.h); this cmdlet binds input,
    /// aggregates in EndProcessing and calls New-NetFirewallRule from the caller's session.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "FwRuleFromDrop", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(FwRuleCandidate))]
    [OutputType(typeof(string))]
    public sealed class NewFwRuleFromDropCommand : PSCmdlet, IDisposable
    {
        private const int BatchSize = 4096;
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

        private SafeSynthHandle? _synth;
        private readonly List<FwSynthDrop> _batch = new List<FwSynthDrop>(BatchSize);
        private long _drops;
        private long _notDrops;
        private CommandInfo? _newRule;

        /// <summary>Drops from Get-FwDrop.</summary>
        [Parameter(ValueFromPipeline = true)]
        public FwDrop? InputObject { get; set; }

        /// <summary>Inbound or Outbound (by property name: deserialized or CSV input).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Direction { get; set; }

        /// <summary>TCP, UDP, ICMP, ICMPv6 or a protocol number (by property name).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Protocol { get; set; }

        /// <summary>This computer's port (by property name); the rule's port for inbound traffic.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? LocalPort { get; set; }

        /// <summary>The peer's port (by property name); the rule's port for outbound traffic.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? RemotePort { get; set; }

        /// <summary>The peer's address (by property name): an IPAddress, or its text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? RemoteAddress { get; set; }

        /// <summary>When the drop was logged (by property name): a DateTime or its text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Time { get; set; }

        /// <summary>The ICMP type (by property name), for ICMP drops.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? IcmpType { get; set; }

        /// <summary>
        /// Remote addresses rules may allow: addresses, CIDR blocks, masks, ranges (a-b), or keywords such as
        /// LocalSubnet, Intranet or Any. Drops from outside every entry come back OutOfScope. Rules are scoped to the
        /// entries that matched. Without -Scope, a rule allows exactly the remote addresses seen.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Scope { get; set; }

        /// <summary>Firewall profiles the rules apply to. Default: Any.</summary>
        [Parameter]
        [ValidateSet("Domain", "Private", "Public", "Any", IgnoreCase = true)]
        public string[]? Profile { get; set; }

        /// <summary>The rule group (New-NetFirewallRule -Group). Default: Fw.</summary>
        [Parameter]
        [ValidateNotNull]
        public string Group { get; set; } = "Fw";

        /// <summary>Text put before each rule's display name. Default: Fw.</summary>
        [Parameter]
        [ValidateNotNull]
        public string DisplayNamePrefix { get; set; } = "Fw";

        /// <summary>Allow inbound TCP in the RPC dynamic range as LocalPort RPC (plus RPCEPMap for sources that also hit 135).</summary>
        [Parameter]
        public SwitchParameter UseRpcKeyword { get; set; }

        /// <summary>Merge adjacent or overlapping ports into ranges when everything else about the rules is equal.</summary>
        [Parameter]
        public SwitchParameter MergePorts { get; set; }

        /// <summary>
        /// The rules in force to deduplicate against: Fw.FwRule objects from Get-FwRule (or any objects with Name and
        /// RuleString properties, such as deserialized ones). Default: on Windows, the local and Group Policy rules in
        /// the registry; elsewhere none.
        /// </summary>
        [Parameter]
        [AllowEmptyCollection]
        public PSObject[]? ExistingRule { get; set; }

        /// <summary>Create nothing; output a reviewable PowerShell script of New-NetFirewallRule commands.</summary>
        [Parameter]
        public SwitchParameter AsScript { get; set; }

        /// <summary>Also create rules that an existing block rule would override (BlockedByRule).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private uint ProfileMask
        {
            get
            {
                if (Profile == null) return 0;
                uint mask = 0;
                foreach (var p in Profile)
                {
                    switch (p.ToLowerInvariant())
                    {
                        case "any": return 0;
                        case "domain": mask |= 1; break;
                        case "private": mask |= 2; break;
                        case "public": mask |= 4; break;
                    }
                }
                return mask == 7 ? 0 : mask;
            }
        }

        internal static string ProfileText(uint mask)
        {
            if (mask == 0 || mask == 7) return "Any";
            var parts = new List<string>(3);
            if ((mask & 1) != 0) parts.Add("Domain");
            if ((mask & 2) != 0) parts.Add("Private");
            if ((mask & 4) != 0) parts.Add("Public");
            return string.Join(",", parts);
        }

        protected override void BeginProcessing()
        {
            var scope = Scope ?? Array.Empty<string>();
            var encoded = scope.Select(s => Utf8.ToNative(s)).ToArray();
            var pins = encoded.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            var pointers = pins.Select(h => h.AddrOfPinnedObject()).ToArray();
            var arrayPin = GCHandle.Alloc(pointers, GCHandleType.Pinned);
            try
            {
                var options = new FwSynthOptions
                {
                    Version = FwNative.SynthOptionsVersion,
                    Scope = pointers.Length == 0 ? IntPtr.Zero : arrayPin.AddrOfPinnedObject(),
                    ScopeCount = (UIntPtr)(uint)pointers.Length,
                    MergePorts = MergePorts ? 1 : 0,
                    UseRpcKeyword = UseRpcKeyword ? 1 : 0,
                    Profile = ProfileMask,
                };
                int rc = FwNative.fw_synth_new(out var synth, ref options);
                if (rc != (int)FwStatus.Ok)
                {
                    var e = Ensure.LastError(rc);
                    synth.Dispose();
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(e.Message, nameof(Scope), e),
                        "FwScopeInvalid", ErrorCategory.InvalidArgument, Scope));
                }
                _synth = synth;
            }
            catch (DllNotFoundException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "FwNativeLoadFailed", ErrorCategory.ResourceUnavailable, FwNative.Library));
            }
            finally
            {
                arrayPin.Free();
                foreach (var h in pins) h.Free();
            }
        }

        protected override void ProcessRecord()
        {
            object? target = InputObject ?? (object?)RemoteAddress;
            if (InputObject != null && !string.IsNullOrEmpty(InputObject.Action) &&
                !string.Equals(InputObject.Action, "DROP", StringComparison.OrdinalIgnoreCase))
            {
                _notDrops++;
                return;
            }
            FwSynthDrop drop;
            try
            {
                drop = InputObject != null
                    ? FromValues(InputObject.Direction, InputObject.Protocol, InputObject.LocalPort, InputObject.RemotePort,
                        InputObject.RemoteAddress, InputObject.Time, InputObject.IcmpType)
                    : FromValues(Direction, Protocol, LocalPort, RemotePort, RemoteAddress, Time, IcmpType);
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(e, "FwDropInvalid", ErrorCategory.InvalidData, target));
                return;
            }
            _batch.Add(drop);
            _drops++;
            if (_batch.Count >= BatchSize) Flush();
        }

        private void Flush()
        {
            if (_batch.Count == 0 || _synth == null) return;
            var array = _batch.ToArray();
            _batch.Clear();
            int rc = FwNative.fw_synth_add_drops(_synth, array, (UIntPtr)(uint)array.Length);
            if (rc != (int)FwStatus.Ok)
            {
                // Every drop was validated above; a refusal here is an internal inconsistency.
                var e = Ensure.LastError(rc);
                ThrowTerminatingError(new ErrorRecord(e, "FwSynthFailed", ErrorCategory.InvalidData, null));
            }
        }

        protected override void EndProcessing()
        {
            if (_synth == null) return;
            Flush();
            if (_notDrops > 0)
                WriteWarning(string.Format(CultureInfo.InvariantCulture,
                    "{0} record(s) were not drops (Action other than DROP) and were ignored.", _notDrops));
            if (_drops == 0) return;

            using (var rules = LoadExistingRules())
            {
                Ensure.Success(FwNative.fw_synth_set_existing(_synth, rules.Handle));
            }
            Ensure.Success(FwNative.fw_synth_run(_synth, out var countPtr));
            ulong count = countPtr.ToUInt64();
            var candidates = new List<FwRuleCandidate>();
            for (ulong i = 0; i < count; i++)
            {
                Ensure.Success(FwNative.fw_synth_candidate_get(_synth, (UIntPtr)i, out var c));
                candidates.Add(ToCandidate(c));
            }

            var script = AsScript ? new StringBuilder() : null;
            int toCreate = 0;
            bool keywordWarned = false;
            var done = new Dictionary<string, FwRuleCandidateStatus>(StringComparer.OrdinalIgnoreCase);
            foreach (var c in candidates)
            {
                if (c.ScopeByKeyword && !keywordWarned)
                {
                    keywordWarned = true;
                    WriteWarning("An address keyword in -Scope (" + string.Join(", ", (Scope ?? Array.Empty<string>())) +
                        ") cannot be checked against a log line: drops were accepted for it, and the firewall decides at run time which addresses it covers.");
                }
                if (c.StatusValue == FwRuleCandidateStatus.OutOfScope || c.StatusValue == FwRuleCandidateStatus.AlreadyAllowed)
                {
                    Emit(c, script);
                    continue;
                }
                if (c.StatusValue == FwRuleCandidateStatus.BlockedByRule && !Force)
                {
                    WriteWarning($"{c.DisplayName}: the enabled block rule '{c.BlockingRule}' would override an allow rule (block wins); not created. Use -Force to create it anyway.");
                    Emit(c, script);
                    continue;
                }
                if (c.IsDynamicRpcPort && !UseRpcKeyword)
                    WriteWarning($"{c.DisplayName}: TCP port {c.LocalPort} is in the RPC dynamic range 49152-65535; the port an RPC service listens on can change after a reboot. Consider -UseRpcKeyword (LocalPort RPC).");
                if (c.DisabledRule != null)
                    WriteWarning($"{c.DisplayName}: the disabled rule '{c.DisabledRule}' would allow this traffic; enabling it (Enable-NetFirewallRule -Name <id>) may be all that is needed.");

                // With a scope, traffic split by the rules in force (say, blocked and not) can map to the same rule:
                // it is created once.
                if (done.TryGetValue(c.Name, out var earlier))
                {
                    c.StatusValue = earlier;
                    Emit(c, script);
                    continue;
                }
                toCreate++;
                if (script != null)
                {
                    c.StatusValue = FwRuleCandidateStatus.WouldCreate;
                    script.Append(ScriptLine(c)).Append('\n');
                    WriteVerbose($"{c.Name}: would create {c.DisplayName}");
                    done[c.Name] = c.StatusValue;
                    continue;
                }
                if (!ShouldProcess($"{c.DisplayName} ({c.Name})", ActionText(c)))
                    c.StatusValue = FwRuleCandidateStatus.WouldCreate;
                else
                    c.StatusValue = Create(c) ? FwRuleCandidateStatus.Created : FwRuleCandidateStatus.Failed;
                done[c.Name] = c.StatusValue;
                Emit(c, null);
            }

            if (script != null)
            {
                var header = new StringBuilder();
                header.Append("# New-NetFirewallRule commands from New-FwRuleFromDrop (Fw): ")
                      .Append(toCreate.ToString(CultureInfo.InvariantCulture)).Append(" rule(s) from ")
                      .Append(_drops.ToString(CultureInfo.InvariantCulture)).Append(" drop(s).\n")
                      .Append("# Review, then run on the target computer (NetSecurity module, elevated).\n");
                WriteObject(header.Append(script).ToString());
            }
        }

        private void Emit(FwRuleCandidate c, StringBuilder? script)
        {
            if (script != null)
            {
                WriteVerbose($"{c.Name}: {c.StatusValue}");
                return;
            }
            WriteObject(c);
        }

        // ---- Existing rules -------------------------------------------------------------------

        private NativeRuleSet LoadExistingRules()
        {
            var rules = new NativeRuleSet();
            try
            {
                if (MyInvocation.BoundParameters.ContainsKey(nameof(ExistingRule)))
                {
                    foreach (var o in ExistingRule ?? Array.Empty<PSObject>())
                    {
                        if (o == null) continue;
                        string? name = DropValues.PropertyText(o, "Name") ?? DropValues.PropertyText(o, "ID");
                        string? text = DropValues.PropertyText(o, "RuleString");
                        if (string.IsNullOrEmpty(text))
                        {
                            WriteError(new ErrorRecord(new ArgumentException("An -ExistingRule object has no RuleString property (use Get-FwRule)."),
                                "FwExistingRuleInvalid", ErrorCategory.InvalidArgument, o));
                            continue;
                        }
                        try
                        {
                            rules.Add(name ?? string.Empty, text!, FwNative.StoreOther);
                        }
                        catch (FwNativeException e)
                        {
                            WriteError(new ErrorRecord(e, "FwExistingRuleInvalid", ErrorCategory.InvalidData, o));
                        }
                    }
                }
                else if (Platform.IsWindows)
                {
                    foreach (int store in new[] { FwNative.StoreLocal, FwNative.StoreGroupPolicy })
                    {
                        try
                        {
                            rules.LoadRegistry(store);
                        }
                        catch (FwNativeException e)
                        {
                            ThrowTerminatingError(new ErrorRecord(e, "FwExistingRulesUnreadable", ErrorCategory.ReadError, null)
                            {
                                ErrorDetails = new ErrorDetails("The rules in force could not be read from the registry, so duplicates cannot be avoided: " +
                                    e.Message + ". Pass them with -ExistingRule (Get-FwRule), or -ExistingRule @() to deduplicate against none."),
                            });
                        }
                    }
                    foreach (var d in rules.TakeDiagnostics())
                        WriteWarning($"Rule '{d.Name}' in {d.Source} could not be read and is not used for deduplication: {d.Message}");
                }
                return rules;
            }
            catch
            {
                rules.Dispose();
                throw;
            }
        }

        // ---- Creating -------------------------------------------------------------------------

        private bool Create(FwRuleCandidate c)
        {
            if (_newRule == null)
            {
                _newRule = InvokeCommand.GetCommand("New-NetFirewallRule", CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias);
                if (_newRule == null)
                    ThrowTerminatingError(new ErrorRecord(
                        new CommandNotFoundException("New-NetFirewallRule is not available in this session (it comes with the Windows NetSecurity module). Use -AsScript or -WhatIf elsewhere."),
                        "FwNewNetFirewallRuleMissing", ErrorCategory.ObjectNotFound, "New-NetFirewallRule"));
            }
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            // By name, in a scope of its own (useLocalScope): a function such as a proxy must not run dot-sourced
            // into the caller's scope. Module-qualified when it came from a module, so the command found above runs.
            string commandName = string.IsNullOrEmpty(_newRule!.ModuleName) ? _newRule.Name : _newRule.ModuleName + "\\" + _newRule.Name;
            ps.AddCommand(commandName, useLocalScope: true);
            foreach (var p in Parameters(c)) ps.AddParameter(p.Key, p.Value);
            ps.AddParameter("Confirm", new SwitchParameter(false)); // confirmed (or not asked) by this cmdlet's ShouldProcess
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException e)
            {
                WriteError(new ErrorRecord(e.ErrorRecord, e));
                return false;
            }
            if (ps.Streams.Error.Count == 0) return true;
            foreach (var e in ps.Streams.Error) WriteError(e);
            return false;
        }

        /// <summary>The New-NetFirewallRule parameters for a candidate, in a stable order, with the cmdlet's own value forms.</summary>
        internal static List<KeyValuePair<string, object>> Parameters(FwRuleCandidate c)
        {
            var p = new List<KeyValuePair<string, object>>
            {
                Pair("Name", c.Name),
                Pair("DisplayName", c.DisplayName),
                Pair("Description", c.Description),
                Pair("Group", c.Group),
                Pair("Direction", c.DirectionValue == FwDirection.Outbound ? "Outbound" : "Inbound"),
                Pair("Action", "Allow"),
                Pair("Protocol", c.Protocol),
            };
            if (c.LocalPort != null) p.Add(Pair("LocalPort", new[] { c.LocalPort }));
            if (c.RemotePort != null) p.Add(Pair("RemotePort", new[] { c.RemotePort }));
            if (c.IcmpType != null) p.Add(Pair("IcmpType", new[] { c.IcmpType }));
            p.Add(Pair("RemoteAddress", c.RemoteAddress));
            p.Add(Pair("Profile", c.Profile));
            p.Add(Pair("Enabled", "True"));
            return p;
        }

        private static KeyValuePair<string, object> Pair(string name, object value) => new KeyValuePair<string, object>(name, value);

        internal static string ScriptLine(FwRuleCandidate c)
        {
            var sb = new StringBuilder("New-NetFirewallRule");
            foreach (var parameter in Parameters(c))
            {
                string name = parameter.Key;
                object value = parameter.Value;
                sb.Append(" -").Append(name).Append(' ');
                sb.Append(value is string[] list ? ScriptQuoting.QuoteList(list) : ScriptQuoting.Quote((string)value));
            }
            return sb.ToString();
        }

        private static string ActionText(FwRuleCandidate c)
        {
            var sb = new StringBuilder("New-NetFirewallRule");
            sb.Append(" -Direction ").Append(c.Direction).Append(" -Action Allow -Protocol ").Append(c.Protocol);
            if (c.LocalPort != null) sb.Append(" -LocalPort ").Append(c.LocalPort);
            if (c.RemotePort != null) sb.Append(" -RemotePort ").Append(c.RemotePort);
            if (c.IcmpType != null) sb.Append(" -IcmpType ").Append(c.IcmpType);
            sb.Append(" -RemoteAddress ").Append(string.Join(",", c.RemoteAddress));
            sb.Append(" -Profile ").Append(c.Profile);
            sb.Append(" (").Append(c.Hits.ToString(CultureInfo.InvariantCulture)).Append(" drop(s) from ")
              .Append(c.RemoteAddressCount.ToString(CultureInfo.InvariantCulture)).Append(" address(es))");
            return sb.ToString();
        }

        // ---- Candidates -----------------------------------------------------------------------

        private FwRuleCandidate ToCandidate(in FwSynthCandidate n)
        {
            var direction = n.Direction == 2 ? FwDirection.Outbound : FwDirection.Inbound;
            string protocol = Utf8.FromNative(n.ProtocolText) ?? string.Empty;
            string port = Utf8.FromNative(n.Port) ?? string.Empty;
            string icmp = Utf8.FromNative(n.IcmpType) ?? string.Empty;
            string rule = Utf8.FromNative(n.Rule) ?? string.Empty;
            var c = new FwRuleCandidate
            {
                Name = Utf8.FromNative(n.Name) ?? string.Empty,
                DirectionValue = direction,
                Protocol = protocol,
                LocalPort = port.Length > 0 && direction == FwDirection.Inbound ? port : null,
                RemotePort = port.Length > 0 && direction == FwDirection.Outbound ? port : null,
                IcmpType = icmp.Length > 0 ? icmp : null,
                RemoteAddress = Split(Utf8.FromNative(n.RemoteAddress)),
                RemoteAddressesSeen = Split(Utf8.FromNative(n.RemoteSeen)),
                RemoteAddressCount = (long)n.RemoteSeenCount,
                Profile = ProfileText(n.Profile),
                Hits = (long)n.Hits,
                FirstSeen = ToTime(n.FirstSeen),
                LastSeen = ToTime(n.LastSeen),
                IsDynamicRpcPort = (n.Flags & FwNative.SynthFlagDynamicRpc) != 0,
                ScopeByKeyword = (n.Flags & FwNative.SynthFlagKeywordScope) != 0,
                RuleString = Utf8.FromNative(n.RuleString) ?? string.Empty,
                Group = Group,
            };
            c.StatusValue = n.Status switch
            {
                FwNative.SynthAlreadyAllowed => FwRuleCandidateStatus.AlreadyAllowed,
                FwNative.SynthBlockedByRule => FwRuleCandidateStatus.BlockedByRule,
                FwNative.SynthOutOfScope => FwRuleCandidateStatus.OutOfScope,
                _ => FwRuleCandidateStatus.WouldCreate,
            };
            if (rule.Length > 0)
            {
                if (c.StatusValue == FwRuleCandidateStatus.AlreadyAllowed) c.CoveringRule = rule;
                else if (c.StatusValue == FwRuleCandidateStatus.BlockedByRule) c.BlockingRule = rule;
                else if ((n.Flags & FwNative.SynthFlagDisabledRule) != 0) c.DisabledRule = rule;
            }
            string what = c.LocalPort ?? c.RemotePort ?? (c.IcmpType != null ? "type " + c.IcmpType : null) ?? "";
            c.DisplayName = string.Join(" ", new[] { DisplayNamePrefix, direction.ToString(), protocol, what }.Where(s => s.Length > 0));
            c.Description = Describe(c);
            return c;
        }

        private static string[] Split(string? list) =>
            string.IsNullOrEmpty(list) ? Array.Empty<string>() : list!.Split(',');

        private static DateTime? ToTime(long seconds) =>
            seconds == FwNative.NoTime ? (DateTime?)null : Epoch.AddSeconds(seconds) /* Kind Unspecified: the log's wall clock, see FwDrop.Time */;

        private static string Describe(FwRuleCandidate c)
        {
            const int MaxListed = 20;
            var seen = c.RemoteAddressesSeen;
            string addresses = string.Join(", ", seen.Take(MaxListed));
            if (seen.Length > MaxListed) addresses += string.Format(CultureInfo.InvariantCulture, ", and {0} more", seen.Length - MaxListed);
            string when = c.FirstSeen.HasValue
                ? string.Format(CultureInfo.InvariantCulture, " between {0:yyyy-MM-dd HH:mm:ss} and {1:yyyy-MM-dd HH:mm:ss}", c.FirstSeen, c.LastSeen)
                : string.Empty;
            return string.Format(CultureInfo.InvariantCulture,
                "Allows traffic that Windows Firewall dropped: {0} dropped packet(s){1} from {2} remote address(es): {3}. Created by Fw (New-FwRuleFromDrop).",
                c.Hits, when, c.RemoteAddressCount, addresses);
        }

        // ---- Input ----------------------------------------------------------------------------

        internal static FwSynthDrop FromValues(object? direction, object? protocol, object? localPort, object? remotePort,
            object? remoteAddress, object? time, object? icmpType)
        {
            var d = new FwSynthDrop
            {
                Direction = (byte)(DropValues.Direction(DropValues.Unwrap(direction))
                    ?? throw new ArgumentException("A drop has no Direction (Inbound or Outbound); it cannot become a rule.")),
                Protocol = DropValues.ProtocolNumber(DropValues.Unwrap(protocol)) is short p && p >= 0
                    ? p : throw new ArgumentException("A drop has no Protocol."),
                LocalPort = DropValues.Port(DropValues.Unwrap(localPort), "LocalPort"),
                RemotePort = DropValues.Port(DropValues.Unwrap(remotePort), "RemotePort"),
                IcmpType = (short)DropValues.Number(DropValues.Unwrap(icmpType), "IcmpType", 255),
                Time = DropValues.Time(DropValues.Unwrap(time)) is DateTime t ? (t - Epoch).Ticks / TimeSpan.TicksPerSecond : FwNative.NoTime,
            };
            var address = DropValues.Address(DropValues.Unwrap(remoteAddress), "RemoteAddress")
                          ?? throw new ArgumentException("A drop has no RemoteAddress; it cannot become a rule.");
            DropValues.SetAddress(ref d.Remote, address);
            bool ports = d.Protocol == 6 || d.Protocol == 17;
            if (ports && d.Direction == 1 && d.LocalPort < 0)
                throw new ArgumentException("An inbound TCP/UDP drop has no LocalPort (the destination port); it cannot become a rule.");
            if (ports && d.Direction == 2 && d.RemotePort < 0)
                throw new ArgumentException("An outbound TCP/UDP drop has no RemotePort (the destination port); it cannot become a rule.");
            return d;
        }

        public void Dispose()
        {
            _synth?.Dispose();
            _synth = null;
        }
    }
}
