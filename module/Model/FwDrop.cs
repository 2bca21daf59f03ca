using System;
using System.Globalization;
using System.Net;
using System.Text;

namespace Fw
{
    /// <summary>
    /// One line of a Windows Firewall log (pfirewall.log), typed. Absent fields ('-' in the log) are null.
    /// Written by Get-FwDrop; read by Test-FwDrop and New-FwRuleFromDrop by type and by property name.
    /// </summary>
    /// <remarks>
    /// Every property has a type that PowerShell's serializers write as it reads (ConvertTo-Json in pwsh and in
    /// Windows PowerShell 5.1, Export-Csv, Export-Clixml): addresses and the direction are text, numbers are
    /// numbers. An IPAddress would become {"Address":353020096} (IPv4) or null (IPv6), an enum a number.
    /// Addresses are written as IPAddress.ToString() writes them (IPv6 compressed, lower case), so
    /// <c>Where-Object SourceAddress -eq '192.168.10.21'</c> and <c>-like '192.168.10.*'</c> compare text; cast for
    /// address arithmetic: <c>[ipaddress]$_.SourceAddress</c>.
    /// Numbers are stored without Nullable's extra word (-1 means absent): one small object per log line.
    /// </remarks>
    public sealed class FwDrop
    {
        // The log has no negative values: -1 stands for '-' and keeps the object small (int? costs 8 bytes, long? 16).
        private int _sourcePort = -1, _destinationPort = -1, _tcpWindow = -1, _icmpType = -1, _icmpCode = -1,
            _processId = -1, _localPort = -1, _remotePort = -1;
        private long _size = -1, _tcpSyn = -1, _tcpAck = -1, _info = -1;

        // Addresses are kept as the log's bytes and written as text when first read: most pipelines never look at
        // most addresses (| Measure-Object, | Where-Object DestinationPort ...), and formatting is the costly part.
        private AddressField _source, _destination;
        private string? _localAddress, _remoteAddress;

        /// <summary>
        /// Date and time as logged: the logging computer's local wall-clock time. Kind is Unspecified on purpose:
        /// the log does not record its offset, so the value must not claim one. A Local DateTime would be written
        /// by ConvertTo-Json and Export-Clixml with the offset of the computer that analyses the log (and converted
        /// on a computer in another zone after Invoke-Command); Unspecified is written as 2026-11-23T09:14:02.
        /// Comparisons with local times (-gt (Get-Date).AddHours(-1)) are unaffected: they compare the wall clock.
        /// </summary>
        public DateTime Time { get; set; }

        /// <summary>
        /// <see cref="Time"/> as ISO 8601 text without an offset (2026-11-23T09:14:02), for exports that would
        /// otherwise mangle it: Windows PowerShell 5.1's ConvertTo-Json writes any DateTime as \/Date(ms)\/ shifted
        /// by the exporting computer's offset, and Export-Csv writes it in the current culture. Computed when read.
        /// </summary>
        public string TimeText => Time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

        /// <summary>The action column as logged: DROP, ALLOW, INFO-EVENTS-LOST, OPEN, OPEN-INBOUND, CLOSE.</summary>
        public string Action { get; set; } = string.Empty;

        /// <summary>TCP, UDP, ICMP, ICMPv6, or the IP protocol number as text; null if absent.</summary>
        public string? Protocol { get; set; }

        /// <summary>The packet's source address (src-ip) as text: 192.168.10.21, fe80::3680:dff:fe01:9e88.</summary>
        public string? SourceAddress { get => _source.Text(); set => _source = new AddressField(value); }

        /// <summary>The packet's destination address (dst-ip) as text.</summary>
        public string? DestinationAddress { get => _destination.Text(); set => _destination = new AddressField(value); }

        /// <summary>src-port.</summary>
        public int? SourcePort { get => Get(_sourcePort); set => _sourcePort = Set(value); }

        /// <summary>dst-port.</summary>
        public int? DestinationPort { get => Get(_destinationPort); set => _destinationPort = Set(value); }

        /// <summary>Packet size in bytes.</summary>
        public long? Size { get => Get(_size); set => _size = Set(value); }

        /// <summary>TCP flags as logged (S, A, AP, FA, SA, ...).</summary>
        public string? TcpFlags { get; set; }

        /// <summary>TCP sequence number.</summary>
        public long? TcpSyn { get => Get(_tcpSyn); set => _tcpSyn = Set(value); }

        /// <summary>TCP acknowledgement number.</summary>
        public long? TcpAck { get => Get(_tcpAck); set => _tcpAck = Set(value); }

        /// <summary>TCP window size.</summary>
        public int? TcpWindow { get => Get(_tcpWindow); set => _tcpWindow = Set(value); }

        /// <summary>ICMP type.</summary>
        public int? IcmpType { get => Get(_icmpType); set => _icmpType = Set(value); }

        /// <summary>ICMP code.</summary>
        public int? IcmpCode { get => Get(_icmpCode); set => _icmpCode = Set(value); }

        /// <summary>The info column (events lost, for INFO-EVENTS-LOST lines).</summary>
        public long? Info { get => Get(_info); set => _info = Set(value); }

        /// <summary>The path column as logged: SEND, RECEIVE, FORWARD, UNKNOWN; null if absent.</summary>
        public string? Path { get; set; }

        /// <summary>The pid column; null when '-' or when the log has no pid column.</summary>
        public int? ProcessId { get => Get(_processId); set => _processId = Set(value); }

        /// <summary>Inbound for RECEIVE, Outbound for SEND, else null (names of <see cref="FwDirection"/>).</summary>
        public string? Direction { get; set; }

        /// <summary>This computer's address: the destination of an inbound packet, the source of an outbound one.</summary>
        public string? LocalAddress
        {
            get => _localAddress ?? (ReferenceEquals(Direction, InboundName) ? DestinationAddress : ReferenceEquals(Direction, OutboundName) ? SourceAddress : null);
            set => _localAddress = value;
        }

        /// <summary>This computer's port: the destination port of an inbound packet, the source port of an outbound one.</summary>
        public int? LocalPort { get => Get(_localPort); set => _localPort = Set(value); }

        /// <summary>The peer's address: the source of an inbound packet, the destination of an outbound one.</summary>
        public string? RemoteAddress
        {
            get => _remoteAddress ?? (ReferenceEquals(Direction, InboundName) ? SourceAddress : ReferenceEquals(Direction, OutboundName) ? DestinationAddress : null);
            set => _remoteAddress = value;
        }

        /// <summary>The peer's port.</summary>
        public int? RemotePort { get => Get(_remotePort); set => _remotePort = Set(value); }

        /// <summary>Full path of the log file the line came from.</summary>
        public string LogFile { get; set; } = string.Empty;

        /// <summary>1-based line number in that file.</summary>
        public long LineNumber { get; set; }

        /// <summary>The source address's host name (Get-FwDrop -ResolveDns); null when not resolved or no name.</summary>
        public string? SourceHostName { get; set; }

        /// <summary>The destination address's host name (Get-FwDrop -ResolveDns).</summary>
        public string? DestinationHostName { get; set; }

        /// <summary>The remote (peer) address's host name (Get-FwDrop -ResolveDns).</summary>
        public string? RemoteHostName { get; set; }

        /// <summary>The name of the process that has ProcessId on this computer now (Get-FwDrop -IncludeProcess).</summary>
        public string? ProcessName { get; set; }

        /// <summary>The executable of that process, when this session may see it (Get-FwDrop -IncludeProcess).</summary>
        public string? ProcessPath { get; set; }

        /// <summary>Direction as the enum, for the cmdlets that read drops back (null unless Inbound or Outbound).</summary>
        internal FwDirection? DirectionValue =>
            string.Equals(Direction, nameof(FwDirection.Inbound), StringComparison.OrdinalIgnoreCase) ? FwDirection.Inbound
            : string.Equals(Direction, nameof(FwDirection.Outbound), StringComparison.OrdinalIgnoreCase) ? FwDirection.Outbound
            : (FwDirection?)null;

        private const string InboundName = nameof(FwDirection.Inbound), OutboundName = nameof(FwDirection.Outbound);

        /// <summary>The name Direction holds for a direction (the same string instances every time).</summary>
        internal static string? DirectionName(FwDirection? direction) => direction switch
        {
            FwDirection.Inbound => InboundName,
            FwDirection.Outbound => OutboundName,
            _ => null,
        };

        /// <summary>Source and destination from the native record's address bytes (text made when first read).</summary>
        internal unsafe void SetAddresses(Native.FwAddr* source, Native.FwAddr* destination)
        {
            _source = new AddressField(source);
            _destination = new AddressField(destination);
        }

        /// <summary>Sets every numeric field from the native record's encoding (-1 = absent) without boxing.</summary>
        internal void SetNumbers(int sourcePort, int destinationPort, long size, long tcpSyn, long tcpAck, int tcpWindow,
            int icmpType, int icmpCode, long info, int processId)
        {
            _sourcePort = sourcePort;
            _destinationPort = destinationPort;
            _size = size;
            _tcpSyn = tcpSyn;
            _tcpAck = tcpAck;
            _tcpWindow = tcpWindow;
            _icmpType = icmpType;
            _icmpCode = icmpCode;
            _info = info;
            _processId = processId;
        }

        /// <summary>Local and remote ends from the source and destination: inbound (RECEIVE) or outbound (SEND).
        /// The addresses follow Direction when read (LocalAddress, RemoteAddress); the ports are copied.</summary>
        internal void SetEnds(FwDirection? direction)
        {
            Direction = DirectionName(direction);
            if (direction == FwDirection.Inbound)
            {
                _localPort = _destinationPort;
                _remotePort = _sourcePort;
            }
            else if (direction == FwDirection.Outbound)
            {
                _localPort = _sourcePort;
                _remotePort = _destinationPort;
            }
        }

        /// <summary>One address: the log's bytes until first read, then its text (IPAddress.ToString()).
        /// Reads from several threads at once at worst format it twice to equal strings.</summary>
        private struct AddressField
        {
            private const byte None = 0, V4 = 1, V6 = 2;
            private ulong _high, _low;   // IPv4: the 4 bytes in _low; IPv6: 16 bytes
            private byte _family;
            private string? _text;

            internal AddressField(string? text) : this() => _text = text;

            internal unsafe AddressField(Native.FwAddr* a) : this()
            {
                if (a->Family == Native.FwNative.FamilyInet)
                {
                    _family = V4;
                    _low = *(uint*)a->Bytes;
                }
                else if (a->Family == Native.FwNative.FamilyInet6)
                {
                    _family = V6;
                    _high = *(ulong*)a->Bytes;
                    _low = *(ulong*)(a->Bytes + 8);
                }
            }

            internal string? Text()
            {
                if (_text != null || _family == None) return _text;
                return _text = _family == V4 ? FormatV4((uint)_low) : FormatV6(_high, _low);
            }

            private static unsafe string FormatV4(uint v)
            {
                char* buffer = stackalloc char[15];
                int n = 0;
                for (int i = 0; i < 4; i++)
                {
                    if (i > 0) buffer[n++] = '.';
                    int octet = (int)((v >> (8 * i)) & 0xFF);
                    if (octet >= 100) buffer[n++] = (char)('0' + octet / 100);
                    if (octet >= 10) buffer[n++] = (char)('0' + octet / 10 % 10);
                    buffer[n++] = (char)('0' + octet % 10);
                }
                return new string(buffer, 0, n);
            }

            private static unsafe string FormatV6(ulong high, ulong low)
            {
                var bytes = new byte[16];
                for (int i = 0; i < 8; i++)
                {
                    bytes[i] = unchecked((byte)(high >> (8 * i)));
                    bytes[8 + i] = unchecked((byte)(low >> (8 * i)));
                }
                return new IPAddress(bytes).ToString();
            }
        }

        private static int? Get(int v) => v < 0 ? (int?)null : v;
        private static long? Get(long v) => v < 0 ? (long?)null : v;
        private static int Set(int? v) => v is int i && i >= 0 ? i : -1;
        private static long Set(long? v) => v is long l && l >= 0 ? l : -1;

        /// <summary>The record in the log's own column order (17 fields, plus pid when known).</summary>
        public override string ToString()
        {
            var sb = new StringBuilder(128);
            sb.Append(Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            Field(sb, Action);
            Field(sb, Protocol);
            Field(sb, SourceAddress);
            Field(sb, DestinationAddress);
            Field(sb, _sourcePort);
            Field(sb, _destinationPort);
            Field(sb, _size);
            Field(sb, TcpFlags);
            Field(sb, _tcpSyn);
            Field(sb, _tcpAck);
            Field(sb, _tcpWindow);
            Field(sb, _icmpType);
            Field(sb, _icmpCode);
            Field(sb, _info);
            Field(sb, Path);
            if (_processId >= 0) Field(sb, _processId);
            return sb.ToString();
        }

        private static void Field(StringBuilder sb, string? s) => sb.Append(' ').Append(string.IsNullOrEmpty(s) ? "-" : s);

        private static void Field(StringBuilder sb, long n)
        {
            sb.Append(' ');
            if (n >= 0) sb.Append(n.ToString(CultureInfo.InvariantCulture));
            else sb.Append('-');
        }

        /// <summary>An address as Get-FwDrop writes it (IPAddress.ToString()), or null.</summary>
        internal static string? AddressText(IPAddress? address) => address?.ToString();

        /// <summary>The address in <paramref name="text"/>, or null when absent or not an address.</summary>
        internal static IPAddress? ParseAddress(string? text) =>
            !string.IsNullOrEmpty(text) && IPAddress.TryParse(text, out var a) ? a : null;
    }
}
