using System;
using System.Collections.Generic;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// A native fw_cursor: reads one log across rotation, segment by segment (the unread rest of
    /// pfirewall.log.old, then pfirewall.log), reports the position reached and, in follow mode, polls the
    /// log for growth, rotation and truncation. The readers it hands out are borrowed: valid until the next
    /// <see cref="NextSegment"/>, <see cref="Poll"/> or <see cref="Dispose"/>.
    /// </summary>
    internal sealed class LogCursor : IDisposable
    {
        private readonly SafeCursorHandle _handle;

        private LogCursor(SafeCursorHandle handle) => _handle = handle;

        /// <summary>
        /// Opens a cursor on the live log <paramref name="path"/>, continuing from <paramref name="from"/> (null: from
        /// the start). The native cursor copies the filter. Throws <see cref="FwNativeException"/>.
        /// </summary>
        internal static LogCursor Open(string path, FwPosition? from, bool includeRotated, bool follow, DropFilter? filter,
            uint batchSize = 0)
        {
            bool added = false;
            try
            {
                if (filter != null) filter.Handle.DangerousAddRef(ref added);
                var options = new FwCursorOptions
                {
                    Version = FwNative.CursorOptionsVersion,
                    Flags = (includeRotated ? FwNative.PlanIncludeRotated : 0) | (follow ? FwNative.CursorFollow : 0),
                    BatchSize = batchSize,
                    Filter = filter != null ? filter.Handle.DangerousGetHandle() : IntPtr.Zero,
                };
                SafeCursorHandle handle;
                int rc;
                if (from.HasValue)
                {
                    var position = from.Value;
                    rc = FwNative.fw_cursor_open(out handle, Utf8.ToNative(path), ref position, ref options);
                }
                else
                {
                    rc = FwNative.fw_cursor_open_fresh(out handle, Utf8.ToNative(path), IntPtr.Zero, ref options);
                }
                if (rc != (int)FwStatus.Ok)
                {
                    handle.Dispose();
                    throw Ensure.LastError(rc);
                }
                return new LogCursor(handle);
            }
            finally
            {
                if (added) filter!.Handle.DangerousRelease();
            }
        }

        /// <summary>Starts the next planned segment; false when the plan is done.</summary>
        internal bool NextSegment(out IntPtr reader, out int source, out string path)
        {
            int rc = Ensure.Success(FwNative.fw_cursor_segment(_handle, out reader, out source, out var p));
            path = Utf8.FromNative(p) ?? string.Empty;
            return rc == (int)FwStatus.Ok;
        }

        /// <summary>The next batch of a borrowed reader; false at the end of its data (a batch may be empty).</summary>
        internal static bool Next(IntPtr reader, out IntPtr records, out int count) =>
            LogReader.Batch(FwNative.fw_reader_next_borrowed(reader, out records, out var n), n, ref records, out count);

        internal static FwReaderStats Stats(IntPtr reader)
        {
            Ensure.Success(FwNative.fw_reader_stats_get_borrowed(reader, out var stats));
            return stats;
        }

        internal static List<LineMessage> Diagnostics(IntPtr reader) =>
            LogReader.CollectDiagnostics((ulong i, out ulong line, out IntPtr message) =>
                FwNative.fw_reader_diagnostic_borrowed(reader, new UIntPtr(i), out line, out message));

        /// <summary>Just past everything read so far; null when nothing was read and there was no start position.</summary>
        internal FwPosition? Position()
        {
            int rc = Ensure.Success(FwNative.fw_cursor_position(_handle, IntPtr.Zero, out var p));
            return rc == (int)FwStatus.Ok ? p : (FwPosition?)null;
        }

        /// <summary>Just past the line of <paramref name="record"/> (a record of the current batch).</summary>
        internal FwPosition PositionThrough(IntPtr record)
        {
            Ensure.Success(FwNative.fw_cursor_position(_handle, record, out var p));
            return p;
        }

        /// <summary>At the start of the line of <paramref name="record"/> (a record of the current batch).</summary>
        internal FwPosition PositionBefore(IntPtr record)
        {
            Ensure.Success(FwNative.fw_cursor_position_before(_handle, record, out var p));
            return p;
        }

        /// <summary>Follow mode: looks at the log again; true when <see cref="NextSegment"/> has something to read.</summary>
        internal bool Poll()
        {
            Ensure.Success(FwNative.fw_cursor_poll(_handle, out int ready));
            return ready != 0;
        }

        /// <summary>Warnings found since the last call (FW_WARN_* and sentences), then forgotten.</summary>
        internal uint TakeWarnings(out string message)
        {
            Ensure.Success(FwNative.fw_cursor_warnings(_handle, out uint flags, out var text));
            message = Utf8.FromNative(text) ?? string.Empty;
            return flags;
        }

        public void Dispose() => _handle.Dispose();

        /// <summary>
        /// The log files the firewall is configured to write (Group Policy over local settings, all profiles), from
        /// fw_log_default_paths. Throws <see cref="FwNativeException"/> (not found) outside Windows.
        /// </summary>
        internal static string[] DefaultLogPaths()
        {
            for (int attempt = 0; ; attempt++)
            {
                int rc = FwNative.fw_log_default_paths(null, UIntPtr.Zero, out var needed, out _);
                if (rc != (int)FwStatus.Buffer) Ensure.Success(rc);
                var buffer = new byte[checked((int)needed.ToUInt64())];
                rc = FwNative.fw_log_default_paths(buffer, new UIntPtr((ulong)buffer.Length), out _, out var count);
                if (rc == (int)FwStatus.Buffer && attempt < 3) continue; // the policy changed in between
                Ensure.Success(rc);
                var paths = new List<string>();
                int start = 0;
                for (int i = 0; i < buffer.Length && paths.Count < (int)count.ToUInt64(); i++)
                {
                    if (buffer[i] != 0) continue;
                    if (i == start) break;
                    paths.Add(System.Text.Encoding.UTF8.GetString(buffer, start, i - start));
                    start = i + 1;
                }
                return paths.ToArray();
            }
        }
    }
}
