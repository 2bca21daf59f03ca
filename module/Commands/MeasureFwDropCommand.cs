using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Fw.Core;
using Fw.Native;

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
        private SafeSummaryHandle? _summary;
        private ulong _records;

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
            var distinct = GroupBy.Distinct().ToArray();
            if (distinct.Length != GroupBy.Length)
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"-GroupBy names a property more than once ({string.Join(", ", GroupBy)})."),
                    "FwGroupByRepeated", ErrorCategory.InvalidArgument, GroupBy));
            base.BeginProcessing();
            var keys = GroupBy.Select(k => (int)k).ToArray();
            int rc = FwNative.fw_summary_new(out var summary, keys, (UIntPtr)(uint)keys.Length);
            if (rc != (int)FwStatus.Ok)
            {
                summary.Dispose();
                throw Ensure.LastError(rc);
            }
            _summary = summary;
            Ensure.Success(FwNative.fw_summary_fields(summary, out var fields));
            RecordFields = fields; // the reader types only what is counted
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var path in FilesToRead())
            {
                if (_stopping) return;
                ReadLog(path, 0, Count);
            }
        }

        private void Count(IntPtr records, int count)
        {
            if (count == 0) return;
            Ensure.Success(FwNative.fw_summary_add(_summary!, records, (UIntPtr)(uint)count));
            _records += (ulong)count;
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            try
            {
                if (_summary == null || _stopping) return;
                Ensure.Success(FwNative.fw_summary_finish(_summary, out var groups));
                ulong n = groups.ToUInt64();
                if (Top > 0 && (ulong)Top < n) n = (ulong)Top;
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} record(s) in {1} group(s).", _records, groups.ToUInt64()));
                var converter = new RecordConverter(string.Empty);
                for (ulong i = 0; i < n; i++)
                {
                    Ensure.Success(FwNative.fw_summary_group_get(_summary, (UIntPtr)i, out var g));
                    WriteObject(ToGroup(converter, g));
                }
            }
            finally
            {
                _summary?.Dispose();
                _summary = null;
                base.EndProcessing();
            }
        }

        private unsafe FwDropGroup ToGroup(RecordConverter converter, FwSummaryGroup g)
        {
            var o = new FwDropGroup
            {
                Count = (long)Math.Min(g.Count, long.MaxValue),
                Percent = _records == 0 ? 0 : 100.0 * g.Count / _records,
                GroupBy = Array.ConvertAll(GroupBy, k => k.ToString()),
                FirstSeen = g.FirstTime == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.FirstTime),
                LastSeen = g.LastTime == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.LastTime),
                Bytes = g.Bytes,
            };
            var names = new List<string>(GroupBy.Length);
            foreach (var key in GroupBy)
            {
                object? value;
                switch (key)
                {
                    case FwDropKey.Action: value = o.Action = RecordConverter.ActionName(g.Action); break;
                    case FwDropKey.Protocol: value = o.Protocol = g.Protocol == FwNative.Absent ? null : RecordConverter.ProtocolName(g.Protocol); break;
                    case FwDropKey.SourceAddress: value = o.SourceAddress = converter.Address(&g.Src); break;
                    case FwDropKey.DestinationAddress: value = o.DestinationAddress = converter.Address(&g.Dst); break;
                    case FwDropKey.SourcePort: value = o.SourcePort = Port(g.SrcPort); break;
                    case FwDropKey.DestinationPort: value = o.DestinationPort = Port(g.DstPort); break;
                    case FwDropKey.LocalAddress: value = o.LocalAddress = converter.Address(&g.Local); break;
                    case FwDropKey.LocalPort: value = o.LocalPort = Port(g.LocalPort); break;
                    case FwDropKey.RemoteAddress: value = o.RemoteAddress = converter.Address(&g.Remote); break;
                    case FwDropKey.RemotePort: value = o.RemotePort = Port(g.RemotePort); break;
                    case FwDropKey.IcmpType: value = o.IcmpType = Port(g.IcmpType); break;
                    case FwDropKey.ProcessId: value = o.ProcessId = g.Pid >= 0 && g.Pid <= int.MaxValue ? (int)g.Pid : (int?)null; break;
                    case FwDropKey.Hour: value = o.Hour = g.Hour == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.Hour); break;
                    case FwDropKey.Direction:
                        o.Direction = RecordConverter.DirectionName(g.Path);
                        value = o.Direction ?? RecordConverter.PathName(g.Path);
                        break;
                    default: value = null; break;
                }
                names.Add(value switch
                {
                    null => "-",
                    DateTime t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
                });
            }
            o.Name = string.Join(", ", names);
            return o;
        }

        private static int? Port(int v) => v < 0 ? (int?)null : v;
    }
}
