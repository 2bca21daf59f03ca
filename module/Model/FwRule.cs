using System;
using System.Globalization;
using Fw.Native;

namespace Fw
{
    /// <summary>What a firewall rule does with the traffic it matches.</summary>
    public enum FwRuleAction
    {
        /// <summary>Allow the traffic.</summary>
        Allow = 0,

        /// <summary>Block the traffic. Block rules win over allow rules.</summary>
        Block = 1,

        /// <summary>Allow authenticated (IPsec) traffic even when a block rule matches (-OverrideBlockRules).</summary>
        Bypass = 2,
    }

    /// <summary>Where a rule came from.</summary>
    public enum FwRuleStore
    {
        /// <summary>Not known.</summary>
        Unknown = 0,

        /// <summary>The local store: HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules.</summary>
        Local = 1,

        /// <summary>Group Policy: HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules.</summary>
        GroupPolicy = 2,

        /// <summary>A file (a .reg export of another key, or a text file of rule strings).</summary>
        File = 3,

        /// <summary>A string given with -RuleString.</summary>
        RuleString = 4,
    }

    /// <summary>
    /// One Windows Firewall rule, parsed from its registry rule string ([MS-GPFAS] 2.2.2.19). Written by Get-FwRule;
    /// read by Test-FwDrop and New-FwRuleFromDrop (by Name and RuleString).
    /// Lists ("Any" when the rule has no condition) keep the registry's keywords: RPC, RPC-EPMap, LocalSubnet, ...
    /// </summary>
    public sealed class FwRule
    {
        /// <summary>The rule ID: the registry value name (for a text file without IDs, file:line).</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The display name Windows shows: the Name= token, with an indirect string such as
        /// @FirewallAPI.dll,-28775 resolved (Windows). When it cannot be resolved it is the raw token and
        /// DisplayNameResolved is false.</summary>
        public string? DisplayName { get; set; }

        /// <summary>The Name= token as stored (for an indirect string, the @file,-id text).</summary>
        public string? DisplayNameSource { get; set; }

        /// <summary>False when DisplayName is an indirect string that could not be resolved here (not Windows, or
        /// its DLL is not on this computer); it then holds the raw token.</summary>
        public bool DisplayNameResolved { get; set; } = true;

        /// <summary>The description Windows shows (Desc=, resolved like DisplayName).</summary>
        public string? Description { get; set; }

        /// <summary>The Desc= token as stored.</summary>
        public string? DescriptionSource { get; set; }

        /// <summary>False when Description is an unresolved indirect string.</summary>
        public bool DescriptionResolved { get; set; } = true;

        /// <summary>The EmbedCtxt= token (the rule group) as stored: what New-NetFirewallRule -Group takes.</summary>
        public string? Group { get; set; }

        /// <summary>The group name Windows shows (Group resolved, as NetSecurity's DisplayGroup).</summary>
        public string? DisplayGroup { get; set; }

        /// <summary>False when DisplayGroup is an unresolved indirect string.</summary>
        public bool DisplayGroupResolved { get; set; } = true;

        /// <summary>Active=TRUE. A rule string without Active is disabled.</summary>
        public bool Enabled { get; set; }

        /// <summary>Inbound (Dir=In) or Outbound (Dir=Out). Enum values are exposed as their names (text), so that
        /// ConvertTo-Json writes names in every PowerShell (Windows PowerShell 5.1 has no -EnumsAsStrings).</summary>
        public string Direction => DirectionValue.ToString();

        /// <summary>Allow, Block or Bypass.</summary>
        public string Action => ActionValue.ToString();

        internal FwDirection DirectionValue { get; set; }

        internal FwRuleAction ActionValue { get; set; }

        /// <summary>TCP, UDP, ICMPv4, ICMPv6, Any, or the protocol number.</summary>
        public string Protocol { get; set; } = "Any";

        /// <summary>The IP protocol number, or null for any protocol.</summary>
        public int? ProtocolNumber { get; set; }

        /// <summary>Local ports: numbers, ranges and keywords as NetSecurity names them (RPC, RPCEPMap, Teredo,
        /// IPHTTPSIn, IPHTTPSOut, PlayToDiscovery, DHCP, mDNS ...), or Any.</summary>
        public string[] LocalPort { get; set; } = new[] { "Any" };

        /// <summary>Remote ports (NetSecurity names), or Any.</summary>
        public string[] RemotePort { get; set; } = new[] { "Any" };

        /// <summary>Local ports with keywords in the registry's spelling (RPC-EPMap, Ply2Disc ...), as in RuleString.</summary>
        public string[] LocalPortRegistry { get; set; } = new[] { "Any" };

        /// <summary>Remote ports with keywords in the registry's spelling.</summary>
        public string[] RemotePortRegistry { get; set; } = new[] { "Any" };

        /// <summary>Local addresses: addresses, subnets (a/len), ranges (a-b), keywords, or Any.</summary>
        public string[] LocalAddress { get; set; } = new[] { "Any" };

        /// <summary>Remote addresses: addresses, subnets, ranges, keywords (LocalSubnet, DNS, DHCP, WINS, DefaultGateway,
        /// Intranet, Internet ...; with a 4 or 6 suffix when the rule limits them to one family), or Any.</summary>
        public string[] RemoteAddress { get; set; } = new[] { "Any" };

        /// <summary>ICMP type:code pairs ('*' = any code), or Any.</summary>
        public string[] IcmpType { get; set; } = new[] { "Any" };

        /// <summary>Profiles: "Domain, Private", ... or Any (no Profile token means every profile).</summary>
        public string Profile { get; set; } = "Any";

        /// <summary>The program (App=), as stored: environment variables are not expanded.</summary>
        public string? Program { get; set; }

        /// <summary>The service short name (Svc=); '*' means any service.</summary>
        public string? Service { get; set; }

        /// <summary>The app package SID (AppPkgId=).</summary>
        public string? Package { get; set; }

        /// <summary>Interface types (IFType=): "Lan, Wireless", ... or Any.</summary>
        public string InterfaceType { get; set; } = "Any";

        /// <summary>IPsec requirements (Security=...), e.g. "Authenticate, An-NoEncap"; null if none.</summary>
        public string? Security { get; set; }

        /// <summary>Edge=TRUE: edge traversal allowed.</summary>
        public bool EdgeTraversal { get; set; }

        /// <summary>Where the rule came from: Local, GroupPolicy, File, RuleString or Unknown.</summary>
        public string Store => StoreValue.ToString();

        internal FwRuleStore StoreValue { get; set; }

        /// <summary>The file or registry key it was read from; null for -RuleString.</summary>
        public string? Source { get; set; }

        /// <summary>The line in the source file; null when not read from a file.</summary>
        public long? LineNumber { get; set; }

        /// <summary>True when DisplayName is an indirect resource string (@file,-id); resolving it needs Windows.</summary>
        public bool IsIndirect { get; set; }

        /// <summary>True when Description is an indirect resource string.</summary>
        public bool IsDescriptionIndirect { get; set; }

        /// <summary>True when Group is an indirect resource string.</summary>
        public bool IsGroupIndirect { get; set; }

        /// <summary>The schema version of the string, e.g. 2.10 (Windows 7) or 2.33.</summary>
        public string SchemaVersion { get; set; } = string.Empty;

        /// <summary>Tokens this version of Fw does not know, as Name=value; kept, not fatal.</summary>
        public string[] UnknownToken { get; set; } = Array.Empty<string>();

        /// <summary>The rule string as stored in the registry.</summary>
        public string RuleString { get; set; } = string.Empty;

        /// <summary>DisplayName when it is readable (direct text, or resolved), else Name.</summary>
        public string Label => !string.IsNullOrEmpty(DisplayName) && DisplayNameResolved ? DisplayName! : Name;

        /// <summary>The rule ID.</summary>
        public override string ToString() => Name;

        private static string[] List(IntPtr p)
        {
            string? s = Utf8.FromNative(p);
            if (string.IsNullOrEmpty(s)) return new[] { "Any" };
            return s!.Split(',');
        }

        private static string? Text(IntPtr p)
        {
            string? s = Utf8.FromNative(p);
            return string.IsNullOrEmpty(s) ? null : s;
        }

        internal static FwRule FromNative(in FwRuleInfoNative n)
        {
            var unknown = Text(n.UnknownTokens);
            var localPorts = List(n.LocalPorts);
            var remotePorts = List(n.RemotePorts);
            var rule = new FwRule
            {
                Name = Utf8.FromNative(n.Name) ?? string.Empty,
                DisplayName = Text(n.DisplayName),
                Description = Text(n.Description),
                Group = Text(n.Group),
                Enabled = (n.Flags & FwNative.RuleEnabled) != 0,
                DirectionValue = n.Direction == 2 ? FwDirection.Outbound : FwDirection.Inbound,
                ActionValue = (FwRuleAction)n.Action,
                Protocol = Utf8.FromNative(n.Protocol) ?? "Any",
                ProtocolNumber = n.ProtocolNumber == FwNative.ProtocolAny ? (int?)null : n.ProtocolNumber,
                LocalPort = Array.ConvertAll(localPorts, Fw.Core.PortKeywords.NetSecurityName),
                RemotePort = Array.ConvertAll(remotePorts, Fw.Core.PortKeywords.NetSecurityName),
                LocalPortRegistry = localPorts,
                RemotePortRegistry = remotePorts,
                LocalAddress = List(n.LocalAddresses),
                RemoteAddress = List(n.RemoteAddresses),
                IcmpType = List(n.IcmpTypes),
                Profile = ProfileText(n.Profiles),
                Program = Text(n.Program),
                Service = Text(n.Service),
                Package = Text(n.Package),
                InterfaceType = Utf8.FromNative(n.InterfaceTypes) ?? "Any",
                Security = Text(n.Security),
                EdgeTraversal = (n.Flags & FwNative.RuleEdge) != 0,
                StoreValue = n.Store switch
                {
                    FwNative.StoreLocal => FwRuleStore.Local,
                    FwNative.StoreGroupPolicy => FwRuleStore.GroupPolicy,
                    FwNative.StoreFile => FwRuleStore.File,
                    FwNative.StoreOther => FwRuleStore.RuleString,
                    _ => FwRuleStore.Unknown,
                },
                Source = Text(n.Source),
                LineNumber = n.Line == 0 ? (long?)null : checked((long)n.Line),
                IsIndirect = (n.Flags & FwNative.RuleNameIndirect) != 0,
                IsDescriptionIndirect = (n.Flags & FwNative.RuleDescIndirect) != 0,
                IsGroupIndirect = (n.Flags & FwNative.RuleGroupIndirect) != 0,
                SchemaVersion = n.VersionMajor.ToString(CultureInfo.InvariantCulture) + "." + n.VersionMinor.ToString(CultureInfo.InvariantCulture),
                UnknownToken = unknown == null ? Array.Empty<string>() : unknown.Split('|'),
                RuleString = Utf8.FromNative(n.Raw) ?? string.Empty,
            };
            // As stored; Fw.Core.IndirectStrings replaces indirect ones with what Windows shows where it can.
            rule.DisplayNameSource = rule.DisplayName;
            rule.DescriptionSource = rule.Description;
            rule.DisplayGroup = rule.Group;
            rule.DisplayNameResolved = !rule.IsIndirect;
            rule.DescriptionResolved = !rule.IsDescriptionIndirect;
            rule.DisplayGroupResolved = !rule.IsGroupIndirect;
            return rule;
        }

        /// <summary>"Domain, Private" for a profile mask; Any for all three (or none).</summary>
        internal static string ProfileText(uint mask)
        {
            mask &= 7;
            if (mask == 0 || mask == 7) return "Any";
            var parts = new System.Collections.Generic.List<string>(3);
            if ((mask & 1) != 0) parts.Add("Domain");
            if ((mask & 2) != 0) parts.Add("Private");
            if ((mask & 4) != 0) parts.Add("Public");
            return string.Join(", ", parts);
        }
    }
}
