using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// Get-FwDrop: reads Windows Firewall logs (pfirewall.log) and writes one <see cref="FwDrop"/> per
    /// matching line. Every filter parameter is evaluated by fwcore, so lines that do not match never
    /// become objects.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FwDrop", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(FwDrop))]
    public sealed partial class GetFwDropCommand : FwLogCommand
    {
        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            CheckCursorParameters();
            CheckLiveViewParameters();
            base.BeginProcessing();
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (TailMode && !Wait.IsPresent)
            {
                WriteTails(FilesToRead());
                return;
            }
            if (CursorMode)
            {
                ReadWithCursor(FilesToRead().ToList());
                return;
            }
            foreach (var path in FilesToRead())
            {
                if (_stopping) return;
                if (!ExistsOrExplain(path)) continue;
                var converter = new RecordConverter(path);
                _written = 0;
                ReadLog(path, 0, (records, count) => WriteBatch(converter, records, count));
                ExplainQuietLog(path, _written > 0);
            }
        }

        /// <inheritdoc/>
        protected override void StopProcessing()
        {
            base.StopProcessing();
            WakeFollower(); // ends a -Wait poll at once
        }

        private unsafe void WriteBatch(RecordConverter converter, IntPtr records, int count)
        {
            var p = (FwRecord*)records;
            var ahead = ConvertAhead(converter, p, count); // -ResolveDns: the batch's names at once
            for (int i = 0; i < count; i++)
            {
                if (_stopping) return;
                WriteObject(Enriching ? Enrich(ahead?[i] ?? converter.Convert(p + i)) : converter.Convert(p + i));
                _written++;
            }
        }

    }

    /// <summary>Tab completion for -Action.</summary>
    public sealed class FwActionCompleter : IArgumentCompleter
    {
        private static readonly string[] Actions = { "Drop", "Allow", "Info-Events-Lost", "Open", "Open-Inbound", "Close", "All" };

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
        {
            var pattern = WildcardPattern.Get((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            foreach (var a in Actions)
                if (pattern.IsMatch(a)) yield return new CompletionResult(a, a, CompletionResultType.ParameterValue, a);
        }
    }
}
