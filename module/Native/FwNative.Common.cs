// P/Invoke declarations for fw/common.h: errors, versions, addresses.
using System;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>Status codes of the fwcore C ABI (fw_status).</summary>
    internal enum FwStatus
    {
        Ok = 0,
        Error = -1,
        Invalid = -2,
        NotFound = -3,
        Access = -4,
        NoMemory = -5,
        Buffer = -6,
        IO = -7,
        Format = -8,
        Conflict = -9,
        IterOver = -31,
    }

    /// <summary>
    /// An owned fwcore object (fw_reader*, fw_ruleset*, ...): null is invalid, and release calls the object's own
    /// fw_*_free. Each object type is a sealed subclass, so P/Invoke signatures stay typed (out SafeReaderHandle).
    /// </summary>
    internal abstract class FwHandle : SafeHandle
    {
        protected FwHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <summary>Frees the object (fw_*_free accepts only its own type).</summary>
        protected abstract void Free(IntPtr handle);

        protected sealed override bool ReleaseHandle()
        {
            Free(handle);
            return true;
        }
    }

    /// <summary>fw_error_class.</summary>
    internal enum FwErrorClass
    {
        None = 0,
        Argument = 1,
        OS = 2,
        Format = 3,
        Memory = 4,
        Internal = 5,
    }

    /// <summary>fw_error, as returned (borrowed) by fw_error_last().</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwErrorNative
    {
        public IntPtr Message;
        public int Code;
        public int Klass;
        public int OsError;
        public long Line;
        public long Column;
    }

    /// <summary>fw_addr: family (0 absent, 4, 6) then 16 bytes in network order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct FwAddr
    {
        public byte Family;
        public fixed byte Reserved[3];
        public fixed byte Bytes[16];
    }

    internal static partial class FwNative
    {
        /// <summary>The DllImport name. PowerShell 7 probes &lt;asmdir&gt;/&lt;os&gt;-&lt;arch&gt;/fwcore.{so,dll,dylib}.</summary>
        internal const string Library = "fwcore";

        /// <summary>FW_ABI_VERSION this assembly was compiled against (native/include/fw/common.h).</summary>
        internal const int AbiVersion = 3;

        internal const int FamilyNone = 0;
        internal const int FamilyInet = 4;
        internal const int FamilyInet6 = 6;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr fw_error_last();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_error_clear();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr fw_errstr(int code);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr fw_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_abi_version();
    }
}
