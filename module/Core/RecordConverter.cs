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
        private const int AddressCacheLimit = 4096;
        private readonly string _logFile;

        // Logs repeat a few addresses many times: IPv4 addresses are shared per file instead of
        // allocated per record (IPAddress compares by value, so sharing is invisible to users).
        private readonly Dictionary<uint, IPAddress> _v4 = new Dictionary<uint, IPAddress>();

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

        internal unsafe FwDrop Convert(FwRecord* r)
        {
            var d = new FwDrop
            {
                Time = WallClock.FromSeconds(r->Time),
                Action = ActionName(r->Action),
                Protocol = r->Protocol == FwNative.Absent ? null : ProtocolName(r->Protocol),
                SourceAddress = Address(&r->Src),
                DestinationAddress = Address(&r->Dst),
                SourcePort = Int(r->SrcPort),
                DestinationPort = Int(r->DstPort),
                Size = Long(r->Size),
                TcpFlags = Flags(r->TcpFlags),
                TcpSyn = Long(r->TcpSyn),
                TcpAck = Long(r->TcpAck),
                TcpWindow = Int(r->TcpWin),
                IcmpType = Int(r->IcmpType),
                IcmpCode = Int(r->IcmpCode),
                Info = Long(r->Info),
                Path = PathName(r->Path),
                ProcessId = r->Pid >= 0 && r->Pid <= int.MaxValue ? (int)r->Pid : null,
                LogFile = _logFile,
                LineNumber = r->Line > long.MaxValue ? long.MaxValue : (long)r->Line,
            };
            if (r->Path == FwNative.PathReceive)
            {
                d.Direction = FwDirection.Inbound;
                d.LocalAddress = d.DestinationAddress;
                d.LocalPort = d.DestinationPort;
                d.RemoteAddress = d.SourceAddress;
                d.RemotePort = d.SourcePort;
            }
            else if (r->Path == FwNative.PathSend)
            {
                d.Direction = FwDirection.Outbound;
                d.LocalAddress = d.SourceAddress;
                d.LocalPort = d.SourcePort;
                d.RemoteAddress = d.DestinationAddress;
                d.RemotePort = d.DestinationPort;
            }
            return d;
        }

        private static int? Int(long v) => v < 0 ? null : (v > int.MaxValue ? int.MaxValue : (int)v);

        private static long? Long(long v) => v < 0 ? null : v;

        private static unsafe string? Flags(byte* p)
        {
            int n = 0;
            while (n < 8 && p[n] != 0) n++;
            if (n == 0) return null;
            if (n == 1)
            {
                // The common single-flag values, without allocating.
                switch (p[0])
                {
                    case (byte)'S': return "S";
                    case (byte)'A': return "A";
                    case (byte)'F': return "F";
                    case (byte)'R': return "R";
                    case (byte)'P': return "P";
                    case (byte)'U': return "U";
                }
            }
            var chars = new char[n];
            for (int i = 0; i < n; i++) chars[i] = (char)p[i];
            return new string(chars);
        }

        internal unsafe IPAddress? Address(FwAddr* a)
        {
            if (a->Family == FwNative.FamilyInet)
            {
                byte* b = a->Bytes;
                uint v = b[0] | ((uint)b[1] << 8) | ((uint)b[2] << 16) | ((uint)b[3] << 24);
                if (_v4.TryGetValue(v, out var cached)) return cached;
                if (_v4.Count >= AddressCacheLimit) _v4.Clear();
                var address = new IPAddress((long)v);
                _v4[v] = address;
                return address;
            }
            if (a->Family == FwNative.FamilyInet6)
            {
                var bytes = new byte[16];
                for (int i = 0; i < 16; i++) bytes[i] = a->Bytes[i];
                return new IPAddress(bytes);
            }
            return null;
        }
    }
}
