// P/Invoke declarations for fw/logging.h: the firewall's logging settings and the log folder's permission.
using System;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>fw_logging_profile. Layout must match native/include/fw/logging.h; strings borrowed until fw_logging_policy_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwLoggingProfileNative
    {
        public uint Profile;
        public uint LogDropped;
        public uint LogDroppedOrigin;
        public uint LogAllowed;
        public uint LogAllowedOrigin;
        public uint MaxSizeKB;
        public uint MaxSizeOrigin;
        public uint FileOrigin;
        public IntPtr FileName;
        public IntPtr FilePath;
        public IntPtr PolicyKey;
        public IntPtr LocalKey;
    }

    internal static partial class FwNative
    {
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_logging_policy_read(out IntPtr policy);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_logging_policy_load_reg(out IntPtr policy, byte[] path);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_logging_policy_get(IntPtr policy, UIntPtr index, out FwLoggingProfileNative profile);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_logging_policy_free(IntPtr policy);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_service_sid(byte[] serviceName, byte[]? buffer, UIntPtr size, out UIntPtr needed);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_logging_folder_check(byte[] folder, out int canWrite);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_logging_folder_grant(byte[] folder);
    }
}
