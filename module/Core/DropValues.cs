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
                case FwDirection f when f == FwDirection.Inbound || f == FwDirection.Outbound: return f;
                case FwDirection f: throw new ArgumentException($"Direction {(int)f} is neither Inbound (1) nor Outbound (2).");
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

        internal static DateTime? Time(object? v) => Time(v, out _);

        // ISO 8601 and the log's own form: the only text forms that say which number is the month.
        private static readonly string[] IsoFormats =
        {
            "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
            "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK",
        };

        // A numeric date as Export-Csv writes it in some culture: 05/11/2026, 11/5/2026, 05.11.2026, 2026/11/05,
        // then the time in whatever form that culture uses.
        private static readonly System.Text.RegularExpressions.Regex NumericDate = new System.Text.RegularExpressions.Regex(
            @"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:[ T,]+(.*))?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// A time from a DateTime, a DateTimeOffset (its clock time as written) or text. Text is read the same on
        /// every machine: ISO 8601 and 'yyyy-MM-dd HH:mm:ss' first; a numeric date in another order (what
        /// Export-Csv writes: 05/11/2026 on a day-first machine, 11/5/2026 on a month-first one) only when its
        /// numbers say which is the month (a number over 12 is the day, or both are equal); when they do not,
        /// the time is unknown (null) and <paramref name="ambiguous"/> is the text, because reading it with
        /// this machine's culture could swap day and month. Other text (month names) with the invariant, then
        /// the current culture. Throws ArgumentException for text that is no date.
        /// </summary>
        internal static DateTime? Time(object? v, out string? ambiguous)
        {
            ambiguous = null;
            switch (v)
            {
                case DateTime dt: return dt;
                case DateTimeOffset dto: return dto.DateTime;
            }
            string? s = Text(v);
            if (s == null) return null;
            if (DateTimeOffset.TryParseExact(s, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var iso))
                return iso.DateTime;
            var m = NumericDate.Match(s);
            if (m.Success)
            {
                var result = NumericTime(m, s, out bool isAmbiguous);
                if (isAmbiguous) ambiguous = s;
                return result;
            }
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var named) ||
                DateTimeOffset.TryParse(s, CultureInfo.CurrentCulture, DateTimeStyles.AllowWhiteSpaces, out named))
                return named.DateTime;
            throw new ArgumentException($"Time '{s}' is not a date and time.");
        }

        private static DateTime? NumericTime(System.Text.RegularExpressions.Match m, string s, out bool ambiguous)
        {
            ambiguous = false;
            int first = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            int second = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            int third = int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
            int year, month, day;
            if (m.Groups[1].Value.Length == 4)
            {
                year = first; month = second; day = third; // 2026/11/05: year first is always year-month-day
            }
            else
            {
                year = m.Groups[4].Value.Length <= 2 ? CultureInfo.InvariantCulture.Calendar.ToFourDigitYear(third) : third;
                if (first > 12 && second <= 12) { day = first; month = second; }
                else if (second > 12 && first <= 12) { month = first; day = second; }
                else if (first == second) { month = first; day = second; }
                else if (first <= 12 && second <= 12)
                {
                    ambiguous = true;
                    return null;
                }
                else throw new ArgumentException($"Time '{s}' is not a date and time.");
            }
            TimeSpan clock = TimeSpan.Zero;
            string rest = m.Groups[5].Success ? m.Groups[5].Value.Trim() : string.Empty;
            if (rest.Length > 0)
            {
                // The time of day alone, in the invariant or this machine's form (10:00:00, 10:00:00 AM, 22.00.00).
                const string day0 = "2000-01-01 ";
                if (DateTime.TryParse(day0 + rest, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ||
                    DateTime.TryParse(day0 + rest, CultureInfo.CurrentCulture, DateTimeStyles.None, out t) ||
                    DateTime.TryParse(day0 + rest.Replace('.', ':'), CultureInfo.InvariantCulture, DateTimeStyles.None, out t))
                    clock = t.TimeOfDay;
                else
                    throw new ArgumentException($"Time '{s}' is not a date and time.");
            }
            try
            {
                return new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified) + clock;
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new ArgumentException($"Time '{s}' is not a date and time.");
            }
        }

        /// <summary>The warning for text times that could be read two ways (see Time).</summary>
        internal static string AmbiguousTimeWarning(long count, string example) => string.Format(CultureInfo.InvariantCulture,
            "{0} time(s) such as '{1}' could be day-first or month-first (Export-Csv writes times in the culture of the computer that exported them); " +
            "they were left out (FirstSeen/LastSeen) rather than guessed. Export times in ISO 8601 to keep them: " +
            "Select-Object *, @{{Name='Time'; Expression={{$_.Time.ToString('s')}}}} -ExcludeProperty Time | Export-Csv ...", count, example);

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

        /// <summary>The address in canonical text (as Get-FwDrop writes it: IPAddress.ToString()), or null when absent.</summary>
        internal static string? AddressText(object? v, string what) => Address(v, what)?.ToString();

        /// <summary>Copies an address given as text into a native fw_addr (null or not an address: none).</summary>
        internal static void SetAddress(ref FwAddr target, string? address) => SetAddress(ref target, FwDrop.ParseAddress(address));

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
        internal static FwDrop ToDrop(PSObject o) => ToDrop(o, out _);

        /// <summary>As ToDrop; <paramref name="ambiguousTime"/> is the Time text when it could be read two ways (Time is then default).</summary>
        internal static FwDrop ToDrop(PSObject o, out string? ambiguousTime)
        {
            ambiguousTime = null;
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
                Time = Time(Property(o, "Time"), out ambiguousTime) ?? default,
                Action = Text(Property(o, "Action"))?.ToUpperInvariant() ?? "DROP",
                Protocol = ProtocolText(Property(o, "Protocol")),
                SourceAddress = AddressText(Property(o, "SourceAddress"), "SourceAddress"),
                DestinationAddress = AddressText(Property(o, "DestinationAddress"), "DestinationAddress"),
                SourcePort = Optional(Port(Property(o, "SourcePort"), "SourcePort")),
                DestinationPort = Optional(Port(Property(o, "DestinationPort"), "DestinationPort")),
                IcmpType = Optional(Number(Property(o, "IcmpType"), "IcmpType", 255)),
                IcmpCode = Optional(Number(Property(o, "IcmpCode"), "IcmpCode", 255)),
                Direction = FwDrop.DirectionName(direction),
                LogFile = PropertyText(o, "LogFile") ?? string.Empty,
                ProcessId = Optional(Number(Property(o, "ProcessId"), "ProcessId", int.MaxValue)),
            };
            bool inbound = direction == FwDirection.Inbound, outbound = direction == FwDirection.Outbound;
            drop.LocalAddress = AddressText(Property(o, "LocalAddress"), "LocalAddress")
                                ?? (inbound ? drop.DestinationAddress : outbound ? drop.SourceAddress : null);
            drop.RemoteAddress = AddressText(Property(o, "RemoteAddress"), "RemoteAddress")
                                 ?? (inbound ? drop.SourceAddress : outbound ? drop.DestinationAddress : null);
            drop.LocalPort = Optional(Port(Property(o, "LocalPort"), "LocalPort"))
                             ?? (inbound ? drop.DestinationPort : outbound ? drop.SourcePort : null);
            drop.RemotePort = Optional(Port(Property(o, "RemotePort"), "RemotePort"))
                              ?? (inbound ? drop.SourcePort : outbound ? drop.DestinationPort : null);
            return drop;
        }
    }
}
