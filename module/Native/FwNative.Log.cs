// P/Invoke declarations for fw/log.h: filters, the reader, typed records.
using System;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>fw_record: one typed log line. Layout must match native/include/fw/log.h (136 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct FwRecord
    {
        public long Time;
        public ulong Offset;
        public ulong Line;
        public FwAddr Src;
        public FwAddr Dst;
        public long Size;
        public long TcpSyn;
        public long TcpAck;
        public long Info;
        public long Pid;
        public int SrcPort;
        public int DstPort;
        public int TcpWin;
        public short Protocol;
        public short IcmpType;
        public short IcmpCode;
        public byte Action;
        public byte Path;
        public fixed byte TcpFlags[8];
    }

    /// <summary>fw_reader_options (version 2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwReaderOptions
    {
        public uint Version;
        public uint BatchSize;
        public ulong StartOffset;
        public IntPtr Filter;
        public uint Threads; // 0: one per core
        public uint Fields;  // fw_record_fields; 0: all
    }

    /// <summary>fw_reader_stats.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct FwReaderStats
    {
        public ulong FileSize;
        public ulong Position;
        public ulong Lines;
        public ulong Records;
        public ulong Matched;
        public ulong Skipped;
        public fixed ulong SkippedLines[8];
        public uint Headers;
        public uint LayoutChanges;
        public byte Encoding;
        public byte PartialTail;
        public byte HasPid;
        public byte Notes; // FW_NOTE_*
        public uint NulBytes;
    }

    /// <summary>fw_filter_field.</summary>
    internal enum FwFilterField
    {
        Action = 1,
        Protocol = 2,
        SourceAddress = 3,
        DestinationAddress = 4,
        SourcePort = 5,
        DestinationPort = 6,
        Direction = 7,
    }

    /// <summary>fw_expr_node: one node of a filter expression program (fw_filter_set_expr).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwExprNode
    {
        public uint Kind;
        public uint Field;
        public uint Flags;
        public uint First;
        public uint Count;
    }

    /// <summary>fw_expr (version 1): the arrays are pinned by the caller for the duration of the call.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwExpr
    {
        public uint Version;
        public IntPtr Nodes;
        public UIntPtr NodeCount;
        public IntPtr Children;
        public UIntPtr ChildCount;
        public IntPtr Numbers;
        public UIntPtr NumberCount;
        public IntPtr Addresses;
        public UIntPtr AddressCount;
        public IntPtr Text;
        public UIntPtr TextSize;
    }

    /// <summary>Owns an fw_filter*; frees it with fw_filter_free.</summary>
    internal sealed class SafeFilterHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_filter_free(handle);
    }

    /// <summary>Owns an fw_reader*; frees it with fw_reader_free.</summary>
    internal sealed class SafeReaderHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_reader_free(handle);
    }

    internal static partial class FwNative
    {
        internal const uint ReaderOptionsVersion = 2;
        internal const int ReaderThreadsMax = 256;
        internal const long Absent = -1;
        internal const int ProtocolOther = -2;
        internal const long NoTime = long.MinValue;
        internal const int MaxSkippedLines = 8;

        // fw_action
        internal const byte ActionOther = 0, ActionDrop = 1, ActionAllow = 2, ActionInfoEventsLost = 3,
            ActionOpen = 4, ActionOpenInbound = 5, ActionClose = 6;

        // fw_path
        internal const byte PathNone = 0, PathSend = 1, PathReceive = 2, PathForward = 3, PathUnknown = 4, PathOther = 5;

        // fw_encoding
        internal const byte EncodingUtf8 = 0, EncodingUtf16LE = 1;
        internal const byte NoteShrank = 0x1, NoteCrOnly = 0x2, NotePassedOver = 0x4; // fw_reader_stats.notes (FW_NOTE_*)

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_filter_new(out SafeFilterHandle filter);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_filter_add(SafeFilterHandle filter, int field, byte[] value);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_filter_set_time(SafeFilterHandle filter, long after, long before);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_filter_free(IntPtr filter);

        // fw_expr_kind, fw_expr_field and the flags of fw/log.h (filter expressions)
        internal const uint ExprVersion = 1;
        internal const uint ExprAnd = 1, ExprOr = 2, ExprNot = 3, ExprNumbers = 4, ExprCodes = 5, ExprAddresses = 6, ExprText = 7;
        internal const uint ExprAbsentPasses = 1;
        internal const byte ExprTokenOne = 0, ExprTokenAnyRun = 1;
        internal const int ExprTokenSize = 33, ExprMaxDepth = 64, ExprMaxNodes = 65536;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_filter_set_expr(SafeFilterHandle filter, ref FwExpr expr);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_reader_open(out SafeReaderHandle reader, byte[] path, ref FwReaderOptions options);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_reader_next(SafeReaderHandle reader, out IntPtr records, out UIntPtr count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_reader_stats_get(SafeReaderHandle reader, out FwReaderStats stats);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_reader_diagnostic(SafeReaderHandle reader, UIntPtr index, out ulong line, out IntPtr message);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_reader_free(IntPtr reader);
    }
}
