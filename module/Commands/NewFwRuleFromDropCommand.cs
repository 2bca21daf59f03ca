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

        /// <summary>The drops of one program (or of any program): one native synthesiser each.</summary>
        private sealed class Bucket : IDisposable
        {
            public SafeSynthHandle Synth = null!;
            public string? Program;
            public readonly List<FwSynthDrop> Batch = new List<FwSynthDrop>(BatchSize);
            public readonly List<DropItem> Items = new List<DropItem>(BatchSize); // to name a drop in an error
            public long Drops;
            public void Dispose() => Synth.Dispose();
        }

        /// <summary>A drop's input position (and the drop, when typed), to name it in an error.</summary>
        private readonly struct DropItem
        {
            public readonly long Item;
            public readonly FwDrop? Drop;
            public DropItem(long item, FwDrop? drop) { Item = item; Drop = drop; }
        }

        /// <summary>A process id's program path, or the problem why there is none.</summary>
        internal readonly struct ProgramLookup
        {
            public readonly string? Path;
            public readonly string? Problem;
            private ProgramLookup(string? path, string? problem) { Path = path; Problem = problem; }
            public static ProgramLookup Found(string path) => new ProgramLookup(path, null);
            public static ProgramLookup Failed(string problem) => new ProgramLookup(null, problem);
        }

        /// <summary>How many drops had one program problem, and the first of them.</summary>
        private readonly struct ProblemCount
        {
            public readonly long Count;
            public readonly string First;
            public ProblemCount(long count, string first) { Count = count; First = first; }
        }

        private readonly Dictionary<string, Bucket> _buckets = new Dictionary<string, Bucket>(StringComparer.Ordinal);
        private readonly List<Bucket> _bucketOrder = new List<Bucket>();
        private long _input;
        private long _drops;
        private long _notDrops;
        private long _ambiguousTimes;
        private string? _ambiguousExample;
        private NativeRuleSet? _localProbe;
        private readonly Dictionary<string, bool> _localSeen = new Dictionary<string, bool>(StringComparer.Ordinal);
        private long _outsideLocal, _unknownLocal;
        private readonly SortedSet<string> _outsideLocalAddresses = new SortedSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<int, ProgramLookup> _programs = new Dictionary<int, ProgramLookup>();
        private readonly Dictionary<string, ProblemCount> _programProblems = new Dictionary<string, ProblemCount>(StringComparer.Ordinal);
        private long _rejected;
        private CommandInfo? _newRule;

        /// <summary>Drops from Get-FwDrop, or any objects with its property names (deserialized drops, Import-Csv rows).</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Inbound or Outbound, for one drop given by parameters (piped objects are read by InputObject).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Direction { get; set; }

        /// <summary>TCP, UDP, ICMP, ICMPv6 or a protocol number.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(FwProtocolCompleter))]
        public object? Protocol { get; set; }

        /// <summary>This computer's port; the rule's port for inbound traffic.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? LocalPort { get; set; }

        /// <summary>The peer's port; the rule's port for outbound traffic.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? RemotePort { get; set; }

        /// <summary>The peer's address: an IPAddress, or its text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? RemoteAddress { get; set; }

        /// <summary>When the drop was logged: a DateTime or its text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Time { get; set; }

        /// <summary>The ICMP type, for ICMP drops.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? IcmpType { get; set; }

        /// <summary>
        /// Remote addresses rules may allow: addresses, CIDR blocks, masks, ranges (a-b), or keywords such as
        /// LocalSubnet, Intranet or Any. Drops from outside every entry come back OutOfScope. Rules are scoped to the
        /// entries that matched. Without -Scope, a rule allows exactly the remote addresses seen.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(FwScopeCompleter))]
        public string[]? Scope { get; set; }

        /// <summary>Firewall profiles the rules apply to. Default: Any.</summary>
        [Parameter]
        [ValidateSet("Domain", "Private", "Public", "Any", IgnoreCase = true)]
        public string[]? Profile { get; set; }

        /// <summary>The rule group (New-NetFirewallRule -Group). Default: Fw.</summary>
        [Parameter]
        [ValidateNotNull]
        public string Group { get; set; } = "Fw";

        /// <summary>Text put before each generated display name. Default: Fw.</summary>
        [Parameter]
        [ValidateNotNull]
        public string DisplayNamePrefix { get; set; } = "Fw";

        /// <summary>The rule's display name, as the admin wants to see it. With several rules, each gets its traffic
        /// appended: "Name (Inbound TCP 5061)".</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DisplayName { get; set; }

        /// <summary>The rule's description (New-NetFirewallRule -Description). Default: what was dropped, when and from where.</summary>
        [Parameter]
        [ValidateNotNull]
        public string? Description { get; set; }

        /// <summary>Limit the rules to one program (New-NetFirewallRule -Program): a full path; environment variables such as %SystemRoot% are allowed.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Program { get; set; }

        /// <summary>Limit each rule to the program that owned the log's process id (the pid column), looked up on this
        /// computer now. Only right on the computer that wrote the log, while the process still runs.</summary>
        [Parameter]
        public SwitchParameter ProgramFromProcessId { get; set; }

        /// <summary>Limit the rules to these addresses of this computer (multi-homed servers): addresses, subnets or ranges.
        /// Every drop's local address must lie in them; drops to other local addresses make no rule.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? LocalAddress { get; set; }

        /// <summary>Where the rules go (New-NetFirewallRule -PolicyStore): PersistentStore (default), or a Group Policy object as 'domain.fqdn\GPO name'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PolicyStore { get; set; }

        /// <summary>Create the rules on other computers (New-NetFirewallRule -CimSession): CIM sessions from New-CimSession, or computer names.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public object[]? CimSession { get; set; }

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

        private string[] LocalAddresses => LocalAddress ?? Array.Empty<string>();

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

        private void ThrowInvalidArgument(string id, string message, object? target) =>
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), id, ErrorCategory.InvalidArgument, target));

        protected override void BeginProcessing()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.ContainsKey(nameof(DisplayName)) && bound.ContainsKey(nameof(DisplayNamePrefix)))
                ThrowInvalidArgument("FwParameterConflict", "-DisplayName names the rules itself; leave out -DisplayNamePrefix.", DisplayName);
            if (Program != null && ProgramFromProcessId)
                ThrowInvalidArgument("FwParameterConflict", "Give -Program <path> or -ProgramFromProcessId, not both.", Program);
            if (Program != null && ProgramProblem(Program) is string bad)
                ThrowInvalidArgument("FwProgramInvalid", $"-Program '{Program}' {bad}.", Program);
            if (LocalAddress != null)
            {
                try
                {
                    _localProbe = RuleCandidates.LocalAddressProbe(LocalAddress);
                }
                catch (ArgumentException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "FwLocalAddressInvalid", ErrorCategory.InvalidArgument, LocalAddress));
                }
            }
            // The first synthesiser checks -Scope now, before any input is read.
            BucketFor(ProgramFromProcessId ? null : Program);
        }

        /// <summary>Why a program path cannot go into a rule, or null.</summary>
        private static string? ProgramProblem(string program)
        {
            if (program.Trim().Length == 0) return "is empty";
            if (program.IndexOf('|') >= 0) return "contains '|', which a firewall rule cannot store";
            if (program.Any(char.IsControl)) return "contains a control character";
            return null;
        }

        private Bucket BucketFor(string? program)
        {
            string key = program ?? string.Empty;
            if (_buckets.TryGetValue(key, out var bucket)) return bucket;
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
                bucket = new Bucket { Synth = synth, Program = program };
                _buckets.Add(key, bucket);
                _bucketOrder.Add(bucket);
                return bucket;
            }
            catch (DllNotFoundException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "FwNativeLoadFailed", ErrorCategory.ResourceUnavailable, FwNative.Library));
                throw; // not reached
            }
            finally
            {
                arrayPin.Free();
                foreach (var h in pins) h.Free();
            }
        }

        protected override void ProcessRecord()
        {
            long item = ++_input;
            FwDrop? typed = null;
            FwSynthDrop drop;
            try
            {
                if (InputObject != null)
                {
                    typed = DropValues.ToDrop(InputObject, out var ambiguous);
                    NoteAmbiguous(ambiguous);
                    if (!string.IsNullOrEmpty(typed.Action) && !string.Equals(typed.Action, "DROP", StringComparison.OrdinalIgnoreCase))
                    {
                        _notDrops++;
                        return;
                    }
                    drop = FromValues(typed.Direction, typed.Protocol, typed.LocalPort, typed.RemotePort, typed.RemoteAddress,
                        typed.Time == default ? null : (object)typed.Time, typed.IcmpType);
                }
                else
                {
                    DropValues.Time(DropValues.Unwrap(Time), out var ambiguous);
                    NoteAmbiguous(ambiguous);
                    drop = FromValues(Direction, Protocol, LocalPort, RemotePort, RemoteAddress, ambiguous != null ? null : Time, IcmpType);
                }
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(new ArgumentException($"Input #{item} is not a usable drop and makes no rule: {e.Message}", e),
                    "FwDropInvalid", ErrorCategory.InvalidData, (object?)InputObject ?? RemoteAddress));
                return;
            }

            if (_localProbe != null && !InLocalAddress(typed?.LocalAddress)) return;

            string? program = Program;
            if (ProgramFromProcessId)
            {
                program = ProgramOf(typed?.ProcessId, item, typed);
                if (program == null) return;
            }
            var bucket = BucketFor(program);
            bucket.Batch.Add(drop);
            bucket.Items.Add(new DropItem(item, typed));
            if (bucket.Batch.Count >= BatchSize) Flush(bucket);
        }

        private void NoteAmbiguous(string? ambiguous)
        {
            if (ambiguous == null) return;
            _ambiguousTimes++;
            _ambiguousExample ??= ambiguous;
        }

        /// <summary>How an error names a drop: its input position and, for a drop object, its traffic (built only when needed).</summary>
        private static string ItemName(long item, FwDrop? d) => d == null
            ? "drop #" + item.ToString(CultureInfo.InvariantCulture)
            : string.Format(CultureInfo.InvariantCulture, "drop #{0} ({1} {2} {3} -> {4} port {5})",
                item, d.Direction?.ToString() ?? "no direction", d.Protocol ?? "-", d.RemoteAddress?.ToString() ?? "-",
                d.LocalAddress?.ToString() ?? "-", d.LocalPort?.ToString(CultureInfo.InvariantCulture) ?? "-");

        /// <summary>Whether a drop's local address lies in -LocalAddress; drops that do not (or do not say) make no rule.</summary>
        private bool InLocalAddress(string? localText)
        {
            // FwDrop's address text is IPAddress.ToString() of the log's bytes (or DropValues' canonical form).
            IPAddress? local = localText != null && IPAddress.TryParse(localText, out var parsed) ? parsed : null;
            if (local == null)
            {
                _unknownLocal++;
                return false;
            }
            string key = local.ToString();
            if (!_localSeen.TryGetValue(key, out bool inside))
            {
                inside = RuleCandidates.InLocalAddress(_localProbe!, local);
                _localSeen.Add(key, inside);
            }
            if (!inside)
            {
                _outsideLocal++;
                _outsideLocalAddresses.Add(key);
            }
            return inside;
        }

        /// <summary>The program path for a drop's process id, looked up once per id; null (and the problem noted) when it cannot be.</summary>
        private string? ProgramOf(int? pid, long item, FwDrop? drop)
        {
            ProgramLookup found;
            if (pid == null)
                found = ProgramLookup.Failed("has no process id (the log has no pid column, or the field is '-'); give -Program <path>");
            else if (!_programs.TryGetValue(pid.Value, out found))
            {
                found = ResolveProcess(pid.Value);
                _programs.Add(pid.Value, found);
            }
            if (found.Path != null) return found.Path;
            string key = found.Problem!;
            _programProblems[key] = _programProblems.TryGetValue(key, out var seen) ? new ProblemCount(seen.Count + 1, seen.First) : new ProblemCount(1, ItemName(item, drop));
            return null;
        }

        internal static ProgramLookup ResolveProcess(int pid)
        {
            bool windows = Environment.OSVersion.Platform == PlatformID.Win32NT;
            if (windows && pid == 4) return ProgramLookup.Found("System"); // the kernel: New-NetFirewallRule -Program System
            if (pid == 0) return ProgramLookup.Failed("has process id 0 (the idle process), which is no program; give -Program <path>");
            System.Diagnostics.Process process;
            try
            {
                process = System.Diagnostics.Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                return ProgramLookup.Failed(string.Format(CultureInfo.InvariantCulture,
                    "has process id {0}, which is not running on this computer (the log may come from another computer, or the program has exited); give -Program <path>", pid));
            }
            using (process)
            {
                try
                {
                    string? path = process.MainModule?.FileName;
                    if (string.IsNullOrEmpty(path))
                        return ProgramLookup.Failed(string.Format(CultureInfo.InvariantCulture, "has process id {0} ({1}), whose program path is not known; give -Program <path>", pid, process.ProcessName));
                    if (ProgramProblem(path!) is string bad)
                        return ProgramLookup.Failed(string.Format(CultureInfo.InvariantCulture, "has process id {0}, whose path '{1}' {2}", pid, path, bad));
                    return ProgramLookup.Found(path!);
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException || e is NotSupportedException)
                {
                    return ProgramLookup.Failed(string.Format(CultureInfo.InvariantCulture,
                        "has process id {0} ({1}), whose program path cannot be read ({2}); run elevated or give -Program <path>", pid, SafeName(process), e.Message));
                }
            }
        }

        private static string SafeName(System.Diagnostics.Process p)
        {
            try { return p.ProcessName; } catch (InvalidOperationException) { return "exited"; }
        }

        /// <summary>Hands a bucket's batch to the synthesiser item by item: a drop it refuses is a non-terminating error naming the drop; the others go on.</summary>
        private void Flush(Bucket bucket)
        {
            if (bucket.Batch.Count == 0) return;
            var array = bucket.Batch.ToArray();
            var items = bucket.Items.ToArray();
            bucket.Batch.Clear();
            bucket.Items.Clear();
            var results = new int[array.Length];
            int rc = FwNative.fw_synth_add_valid_drops(bucket.Synth, array, (UIntPtr)(uint)array.Length, results);
            if (rc != (int)FwStatus.Ok && rc != (int)FwStatus.Invalid)
                ThrowTerminatingError(new ErrorRecord(Ensure.LastError(rc), "FwSynthFailed", ErrorCategory.InvalidData, null));
            for (int i = 0; i < array.Length; i++)
            {
                if (results[i] == (int)FwStatus.Ok)
                {
                    bucket.Drops++;
                    _drops++;
                    continue;
                }
                _rejected++;
                var one = array[i];
                FwNative.fw_synth_drop_check(ref one);
                var e = Ensure.LastError((int)FwStatus.Invalid);
                string name = ItemName(items[i].Item, items[i].Drop);
                WriteError(new ErrorRecord(new ArgumentException($"{name} makes no rule: {e.Message}", e),
                    "FwDropInvalid", ErrorCategory.InvalidData, (object?)items[i].Drop ?? name));
            }
        }

        protected override void EndProcessing()
        {
            foreach (var b in _bucketOrder) Flush(b);
            if (_notDrops > 0)
                WriteWarning(string.Format(CultureInfo.InvariantCulture,
                    "{0} record(s) were not drops (Action other than DROP) and were ignored.", _notDrops));
            if (_ambiguousTimes > 0)
                WriteWarning(DropValues.AmbiguousTimeWarning(_ambiguousTimes, _ambiguousExample!));
            var notes = new List<string>();
            if (_outsideLocal > 0)
                notes.Add(string.Format(CultureInfo.InvariantCulture,
                    "{0} drop(s) were to local address(es) {1}, outside -LocalAddress {2}: no rule for them (a rule for -LocalAddress would not allow them).",
                    _outsideLocal, string.Join(", ", _outsideLocalAddresses.Take(5)) + (_outsideLocalAddresses.Count > 5 ? ", ..." : ""),
                    string.Join(",", LocalAddresses)));
            if (_unknownLocal > 0)
                notes.Add(string.Format(CultureInfo.InvariantCulture,
                    "{0} drop(s) do not say their local address, so -LocalAddress cannot be checked for them: no rule for them.", _unknownLocal));
            foreach (var p in _programProblems)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException(string.Format(CultureInfo.InvariantCulture,
                        "{0}{1} {2}: no rule for {3}.", p.Value.First,
                        p.Value.Count > 1 ? string.Format(CultureInfo.InvariantCulture, " and {0} more drop(s)", p.Value.Count - 1) : "",
                        p.Key, p.Value.Count > 1 ? "them" : "it")),
                    "FwProcessNotFound", ErrorCategory.ObjectNotFound, p.Value.First));
            }
            foreach (var n in notes) WriteWarning(n);

            var candidates = new List<FwRuleCandidate>();
            if (_drops > 0)
            {
                using (var rules = LoadExistingRules())
                {
                    foreach (var b in _bucketOrder.Where(b => b.Drops > 0))
                        Ensure.Success(FwNative.fw_synth_set_existing(b.Synth, rules.Handle));
                    var existingIds = Program != null || ProgramFromProcessId || LocalAddresses.Length > 0 ? EnabledAllowIds(rules) : null;
                    foreach (var b in _bucketOrder.Where(b => b.Drops > 0))
                    {
                        Ensure.Success(FwNative.fw_synth_run(b.Synth, out var countPtr));
                        ulong count = countPtr.ToUInt64();
                        var mine = new List<FwRuleCandidate>();
                        for (ulong i = 0; i < count; i++)
                        {
                            Ensure.Success(FwNative.fw_synth_candidate_get(b.Synth, (UIntPtr)i, out var c));
                            mine.Add(ToCandidate(c, b.Program, existingIds));
                        }
                        if (UseRpcKeyword)
                            foreach (var f in RuleCandidates.FoldPort135IntoEpMap(mine))
                                WriteVerbose($"{f.Name}: TCP 135 from {string.Join(",", f.RemoteAddress)} is allowed by the RPCEPMap rule for the same addresses; no separate port-135 rule.");
                        candidates.AddRange(mine);
                    }
                }
            }
            RuleCandidates.AssignDisplayNames(candidates, DisplayName, DisplayNamePrefix);
            foreach (var c in candidates) c.Description = Description ?? Describe(c);

            long outOfScopeHits = candidates.Where(c => c.StatusValue == FwRuleCandidateStatus.OutOfScope).Sum(c => c.Hits);
            if (_drops > 0 && outOfScopeHits == _drops && Scope != null)
                notes.Add(string.Format(CultureInfo.InvariantCulture,
                    "Every drop ({0}) came from outside -Scope {1}: no rule was made. Check -Scope against the remote addresses: {2}.",
                    _drops, string.Join(",", Scope), string.Join(", ", candidates.SelectMany(c => c.RemoteAddressesSeen).Distinct().Take(10))));
            if (_drops > 0 && outOfScopeHits == _drops && Scope != null) WriteWarning(notes[notes.Count - 1]);
            if (_drops == 0 && _input > 0 && _notDrops < _input)
                notes.Add("No drop could be used, so no rule was made.");

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
                    script.Append(ScriptLine(c, PolicyStore, CimSession)).Append('\n');
                    WriteVerbose($"{c.Name}: would create {c.DisplayName}");
                    done[c.Name] = c.StatusValue;
                    continue;
                }
                if (!ShouldProcess($"{c.DisplayName} ({c.Name}){Where()}", ActionText(c)))
                    c.StatusValue = FwRuleCandidateStatus.WouldCreate;
                else
                    c.StatusValue = Create(c) ? FwRuleCandidateStatus.Created : FwRuleCandidateStatus.Failed;
                done[c.Name] = c.StatusValue;
                Emit(c, null);
            }

            if (script != null && (_input > 0))
            {
                var header = new StringBuilder();
                header.Append("# New-NetFirewallRule commands from New-FwRuleFromDrop (Fw): ")
                      .Append(toCreate.ToString(CultureInfo.InvariantCulture)).Append(" rule(s) from ")
                      .Append(_drops.ToString(CultureInfo.InvariantCulture)).Append(" drop(s).\n")
                      .Append("# Review, then run on the target computer (NetSecurity module, elevated).\n");
                if (PolicyStore != null)
                    header.Append("# Policy store: ").Append(ScriptQuoting.CommentText(PolicyStore)).Append('\n');
                if (CimSession != null)
                    header.Append("# Computers: ").Append(ScriptQuoting.CommentText(string.Join(", ", CimSessionNames(CimSession))))
                          .Append(" (-CimSession by computer name: New-NetFirewallRule opens a session to each with your credentials).\n");
                foreach (var n in notes) header.Append("# ").Append(ScriptQuoting.CommentText(n)).Append('\n');
                WriteObject(header.Append(script).ToString());
            }
        }

        private string Where()
        {
            var sb = new StringBuilder();
            if (PolicyStore != null) sb.Append(" in policy store '").Append(PolicyStore).Append('\'');
            if (CimSession != null) sb.Append(" on ").Append(string.Join(", ", CimSessionNames(CimSession)));
            return sb.ToString();
        }

        /// <summary>Computer names for -CimSession values: a CimSession's ComputerName, or the text given.</summary>
        internal static string[] CimSessionNames(object[] sessions)
        {
            var names = new List<string>(sessions.Length);
            foreach (var s in sessions)
            {
                if (s == null) continue;
                var wrapped = s as PSObject ?? PSObject.AsPSObject(s);
                if (wrapped.BaseObject is string text)
                {
                    names.Add(text);
                    continue;
                }
                var computer = wrapped.Properties["ComputerName"]?.Value?.ToString();
                names.Add(string.IsNullOrEmpty(computer) ? wrapped.ToString() : computer!);
            }
            return names.ToArray();
        }

        /// <summary>IDs of the enabled allow rules in force, to find a rerun's own rules by the ID derived here.</summary>
        private static HashSet<string> EnabledAllowIds(NativeRuleSet rules)
        {
            var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < rules.Count; i++)
            {
                var r = rules.Get(i);
                if (r.Enabled && r.ActionValue == FwRuleAction.Allow) ids.Add(r.Name);
            }
            return ids;
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
            foreach (var p in Parameters(c, PolicyStore, CimSession)) ps.AddParameter(p.Key, p.Value);
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
        internal static List<KeyValuePair<string, object>> Parameters(FwRuleCandidate c, string? policyStore = null, object[]? cimSession = null)
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
            if (c.LocalAddress.Length > 0) p.Add(Pair("LocalAddress", c.LocalAddress));
            if (c.Program != null) p.Add(Pair("Program", c.Program));
            p.Add(Pair("Profile", c.Profile));
            p.Add(Pair("Enabled", "True"));
            if (policyStore != null) p.Add(Pair("PolicyStore", policyStore));
            if (cimSession != null) p.Add(Pair("CimSession", cimSession));
            return p;
        }

        private static KeyValuePair<string, object> Pair(string name, object value) => new KeyValuePair<string, object>(name, value);

        /// <summary>One New-NetFirewallRule command line; every value a single-quoted constant (ScriptQuoting), CIM sessions by computer name.</summary>
        internal static string ScriptLine(FwRuleCandidate c, string? policyStore = null, object[]? cimSession = null)
        {
            var sb = new StringBuilder("New-NetFirewallRule");
            foreach (var parameter in Parameters(c, policyStore, cimSession))
            {
                string name = parameter.Key;
                object value = parameter.Value;
                sb.Append(" -").Append(name).Append(' ');
                sb.Append(value switch
                {
                    string[] list => ScriptQuoting.QuoteList(list),
                    object[] sessions => ScriptQuoting.QuoteList(CimSessionNames(sessions)),
                    _ => ScriptQuoting.Quote((string)value),
                });
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
            if (c.LocalAddress.Length > 0) sb.Append(" -LocalAddress ").Append(string.Join(",", c.LocalAddress));
            if (c.Program != null) sb.Append(" -Program ").Append(c.Program);
            sb.Append(" -Profile ").Append(c.Profile);
            sb.Append(" (").Append(c.Hits.ToString(CultureInfo.InvariantCulture)).Append(" drop(s) from ")
              .Append(c.RemoteAddressCount.ToString(CultureInfo.InvariantCulture)).Append(" address(es))");
            return sb.ToString();
        }

        // ---- Candidates -----------------------------------------------------------------------

        private FwRuleCandidate ToCandidate(in FwSynthCandidate n, string? program, HashSet<string>? existingIds)
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
            if (c.StatusValue != FwRuleCandidateStatus.OutOfScope)
            {
                // The wizard's options: the rule is limited to a program and/or local addresses; its ID and rule
                // string say so, and a rerun finds its own rule by that ID.
                c.Program = program;
                c.LocalAddress = LocalAddresses;
                string nativeName = c.Name;
                c.Name = RuleCandidates.DerivedName(nativeName, program, c.LocalAddress);
                c.RuleString = RuleCandidates.DerivedRuleString(c.RuleString, nativeName, c.Name, program, c.LocalAddress);
                if (existingIds != null && c.Name != nativeName && existingIds.Contains(c.Name) && c.StatusValue != FwRuleCandidateStatus.BlockedByRule)
                {
                    c.StatusValue = FwRuleCandidateStatus.AlreadyAllowed;
                    c.CoveringRule = c.Name;
                    c.DisabledRule = null;
                }
            }
            c.DisplayName = RuleCandidates.What(c);
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
            foreach (var b in _bucketOrder) b.Dispose();
            _bucketOrder.Clear();
            _buckets.Clear();
            _localProbe?.Dispose();
            _localProbe = null;
        }
    }
}
