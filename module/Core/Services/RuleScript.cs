using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace Fw.Core.Services
{
    /// <summary>
    /// How a rule candidate is said to New-NetFirewallRule: its parameter set (for the call in the caller's session),
    /// the -WhatIf/-Confirm text, and the reviewable script of -AsScript, where every value is a single-quoted constant
    /// (<see cref="ScriptQuoting"/>) and every comment line is free of line breaks.
    /// </summary>
    internal static class RuleScript
    {
        /// <summary>The New-NetFirewallRule parameters for a candidate, in a stable order, with the cmdlet's own value forms.</summary>
        internal static List<KeyValuePair<string, object>> Parameters(FwRuleCandidate c, string? policyStore = null, object[]? cimSession = null)
        {
            var p = new List<KeyValuePair<string, object>>
            {
                Pair("Name", c.Name),
                Pair("DisplayName", c.DisplayName),
                Pair("Description", c.Description),
                Pair("Group", c.Group),
                Pair("Direction", c.DirectionValue == FwDirection.Outbound ? "Outbound" : "Inbound"),
                Pair("Action", "Allow"),
                Pair("Protocol", c.Protocol),
            };
            if (c.LocalPort != null) p.Add(Pair("LocalPort", new[] { c.LocalPort }));
            if (c.RemotePort != null) p.Add(Pair("RemotePort", new[] { c.RemotePort }));
            if (c.IcmpType != null) p.Add(Pair("IcmpType", new[] { c.IcmpType }));
            p.Add(Pair("RemoteAddress", c.RemoteAddress));
            if (c.LocalAddress.Length > 0) p.Add(Pair("LocalAddress", c.LocalAddress));
            if (c.Program != null) p.Add(Pair("Program", c.Program));
            p.Add(Pair("Profile", c.Profile));
            p.Add(Pair("Enabled", "True"));
            if (policyStore != null) p.Add(Pair("PolicyStore", policyStore));
            if (cimSession != null) p.Add(Pair("CimSession", cimSession));
            return p;
        }

        private static KeyValuePair<string, object> Pair(string name, object value) => new KeyValuePair<string, object>(name, value);

        /// <summary>One New-NetFirewallRule command line; every value a single-quoted constant (ScriptQuoting), CIM sessions by computer name.</summary>
        internal static string ScriptLine(FwRuleCandidate c, string? policyStore = null, object[]? cimSession = null)
        {
            var sb = new StringBuilder("New-NetFirewallRule");
            foreach (var parameter in Parameters(c, policyStore, cimSession))
            {
                sb.Append(" -").Append(parameter.Key).Append(' ');
                sb.Append(parameter.Value switch
                {
                    string[] list => ScriptQuoting.QuoteList(list),
                    object[] sessions => ScriptQuoting.QuoteList(CimSessionNames(sessions)),
                    _ => ScriptQuoting.Quote((string)parameter.Value),
                });
            }
            return sb.ToString();
        }

        /// <summary>What ShouldProcess shows for a candidate (-WhatIf, -Confirm): the call, unquoted, and the evidence.</summary>
        internal static string ActionText(FwRuleCandidate c)
        {
            var sb = new StringBuilder("New-NetFirewallRule");
            sb.Append(" -Direction ").Append(c.Direction).Append(" -Action Allow -Protocol ").Append(c.Protocol);
            if (c.LocalPort != null) sb.Append(" -LocalPort ").Append(c.LocalPort);
            if (c.RemotePort != null) sb.Append(" -RemotePort ").Append(c.RemotePort);
            if (c.IcmpType != null) sb.Append(" -IcmpType ").Append(c.IcmpType);
            sb.Append(" -RemoteAddress ").Append(string.Join(",", c.RemoteAddress));
            if (c.LocalAddress.Length > 0) sb.Append(" -LocalAddress ").Append(string.Join(",", c.LocalAddress));
            if (c.Program != null) sb.Append(" -Program ").Append(c.Program);
            sb.Append(" -Profile ").Append(c.Profile);
            sb.Append(" (").Append(c.Hits.ToString(CultureInfo.InvariantCulture)).Append(" drop(s) from ")
              .Append(c.RemoteAddressCount.ToString(CultureInfo.InvariantCulture)).Append(" address(es))");
            return sb.ToString();
        }

        /// <summary>The ShouldProcess target: "&lt;display name&gt; (&lt;id&gt;)", and where the rule goes when not the local store.</summary>
        internal static string Target(FwRuleCandidate c, string? policyStore, object[]? cimSession)
        {
            var sb = new StringBuilder();
            sb.Append(c.DisplayName).Append(" (").Append(c.Name).Append(')');
            if (policyStore != null) sb.Append(" in policy store '").Append(policyStore).Append('\'');
            if (cimSession != null) sb.Append(" on ").Append(string.Join(", ", CimSessionNames(cimSession)));
            return sb.ToString();
        }

        /// <summary>
        /// The -AsScript text: a comment header (counts, where the rules go, the run's notes) and one
        /// New-NetFirewallRule line per rule to create.
        /// </summary>
        internal static string Script(IEnumerable<FwRuleCandidate> toCreate, long drops, string? policyStore, object[]? cimSession,
                                      IEnumerable<string> notes)
        {
            var lines = new StringBuilder();
            int count = 0;
            foreach (var c in toCreate)
            {
                lines.Append(ScriptLine(c, policyStore, cimSession)).Append('\n');
                count++;
            }
            var header = new StringBuilder();
            header.Append("# New-NetFirewallRule commands from New-FwRuleFromDrop (Fw): ")
                  .Append(count.ToString(CultureInfo.InvariantCulture)).Append(" rule(s) from ")
                  .Append(drops.ToString(CultureInfo.InvariantCulture)).Append(" drop(s).\n")
                  .Append("# Review, then run on the target computer (NetSecurity module, elevated).\n");
            if (policyStore != null)
                header.Append("# Policy store: ").Append(ScriptQuoting.CommentText(policyStore)).Append('\n');
            if (cimSession != null)
                header.Append("# Computers: ").Append(ScriptQuoting.CommentText(string.Join(", ", CimSessionNames(cimSession))))
                      .Append(" (-CimSession by computer name: New-NetFirewallRule opens a session to each with your credentials).\n");
            foreach (var n in notes) header.Append("# ").Append(ScriptQuoting.CommentText(n)).Append('\n');
            return header.Append(lines).ToString();
        }

        /// <summary>Computer names for -CimSession values: a CimSession's ComputerName, or the text given.</summary>
        internal static string[] CimSessionNames(object[] sessions)
        {
            var names = new List<string>(sessions.Length);
            foreach (var s in sessions)
            {
                if (s == null) continue;
                var wrapped = s as PSObject ?? PSObject.AsPSObject(s);
                if (wrapped.BaseObject is string text)
                {
                    names.Add(text);
                    continue;
                }
                var computer = wrapped.Properties["ComputerName"]?.Value?.ToString();
                names.Add(string.IsNullOrEmpty(computer) ? wrapped.ToString() : computer!);
            }
            return names.ToArray();
        }
    }
}
