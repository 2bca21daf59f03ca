// P/Invoke declarations for fw/synth.h: rule synthesis from drops.
using System;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>fw_synth_drop. Layout must match native/include/fw/synth.h (64 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwSynthDrop
    {
        public long Time;
        public FwAddr Local;
        public FwAddr Remote;
        public int LocalPort;
        public int RemotePort;
        public short Protocol;
        public short IcmpType;
        public byte Direction;
        public byte Reserved0, Reserved1, Reserved2;
    }

    /// <summary>fw_synth_options (version 1).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwSynthOptions
    {
        public uint Version;
        public IntPtr Scope;       // const char *const *
        public UIntPtr ScopeCount;
        public int MergePorts;
        public int UseRpcKeyword;
        public uint Profile;
    }

    /// <summary>fw_synth_candidate; strings are borrowed until the next fw_synth_run / add / free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwSynthCandidate
    {
        public int Status;
        public uint Flags;
        public byte Direction;
        public byte Reserved;
        public short Protocol;
        public int PortLo;
        public int PortHi;
        public uint Profile;
        public ulong Hits;
        public ulong RemoteSeenCount;
        public long FirstSeen;
        public long LastSeen;
        public IntPtr Name;
        public IntPtr ProtocolText;
        public IntPtr Port;
        public IntPtr IcmpType;
        public IntPtr RemoteAddress;
        public IntPtr RemoteSeen;
        public IntPtr Rule;
        public IntPtr RuleString;
    }

    /// <summary>Owns an fw_synth*; frees it with fw_synth_free.</summary>
    internal sealed class SafeSynthHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_synth_free(handle);
    }

    internal static partial class FwNative
    {
        internal const uint SynthOptionsVersion = 1;

        // fw_synth_status
        internal const int SynthNew = 1, SynthAlreadyAllowed = 2, SynthBlockedByRule = 3, SynthOutOfScope = 4;

        // FW_SYNTH_FLAG_*
        internal const uint SynthFlagDynamicRpc = 0x01, SynthFlagRpcKeyword = 0x02, SynthFlagKeywordScope = 0x04,
            SynthFlagDisabledRule = 0x08, SynthFlagMerged = 0x10, SynthFlagPartial = 0x20;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_new(out SafeSynthHandle synth, ref FwSynthOptions options);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_add_drops(SafeSynthHandle synth, [In] FwSynthDrop[] drops, UIntPtr count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_add_valid_drops(SafeSynthHandle synth, [In] FwSynthDrop[] drops, UIntPtr count, [Out] int[] results);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_drop_check(ref FwSynthDrop drop);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_set_existing(SafeSynthHandle synth, SafeRulesetHandle rules);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_run(SafeSynthHandle synth, out UIntPtr count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_synth_candidate_get(SafeSynthHandle synth, UIntPtr index, out FwSynthCandidate candidate);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_synth_free(IntPtr synth);
    }
}
