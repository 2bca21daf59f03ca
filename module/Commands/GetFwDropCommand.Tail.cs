using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// Get-FwDrop's live-view parameters: -Tail (the last N matching records, read backwards from the end in growing
    /// chunks), -ResolveDns and -IncludeProcess (names for addresses and process ids), and the message that says why
    /// a log is missing, empty or stale (which profile has drop logging off, and the command that turns it on).
    /// </summary>
    public sealed partial class GetFwDropCommand
    {
        /// <summary>A log whose newest record is older than this is stale (when it is a log the firewall is configured to write).</summary>
        internal static readonly TimeSpan StaleAfter = TimeSpan.FromHours(24);

        private const int TailFirstChunk = 256 * 1024;

        /// <summary>Starts with the last N matching records of each log (read from the end, like a tail tool). With -Wait,
        /// keeps following from there; -Tail 0 -Wait shows only new records.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Tail { get; set; }

        /// <summary>Adds host names (SourceHostName, DestinationHostName, RemoteHostName) by reverse DNS: cached per call,
        /// at most 16 lookups at once, each bounded by -DnsTimeout.</summary>
        [Parameter]
        public SwitchParameter ResolveDns { get; set; }

        /// <summary>With -ResolveDns: how long one lookup may take (default 2 seconds, e.g. 00:00:00.5).</summary>
        [Parameter]
        public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Adds ProcessName and ProcessPath for the log's pid from the processes running on this computer now
        /// (right only on the computer that wrote the log, while the process still runs).</summary>
        [Parameter]
        public SwitchParameter IncludeProcess { get; set; }

        private DnsResolver? _dns;
        private ProcessLookup? _processes;
        private bool _dnsWarned;
        private long _written; // records written from the current file

        private bool TailMode => MyInvocation.BoundParameters.ContainsKey(nameof(Tail));

        private void CheckLiveViewParameters()
        {
            if (TailMode && Bookmark != null)
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Tail cannot be combined with -Bookmark: a bookmark already says where to start."),
                    ErrorIds.TailWithBookmark, ErrorCategory.InvalidArgument, Tail));
            bool hasDnsTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(DnsTimeout));
            if (hasDnsTimeout && !ResolveDns.IsPresent)
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-DnsTimeout applies to -ResolveDns only."),
                    ErrorIds.DnsTimeoutWithoutResolveDns, ErrorCategory.InvalidArgument, DnsTimeout));
            if (DnsTimeout <= TimeSpan.Zero || DnsTimeout > TimeSpan.FromMinutes(1))
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-DnsTimeout must be more than 0 and at most 1 minute, not {DnsTimeout}."),
                    ErrorIds.InvalidDnsTimeout, ErrorCategory.InvalidArgument, DnsTimeout));
            if (ResolveDns.IsPresent) _dns = new DnsResolver(DnsTimeout);
            if (IncludeProcess.IsPresent) _processes = new ProcessLookup();
        }

        // ---- Names ------------------------------------------------------------------------------------

        private bool Enriching => _dns != null || _processes != null;

        /// <summary>With -ResolveDns: the batch converted ahead and its addresses resolved at once (order kept); else null.</summary>
        private unsafe FwDrop[]? ConvertAhead(RecordConverter converter, FwRecord* p, int count)
        {
            if (_dns == null) return null;
            var drops = new FwDrop[count];
            var addresses = new List<string?>(count * 2);
            for (int i = 0; i < count; i++)
            {
                drops[i] = converter.Convert(p + i);
                addresses.Add(drops[i].SourceAddress);
                addresses.Add(drops[i].DestinationAddress);
            }
            PrefetchNames(addresses);
            return drops;
        }

        private void PrefetchNames(IEnumerable<string?> addresses)
        {
            if (_dns == null) return;
            _dns.Prefetch(addresses, () => _stopping);
            if (_dns.GaveUp != null && !_dnsWarned)
            {
                _dnsWarned = true;
                WriteWarning(_dns.GaveUp);
            }
        }

        private FwDrop Enrich(FwDrop d)
        {
            if (_dns != null)
            {
                d.SourceHostName = _dns.Name(d.SourceAddress);
                d.DestinationHostName = _dns.Name(d.DestinationAddress);
                d.RemoteHostName = d.RemoteAddress == null ? null
                    : d.RemoteAddress == d.SourceAddress ? d.SourceHostName
                    : d.RemoteAddress == d.DestinationAddress ? d.DestinationHostName : _dns.Name(d.RemoteAddress);
            }
            if (_processes != null && d.ProcessId.HasValue)
            {
                _processes.Get(d.ProcessId.Value, out var name, out var path);
                d.ProcessName = name;
                d.ProcessPath = path;
            }
            return d;
        }

        // ---- Tail -------------------------------------------------------------------------------------

        /// <summary>-Tail without -Wait: the last N matching records of each file (with -IncludeRotated, .old before the log).</summary>
        private void WriteTails(IEnumerable<string> files)
        {
            foreach (var path in files)
            {
                if (_stopping) return;
                if (!ExistsOrExplain(path)) continue;
                var segments = new List<string>();
                if (IncludeRotated.IsPresent && File.Exists(path + ".old")) segments.Add(path + ".old");
                segments.Add(path);
                _written = 0;
                WriteTail(segments);
                ExplainQuietLog(path, _written > 0);
            }
        }

        /// <summary>
        /// Writes the last <see cref="Tail"/> matching records of <paramref name="segments"/> (in time order) and returns
        /// the position just past what the live file's read saw, for -Wait to follow from (null when it is missing).
        /// </summary>
        private unsafe FwPosition? WriteTail(List<string> segments)
        {
            FwPosition? position = null;
            var picked = new List<TailPart>();
            int need = Tail;
            for (int s = segments.Count - 1; s >= 0 && !_stopping; s--)
            {
                string path = segments[s];
                bool live = s == segments.Count - 1;
                FwFileId id = default;
                if (live && Wait.IsPresent && !TryIdentify(path, ulong.MaxValue, out id)) return null;
                List<FwRecord> records;
                ulong end;
                try
                {
                    records = LastRecords(path, need, _filter, out end);
                }
                catch (FwNativeException e)
                {
                    WriteError(OpenError(path, e));
                    if (live) return null;
                    continue;
                }
                if (live)
                {
                    if (Wait.IsPresent)
                    {
                        if (id.PrefixLen > end && !TryIdentify(path, end, out id)) return null;
                        var p = new FwPosition { File = id, Offset = end };
                        if (File.Exists(path + ".old") && TryIdentify(path + ".old", ulong.MaxValue, out var before)) p.Before = before;
                        position = p;
                    }
                }
                picked.Insert(0, new TailPart(path, records));
                need -= records.Count;
                if (need <= 0) break;
            }
            foreach (var part in picked)
            {
                string path = part.Path;
                List<FwRecord> records = part.Records;
                var converter = new RecordConverter(path);
                var drops = new FwDrop[records.Count];
                for (int i = 0; i < records.Count; i++)
                {
                    var r = records[i];
                    drops[i] = converter.Convert(&r);
                }
                if (_dns != null)
                {
                    var addresses = new List<string?>();
                    foreach (var d in drops) { addresses.Add(d.SourceAddress); addresses.Add(d.DestinationAddress); }
                    PrefetchNames(addresses);
                }
                foreach (var d in drops)
                {
                    if (_stopping) return position;
                    WriteObject(Enrich(d));
                    _written++;
                }
            }
            return position;
        }

        /// <summary>The last matching records of one log file, for <see cref="WriteTail"/>.</summary>
        private readonly struct TailPart
        {
            internal readonly string Path;
            internal readonly List<FwRecord> Records;

            internal TailPart(string path, List<FwRecord> records) { Path = path; Records = records; }
        }

        private bool TryIdentify(string path, ulong prefixLen, out FwFileId id)
        {
            int rc = FwNative.fw_file_identify(Utf8.ToNative(path), Math.Min(prefixLen, 4096UL), out id);
            if (rc == (int)FwStatus.Ok) return true;
            var e = Ensure.LastError(rc);
            if (!e.IsNotFound) WriteError(OpenError(path, e));
            return false;
        }

        /// <summary>
        /// The last <paramref name="need"/> records of <paramref name="path"/> that pass <paramref name="filter"/>, in file
        /// order: read from a line start near the end (256 KiB, or 256 bytes per record asked for) to the end; when that
        /// holds fewer matches, the rest is read from the start up to there in one pass keeping the last ones (a ring).
        /// So a common match costs one small read plus the reader's line count of the prefix; a rare one about one full
        /// read. Measured on a 1 GiB log: docs/benchmarks.md (-Tail).
        /// <paramref name="end"/> is the position just past the last complete line of the first (last) chunk.
        /// </summary>
        private unsafe List<FwRecord> LastRecords(string path, int need, DropFilter? filter, out ulong end)
        {
            end = 0;
            var result = new List<FwRecord>();
            if (need == 0)
            {
                end = LastLineEnd(path);
                return result;
            }
            long size;
            bool utf16;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                size = fs.Length;
                utf16 = size >= 2 && fs.ReadByte() == 0xFF && fs.ReadByte() == 0xFE;
            }
            ulong hi = ulong.MaxValue; // the first chunk reads to the end of the file
            long chunk = Math.Max(TailFirstChunk, (long)need * 256);
            long from = size;
            bool first = true;
            while (!_stopping)
            {
                long lo = Math.Max(0, from - chunk);
                lo = lo == 0 ? 0 : LineStartAtOrAfter(path, lo, from, utf16);
                if (lo < 0) // no line start in this stretch (one very long line): take a bigger one
                {
                    chunk *= 4;
                    if (from - chunk <= 0) lo = 0; else continue;
                }
                var ring = new Queue<FwRecord>(Math.Min(need - result.Count, 65536));
                using (var reader = LogReader.Open(path, filter, (ulong)lo))
                {
                    bool done = false;
                    while (!done && !_stopping && reader.Next(out var records, out var count))
                    {
                        var p = (FwRecord*)records;
                        for (int i = 0; i < count; i++)
                        {
                            if (p[i].Offset >= hi) { done = true; break; }
                            ring.Enqueue(p[i]);
                            if (ring.Count > need - result.Count) ring.Dequeue();
                        }
                    }
                    if (first) end = reader.Stats().Position;
                }
                first = false;
                result.InsertRange(0, ring);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "-Tail: read '{0}' from byte {1}: {2} of {3} record(s) found.", path, lo, result.Count, need));
                if (result.Count >= need || lo == 0) break;
                // Not enough near the end: read everything before in one pass from the start. Opening a reader in the
                // middle of a file counts the lines before it (for line numbers) at about the cost of reading them,
                // so more backward chunks would cost more than this single read.
                hi = (ulong)lo;
                from = lo;
                chunk = from;
            }
            return result;
        }

        // -Tail 0: nothing to show; following starts just past the file's last complete line.
        private static ulong LastLineEnd(string path)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bool utf16 = fs.Length >= 2 && fs.ReadByte() == 0xFF && fs.ReadByte() == 0xFE;
            long start = utf16 ? 2 : 0;
            long at = fs.Length;
            if (utf16 && (at - start) % 2 != 0) at--; // an odd trailing byte is half a code unit
            var buffer = new byte[64 * 1024];
            while (at > start)
            {
                int n = (int)Math.Min(buffer.Length, at - start);
                fs.Position = at - n;
                int got = fs.Read(buffer, 0, n);
                if (got != n) break;
                if (utf16)
                {
                    for (int i = n - 2; i >= 0; i -= 2)
                        if (buffer[i] == (byte)'\n' && buffer[i + 1] == 0) return (ulong)(at - n + i + 2);
                }
                else
                {
                    int i = Array.LastIndexOf(buffer, (byte)'\n', n - 1, n);
                    if (i >= 0) return (ulong)(at - n + i + 1);
                }
                at -= n;
            }
            return 0;
        }

        /// <summary>The first line start at or after <paramref name="at"/> and before <paramref name="limit"/>; -1 if none.</summary>
        private static long LineStartAtOrAfter(string path, long at, long limit, bool utf16)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (utf16 && (at - 2) % 2 != 0) at++; // UTF-16LE code units start at even offsets after the BOM
            long pos = Math.Max(utf16 ? 2 : 0, at - (utf16 ? 2 : 1)); // the line end just before `at` counts
            var buffer = new byte[64 * 1024];
            while (pos < limit)
            {
                fs.Position = pos;
                int got = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - pos + 1));
                if (got <= 0) return -1;
                if (utf16)
                {
                    for (int i = 0; i + 1 < got; i += 2)
                        if (buffer[i] == (byte)'\n' && buffer[i + 1] == 0) return pos + i + 2 < limit ? pos + i + 2 : -1;
                    pos += got & ~1;
                }
                else
                {
                    int i = Array.IndexOf(buffer, (byte)'\n', 0, got);
                    if (i >= 0) return pos + i + 1 < limit ? pos + i + 1 : -1;
                    pos += got;
                }
            }
            return -1;
        }

        // ---- Why a log is missing, empty or stale -------------------------------------------------------

        /// <summary>False (with an error that says why the log may be missing) when <paramref name="path"/> does not exist.</summary>
        private bool ExistsOrExplain(string path)
        {
            // A FIFO, device or socket is refused here, natively and without blocking: the tail and quiet-log checks
            // below open the file with FileStream, which would wait forever for a FIFO's writer.
            if (File.Exists(path)) return TryIdentify(path, 0, out _);
            WriteError(ReadError(path, $"Cannot read '{path}': the file does not exist. {LoggingPolicy.Explain(path)}",
                ErrorCategory.ObjectNotFound, null));
            return false;
        }

        /// <summary>A warning when the log has no records at all, or (for a log the firewall is configured to write) when its
        /// newest record is more than <see cref="StaleAfter"/> old: logging may be off.</summary>
        private void ExplainQuietLog(string path, bool wroteAny)
        {
            if (_stopping) return;
            if (wroteAny && !IsConfiguredLog(path)) return; // records came out and staleness does not apply: nothing to say
            List<FwRecord> last;
            try
            {
                last = LastRecords(path, 1, null, out _);
            }
            catch (FwNativeException)
            {
                return; // already reported by the read
            }
            if (last.Count == 0)
            {
                WriteWarning($"'{path}' has no log records. {LoggingPolicy.Explain(path)}");
                return;
            }
            if (last[0].Time == long.MinValue || !IsConfiguredLog(path)) return;
            var newest = new DateTime(1970, 1, 1).AddSeconds(last[0].Time);
            if (DateTime.Now - newest <= StaleAfter) return;
            WriteWarning(string.Format(CultureInfo.InvariantCulture,
                "'{0}': the newest record is from {1:yyyy-MM-dd HH:mm:ss}, more than {2} hours ago. {3}",
                path, newest, StaleAfter.TotalHours, LoggingPolicy.Explain(path)));
        }

        /// <summary>A log the firewall writes: read by default (no -Path), or named by the settings in force.</summary>
        private bool IsConfiguredLog(string path)
        {
            if (Path == null && LiteralPath == null) return true;
            var profiles = LoggingPolicy.Current(out _);
            if (profiles == null) return false;
            foreach (var p in profiles)
                if (LoggingPolicy.SamePath(p.LogFilePath, path)) return true;
            return false;
        }
    }
}
