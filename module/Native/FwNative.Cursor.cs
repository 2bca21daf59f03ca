// P/Invoke declarations for fw/cursor.h: file identity, positions, cursors, default log paths.
using System;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>fw_file_id (48 bytes): OS identity, size and a hash of the file's first bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwFileId
    {
        public ulong Volume;
        public ulong IndexLo;
        public ulong IndexHi;
        public ulong Size;
        public ulong PrefixHash;
        public uint PrefixLen;
        public uint HasOsId;
    }

    /// <summary>fw_position (104 bytes): a file, an offset in it, and the older generation at .old then.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwPosition
    {
        public FwFileId File;
        public ulong Offset;
        public FwFileId Before;
    }

    /// <summary>fw_cursor_options (version 1).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwCursorOptions
    {
        public uint Version;
        public uint Flags;
        public uint BatchSize;
        public uint Reserved;
        public IntPtr Filter;
    }

    /// <summary>Owns an fw_cursor*; frees it with fw_cursor_free.</summary>
    internal sealed class SafeCursorHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_cursor_free(handle);
    }

    internal static partial class FwNative
    {
        internal const uint CursorOptionsVersion = 1;
        internal const int PrefixMax = 4096;

        // fw_source
        internal const int SourceLive = 0, SourceRotated = 1;

        // FW_WARN_*
        internal const uint WarnTruncated = 0x1, WarnGap = 0x2, WarnNoLog = 0x4, WarnRealigned = 0x8;

        // FW_PLAN_* / FW_CURSOR_*
        internal const uint PlanIncludeRotated = 0x1, CursorFollow = 0x100;

        // fw_file_match
        internal const int FileMissing = 0, FileOther = 1, FileSame = 2, FileRewritten = 3;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_file_identify(byte[] path, ulong prefixLen, out FwFileId id);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_file_compare(byte[] path, ref FwFileId id, out int result);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_cursor_open(out SafeCursorHandle cursor, byte[] path, ref FwPosition from, ref FwCursorOptions options);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, EntryPoint = "fw_cursor_open")]
        internal static extern int fw_cursor_open_fresh(out SafeCursorHandle cursor, byte[] path, IntPtr noPosition, ref FwCursorOptions options);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_cursor_segment(SafeCursorHandle cursor, out IntPtr reader, out int source, out IntPtr path);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_cursor_position(SafeCursorHandle cursor, IntPtr through, out FwPosition position);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_cursor_position_before(SafeCursorHandle cursor, IntPtr record, out FwPosition position);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_cursor_poll(SafeCursorHandle cursor, out int ready);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_cursor_warnings(SafeCursorHandle cursor, out uint warnings, out IntPtr message);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_cursor_free(IntPtr cursor);

        // The readers a cursor hands out are borrowed (the cursor frees them): plain pointers.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, EntryPoint = "fw_reader_next")]
        internal static extern int fw_reader_next_borrowed(IntPtr reader, out IntPtr records, out UIntPtr count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, EntryPoint = "fw_reader_stats_get")]
        internal static extern int fw_reader_stats_get_borrowed(IntPtr reader, out FwReaderStats stats);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, EntryPoint = "fw_reader_diagnostic")]
        internal static extern int fw_reader_diagnostic_borrowed(IntPtr reader, UIntPtr index, out ulong line, out IntPtr message);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_log_default_paths(byte[]? buffer, UIntPtr size, out UIntPtr needed, out UIntPtr count);
    }
}
