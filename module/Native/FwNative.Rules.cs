// P/Invoke declarations for fw/rules.h: rule sets, rule strings, packet evaluation.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>fw_rule_info. Layout must match native/include/fw/rules.h; every pointer is borrowed until fw_ruleset_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwRuleInfoNative
    {
        public IntPtr Name;
        public IntPtr DisplayName;
        public IntPtr Description;
        public IntPtr Group;
        public IntPtr Program;
        public IntPtr Service;
        public IntPtr Package;
        public IntPtr Protocol;
        public IntPtr LocalPorts;
        public IntPtr RemotePorts;
        public IntPtr LocalAddresses;
        public IntPtr RemoteAddresses;
        public IntPtr IcmpTypes;
        public IntPtr InterfaceTypes;
        public IntPtr Interfaces;
        public IntPtr Security;
        public IntPtr RemoteMachineAuth;
        public IntPtr RemoteUserAuth;
        public IntPtr LocalUserAuth;
        public IntPtr LocalUserOwner;
        public IntPtr OtherTokens;
        public IntPtr UnknownTokens;
        public IntPtr Raw;
        public IntPtr Source;
        public ulong Line;
        public int ProtocolNumber;
        public int Direction;
        public int Action;
        public int Store;
        public uint Profiles;
        public uint Flags;
        public uint LocalPortKeywords;
        public uint RemotePortKeywords;
        public ushort VersionMajor;
        public ushort VersionMinor;
    }

    /// <summary>fw_rule_diagnostic; strings borrowed until fw_ruleset_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwRuleDiagnosticNative
    {
        public IntPtr Name;
        public IntPtr Source;
        public IntPtr Message;
        public ulong Line;
        public ulong Column;
    }

    /// <summary>fw_packet.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwPacketNative
    {
        public int Direction;
        public int Protocol;
        public FwAddr Local;
        public FwAddr Remote;
        public int LocalPort;
        public int RemotePort;
        public short IcmpType;
        public short IcmpCode;
        public uint Profiles;
    }

    /// <summary>fw_evaluation_info; the explanation is borrowed until fw_evaluation_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwEvaluationInfoNative
    {
        public int Verdict;
        public IntPtr Explanation;
        public UIntPtr Count;
    }

    /// <summary>fw_rule_result; the text is borrowed until fw_evaluation_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FwRuleResultNative
    {
        public UIntPtr Index;
        public int Applies;
        public int Reason;
        public uint Conditions;
        public int Enabled;
        public int Deciding;
        public IntPtr Text;
    }

    /// <summary>Owns an fw_ruleset*; frees it with fw_ruleset_free.</summary>
    internal sealed class SafeRulesetHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_ruleset_free(handle);
    }

    /// <summary>Owns an fw_evaluation*; frees it with fw_evaluation_free.</summary>
    internal sealed class SafeEvaluationHandle : FwHandle
    {
        protected override void Free(IntPtr handle) => FwNative.fw_evaluation_free(handle);
    }

    internal static partial class FwNative
    {
        // fw_rule_store
        internal const int StoreUnspecified = 0, StoreLocal = 1, StoreGroupPolicy = 2, StoreFile = 3, StoreOther = 4;

        // FW_RULE_* flags
        internal const uint RuleEnabled = 0x01, RuleNameIndirect = 0x02, RuleDescIndirect = 0x04, RuleGroupIndirect = 0x08,
            RuleEdge = 0x10, RuleDeferApp = 0x20, RuleDeferUser = 0x40, RuleProfileGiven = 0x80;

        internal const int ProtocolAny = 256;
        internal const uint EvalAllRules = 0x01;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_new(out SafeRulesetHandle rs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_add(SafeRulesetHandle rs, byte[]? name, byte[] ruleString, int store);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_load_file(SafeRulesetHandle rs, byte[] path, int store, out UIntPtr added);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_load_registry(SafeRulesetHandle rs, int store, out UIntPtr added);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_set_local_merge(SafeRulesetHandle rs, uint profiles);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_local_merge(SafeRulesetHandle rs, out uint profiles);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_local_merge_read(out uint profiles);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_local_merge_load_reg(byte[] path, out uint profiles);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern UIntPtr fw_ruleset_count(SafeRulesetHandle rs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_get(SafeRulesetHandle rs, UIntPtr index, out FwRuleInfoNative info);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_diagnostic(SafeRulesetHandle rs, UIntPtr index, out FwRuleDiagnosticNative diagnostic);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_ruleset_free(IntPtr rs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_ruleset_evaluate(out SafeEvaluationHandle ev, SafeRulesetHandle rs, ref FwPacketNative packet, uint flags);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_evaluation_get(SafeEvaluationHandle ev, out FwEvaluationInfoNative info);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_evaluation_rule(SafeEvaluationHandle ev, UIntPtr index, out FwRuleResultNative result);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void fw_evaluation_free(IntPtr ev);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int fw_indirect_string_resolve(byte[] text, [Out] byte[]? output, UIntPtr outputSize, out UIntPtr needed);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr fw_verdict_name(int verdict);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr fw_rule_reason_name(int reason);
    }

    /// <summary>A problem found while loading rules: the rule was skipped, the others loaded.</summary>
    internal sealed class RuleDiagnostic
    {
        public string Name { get; set; } = string.Empty;
        public string Source { get; set; } = string.Empty;
        public string Message { get; set; } = string.Empty;
        public long Line { get; set; }
        public long Column { get; set; }
    }

    /// <summary>A native rule set (fw_ruleset) with the conversions the cmdlets need.</summary>
    internal sealed class NativeRuleSet : IDisposable
    {
        private readonly SafeRulesetHandle _handle;
        private int _diagnosticsSeen;

        public NativeRuleSet()
        {
            Ensure.Success(FwNative.fw_ruleset_new(out _handle));
        }

        internal SafeRulesetHandle Handle => _handle;

        public int Count => checked((int)FwNative.fw_ruleset_count(_handle).ToUInt64());

        /// <summary>Adds one rule string; throws FwNativeException (Status = FW_EFORMAT, Column = position) if malformed.</summary>
        public void Add(string? name, string ruleString, int store)
        {
            Ensure.Success(FwNative.fw_ruleset_add(_handle, name == null ? null : Utf8.ToNative(name), Utf8.ToNative(ruleString), store));
        }

        /// <summary>Loads a .reg export or text file; malformed rules become diagnostics.</summary>
        public int LoadFile(string path, int store)
        {
            Ensure.Success(FwNative.fw_ruleset_load_file(_handle, Utf8.ToNative(path), store, out var added));
            return checked((int)added.ToUInt64());
        }

        /// <summary>Loads a registry store (Windows); throws FwNativeException with FW_ENOTFOUND elsewhere.</summary>
        public int LoadRegistry(int store)
        {
            Ensure.Success(FwNative.fw_ruleset_load_registry(_handle, store, out var added));
            return checked((int)added.ToUInt64());
        }

        /// <summary>The profiles (fw_profile mask) in which local-store rules are in force: Group Policy's
        /// AllowLocalPolicyMerge = 0 takes a profile out. The rules stay listed; the evaluator skips them there.</summary>
        public uint LocalMerge
        {
            get
            {
                Ensure.Success(FwNative.fw_ruleset_local_merge(_handle, out var profiles));
                return profiles;
            }
            set => Ensure.Success(FwNative.fw_ruleset_set_local_merge(_handle, value));
        }

        /// <summary>This computer's AllowLocalPolicyMerge as a profile mask (Windows; FW_ENOTFOUND elsewhere), or a
        /// .reg export's when <paramref name="regExport"/> is given. Throws FwNativeException.</summary>
        public static uint ReadLocalMerge(string? regExport)
        {
            uint profiles;
            Ensure.Success(regExport == null
                ? FwNative.fw_local_merge_read(out profiles)
                : FwNative.fw_local_merge_load_reg(Utf8.ToNative(regExport), out profiles));
            return profiles;
        }

        /// <summary>Diagnostics recorded since the last call.</summary>
        public List<RuleDiagnostic> TakeDiagnostics()
        {
            var list = new List<RuleDiagnostic>();
            for (; ; _diagnosticsSeen++)
            {
                int rc = Ensure.Success(FwNative.fw_ruleset_diagnostic(_handle, (UIntPtr)(ulong)_diagnosticsSeen, out var d));
                if (rc == (int)FwStatus.IterOver) break;
                list.Add(new RuleDiagnostic
                {
                    Name = Utf8.FromNative(d.Name) ?? string.Empty,
                    Source = Utf8.FromNative(d.Source) ?? string.Empty,
                    Message = Utf8.FromNative(d.Message) ?? string.Empty,
                    Line = checked((long)d.Line),
                    Column = checked((long)d.Column),
                });
            }
            return list;
        }

        /// <summary>Rule <paramref name="index"/> as an Fw.FwRule.</summary>
        public FwRule Get(int index)
        {
            Ensure.Success(FwNative.fw_ruleset_get(_handle, (UIntPtr)(ulong)index, out var info));
            return FwRule.FromNative(in info);
        }

        public void Dispose() => _handle.Dispose();
    }
}
