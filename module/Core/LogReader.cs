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

        /// <summary>Opens <paramref name="path"/>; throws <see cref="FwNativeException"/> (not found, access denied, I/O).</summary>
        internal static LogReader Open(string path, DropFilter? filter, ulong startOffset = 0, uint batchSize = 0)
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

        /// <summary>The next batch; false at the end of the data.</summary>
        internal bool Next(out IntPtr records, out int count)
        {
            int rc = Ensure.Success(FwNative.fw_reader_next(_handle, out records, out var n));
            if (rc == (int)FwStatus.IterOver)
            {
                records = IntPtr.Zero;
                count = 0;
                return false;
            }
            count = checked((int)n.ToUInt64());
            return true;
        }

        internal FwReaderStats Stats()
        {
            Ensure.Success(FwNative.fw_reader_stats_get(_handle, out var stats));
            return stats;
        }

        /// <summary>The reader's diagnostics ("line 12: 16 fields, expected 17"), first ones only.</summary>
        internal List<(ulong Line, string Message)> Diagnostics()
        {
            var list = new List<(ulong, string)>();
            for (ulong i = 0; ; i++)
            {
                int rc = FwNative.fw_reader_diagnostic(_handle, new UIntPtr(i), out var line, out var message);
                if (rc == (int)FwStatus.IterOver) break;
                if (rc != (int)FwStatus.Ok) throw Ensure.LastError(rc);
                list.Add((line, Utf8.FromNative(message) ?? string.Empty));
            }
            return list;
        }

        public void Dispose() => _handle.Dispose();
    }
}
