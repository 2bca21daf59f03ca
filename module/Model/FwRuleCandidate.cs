using System;

namespace Fw
{
    /// <summary>What New-FwRuleFromDrop did (or would do) with a candidate rule.</summary>
    public enum FwRuleCandidateStatus
    {
        /// <summary>New-NetFirewallRule created the rule.</summary>
        Created,
        /// <summary>The rule would be created (-WhatIf, -AsScript, or declined at the -Confirm prompt).</summary>
        WouldCreate,
        /// <summary>An enabled allow rule already covers this traffic (CoveringRule names it); nothing created.</summary>
        AlreadyAllowed,
        /// <summary>An enabled block rule would override an allow rule (BlockingRule names it); not created unless -Force.</summary>
        BlockedByRule,
        /// <summary>The remote addresses lie outside every -Scope entry; no rule.</summary>
        OutOfScope,
        /// <summary>New-NetFirewallRule failed; its error was written.</summary>
        Failed,
    }

    /// <summary>
    /// One candidate allow rule made from dropped traffic by New-FwRuleFromDrop: the New-NetFirewallRule
    /// parameters it stands for, what was seen, and what happened to it.
    /// </summary>
    public sealed class FwRuleCandidate
    {
        /// <summary>Created, WouldCreate, AlreadyAllowed, BlockedByRule, OutOfScope or Failed: the name of
        /// <see cref="StatusValue"/>, as text so that ConvertTo-Json writes the name in every PowerShell.</summary>
        public string Status => StatusValue.ToString();

        /// <summary>The status, typed (what the cmdlet decides on).</summary>
        internal FwRuleCandidateStatus StatusValue { get; set; }

        /// <summary>New-NetFirewallRule -LocalAddress: this computer's addresses the rule is limited to (-LocalAddress); empty for any.</summary>
        public string[] LocalAddress { get; set; } = Array.Empty<string>();

        /// <summary>New-NetFirewallRule -Program: the program the rule is limited to (-Program or -ProgramFromProcessId); null for any.</summary>
        public string? Program { get; set; }

        /// <summary>The rule's stable id (New-NetFirewallRule -Name), derived from its content: "Fw-In-TCP-49154-1f0c9a2b7d3e4f60".</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>-DisplayName: the prefix, direction, protocol and port.</summary>
        public string DisplayName { get; set; } = string.Empty;

        /// <summary>-Description: provenance (drops, first and last seen, remote addresses, "created by Fw").</summary>
        public string Description { get; set; } = string.Empty;

        /// <summary>-Group.</summary>
        public string Group { get; set; } = string.Empty;

        /// <summary>Inbound or Outbound (the name of <see cref="DirectionValue"/>).</summary>
        public string Direction => DirectionValue.ToString();

        /// <summary>The direction, typed.</summary>
        internal FwDirection DirectionValue { get; set; }

        /// <summary>-Protocol: TCP, UDP, ICMPv4, ICMPv6 or a number.</summary>
        public string Protocol { get; set; } = string.Empty;

        /// <summary>-LocalPort of an inbound rule: "49154", "8080-8082", "RPC", "RPCEPMap"; null for outbound or portless protocols.</summary>
        public string? LocalPort { get; set; }

        /// <summary>-RemotePort of an outbound rule; null for inbound.</summary>
        public string? RemotePort { get; set; }

        /// <summary>-IcmpType for ICMP rules when the type was logged; else null.</summary>
        public string? IcmpType { get; set; }

        /// <summary>-RemoteAddress: the scope entries matched, or exactly the addresses seen. Empty for OutOfScope.</summary>
        public string[] RemoteAddress { get; set; } = Array.Empty<string>();

        /// <summary>-Profile: Any, or a comma-separated list (Domain,Private).</summary>
        public string Profile { get; set; } = "Any";

        /// <summary>Dropped packets behind this candidate.</summary>
        public long Hits { get; set; }

        /// <summary>Time of the first drop (the log's wall clock, Kind Unspecified: see FwDrop.Time), or null if no drop had a time.</summary>
        public DateTime? FirstSeen { get; set; }

        /// <summary>Time of the last drop.</summary>
        public DateTime? LastSeen { get; set; }

        /// <summary>The distinct remote addresses seen (consecutive addresses written as a range a-b).</summary>
        public string[] RemoteAddressesSeen { get; set; } = Array.Empty<string>();

        /// <summary>Number of distinct remote addresses seen.</summary>
        public long RemoteAddressCount { get; set; }

        /// <summary>The enabled allow rule that already covers the traffic (AlreadyAllowed).</summary>
        public string? CoveringRule { get; set; }

        /// <summary>The enabled block rule that would override an allow rule (BlockedByRule, or Created with -Force).</summary>
        public string? BlockingRule { get; set; }

        /// <summary>A disabled allow rule that would allow the traffic if it were enabled.</summary>
        public string? DisabledRule { get; set; }

        /// <summary>Inbound TCP in 49152-65535: an RPC dynamic port, which can change after a reboot.</summary>
        public bool IsDynamicRpcPort { get; set; }

        /// <summary>The remote addresses were accepted by an address keyword (LocalSubnet, Intranet, ...) that a log line cannot decide.</summary>
        public bool ScopeByKeyword { get; set; }

        /// <summary>The rule in the firewall's registry rule-string form ([MS-GPFAS] grammar).</summary>
        public string RuleString { get; set; } = string.Empty;

        /// <summary>LocalPort for inbound rules, RemotePort for outbound ones (what the table shows).</summary>
        public string? Port => DirectionValue == FwDirection.Outbound ? RemotePort : LocalPort ?? (IcmpType != null ? "type " + IcmpType : null);

        /// <summary>The covering, blocking or disabled rule, whichever applies.</summary>
        public string? Rule => CoveringRule ?? BlockingRule ?? DisabledRule;

        public override string ToString() => $"{Status} {Name}";
    }
}
