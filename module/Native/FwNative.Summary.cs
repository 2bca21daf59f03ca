// P/Invoke declarations for fw/summary.h: counting records by key.
using System;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>fw_summary_group. Layout must match native/include/fw/summary.h (152 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwSummaryGroup
    {
        public ulong Count;
        public long FirstTime;
        public long LastTime;
        public long Bytes;
        public long Hour;
        public FwAddr Src;
        public FwAddr Dst;
        public FwAddr Local;
        public FwAddr Remote;
        public long Pid;
        public int SrcPort;
        public int DstPort;
        public int LocalPort;
        public int RemotePort;
        public short Protocol;
        public short IcmpType;
        public byte Action;
        public byte Path;
        public byte Reserved0, Reserved1;
    }

    /// <summary>Owns an fw_summary*; frees it with fw_summary_free.</summary>
    internal sealed class SafeSummaryHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_summary_free(handle);
    }

    internal static partial class FwNative
    {
        internal const int SummaryGroupSize = 152;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_summary_new(out SafeSummaryHandle summary, int[] keys, UIntPtr count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_summary_fields(SafeSummaryHandle summary, out uint fields);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_summary_add(SafeSummaryHandle summary, IntPtr records, UIntPtr count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_summary_read(SafeSummaryHandle summary, SafeReaderHandle reader, out ulong counted);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_summary_finish(SafeSummaryHandle summary, out UIntPtr groups);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_summary_group_get(SafeSummaryHandle summary, UIntPtr index, out FwSummaryGroup group);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_summary_free(IntPtr summary);
    }
}
