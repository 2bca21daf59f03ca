using System;
using System.Globalization;
using System.Management.Automation;
using Fw.Core.Services;

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
        private DropEvaluator? _evaluator;

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
            _evaluator = new DropEvaluator();
            try
            {
                if (MyInvocation.BoundParameters.ContainsKey(nameof(Rule)))
                {
                    int given = _evaluator.AddRules(Rule ?? Array.Empty<PSObject>());
                    this.Write(_evaluator.TakeMessages());
                    if (_evaluator.RuleCount == 0)
                        ThrowTerminatingError(DropEvaluator.NoRules(given == 0
                            ? "-Rule is empty (did Get-FwRule find the file? a missing or empty .reg gives no rules)"
                            : string.Format(CultureInfo.InvariantCulture, "-Rule: none of its {0} object(s) could be read as a rule", given), Rule).ToErrorRecord());
                    return;
                }
                _evaluator.LoadRegistry();
            }
            catch (ServiceException e)
            {
                ThrowTerminatingError(e.Error.ToErrorRecord());
            }
            this.Write(_evaluator.TakeMessages());
            if (_evaluator.RuleCount == 0)
                ThrowTerminatingError(DropEvaluator.NoRules("the local and Group Policy stores in the registry (none could be read, or this session cannot see them)", Rule).ToErrorRecord());
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null || _evaluator == null) return;
            _evaluator.Add(InputObject);
            this.Write(_evaluator.TakeMessages());
        }

        protected override void EndProcessing()
        {
            if (_evaluator == null) return;
            this.Write(_evaluator.Summary());
            foreach (var verdict in _evaluator.Verdicts(Profile, AllRules.IsPresent))
                WriteObject(verdict);
        }

        public void Dispose()
        {
            _evaluator?.Dispose();
            _evaluator = null;
        }
    }
}
