using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Runtime.InteropServices;
using Fw.Native;

namespace Fw.Core.Services
{
    /// <summary>New-FwRuleFromDrop's choices, as the cmdlet's parameters give them.</summary>
    internal sealed class RuleSynthesisOptions
    {
        /// <summary>-Scope: remote addresses rules may allow; null for exactly the addresses seen.</summary>
        internal string[]? Scope { get; set; }
        /// <summary>-Profile names (Domain, Private, Public, Any); null for Any.</summary>
        internal string[]? Profile { get; set; }
        internal string Group { get; set; } = "Fw";
        internal string DisplayNamePrefix { get; set; } = "Fw";
        internal string? DisplayName { get; set; }
        /// <summary>-Description; null for the generated provenance text.</summary>
        internal string? Description { get; set; }
        internal string? Program { get; set; }
        internal bool ProgramFromProcessId { get; set; }
        internal string[]? LocalAddress { get; set; }
        internal bool UseRpcKeyword { get; set; }
        internal bool MergePorts { get; set; }
        internal bool Force { get; set; }
        /// <summary>The program of a process id (-ProgramFromProcessId); tests give their own.</summary>
        internal Func<int, ProgramLookup> ResolveProcess { get; set; } = ProcessPrograms.Resolve;

        internal string[] LocalAddresses => LocalAddress ?? Array.Empty<string>();

        /// <summary>The fw_synth profile mask: 0 for Any (or all three).</summary>
        internal uint ProfileMask
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
    }

    /// <summary>What the cmdlet does with one candidate, in order.</summary>
    internal enum RuleStepKind
    {
        /// <summary>Only reported: out of scope, already allowed, or blocked without -Force.</summary>
        Report,
        /// <summary>To create (New-NetFirewallRule, -WhatIf, or a script line).</summary>
        Create,
        /// <summary>The same rule (same ID) as an earlier Create step: it gets that step's outcome.</summary>
        Repeat,
    }

    /// <summary>One step of the plan: the candidate, what to do with it and the warnings to write before.</summary>
    internal sealed class RuleStep
    {
        internal RuleStep(FwRuleCandidate candidate, RuleStepKind kind, IReadOnlyList<string> warnings, FwRuleCandidate? original)
        {
            Candidate = candidate;
            Kind = kind;
            Warnings = warnings;
            Original = original;
        }

        internal FwRuleCandidate Candidate { get; }
        internal RuleStepKind Kind { get; }
        internal IReadOnlyList<string> Warnings { get; }
        /// <summary>For a Repeat step, the candidate of the Create step it repeats.</summary>
        internal FwRuleCandidate? Original { get; }
    }

    /// <summary>
    /// New-FwRuleFromDrop's synthesis: drops in (objects or values), through the native synthesiser (fw/synth.h, one
    /// per program), out come candidates deduplicated against the rules in force, with the wizard's options (program,
    /// local addresses), display names and descriptions, and the plan of what to create. No Cmdlet: problems come back
    /// as <see cref="ServiceMessage"/>s (terminating ones as <see cref="ServiceException"/>).
    /// </summary>
    internal sealed class RuleSynthesis : IDisposable
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

        /// <summary>How many drops had one program problem, and the first of them.</summary>
        private readonly struct ProblemCount
        {
            public readonly long Count;
            public readonly string First;
            public ProblemCount(long count, string first) { Count = count; First = first; }
        }

        private readonly RuleSynthesisOptions _options;
        private readonly ServiceMessages _messages = new ServiceMessages();
        private readonly Dictionary<string, Bucket> _buckets = new Dictionary<string, Bucket>(StringComparer.Ordinal);
        private readonly List<Bucket> _bucketOrder = new List<Bucket>();
        private long _ambiguousTimes;
        private string? _ambiguousExample;
        private NativeRuleSet? _localProbe;
        private readonly Dictionary<string, bool> _localSeen = new Dictionary<string, bool>(StringComparer.Ordinal);
        private long _outsideLocal, _unknownLocal;
        private readonly SortedSet<string> _outsideLocalAddresses = new SortedSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<int, ProgramLookup> _programs = new Dictionary<int, ProgramLookup>();
        private readonly Dictionary<string, ProblemCount> _programProblems = new Dictionary<string, ProblemCount>(StringComparer.Ordinal);
        private readonly List<string> _notes = new List<string>();

        /// <summary>
        /// Checks the options that need no input: -Program with -ProgramFromProcessId (FwParameterConflict), the program
        /// path (FwProgramInvalid), -LocalAddress (FwLocalAddressInvalid) and -Scope (FwScopeInvalid), each a
        /// <see cref="ServiceException"/> naming the value.
        /// </summary>
        internal RuleSynthesis(RuleSynthesisOptions options)
        {
            _options = options;
            try
            {
                if (options.Program != null && options.ProgramFromProcessId)
                    throw ServiceException.Of(ErrorIds.ParameterConflict, new ArgumentException("Give -Program <path> or -ProgramFromProcessId, not both."),
                        ErrorCategory.InvalidArgument, options.Program);
                if (options.Program != null && ProgramProblem(options.Program) is string bad)
                    throw ServiceException.Of(ErrorIds.ProgramInvalid, new ArgumentException($"-Program '{options.Program}' {bad}."),
                        ErrorCategory.InvalidArgument, options.Program);
                if (options.LocalAddress != null)
                {
                    try
                    {
                        _localProbe = RuleCandidates.LocalAddressProbe(options.LocalAddress);
                    }
                    catch (ArgumentException e)
                    {
                        throw ServiceException.Of(ErrorIds.LocalAddressInvalid, e, ErrorCategory.InvalidArgument, options.LocalAddress);
                    }
                }
                // The first synthesiser checks -Scope now, before any input is read.
                BucketFor(options.ProgramFromProcessId ? null : options.Program);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>Input objects and drops given by values so far.</summary>
        internal long Input { get; private set; }
        /// <summary>Drops the synthesiser took.</summary>
        internal long Drops { get; private set; }
        /// <summary>Records that were not drops (Action other than DROP).</summary>
        internal long NotDrops { get; private set; }
        /// <summary>Drops the synthesiser refused (each an FwDropInvalid error).</summary>
        internal long Rejected { get; private set; }
        /// <summary>The run's notes for the script header (and the warnings that say the same).</summary>
        internal IReadOnlyList<string> Notes => _notes;

        /// <summary>Errors, warnings and verbose lines since the last call, in order.</summary>
        internal IReadOnlyList<ServiceMessage> TakeMessages() => _messages.Take();

        /// <summary>Why a program path cannot go into a rule, or null.</summary>
        internal static string? ProgramProblem(string program)
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
            var scope = _options.Scope ?? Array.Empty<string>();
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
                    MergePorts = _options.MergePorts ? 1 : 0,
                    UseRpcKeyword = _options.UseRpcKeyword ? 1 : 0,
                    Profile = _options.ProfileMask,
                };
                int rc = FwNative.fw_synth_new(out var synth, ref options);
                if (rc != (int)FwStatus.Ok)
                {
                    var e = Ensure.LastError(rc);
                    synth.Dispose();
                    throw ServiceException.Of(ErrorIds.ScopeInvalid, new ArgumentException(e.Message, "Scope", e),
                        ErrorCategory.InvalidArgument, _options.Scope);
                }
                bucket = new Bucket { Synth = synth, Program = program };
                _buckets.Add(key, bucket);
                _bucketOrder.Add(bucket);
                return bucket;
            }
            catch (DllNotFoundException e)
            {
                throw ServiceException.Of(ErrorIds.NativeLoadFailed, e, ErrorCategory.ResourceUnavailable, FwNative.Library);
            }
            finally
            {
                arrayPin.Free();
                foreach (var h in pins) h.Free();
            }
        }

        /// <summary>Adds one input object (FwDrop, or anything with its property names). One that is no usable drop is
        /// an FwDropInvalid error; the others go on. Throws <see cref="ServiceException"/> (FwSynthFailed) only when the
        /// synthesiser itself fails.</summary>
        internal void Add(PSObject input)
        {
            long item = ++Input;
            FwDrop typed;
            FwSynthDrop drop;
            try
            {
                typed = DropValues.ToDrop(input, out var ambiguous);
                NoteAmbiguous(ambiguous);
                if (!string.IsNullOrEmpty(typed.Action) && !string.Equals(typed.Action, "DROP", StringComparison.OrdinalIgnoreCase))
                {
                    NotDrops++;
                    return;
                }
                drop = FromValues(typed.Direction, typed.Protocol, typed.LocalPort, typed.RemotePort, typed.RemoteAddress,
                    typed.Time == default ? null : (object)typed.Time, typed.IcmpType);
            }
            catch (ArgumentException e)
            {
                _messages.Error(ErrorIds.DropInvalid, new ArgumentException($"Input #{item} is not a usable drop and makes no rule: {e.Message}", e),
                    ErrorCategory.InvalidData, input);
                return;
            }
            Take(item, drop, typed);
        }

        /// <summary>Adds one drop given by values (the cmdlet's -Direction, -Protocol ... parameters); <paramref name="target"/>
        /// names it in an error.</summary>
        internal void Add(object? direction, object? protocol, object? localPort, object? remotePort, object? remoteAddress,
                          object? time, object? icmpType, object? target)
        {
            long item = ++Input;
            FwSynthDrop drop;
            try
            {
                DropValues.Time(DropValues.Unwrap(time), out var ambiguous);
                NoteAmbiguous(ambiguous);
                drop = FromValues(direction, protocol, localPort, remotePort, remoteAddress, ambiguous != null ? null : time, icmpType);
            }
            catch (ArgumentException e)
            {
                _messages.Error(ErrorIds.DropInvalid, new ArgumentException($"Input #{item} is not a usable drop and makes no rule: {e.Message}", e),
                    ErrorCategory.InvalidData, target);
                return;
            }
            Take(item, drop, null);
        }

        private void Take(long item, FwSynthDrop drop, FwDrop? typed)
        {
            if (_localProbe != null && !InLocalAddress(typed?.LocalAddress)) return;
            string? program = _options.Program;
            if (_options.ProgramFromProcessId)
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
                found = _options.ResolveProcess(pid.Value);
                _programs.Add(pid.Value, found);
            }
            if (found.Path != null) return found.Path;
            string key = found.Problem!;
            _programProblems[key] = _programProblems.TryGetValue(key, out var seen) ? new ProblemCount(seen.Count + 1, seen.First) : new ProblemCount(1, ItemName(item, drop));
            return null;
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
                throw ServiceException.Of(ErrorIds.SynthFailed, Ensure.LastError(rc), ErrorCategory.InvalidData, null);
            for (int i = 0; i < array.Length; i++)
            {
                if (results[i] == (int)FwStatus.Ok)
                {
                    bucket.Drops++;
                    Drops++;
                    continue;
                }
                Rejected++;
                var one = array[i];
                FwNative.fw_synth_drop_check(ref one);
                var e = Ensure.LastError((int)FwStatus.Invalid);
                string name = ItemName(items[i].Item, items[i].Drop);
                _messages.Error(ErrorIds.DropInvalid, new ArgumentException($"{name} makes no rule: {e.Message}", e),
                    ErrorCategory.InvalidData, (object?)items[i].Drop ?? name);
            }
        }

        /// <summary>
        /// Ends the input: the last batches go to the synthesiser; the messages about the input as a whole come back
        /// (refused drops, records that were not drops, ambiguous times, process ids without a program, local addresses
        /// outside -LocalAddress).
        /// </summary>
        internal IReadOnlyList<ServiceMessage> CloseInput()
        {
            foreach (var b in _bucketOrder) Flush(b);
            if (NotDrops > 0)
                _messages.Warning(string.Format(CultureInfo.InvariantCulture,
                    "{0} record(s) were not drops (Action other than DROP) and were ignored.", NotDrops));
            if (_ambiguousTimes > 0)
                _messages.Warning(DropValues.AmbiguousTimeWarning(_ambiguousTimes, _ambiguousExample!));
            var local = new List<string>();
            if (_outsideLocal > 0)
                local.Add(string.Format(CultureInfo.InvariantCulture,
                    "{0} drop(s) were to local address(es) {1}, outside -LocalAddress {2}: no rule for them (a rule for -LocalAddress would not allow them).",
                    _outsideLocal, string.Join(", ", _outsideLocalAddresses.Take(5)) + (_outsideLocalAddresses.Count > 5 ? ", ..." : ""),
                    string.Join(",", _options.LocalAddresses)));
            if (_unknownLocal > 0)
                local.Add(string.Format(CultureInfo.InvariantCulture,
                    "{0} drop(s) do not say their local address, so -LocalAddress cannot be checked for them: no rule for them.", _unknownLocal));
            foreach (var p in _programProblems)
            {
                _messages.Error(ErrorIds.ProcessNotFound, new ItemNotFoundException(string.Format(CultureInfo.InvariantCulture,
                        "{0}{1} {2}: no rule for {3}.", p.Value.First,
                        p.Value.Count > 1 ? string.Format(CultureInfo.InvariantCulture, " and {0} more drop(s)", p.Value.Count - 1) : "",
                        p.Key, p.Value.Count > 1 ? "them" : "it")),
                    ErrorCategory.ObjectNotFound, p.Value.First);
            }
            foreach (var n in local)
            {
                _notes.Add(n);
                _messages.Warning(n);
            }
            return _messages.Take();
        }

        /// <summary>
        /// The candidates, deduplicated against <paramref name="existing"/> (the rules in force), named and described.
        /// Messages (bad -ExistingRule objects, folded port-135 rules, every drop out of scope) follow in
        /// <see cref="TakeMessages"/>. Call after <see cref="CloseInput"/>.
        /// </summary>
        internal List<FwRuleCandidate> Candidates(ExistingRules existing)
        {
            var candidates = new List<FwRuleCandidate>();
            if (Drops > 0)
            {
                using (var rules = existing.Load(_messages))
                {
                    foreach (var b in _bucketOrder.Where(b => b.Drops > 0))
                        Ensure.Success(FwNative.fw_synth_set_existing(b.Synth, rules.Handle));
                    var existingIds = _options.Program != null || _options.ProgramFromProcessId || _options.LocalAddresses.Length > 0 ? EnabledAllowIds(rules) : null;
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
                        if (_options.UseRpcKeyword)
                            foreach (var f in RuleCandidates.FoldPort135IntoEpMap(mine))
                                _messages.Verbose($"{f.Name}: TCP 135 from {string.Join(",", f.RemoteAddress)} is allowed by the RPCEPMap rule for the same addresses; no separate port-135 rule.");
                        candidates.AddRange(mine);
                    }
                }
            }
            RuleCandidates.AssignDisplayNames(candidates, _options.DisplayName, _options.DisplayNamePrefix);
            foreach (var c in candidates) c.Description = _options.Description ?? Describe(c);

            long outOfScopeHits = candidates.Where(c => c.StatusValue == FwRuleCandidateStatus.OutOfScope).Sum(c => c.Hits);
            if (Drops > 0 && outOfScopeHits == Drops && _options.Scope != null)
            {
                string note = string.Format(CultureInfo.InvariantCulture,
                    "Every drop ({0}) came from outside -Scope {1}: no rule was made. Check -Scope against the remote addresses: {2}.",
                    Drops, string.Join(",", _options.Scope), string.Join(", ", candidates.SelectMany(c => c.RemoteAddressesSeen).Distinct().Take(10)));
                _notes.Add(note);
                _messages.Warning(note);
            }
            if (Drops == 0 && Input > 0 && NotDrops < Input)
                _notes.Add("No drop could be used, so no rule was made.");
            return candidates;
        }

        /// <summary>
        /// What to do with each candidate, in order, and the warnings to give first: an address keyword in -Scope
        /// (once), a block rule that would win (not created without -Force), a dynamic RPC port, a disabled rule that
        /// would do. Candidates with the ID of an earlier one to create are that rule again (a scope can map traffic
        /// split by the rules in force to one rule): created once.
        /// </summary>
        internal List<RuleStep> Plan(IEnumerable<FwRuleCandidate> candidates)
        {
            var steps = new List<RuleStep>();
            bool keywordWarned = false;
            var toCreate = new Dictionary<string, FwRuleCandidate>(StringComparer.OrdinalIgnoreCase);
            foreach (var c in candidates)
            {
                var warnings = new List<string>();
                if (c.ScopeByKeyword && !keywordWarned)
                {
                    keywordWarned = true;
                    warnings.Add("An address keyword in -Scope (" + string.Join(", ", (_options.Scope ?? Array.Empty<string>())) +
                        ") cannot be checked against a log line: drops were accepted for it, and the firewall decides at run time which addresses it covers.");
                }
                if (c.StatusValue == FwRuleCandidateStatus.OutOfScope || c.StatusValue == FwRuleCandidateStatus.AlreadyAllowed)
                {
                    steps.Add(new RuleStep(c, RuleStepKind.Report, warnings, null));
                    continue;
                }
                if (c.StatusValue == FwRuleCandidateStatus.BlockedByRule && !_options.Force)
                {
                    warnings.Add($"{c.DisplayName}: the enabled block rule '{c.BlockingRule}' would override an allow rule (block wins); not created. Use -Force to create it anyway.");
                    steps.Add(new RuleStep(c, RuleStepKind.Report, warnings, null));
                    continue;
                }
                if (c.IsDynamicRpcPort && !_options.UseRpcKeyword)
                    warnings.Add($"{c.DisplayName}: TCP port {c.LocalPort} is in the RPC dynamic range 49152-65535; the port an RPC service listens on can change after a reboot. Consider -UseRpcKeyword (LocalPort RPC).");
                if (c.DisabledRule != null)
                    warnings.Add($"{c.DisplayName}: the disabled rule '{c.DisabledRule}' would allow this traffic; enabling it (Enable-NetFirewallRule -Name <id>) may be all that is needed.");
                if (toCreate.TryGetValue(c.Name, out var original))
                {
                    steps.Add(new RuleStep(c, RuleStepKind.Repeat, warnings, original));
                    continue;
                }
                toCreate.Add(c.Name, c);
                steps.Add(new RuleStep(c, RuleStepKind.Create, warnings, null));
            }
            return steps;
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
                Group = _options.Group,
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
                c.LocalAddress = _options.LocalAddresses;
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

        internal static string ProfileText(uint mask)
        {
            if (mask == 0 || mask == 7) return "Any";
            var parts = new List<string>(3);
            if ((mask & 1) != 0) parts.Add("Domain");
            if ((mask & 2) != 0) parts.Add("Private");
            if ((mask & 4) != 0) parts.Add("Public");
            return string.Join(",", parts);
        }

        private static string[] Split(string? list) =>
            string.IsNullOrEmpty(list) ? Array.Empty<string>() : list!.Split(',');

        private static DateTime? ToTime(long seconds) =>
            seconds == FwNative.NoTime ? (DateTime?)null : Epoch.AddSeconds(seconds) /* Kind Unspecified: the log's wall clock, see FwDrop.Time */;

        /// <summary>The default -Description: what was dropped, when and from where, and that Fw made the rule.</summary>
        internal static string Describe(FwRuleCandidate c)
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

        /// <summary>A drop given by values, checked: what the synthesiser takes. Throws ArgumentException naming what is missing.</summary>
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

    /// <summary>
    /// The rules in force to deduplicate against: the -ExistingRule objects when given (even none), else on Windows the
    /// local and Group Policy stores in the registry, elsewhere none.
    /// </summary>
    internal sealed class ExistingRules
    {
        private readonly PSObject[]? _given;
        private readonly bool _fromRegistry;

        private ExistingRules(PSObject[]? given, bool fromRegistry)
        {
            _given = given;
            _fromRegistry = fromRegistry;
        }

        /// <summary>Exactly these rules (Get-FwRule objects, or anything with Name and RuleString).</summary>
        internal static ExistingRules Given(PSObject[]? rules) => new ExistingRules(rules ?? Array.Empty<PSObject>(), false);

        /// <summary>The default: the registry on Windows, nothing elsewhere.</summary>
        internal static ExistingRules Default() => new ExistingRules(null, Platform.IsWindows);

        /// <summary>The rule set; bad objects and unreadable registry rules become messages, an unreadable registry a
        /// <see cref="ServiceException"/> (FwExistingRulesUnreadable).</summary>
        internal NativeRuleSet Load(ServiceMessages messages)
        {
            var rules = new NativeRuleSet();
            try
            {
                if (_given != null)
                {
                    foreach (var o in _given)
                    {
                        if (o == null) continue;
                        string? name = DropValues.PropertyText(o, "Name") ?? DropValues.PropertyText(o, "ID");
                        string? text = DropValues.PropertyText(o, "RuleString");
                        if (string.IsNullOrEmpty(text))
                        {
                            messages.Error(ErrorIds.ExistingRuleInvalid, new ArgumentException("An -ExistingRule object has no RuleString property (use Get-FwRule)."),
                                ErrorCategory.InvalidArgument, o);
                            continue;
                        }
                        try
                        {
                            rules.Add(name ?? string.Empty, text!, FwNative.StoreOther);
                        }
                        catch (FwNativeException e)
                        {
                            messages.Error(ErrorIds.ExistingRuleInvalid, e, ErrorCategory.InvalidData, o);
                        }
                    }
                }
                else if (_fromRegistry)
                {
                    foreach (int store in new[] { FwNative.StoreLocal, FwNative.StoreGroupPolicy })
                    {
                        try
                        {
                            rules.LoadRegistry(store);
                        }
                        catch (FwNativeException e)
                        {
                            throw ServiceException.Of(ErrorIds.ExistingRulesUnreadable, e, ErrorCategory.ReadError, null,
                                "The rules in force could not be read from the registry, so duplicates cannot be avoided: " +
                                e.Message + ". Pass them with -ExistingRule (Get-FwRule), or -ExistingRule @() to deduplicate against none.");
                        }
                    }
                    foreach (var d in rules.TakeDiagnostics())
                        messages.Warning($"Rule '{d.Name}' in {d.Source} could not be read and is not used for deduplication: {d.Message}");
                }
                return rules;
            }
            catch
            {
                rules.Dispose();
                throw;
            }
        }
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

    /// <summary>Program paths of running processes, for -ProgramFromProcessId.</summary>
    internal static class ProcessPrograms
    {
        internal static ProgramLookup Resolve(int pid)
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
                    if (RuleSynthesis.ProgramProblem(path!) is string bad)
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
    }
}
