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
            var result = new List<FwDropGroup>((int)Math.Min(n, 4096));
            for (ulong i = 0; i < n; i++)
            {
                Ensure.Success(FwNative.fw_summary_group_get(Handle, (UIntPtr)i, out var g));
                result.Add(ToGroup(converter, g));
            }
            return result;
        }

        private SafeSummaryHandle Handle => _summary ?? throw new ObjectDisposedException(nameof(DropSummary));

        private unsafe FwDropGroup ToGroup(RecordConverter converter, FwSummaryGroup g)
        {
            var o = new FwDropGroup
            {
                Count = (long)Math.Min(g.Count, long.MaxValue),
                Percent = Records == 0 ? 0 : 100.0 * g.Count / Records,
                GroupBy = Array.ConvertAll(_groupBy, k => k.ToString()),
                FirstSeen = g.FirstTime == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.FirstTime),
                LastSeen = g.LastTime == FwNative.NoTime ? (DateTime?)null : WallClock.FromSeconds(g.LastTime),
                Bytes = g.Bytes,
            };
            var names = new List<string>(_groupBy.Length);
            foreach (var key in _groupBy)
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

        public void Dispose()
        {
            _summary?.Dispose();
            _summary = null;
        }
    }
}
