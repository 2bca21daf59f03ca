using System.Globalization;
using System.Management.Automation;
using Fw.Core.Services;

namespace Fw.Commands
{
    /// <summary>
    /// Measure-FwDrop: counts the records of firewall logs by the properties given (ports, addresses, direction,
    /// hour ...), most first. Reading, filtering and counting all run in fwcore (fw/summary.h): no object is made
    /// per line, so a log of gigabytes is summarised at close to the native reader's speed.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "FwDrop", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(FwDropGroup))]
    public sealed class MeasureFwDropCommand : FwLogCommand
    {
        private DropSummary? _summary;

        /// <summary>The properties to group by, most significant first (up to 8). Default: Direction, Protocol, LocalPort.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateCount(1, 8)]
        public FwDropKey[] GroupBy { get; set; } = { FwDropKey.Direction, FwDropKey.Protocol, FwDropKey.LocalPort };

        /// <summary>Only the N largest groups.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Top { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            if (DropSummary.KeyProblem(GroupBy) is ServiceMessage repeated)
                ThrowTerminatingError(repeated.ToErrorRecord()); // before the native library is needed
            base.BeginProcessing();
            _summary = new DropSummary(GroupBy);
            RecordFields = _summary.Fields; // the reader types only what is counted
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var path in FilesToRead())
            {
                if (_stopping) return;
                ReadLog(path, 0, _summary!.Read); // counted in fwcore, by every reading thread
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            try
            {
                if (_summary == null || _stopping) return;
                var groups = _summary.Finish(Top);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} record(s) in {1} group(s).", _summary.Records, _summary.Groups));
                foreach (var g in groups) WriteObject(g);
            }
            finally
            {
                _summary?.Dispose();
                _summary = null;
                base.EndProcessing();
            }
        }
    }
}
