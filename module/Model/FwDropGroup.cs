using System;

namespace Fw
{
    /// <summary>What Measure-FwDrop groups log records by.</summary>
    public enum FwDropKey
    {
        /// <summary>The action column (DROP, ALLOW, ...).</summary>
        Action = 1,
        /// <summary>The protocol (TCP, UDP, ICMP, ... or a number).</summary>
        Protocol = 2,
        /// <summary>The source address.</summary>
        SourceAddress = 3,
        /// <summary>The destination address.</summary>
        DestinationAddress = 4,
        /// <summary>The source port.</summary>
        SourcePort = 5,
        /// <summary>The destination port.</summary>
        DestinationPort = 6,
        /// <summary>Inbound (RECEIVE) or Outbound (SEND).</summary>
        Direction = 7,
        /// <summary>This computer's address (destination of inbound, source of outbound packets).</summary>
        LocalAddress = 8,
        /// <summary>This computer's port.</summary>
        LocalPort = 9,
        /// <summary>The peer's address.</summary>
        RemoteAddress = 10,
        /// <summary>The peer's port.</summary>
        RemotePort = 11,
        /// <summary>The ICMP type.</summary>
        IcmpType = 12,
        /// <summary>The process ID (logs with a pid column).</summary>
        ProcessId = 13,
        /// <summary>The hour the record was logged in (local time as logged).</summary>
        Hour = 14,
    }

    /// <summary>
    /// One group of log records counted by Measure-FwDrop: the values it was grouped by (the other key properties
    /// are null), how many records, when first and last logged, and the bytes they carried.
    /// Addresses, the direction and the keys are text, times have no offset (Kind Unspecified), as in FwDrop:
    /// ConvertTo-Json writes them as they read in every PowerShell.
    /// </summary>
    public sealed class FwDropGroup
    {
        /// <summary>Records in the group.</summary>
        public long Count { get; set; }

        /// <summary>Share of all records counted, in percent.</summary>
        public double Percent { get; set; }

        /// <summary>The group's values, in -GroupBy order, joined with ", " (as Group-Object names groups).</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The properties grouped by, in order: names of <see cref="FwDropKey"/> (LocalPort, RemoteAddress, ...).</summary>
        public string[] GroupBy { get; set; } = Array.Empty<string>();

        /// <summary>The earliest time logged in the group (local time as logged).</summary>
        public DateTime? FirstSeen { get; set; }

        /// <summary>The latest time logged in the group.</summary>
        public DateTime? LastSeen { get; set; }

        /// <summary>Sum of the size column of the group's records.</summary>
        public long Bytes { get; set; }

        /// <summary>Key: the action.</summary>
        public string? Action { get; set; }
        /// <summary>Key: the protocol.</summary>
        public string? Protocol { get; set; }
        /// <summary>Key: the source address.</summary>
        public string? SourceAddress { get; set; }
        /// <summary>Key: the destination address.</summary>
        public string? DestinationAddress { get; set; }
        /// <summary>Key: the source port.</summary>
        public int? SourcePort { get; set; }
        /// <summary>Key: the destination port.</summary>
        public int? DestinationPort { get; set; }
        /// <summary>Key: the direction, Inbound or Outbound (null for paths other than SEND and RECEIVE).</summary>
        public string? Direction { get; set; }
        /// <summary>Key: this computer's address.</summary>
        public string? LocalAddress { get; set; }
        /// <summary>Key: this computer's port.</summary>
        public int? LocalPort { get; set; }
        /// <summary>Key: the peer's address.</summary>
        public string? RemoteAddress { get; set; }
        /// <summary>Key: the peer's port.</summary>
        public int? RemotePort { get; set; }
        /// <summary>Key: the ICMP type.</summary>
        public int? IcmpType { get; set; }
        /// <summary>Key: the process ID.</summary>
        public int? ProcessId { get; set; }
        /// <summary>Key: the start of the hour.</summary>
        public DateTime? Hour { get; set; }

        /// <inheritdoc/>
        public override string ToString() => $"{Count} {Name}";
    }
}
