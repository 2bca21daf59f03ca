using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>Turns native records into <see cref="FwDrop"/> objects. One per log file.</summary>
    internal sealed class RecordConverter
    {
        private static readonly string[] ProtocolNames = BuildProtocolNames();
        private const int AddressCacheLimit = 65536;
        private const int FlagsCacheLimit = 256;
        private readonly string _logFile;

        // Logs repeat a few addresses many times: the text of each address is made once per file, not per record
        // (strings compare by value, so sharing is invisible to users). Bounded: a scan of the whole Internet
        // does not grow memory without limit.
        private readonly Dictionary<uint, string> _v4 = new Dictionary<uint, string>();
        private readonly Dictionary<V6Key, string> _v6 = new Dictionary<V6Key, string>();
        private readonly Dictionary<ulong, string> _flags = new Dictionary<ulong, string>();

        internal RecordConverter(string logFile) => _logFile = logFile;

        private static string[] BuildProtocolNames()
        {
            var names = new string[256];
            for (int i = 0; i < names.Length; i++) names[i] = i.ToString(CultureInfo.InvariantCulture);
            names[1] = "ICMP";
            names[6] = "TCP";
            names[17] = "UDP";
            names[58] = "ICMPv6";
            return names;
        }

        internal static string? ProtocolName(int protocol)
        {
            if (protocol >= 0 && protocol < 256) return ProtocolNames[protocol];
            if (protocol == FwNative.ProtocolOther) return "OTHER";
            return null;
        }

        internal static string ActionName(byte action) => action switch
        {
            FwNative.ActionDrop => "DROP",
            FwNative.ActionAllow => "ALLOW",
            FwNative.ActionInfoEventsLost => "INFO-EVENTS-LOST",
            FwNative.ActionOpen => "OPEN",
            FwNative.ActionOpenInbound => "OPEN-INBOUND",
            FwNative.ActionClose => "CLOSE",
            _ => "OTHER",
        };

        internal static string? PathName(byte path) => path switch
        {
            FwNative.PathSend => "SEND",
            FwNative.PathReceive => "RECEIVE",
            FwNative.PathForward => "FORWARD",
            FwNative.PathUnknown => "UNKNOWN",
            FwNative.PathOther => "OTHER",
            _ => null,
        };

        /// <summary>"Inbound" for RECEIVE, "Outbound" for SEND, else null (FwDrop.Direction, FwDropGroup.Direction).</summary>
        internal static string? DirectionName(byte path) => FwDrop.DirectionName(DirectionOf(path));

        private static FwDirection? DirectionOf(byte path) =>
            path == FwNative.PathReceive ? FwDirection.Inbound : path == FwNative.PathSend ? FwDirection.Outbound : (FwDirection?)null;

        /// <summary>
        /// One record as an object. Nothing here allocates but the object itself (and the 16 bytes of an IPv6
        /// address), except the first time a file shows a TCP flag combination: names come from shared tables, flags
        /// from a per-file cache, addresses stay bytes until read (FwDrop writes their text then), numbers are stored
        /// as they come.
        /// </summary>
        internal unsafe FwDrop Convert(FwRecord* r)
        {
            var d = new FwDrop
            {
                Time = WallClock.FromSeconds(r->Time),
                Action = ActionName(r->Action),
                Protocol = r->Protocol == FwNative.Absent ? null : ProtocolName(r->Protocol),
                TcpFlags = Flags(r->TcpFlags),
                Path = PathName(r->Path),
                LogFile = _logFile,
                LineNumber = r->Line > long.MaxValue ? long.MaxValue : (long)r->Line,
            };
            d.SetAddresses(&r->Src, &r->Dst);
            d.SetNumbers(Int(r->SrcPort), Int(r->DstPort), Long(r->Size), Long(r->TcpSyn), Long(r->TcpAck), Int(r->TcpWin),
                Int(r->IcmpType), Int(r->IcmpCode), Long(r->Info), r->Pid >= 0 && r->Pid <= int.MaxValue ? (int)r->Pid : -1);
            d.SetEnds(DirectionOf(r->Path));
            return d;
        }

        // Native encoding: negative = absent. FwDrop stores -1 for absent.
        private static int Int(long v) => v < 0 ? -1 : (v > int.MaxValue ? int.MaxValue : (int)v);

        private static long Long(long v) => v < 0 ? -1 : v;

        private unsafe string? Flags(byte* p)
        {
            ulong key = 0;
            int n = 0;
            while (n < 8 && p[n] != 0)
            {
                key |= (ulong)p[n] << (8 * n);
                n++;
            }
            if (n == 0) return null;
            if (_flags.TryGetValue(key, out var cached)) return cached;
            var chars = new char[n];
            for (int i = 0; i < n; i++) chars[i] = (char)p[i];
            var text = string.Intern(new string(chars));
            if (_flags.Count >= FlagsCacheLimit) _flags.Clear();
            _flags[key] = text;
            return text;
        }

        /// <summary>The address as text (IPAddress.ToString()), from a per-file cache; null when absent.</summary>
        internal unsafe string? Address(FwAddr* a)
        {
            if (a->Family == FwNative.FamilyInet)
            {
                byte* b = a->Bytes;
                uint v = b[0] | ((uint)b[1] << 8) | ((uint)b[2] << 16) | ((uint)b[3] << 24);
                if (_v4.TryGetValue(v, out var cached)) return cached;
                if (_v4.Count >= AddressCacheLimit) _v4.Clear();
                var text = new IPAddress((long)v).ToString();
                _v4[v] = text;
                return text;
            }
            if (a->Family == FwNative.FamilyInet6)
            {
                var key = new V6Key(*(ulong*)a->Bytes, *(ulong*)(a->Bytes + 8));
                if (_v6.TryGetValue(key, out var cached)) return cached;
                if (_v6.Count >= AddressCacheLimit) _v6.Clear();
                var bytes = new byte[16];
                for (int i = 0; i < 16; i++) bytes[i] = a->Bytes[i];
                var text = new IPAddress(bytes).ToString();
                _v6[key] = text;
                return text;
            }
            return null;
        }

        private readonly struct V6Key : IEquatable<V6Key>
        {
            private readonly ulong _high, _low;
            internal V6Key(ulong high, ulong low) { _high = high; _low = low; }
            public bool Equals(V6Key other) => _high == other._high && _low == other._low;
            public override bool Equals(object? obj) => obj is V6Key k && Equals(k);
            public override int GetHashCode() => unchecked(_high ^ (_low * 0x9E3779B97F4A7C15UL)).GetHashCode();
        }
    }
}
