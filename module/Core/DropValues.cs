using System;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// Drop fields from whatever the pipeline brings: Fw.FwDrop objects, the property bags they become after
    /// Invoke-Command or Import-Clixml (Deserialized.Fw.FwDrop), or rows of text from Import-Csv. Each reader
    /// returns null (or -1) for an absent value ($null, "", "-") and throws ArgumentException for a value that
    /// is present but wrong, naming the property.
    /// </summary>
    internal static class DropValues
    {
        /// <summary>The value under any PSObject wrappers; a deserialized property bag becomes its text.</summary>
        internal static object? Unwrap(object? v)
        {
            while (v is PSObject p)
            {
                // Deserialized objects (Invoke-Command, Import-Clixml) are property bags whose ToString is the original's.
                if (p.BaseObject is PSCustomObject) return p.ToString();
                v = p.BaseObject;
            }
            return v;
        }

        internal static object? Property(PSObject o, string name) => Unwrap(o.Properties[name]?.Value);

        internal static string? PropertyText(PSObject o, string name) => Property(o, name)?.ToString();

        private static string? Text(object? v)
        {
            string? s = v?.ToString()?.Trim();
            return string.IsNullOrEmpty(s) || s == "-" ? null : s;
        }

        internal static FwDirection? Direction(object? v)
        {
            switch (v)
            {
                case FwDirection f: return f;
                case int i when i == 1 || i == 2: return (FwDirection)i;
            }
            string? s = Text(v);
            if (s == null) return null;
            if (s.Equals("Inbound", StringComparison.OrdinalIgnoreCase) || s.Equals("RECEIVE", StringComparison.OrdinalIgnoreCase) ||
                s.Equals("In", StringComparison.OrdinalIgnoreCase) || s == "1") return FwDirection.Inbound;
            if (s.Equals("Outbound", StringComparison.OrdinalIgnoreCase) || s.Equals("SEND", StringComparison.OrdinalIgnoreCase) ||
                s.Equals("Out", StringComparison.OrdinalIgnoreCase) || s == "2") return FwDirection.Outbound;
            throw new ArgumentException($"Direction '{s}' is neither Inbound nor Outbound.");
        }

        /// <summary>The protocol number: TCP 6, UDP 17, ICMP (and ICMPv4) 1, ICMPv6 58, or 0-255; -1 when absent.</summary>
        internal static short ProtocolNumber(object? v)
        {
            string? s = Text(v);
            if (s == null) return -1;
            switch (s.ToUpperInvariant())
            {
                case "TCP": return 6;
                case "UDP": return 17;
                case "ICMP":
                case "ICMPV4": return 1;
                case "ICMPV6": return 58;
            }
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 255) return (short)n;
            throw new ArgumentException($"Protocol '{s}' is not TCP, UDP, ICMP, ICMPv6 or a number 0-255.");
        }

        /// <summary>The protocol as Get-FwDrop writes it: a name for the common ones, else the number.</summary>
        internal static string? ProtocolText(object? v)
        {
            short n = ProtocolNumber(v);
            return n < 0 ? null : RecordConverter.ProtocolName(n);
        }

        internal static int Number(object? v, string what, int max)
        {
            if (v is int i) return i >= 0 && i <= max ? i : throw new ArgumentException($"{what} {i} is not 0-{max}.");
            string? s = Text(v);
            if (s == null) return -1;
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= max) return n;
            throw new ArgumentException($"{what} '{s}' is not a number 0-{max}.");
        }

        internal static int Port(object? v, string what) => Number(v, what, 65535);

        private static int? Optional(int n) => n < 0 ? (int?)null : n;

        internal static DateTime? Time(object? v)
        {
            switch (v)
            {
                case DateTime dt: return dt;
                case DateTimeOffset dto: return dto.DateTime;
            }
            string? s = Text(v);
            if (s == null) return null;
            if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ||
                DateTime.TryParse(s, CultureInfo.CurrentCulture, DateTimeStyles.None, out t))
                return t;
            throw new ArgumentException($"Time '{s}' is not a date and time.");
        }

        internal static IPAddress? Address(object? v, string what)
        {
            if (v is IPAddress a) return a;
            string? s = Text(v);
            if (s == null) return null;
            if (TryParseAddress(s.Trim(), out var parsed)) return parsed;
            throw new ArgumentException($"{what} '{s}' is not an IP address (a dotted quad such as 192.0.2.1, or IPv6 text such as 2001:db8::1, without a zone).");
        }

        /// <summary>
        /// An address as the native parser (net/address.cpp) takes it: a dotted quad (four decimal parts 0-255, no
        /// leading zeros) or IPv6 text (an embedded dotted-quad tail allowed), with no zone and no brackets.
        /// IPAddress.TryParse alone also takes "10.5", "167772165" and "0x0a000005" (all 10.0.0.5) and
        /// "fe80::1%eth0": none of them is what an admin means by an address in a log or a rule.
        /// </summary>
        internal static bool TryParseAddress(string s, out IPAddress? address)
        {
            address = null;
            bool v6 = s.IndexOf(':') >= 0;
            if (!v6)
            {
                if (!IsDottedQuad(s)) return false;
            }
            else
            {
                foreach (char c in s)
                    if (!(Uri.IsHexDigit(c) || c == ':' || c == '.')) return false;
                if (s.IndexOf('.') >= 0 && !IsDottedQuad(s.Substring(s.LastIndexOf(':') + 1))) return false;
            }
            if (!IPAddress.TryParse(s, out var parsed)) return false;
            if (parsed.AddressFamily != (v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)) return false;
            address = parsed;
            return true;
        }

        private static bool IsDottedQuad(string s)
        {
            string[] parts = s.Split('.');
            if (parts.Length != 4) return false;
            foreach (string p in parts)
            {
                if (p.Length == 0 || p.Length > 3 || (p.Length > 1 && p[0] == '0')) return false;
                int v = 0;
                foreach (char c in p)
                {
                    if (c < '0' || c > '9') return false;
                    v = v * 10 + (c - '0');
                }
                if (v > 255) return false;
            }
            return true;
        }

        /// <summary>Copies an address into a native fw_addr (an IPv4-mapped IPv6 address as IPv4; null as none).</summary>
        internal static unsafe void SetAddress(ref FwAddr target, IPAddress? address)
        {
            target.Family = FwNative.FamilyNone;
            if (address == null) return;
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            byte[] bytes = address.GetAddressBytes();
            if (bytes.Length != 4 && bytes.Length != 16) return;
            target.Family = (byte)(bytes.Length == 4 ? FwNative.FamilyInet : FwNative.FamilyInet6);
            fixed (byte* b = target.Bytes)
            {
                for (int i = 0; i < 16; i++) b[i] = i < bytes.Length ? bytes[i] : (byte)0;
            }
        }

        /// <summary>
        /// A drop from any object with Get-FwDrop's property names. An Fw.FwDrop is returned as it is. Absent
        /// Action means DROP (the input is dropped traffic); absent Local/Remote fields are derived from the
        /// Source/Destination ones and the direction, as Get-FwDrop derives them.
        /// </summary>
        internal static FwDrop ToDrop(PSObject o)
        {
            if (o.BaseObject is FwDrop d) return d;
            var direction = Direction(Property(o, "Direction"));
            if (direction == null)
            {
                // The log's own path field: RECEIVE is inbound, SEND outbound (FORWARD and others say nothing).
                string? path = Text(Property(o, "Path"));
                if (string.Equals(path, "RECEIVE", StringComparison.OrdinalIgnoreCase)) direction = FwDirection.Inbound;
                else if (string.Equals(path, "SEND", StringComparison.OrdinalIgnoreCase)) direction = FwDirection.Outbound;
            }
            var drop = new FwDrop
            {
                Time = Time(Property(o, "Time")) ?? default,
                Action = Text(Property(o, "Action"))?.ToUpperInvariant() ?? "DROP",
                Protocol = ProtocolText(Property(o, "Protocol")),
                SourceAddress = Address(Property(o, "SourceAddress"), "SourceAddress"),
                DestinationAddress = Address(Property(o, "DestinationAddress"), "DestinationAddress"),
                SourcePort = Optional(Port(Property(o, "SourcePort"), "SourcePort")),
                DestinationPort = Optional(Port(Property(o, "DestinationPort"), "DestinationPort")),
                IcmpType = Optional(Number(Property(o, "IcmpType"), "IcmpType", 255)),
                IcmpCode = Optional(Number(Property(o, "IcmpCode"), "IcmpCode", 255)),
                Direction = direction,
                LogFile = PropertyText(o, "LogFile") ?? string.Empty,
            };
            bool inbound = direction == FwDirection.Inbound, outbound = direction == FwDirection.Outbound;
            drop.LocalAddress = Address(Property(o, "LocalAddress"), "LocalAddress")
                                ?? (inbound ? drop.DestinationAddress : outbound ? drop.SourceAddress : null);
            drop.RemoteAddress = Address(Property(o, "RemoteAddress"), "RemoteAddress")
                                 ?? (inbound ? drop.SourceAddress : outbound ? drop.DestinationAddress : null);
            drop.LocalPort = Optional(Port(Property(o, "LocalPort"), "LocalPort"))
                             ?? (inbound ? drop.DestinationPort : outbound ? drop.SourcePort : null);
            drop.RemotePort = Optional(Port(Property(o, "RemotePort"), "RemotePort"))
                              ?? (inbound ? drop.SourcePort : outbound ? drop.DestinationPort : null);
            return drop;
        }
    }
}
