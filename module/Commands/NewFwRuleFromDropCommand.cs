using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using Fw.Core;
using Fw.Core.Services;

namespace Fw.Commands
{
    /// <summary>
    /// New-FwRuleFromDrop: turns dropped traffic into the fewest, narrowest allow rules, deduplicated against
    /// the rules in force, and creates them with New-NetFirewallRule (or writes them as a script).
    /// Grouping, scoping, merging and deduplication run in fwcore (fw/synth.h) through <see cref="RuleSynthesis"/>;
    /// the script text and parameter sets come from <see cref="RuleScript"/>. This cmdlet binds input, writes what
    /// the services return and calls New-NetFirewallRule from the caller's session.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "FwRuleFromDrop", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(FwRuleCandidate))]
    [OutputType(typeof(string))]
    public sealed class NewFwRuleFromDropCommand : PSCmdlet, IDisposable
    {
        private RuleSynthesis? _synthesis;
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

        protected override void BeginProcessing()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.ContainsKey(nameof(DisplayName)) && bound.ContainsKey(nameof(DisplayNamePrefix)))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-DisplayName names the rules itself; leave out -DisplayNamePrefix."),
                    ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, DisplayName));
            try
            {
                _synthesis = new RuleSynthesis(new RuleSynthesisOptions
                {
                    Scope = Scope,
                    Profile = Profile,
                    Group = Group,
                    DisplayNamePrefix = DisplayNamePrefix,
                    DisplayName = DisplayName,
                    Description = Description,
                    Program = Program,
                    ProgramFromProcessId = ProgramFromProcessId,
                    LocalAddress = LocalAddress,
                    UseRpcKeyword = UseRpcKeyword,
                    MergePorts = MergePorts,
                    Force = Force,
                });
            }
            catch (ServiceException e)
            {
                ThrowTerminatingError(e.Error.ToErrorRecord());
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                if (InputObject != null)
                    _synthesis!.Add(InputObject);
                else
                    _synthesis!.Add(Direction, Protocol, LocalPort, RemotePort, RemoteAddress, Time, IcmpType, RemoteAddress);
            }
            catch (ServiceException e)
            {
                this.Write(_synthesis!.TakeMessages());
                ThrowTerminatingError(e.Error.ToErrorRecord());
            }
            this.Write(_synthesis.TakeMessages());
        }

        protected override void EndProcessing()
        {
            var synthesis = _synthesis!;
            List<FwRuleCandidate> candidates;
            try
            {
                this.Write(synthesis.CloseInput());
                candidates = synthesis.Candidates(MyInvocation.BoundParameters.ContainsKey(nameof(ExistingRule))
                    ? ExistingRules.Given(ExistingRule)
                    : ExistingRules.Default());
            }
            catch (ServiceException e)
            {
                this.Write(synthesis.TakeMessages());
                ThrowTerminatingError(e.Error.ToErrorRecord());
                return; // not reached
            }
            this.Write(synthesis.TakeMessages());

            var toCreate = new List<FwRuleCandidate>();
            foreach (var step in synthesis.Plan(candidates))
            {
                foreach (var w in step.Warnings) WriteWarning(w);
                var c = step.Candidate;
                if (step.Kind == RuleStepKind.Repeat) c.StatusValue = step.Original!.StatusValue; // the same rule: created once
                if (step.Kind != RuleStepKind.Create)
                {
                    Emit(c);
                    continue;
                }
                if (AsScript)
                {
                    c.StatusValue = FwRuleCandidateStatus.WouldCreate;
                    toCreate.Add(c);
                    WriteVerbose($"{c.Name}: would create {c.DisplayName}");
                    continue;
                }
                if (!ShouldProcess(RuleScript.Target(c, PolicyStore, CimSession), RuleScript.ActionText(c)))
                    c.StatusValue = FwRuleCandidateStatus.WouldCreate;
                else
                    c.StatusValue = Create(c) ? FwRuleCandidateStatus.Created : FwRuleCandidateStatus.Failed;
                Emit(c);
            }

            if (AsScript && synthesis.Input > 0)
                WriteObject(RuleScript.Script(toCreate, synthesis.Drops, PolicyStore, CimSession, synthesis.Notes));
        }

        private void Emit(FwRuleCandidate c)
        {
            if (AsScript)
                WriteVerbose($"{c.Name}: {c.StatusValue}");
            else
                WriteObject(c);
        }

        /// <summary>Calls New-NetFirewallRule in the caller's session; false (its errors written) when it fails.</summary>
        private bool Create(FwRuleCandidate c)
        {
            if (_newRule == null)
            {
                _newRule = CallerCommand.Find(this, "New-NetFirewallRule");
                if (_newRule == null)
                    ThrowTerminatingError(new ErrorRecord(
                        new CommandNotFoundException("New-NetFirewallRule is not available in this session (it comes with the Windows NetSecurity module). Use -AsScript or -WhatIf elsewhere."),
                        ErrorIds.NewNetFirewallRuleMissing, ErrorCategory.ObjectNotFound, "New-NetFirewallRule"));
            }
            return CallerCommand.Invoke(this, _newRule!, RuleScript.Parameters(c, PolicyStore, CimSession)); // confirmed (or not asked) by ShouldProcess
        }

        public void Dispose()
        {
            _synthesis?.Dispose();
            _synthesis = null;
        }
    }
}
