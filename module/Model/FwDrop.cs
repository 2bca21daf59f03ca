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
        // IPv4: the 4 bytes here. IPv6: a small object with the 16 bytes in _source/_destination (16 bytes here would
        // cost every IPv4 record 24 bytes more), replaced by the text when first read; otherwise the text or null.
        private uint _sourceV4, _destinationV4;
        private object? _source, _destination;
        private bool _sourceIsV4, _destinationIsV4;

        private sealed class V6Bytes
        {
            internal ulong High, Low;
        }

        // What Get-FwDrop leaves empty (-ResolveDns, -IncludeProcess, LocalAddress/RemoteAddress set by hand) lives
        // in a second object made on first use: one record object is 48 bytes smaller, and every byte of it is
        // allocated, zeroed and collected once per log line.
        private Extras? _extras;

        private sealed class Extras
        {
            internal string? LocalAddress, RemoteAddress, SourceHostName, DestinationHostName, RemoteHostName, ProcessName, ProcessPath;
        }

        private Extras? Extra(string? value) => value == null ? _extras : _extras ??= new Extras();

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
        public string? SourceAddress
        {
            get => System.Threading.Volatile.Read(ref _sourceIsV4) ? FirstRead(ref _source, ref _sourceIsV4, _sourceV4) : Text(ref _source);
            set { _source = value; _sourceIsV4 = false; }
        }

        /// <summary>The packet's destination address (dst-ip) as text.</summary>
        public string? DestinationAddress
        {
            get => System.Threading.Volatile.Read(ref _destinationIsV4) ? FirstRead(ref _destination, ref _destinationIsV4, _destinationV4) : Text(ref _destination);
            set { _destination = value; _destinationIsV4 = false; }
        }

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
            get => _extras?.LocalAddress ?? (ReferenceEquals(Direction, InboundName) ? DestinationAddress : ReferenceEquals(Direction, OutboundName) ? SourceAddress : null);
            set { if (Extra(value) is Extras e) e.LocalAddress = value; }
        }

        /// <summary>This computer's port: the destination port of an inbound packet, the source port of an outbound one.</summary>
        public int? LocalPort { get => Get(_localPort); set => _localPort = Set(value); }

        /// <summary>The peer's address: the source of an inbound packet, the destination of an outbound one.</summary>
        public string? RemoteAddress
        {
            get => _extras?.RemoteAddress ?? (ReferenceEquals(Direction, InboundName) ? SourceAddress : ReferenceEquals(Direction, OutboundName) ? DestinationAddress : null);
            set { if (Extra(value) is Extras e) e.RemoteAddress = value; }
        }

        /// <summary>The peer's port.</summary>
        public int? RemotePort { get => Get(_remotePort); set => _remotePort = Set(value); }

        /// <summary>Full path of the log file the line came from.</summary>
        public string LogFile { get; set; } = string.Empty;

        /// <summary>1-based line number in that file.</summary>
        public long LineNumber { get; set; }

        /// <summary>The source address's host name (Get-FwDrop -ResolveDns); null when not resolved or no name.</summary>
        public string? SourceHostName { get => _extras?.SourceHostName; set { if (Extra(value) is Extras e) e.SourceHostName = value; } }

        /// <summary>The destination address's host name (Get-FwDrop -ResolveDns).</summary>
        public string? DestinationHostName { get => _extras?.DestinationHostName; set { if (Extra(value) is Extras e) e.DestinationHostName = value; } }

        /// <summary>The remote (peer) address's host name (Get-FwDrop -ResolveDns).</summary>
        public string? RemoteHostName { get => _extras?.RemoteHostName; set { if (Extra(value) is Extras e) e.RemoteHostName = value; } }

        /// <summary>The name of the process that has ProcessId on this computer now (Get-FwDrop -IncludeProcess).</summary>
        public string? ProcessName { get => _extras?.ProcessName; set { if (Extra(value) is Extras e) e.ProcessName = value; } }

        /// <summary>The executable of that process, when this session may see it (Get-FwDrop -IncludeProcess).</summary>
        public string? ProcessPath { get => _extras?.ProcessPath; set { if (Extra(value) is Extras e) e.ProcessPath = value; } }

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
            if (source->Family == Native.FwNative.FamilyInet) { _sourceV4 = *(uint*)source->Bytes; _sourceIsV4 = true; }
            else if (source->Family == Native.FwNative.FamilyInet6) _source = new V6Bytes { High = *(ulong*)source->Bytes, Low = *(ulong*)(source->Bytes + 8) };
            if (destination->Family == Native.FwNative.FamilyInet) { _destinationV4 = *(uint*)destination->Bytes; _destinationIsV4 = true; }
            else if (destination->Family == Native.FwNative.FamilyInet6) _destination = new V6Bytes { High = *(ulong*)destination->Bytes, Low = *(ulong*)(destination->Bytes + 8) };
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

        // Reads from several threads at once at worst format it twice to equal strings (the flag is cleared after
        // the text is stored, so no reader sees the flag cleared and the text missing).
        private static string FirstRead(ref object? text, ref bool isV4, uint v4)
        {
            var t = text as string ?? FormatV4(v4);
            text = t;
            System.Threading.Volatile.Write(ref isV4, false);
            return t;
        }

        private static string? Text(ref object? field)
        {
            var value = field;
            if (!(value is V6Bytes v6)) return (string?)value;
            var t = FormatV6(v6.High, v6.Low);
            field = t;
            return t;
        }

        private static string FormatV6(ulong high, ulong low)
        {
            var bytes = new byte[16];
            for (int i = 0; i < 8; i++)
            {
                bytes[i] = unchecked((byte)(high >> (8 * i)));
                bytes[8 + i] = unchecked((byte)(low >> (8 * i)));
            }
            return new IPAddress(bytes).ToString();
        }

        /// <summary>An IPv4 address as IPAddress.ToString() writes it; <paramref name="v"/> holds the bytes in network order.</summary>
        internal static unsafe string FormatV4(uint v)
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
