using System;

namespace Fw
{
    /// <summary>What the rules say about a dropped flow.</summary>
    public enum FwVerdict
    {
        /// <summary>No rule allows the flow: the profile's default action (block inbound) explains the drop.</summary>
        NoMatchingRule = 0,

        /// <summary>An enabled block rule matches (block rules win over allow rules).</summary>
        BlockedByRule = 1,

        /// <summary>An enabled allow rule matches, possibly only for a program or service (see Explanation).</summary>
        AllowedByRule = 2,

        /// <summary>Only a disabled allow rule would allow it.</summary>
        AllowedByDisabledRule = 3,

        /// <summary>The answer depends on what the log does not record (profile, LocalSubnet, RPC ports handed out, ...).</summary>
        Undecidable = 4,
    }

    /// <summary>One rule's relation to a flow: whether it applies and why (or why not).</summary>
    public sealed class FwRuleMatch
    {
        /// <summary>The rule.</summary>
        public FwRule Rule { get; set; } = new FwRule();

        /// <summary>The rule's ID.</summary>
        public string Name => Rule.Name;

        /// <summary>The rule's action: Allow, Block or Bypass.</summary>
        public string Action => Rule.Action;

        /// <summary>Yes, No or Maybe: whether the rule applies to the flow, as if it were enabled.</summary>
        public string Applies { get; set; } = "No";

        /// <summary>The main reason: Applies, Disabled, OtherDirection, OtherProtocol, OtherLocalPort, OtherRemotePort,
        /// OtherLocalAddress, OtherRemoteAddress, OtherIcmpType, OtherProfile, ProfileUnknown, ScopedToProgram,
        /// ScopedToService, RequiresAuthentication, ScopedToInterface, AddressKeyword, RpcDynamicPorts, PortKeyword,
        /// LocalRuleNotMerged (a local rule in a profile where Group Policy sets AllowLocalPolicyMerge = 0: Windows
        /// ignores it there).</summary>
        public string Reason { get; set; } = string.Empty;

        /// <summary>Whether the rule is enabled.</summary>
        public bool Enabled { get; set; }

        /// <summary>True when the verdict rests on this rule.</summary>
        public bool Deciding { get; set; }

        /// <summary>The reason in words: "applies only for service termservice", "other remote address (rule: 10.0.0.0/8)".</summary>
        public string Explanation { get; set; } = string.Empty;

        /// <summary>"Name: explanation".</summary>
        public override string ToString() => Rule.Label + ": " + Explanation;
    }

    /// <summary>
    /// Test-FwDrop's answer for one flow of dropped packets (same direction, protocol, local address and port - the
    /// remote port for outbound flows - and remote address): what the rules say and why.
    /// </summary>
    public sealed class FwDropVerdict
    {
        /// <summary>Inbound or Outbound (text, so that ConvertTo-Json writes the name in every PowerShell).</summary>
        public string? Direction { get; set; }

        /// <summary>The protocol as logged (TCP, UDP, ICMP, ...).</summary>
        public string? Protocol { get; set; }

        /// <summary>This computer's address, as text.</summary>
        public string? LocalAddress { get; set; }

        /// <summary>This computer's port (for outbound flows, of the first drop).</summary>
        public int? LocalPort { get; set; }

        /// <summary>The peer's address, as text.</summary>
        public string? RemoteAddress { get; set; }

        /// <summary>The peer's port (for inbound flows, of the first drop).</summary>
        public int? RemotePort { get; set; }

        /// <summary>The ICMP type, for ICMP flows.</summary>
        public int? IcmpType { get; set; }

        /// <summary>The port the flow is about: LocalPort inbound, RemotePort outbound, the ICMP type for ICMP.</summary>
        public int? Port => IcmpType ?? (IsOutbound ? RemotePort : LocalPort);

        /// <summary>Number of dropped packets in the flow.</summary>
        public long Count { get; set; }

        /// <summary>When the first drop was logged (the log's wall clock, no offset: see FwDrop.Time).</summary>
        public DateTime? FirstSeen { get; set; }

        /// <summary>When the last drop was logged.</summary>
        public DateTime? LastSeen { get; set; }

        /// <summary>The profile the flow was evaluated for (-Profile), or Unknown.</summary>
        public string Profile { get; set; } = "Unknown";

        /// <summary>NoMatchingRule, BlockedByRule, AllowedByRule, AllowedByDisabledRule or Undecidable: a name of
        /// <see cref="FwVerdict"/>, as text so that ConvertTo-Json writes the name in every PowerShell.</summary>
        public string Verdict { get; set; } = nameof(FwVerdict.NoMatchingRule);

        /// <summary>One sentence: which rule, and what to check.</summary>
        public string Explanation { get; set; } = string.Empty;

        /// <summary>The relevant rules, most decisive first, each with the reason it applies or not.</summary>
        public FwRuleMatch[] MatchingRules { get; set; } = Array.Empty<FwRuleMatch>();

        /// <summary>"Inbound TCP 3389 from 198.51.100.7: AllowedByRule".</summary>
        public override string ToString() =>
            $"{Direction} {Protocol} {(IsOutbound ? RemotePort : LocalPort)} {(IsOutbound ? "to" : "from")} {RemoteAddress}: {Verdict}";

        private bool IsOutbound => string.Equals(Direction, nameof(FwDirection.Outbound), StringComparison.OrdinalIgnoreCase);
    }
}
