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
    public sealed class FwDrop
    {
        /// <summary>Date and time as logged: the log's local wall-clock time (Kind = Local).</summary>
        public DateTime Time { get; set; }

        /// <summary>The action column as logged: DROP, ALLOW, INFO-EVENTS-LOST, OPEN, OPEN-INBOUND, CLOSE.</summary>
        public string Action { get; set; } = string.Empty;

        /// <summary>TCP, UDP, ICMP, ICMPv6, or the IP protocol number as text; null if absent.</summary>
        public string? Protocol { get; set; }

        /// <summary>The packet's source address (src-ip).</summary>
        public IPAddress? SourceAddress { get; set; }

        /// <summary>The packet's destination address (dst-ip).</summary>
        public IPAddress? DestinationAddress { get; set; }

        /// <summary>src-port.</summary>
        public int? SourcePort { get; set; }

        /// <summary>dst-port.</summary>
        public int? DestinationPort { get; set; }

        /// <summary>Packet size in bytes.</summary>
        public long? Size { get; set; }

        /// <summary>TCP flags as logged (S, A, AP, FA, SA, ...).</summary>
        public string? TcpFlags { get; set; }

        /// <summary>TCP sequence number.</summary>
        public long? TcpSyn { get; set; }

        /// <summary>TCP acknowledgement number.</summary>
        public long? TcpAck { get; set; }

        /// <summary>TCP window size.</summary>
        public int? TcpWindow { get; set; }

        /// <summary>ICMP type.</summary>
        public int? IcmpType { get; set; }

        /// <summary>ICMP code.</summary>
        public int? IcmpCode { get; set; }

        /// <summary>The info column (events lost, for INFO-EVENTS-LOST lines).</summary>
        public long? Info { get; set; }

        /// <summary>The path column as logged: SEND, RECEIVE, FORWARD, UNKNOWN; null if absent.</summary>
        public string? Path { get; set; }

        /// <summary>The pid column; null when '-' or when the log has no pid column.</summary>
        public int? ProcessId { get; set; }

        /// <summary>Inbound for RECEIVE, Outbound for SEND, else null.</summary>
        public FwDirection? Direction { get; set; }

        /// <summary>This computer's address: the destination of an inbound packet, the source of an outbound one.</summary>
        public IPAddress? LocalAddress { get; set; }

        /// <summary>This computer's port: the destination port of an inbound packet, the source port of an outbound one.</summary>
        public int? LocalPort { get; set; }

        /// <summary>The peer's address: the source of an inbound packet, the destination of an outbound one.</summary>
        public IPAddress? RemoteAddress { get; set; }

        /// <summary>The peer's port.</summary>
        public int? RemotePort { get; set; }

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

        /// <summary>The record in the log's own column order (17 fields, plus pid when known).</summary>
        public override string ToString()
        {
            var sb = new StringBuilder(128);
            sb.Append(Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            Field(sb, Action);
            Field(sb, Protocol);
            Field(sb, SourceAddress?.ToString());
            Field(sb, DestinationAddress?.ToString());
            Field(sb, SourcePort);
            Field(sb, DestinationPort);
            Field(sb, Size);
            Field(sb, TcpFlags);
            Field(sb, TcpSyn);
            Field(sb, TcpAck);
            Field(sb, TcpWindow);
            Field(sb, IcmpType);
            Field(sb, IcmpCode);
            Field(sb, Info);
            Field(sb, Path);
            if (ProcessId.HasValue) Field(sb, ProcessId);
            return sb.ToString();
        }

        private static void Field(StringBuilder sb, string? s) => sb.Append(' ').Append(string.IsNullOrEmpty(s) ? "-" : s);

        private static void Field(StringBuilder sb, long? n)
        {
            sb.Append(' ');
            if (n.HasValue) sb.Append(n.Value.ToString(CultureInfo.InvariantCulture));
            else sb.Append('-');
        }
    }
}
