using System;
using System.Collections.Generic;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// One open log file: batches of native records that passed the filter. The batch memory is
    /// borrowed from the reader and valid until the next <see cref="Next"/> or <see cref="Dispose"/>.
    /// </summary>
    internal sealed class LogReader : IDisposable
    {
        private readonly SafeReaderHandle _handle;

        private LogReader(SafeReaderHandle handle, string path)
        {
            _handle = handle;
            Path = path;
        }

        internal string Path { get; }

        /// <summary>The native reader, for a summary that counts its records (fw_summary_read).</summary>
        internal SafeReaderHandle Handle => _handle;

        /// <summary>Opens <paramref name="path"/> (<paramref name="threads"/>: 0 = one per core; <paramref name="fields"/>:
        /// the fw_record_fields to type, 0 = all); throws <see cref="FwNativeException"/> (not found, access denied, I/O).</summary>
        internal static LogReader Open(string path, DropFilter? filter, ulong startOffset = 0, uint batchSize = 0,
                                       uint threads = 0, uint fields = 0)
        {
            bool added = false;
            try
            {
                if (filter != null) filter.Handle.DangerousAddRef(ref added);
                var options = new FwReaderOptions
                {
                    Version = FwNative.ReaderOptionsVersion,
                    BatchSize = batchSize,
                    StartOffset = startOffset,
                    Filter = filter != null ? filter.Handle.DangerousGetHandle() : IntPtr.Zero,
                    Threads = threads,
                    Fields = fields,
                };
                int rc = FwNative.fw_reader_open(out var handle, Utf8.ToNative(path), ref options);
                if (rc != (int)FwStatus.Ok)
                {
                    handle.Dispose();
                    throw Ensure.LastError(rc);
                }
                return new LogReader(handle, path);
            }
            finally
            {
                if (added) filter!.Handle.DangerousRelease();
            }
        }

        /// <summary>The next batch; false at the end of the data. A batch may be empty (count 0) when the reader
        /// scanned a stretch of the file that the filter rejected: the caller gets control back to report progress
        /// and to notice Ctrl+C.</summary>
        internal bool Next(out IntPtr records, out int count) =>
            Batch(FwNative.fw_reader_next(_handle, out records, out var n), n, ref records, out count);

        internal FwReaderStats Stats()
        {
            Ensure.Success(FwNative.fw_reader_stats_get(_handle, out var stats));
            return stats;
        }

        /// <summary>The reader's diagnostics ("line 12: 16 fields, expected 17"), first ones only.</summary>
        internal List<LineMessage> Diagnostics() =>
            CollectDiagnostics((ulong i, out ulong line, out IntPtr message) =>
                FwNative.fw_reader_diagnostic(_handle, new UIntPtr(i), out line, out message));

        /// <summary>The result of fw_reader_next (owned or borrowed reader): false at the end of the data.</summary>
        internal static bool Batch(int rc, UIntPtr n, ref IntPtr records, out int count)
        {
            if (Ensure.Success(rc) == (int)FwStatus.IterOver)
            {
                records = IntPtr.Zero;
                count = 0;
                return false;
            }
            count = checked((int)n.ToUInt64());
            return true;
        }

        internal delegate int DiagnosticGetter(ulong index, out ulong line, out IntPtr message);

        /// <summary>Every diagnostic a reader kept, through fw_reader_diagnostic or its borrowed twin.</summary>
        internal static List<LineMessage> CollectDiagnostics(DiagnosticGetter get)
        {
            var list = new List<LineMessage>();
            for (ulong i = 0; ; i++)
            {
                int rc = get(i, out var line, out var message);
                if (rc == (int)FwStatus.IterOver) break;
                if (rc != (int)FwStatus.Ok) throw Ensure.LastError(rc);
                list.Add(new LineMessage(line, Utf8.FromNative(message) ?? string.Empty));
            }
            return list;
        }

        public void Dispose() => _handle.Dispose();
    }

    /// <summary>A reader diagnostic: the line it is about (0: none) and the sentence.</summary>
    internal readonly struct LineMessage
    {
        internal LineMessage(ulong line, string message) { Line = line; Message = message; }
        internal ulong Line { get; }
        internal string Message { get; }
        internal void Deconstruct(out ulong line, out string message) { line = Line; message = Message; }
    }
}
