using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Fw.Native;

namespace Fw.Core.Services
{
    /// <summary>
    /// Measure-FwDrop's counting: the native summary (fw/summary.h) fed with batches of native records, and its
    /// ranking turned into FwDropGroup objects (most first). No Cmdlet: batches in, groups out.
    /// </summary>
    internal sealed class DropSummary : IDisposable
    {
        private readonly FwDropKey[] _groupBy;
        private SafeSummaryHandle? _summary;

        /// <summary>A summary grouping by <paramref name="groupBy"/>, most significant first. Throws
        /// <see cref="ServiceException"/> (FwGroupByRepeated) when a key repeats, <see cref="FwNativeException"/> when
        /// fwcore refuses the keys.</summary>
        internal DropSummary(FwDropKey[] groupBy)
        {
            if (KeyProblem(groupBy) is ServiceMessage repeated) throw new ServiceException(repeated);
            _groupBy = (FwDropKey[])groupBy.Clone();
            var keys = _groupBy.Select(k => (int)k).ToArray();
            int rc = FwNative.fw_summary_new(out var summary, keys, (UIntPtr)(uint)keys.Length);
            if (rc != (int)FwStatus.Ok)
            {
                summary.Dispose();
                throw Ensure.LastError(rc);
            }
            _summary = summary;
            Ensure.Success(FwNative.fw_summary_fields(summary, out var fields));
            Fields = fields;
        }

        /// <summary>The error for keys that cannot make a summary (one named twice), or null.</summary>
        internal static ServiceMessage? KeyProblem(FwDropKey[] groupBy) =>
            groupBy.Distinct().Count() == groupBy.Length ? null : ServiceMessage.Error(ErrorIds.GroupByRepeated,
                new PSArgumentException($"-GroupBy names a property more than once ({string.Join(", ", groupBy)})."),
                ErrorCategory.InvalidArgument, groupBy);

        /// <summary>The fw_record_fields the reader must type for this summary (the rest stay untyped: faster).</summary>
        internal uint Fields { get; }

        /// <summary>Records counted so far.</summary>
        internal ulong Records { get; private set; }

        /// <summary>Groups after <see cref="Finish"/>.</summary>
        internal ulong Groups { get; private set; }

        /// <summary>Counts a batch of native records (borrowed from a reader).</summary>
        internal void Add(IntPtr records, int count)
        {
            if (count == 0) return;
            Ensure.Success(FwNative.fw_summary_add(Handle, records, (UIntPtr)(uint)count));
            Records += (ulong)count;
        }

        /// <summary>Counts the reader's next records in fwcore (fw_summary_read: each reading thread counts its own
        /// part of the file; no record is handed out). One step as <see cref="LogReader.Next"/> takes one; false at
        /// the end of the data. Throws <see cref="FwNativeException"/> when the file cannot be read.</summary>
        internal bool Read(LogReader reader)
        {
            int rc = Ensure.Success(FwNative.fw_summary_read(Handle, reader.Handle, out var counted));
            Records += counted;
            return rc != (int)FwStatus.IterOver;
        }

        /// <summary>The groups, largest first; only the <paramref name="top"/> largest when top &gt; 0.</summary>
        internal List<FwDropGroup> Finish(int top)
        {
            Ensure.Success(FwNative.fw_summary_finish(Handle, out var groups));
            Groups = groups.ToUInt64();
            ulong n = Groups;
            if (top > 0 && (ulong)top < n) n = (ulong)top;
            var converter = new RecordConverter(string.Empty);
            var keyNames = Array.ConvertAll(_groupBy, k => k.ToString());
            var name = new System.Text.StringBuilder(64);
            var result = new List<FwDropGroup>((int)Math.Min(n, 4096));
            for (ulong i = 0; i < n; i++)
            {
                Ensure.Success(FwNative.fw_summary_group_get(Handle, (UIntPtr)i, out var g));
                result.Add(ToGroup(converter, g, keyNames, name));
            }
            return result;
        }

        private SafeSummaryHandle Handle => _summary ?? throw new ObjectDisposedException(nameof(DropSummary));

        private unsafe FwDropGroup ToGroup(RecordConverter converter, FwSummaryGroup g, string[] keyNames, System.Text.StringBuilder name)
        {
            var o = new FwDropGroup
            {
                Count = (long)Math.Min(g.Count, long.MaxValue),
                Percent = Records == 0 ? 0 : 100.0 * g.Count / Records,
                GroupBy = (string[])keyNames.Clone(), // each group's own: one changed leaves the others alone
                FirstSeen = g.FirstTime == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.FirstTime),
                LastSeen = g.LastTime == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.LastTime),
                Bytes = g.Bytes,
            };
            // Name as Group-Object makes it: the values in -GroupBy order, "-" for none, joined with ", ".
            name.Clear();
            foreach (var key in _groupBy)
            {
                if (name.Length != 0) name.Append(", ");
                switch (key)
                {
                    case FwDropKey.Action: AppendText(name, o.Action = RecordConverter.ActionName(g.Action)); break;
                    case FwDropKey.Protocol: AppendText(name, o.Protocol = g.Protocol == FwNative.Absent ? null : RecordConverter.ProtocolName(g.Protocol)); break;
                    case FwDropKey.SourceAddress: AppendText(name, o.SourceAddress = converter.Address(&g.Src)); break;
                    case FwDropKey.DestinationAddress: AppendText(name, o.DestinationAddress = converter.Address(&g.Dst)); break;
                    case FwDropKey.SourcePort: AppendNumber(name, o.SourcePort = Port(g.SrcPort)); break;
                    case FwDropKey.DestinationPort: AppendNumber(name, o.DestinationPort = Port(g.DstPort)); break;
                    case FwDropKey.LocalAddress: AppendText(name, o.LocalAddress = converter.Address(&g.Local)); break;
                    case FwDropKey.LocalPort: AppendNumber(name, o.LocalPort = Port(g.LocalPort)); break;
                    case FwDropKey.RemoteAddress: AppendText(name, o.RemoteAddress = converter.Address(&g.Remote)); break;
                    case FwDropKey.RemotePort: AppendNumber(name, o.RemotePort = Port(g.RemotePort)); break;
                    case FwDropKey.IcmpType: AppendNumber(name, o.IcmpType = Port(g.IcmpType)); break;
                    case FwDropKey.ProcessId: AppendNumber(name, o.ProcessId = g.Pid >= 0 && g.Pid <= int.MaxValue ? (int)g.Pid : (int?)null); break;
                    case FwDropKey.Hour:
                        o.Hour = g.Hour == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.Hour);
                        AppendText(name, o.Hour?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
                        break;
                    case FwDropKey.Direction:
                        o.Direction = RecordConverter.DirectionName(g.Path);
                        AppendText(name, o.Direction ?? RecordConverter.PathName(g.Path));
                        break;
                    default: AppendText(name, null); break;
                }
            }
            o.Name = name.ToString();
            return o;
        }

        private static void AppendText(System.Text.StringBuilder name, string? value) => name.Append(value ?? "-");

        private static void AppendNumber(System.Text.StringBuilder name, int? value)
        {
            if (value is int v) name.Append(v.ToString(CultureInfo.InvariantCulture));
            else name.Append('-');
        }

        private static int? Port(int v) => v < 0 ? (int?)null : v;

        public void Dispose()
        {
            _summary?.Dispose();
            _summary = null;
        }
    }
}
